"""zguard sealed feeds: seal and open, both ways.

    message      = 0x46 || 0x02 || pad block B (u16) || epoch (u64) || counter (u64)
                   || messages n (u16) || AEAD(payload padded to a multiple of B)
    announcement = 0x4B || 0x01 || epoch (u64) || E || member count m (u16)
                   || m * (member key id || AEAD(epoch key))

A sealed publisher (a PUB or XPUB with signing<ed25519> and sealed<...> on a
topic channel) seals each message under its current epoch key, and that key
to each member's X25519 sealing key in a key announcement on the same topic;
both are the payload of the publisher's signed envelope (envelope.py), which
is verified first. XChaCha20-Poly1305-IETF throughout. A message's nonce is
epoch || counter || 0^8, its associated data the 22 header bytes || the
topic's length (1 byte) || the topic || the publisher's key id (8 bytes). A
member's wrap key is BLAKE2b-256 keyed with "zguard.sealed.epoch.v1" over
X25519(e, M) || E || M; the epoch key is sealed under it with a nonce of 24
zero bytes and the associated data the 44 header bytes || the topic's length
|| the topic || the publisher's key id || the member's key id. Padding is
libsodium's sodium_pad: the payload, 0x80, zeros to the next multiple of B.
A message's n is how many messages its payload holds (a batch's count, else
1), in clear for a forwarder's rate limit; the opener checks it.

FeedSealer is zguard's feed_sealer (a publisher's members, epoch key,
counter and announcement), FeedOpener its feed_opener (a subscriber's key
and, per publisher, the current and the previous epoch's key), with the
same checks in the same order and the same reasons (SealError): malformed,
not_a_member, forged, weak_key, unknown_epoch, and not_sealed for a payload
that is neither (the C++ receive stage's). docs/wire-format.md ("Sealed
feeds") is the format, docs/python.md the API.
"""
import collections
import hashlib
import hmac
import os
import struct
import time

import nacl.bindings
import nacl.exceptions

from .wire import BATCH_FORMAT
from .sealed import FORMAT, KEY_SIZE, NONCE_SIZE, TAG_SIZE, SealError, SealingKey, SealingPublicKey, _x25519

MESSAGE_KIND = 0x46                      # "F": a message sealed under an epoch key
ANNOUNCEMENT_KIND = 0x4B                 # "K": an epoch key sealed to each member
MESSAGE_FORMAT = 0x02                    # 2: the message count in the header
MESSAGE_HEADER = 1 + 1 + 2 + 8 + 8 + 2   # 22: kind, format, pad block, epoch, counter, messages
MESSAGE_MIN = MESSAGE_HEADER + 1 + TAG_SIZE   # 39: the shortest sealed message (one padded byte)
ANNOUNCEMENT_HEADER = 1 + 1 + 8 + 32 + 2  # 44: kind, format, epoch, E, member count
ANNOUNCEMENT_ENTRY = 8 + KEY_SIZE + TAG_SIZE  # 56: a member's key id, the epoch key sealed to it
WRAP_LABEL = b"zguard.sealed.epoch.v1"
ZERO_NONCE = bytes(NONCE_SIZE)           # a wrap key seals one thing

ROTATE_MS, ANNOUNCE_MS, PAD, MAX_MEMBERS = 600000, 1000, 1, 64   # sealed<...>'s defaults

FEED_REASONS = ("not_sealed", "malformed", "not_a_member", "stale_epoch", "weak_key", "unknown_epoch", "forged")

_U16 = struct.Struct("<H")
_U64 = struct.Struct("<Q")


def _topic_bytes(topic):
    t = topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)
    if len(t) > 255:
        raise ValueError("zguard.sealed_feed: a topic is at most 255 bytes")
    return t


def _publisher_id(publisher_key_id):
    p = bytes(publisher_key_id)
    if len(p) != 8:
        raise ValueError("zguard.sealed_feed: a publisher's key id is 8 bytes (its envelope's)")
    return p


def _ad(header, topic, publisher, member=b""):
    """The associated data: the header's bytes, the topic (length first), the
    publisher's key id, and on an announcement's entry the member's key id."""
    return bytes(header) + bytes([len(topic)]) + topic + publisher + member


def message_nonce(epoch, counter):
    """A message's nonce: epoch || counter || 0^8."""
    return _U64.pack(epoch) + _U64.pack(counter) + bytes(8)


def wrap_key(secret, point, ephemeral_public, member_public):
    """A member's wrap key, BLAKE2b-256 keyed with "zguard.sealed.epoch.v1"
    over X25519(secret, point) || E || M; None when the X25519 result is all
    zero (a low-order point)."""
    shared = _x25519(bytes(secret), bytes(point))
    if shared is None:
        return None
    return hashlib.blake2b(shared + bytes(ephemeral_public) + bytes(member_public), digest_size=KEY_SIZE,
                           key=WRAP_LABEL).digest()


def pad(payload, block):
    """libsodium's sodium_pad: the payload, 0x80, zeros to the next multiple
    of block (always at least one byte added)."""
    if not 1 <= block <= 65535:
        raise ValueError("zguard.sealed_feed: a pad block is 1..65535 bytes")
    b = bytes(payload)
    return b + b"\x80" + bytes(block - 1 - len(b) % block)


def unpad(padded, block):
    """libsodium's sodium_unpad: the payload, or None when the last block
    holds no 0x80 followed by zeros only."""
    b = bytes(padded)
    if block < 1 or len(b) < block:
        return None
    end = len(b)
    while end > len(b) - block and b[end - 1] == 0:
        end -= 1
    if end <= len(b) - block or b[end - 1] != 0x80:
        return None
    return b[:end - 1]


def messages_in(payload):
    """How many messages a payload holds: a batch its count, else 1."""
    b = bytes(payload)
    return _U16.unpack_from(b, 1)[0] if len(b) >= 3 and b[0] == BATCH_FORMAT else 1


def seal_message(epoch_key, epoch, counter, payload, pad_block, topic, publisher_key_id):
    """One sealed feed message: payload padded to pad_block, sealed under
    epoch_key at (epoch, counter), bound to the topic and the publisher."""
    if not 0 <= epoch < 1 << 64 or not 0 <= counter < 1 << 64:
        raise ValueError("zguard.sealed_feed: epoch and counter are u64")
    header = (bytes([MESSAGE_KIND, MESSAGE_FORMAT]) + _U16.pack(pad_block) + _U64.pack(epoch) + _U64.pack(counter) +
              _U16.pack(messages_in(payload)))
    ad = _ad(header, _topic_bytes(topic), _publisher_id(publisher_key_id))
    return header + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        pad(payload, pad_block), ad, message_nonce(epoch, counter), bytes(epoch_key))


def _public(key):
    return key if isinstance(key, SealingPublicKey) else SealingPublicKey(key)


def build_announcement(epoch, epoch_key, ephemeral_secret, members, topic, publisher_key_id):
    """An epoch's announcement: epoch_key (32 bytes) sealed to each member
    (SealingPublicKey, 32 bytes or Z85) with the ephemeral secret (32 bytes;
    its public part goes in the header), in the members' order."""
    members = [_public(m) for m in members]
    if len(members) > 65535:
        raise ValueError("zguard.sealed_feed: at most 65535 members")
    key = bytes(epoch_key)
    if len(key) != KEY_SIZE or len(bytes(ephemeral_secret)) != KEY_SIZE:
        raise ValueError("zguard.sealed_feed: an epoch key and an ephemeral secret are 32 bytes")
    t, p = _topic_bytes(topic), _publisher_id(publisher_key_id)
    e_pub = nacl.bindings.crypto_scalarmult_base(bytes(ephemeral_secret))
    header = bytes([ANNOUNCEMENT_KIND, FORMAT]) + _U64.pack(epoch) + e_pub + _U16.pack(len(members))
    out = [header]
    for m in members:
        wrap = wrap_key(ephemeral_secret, bytes(m), e_pub, bytes(m))
        if wrap is None:  # not reached for a SealingPublicKey (small-order points are refused)
            raise SealError("weak_key")
        out.append(m.id + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            key, _ad(header, t, p, m.id), ZERO_NONCE, wrap))
    return b"".join(out)


def _now_us():
    return time.time_ns() // 1000


class FeedSealer:
    """A sealed publisher's side, one per publisher socket (zguard's
    feed_sealer): its members (sealing public keys), the topic, its
    envelope's key id (envelope.Signer.key_id), and the options of
    zguard::sealed<rotate_ms<N>, announce_ms<N>, pad_to<B>, max_members<M>>.
    Each epoch has a new random key and ephemeral key; epoch numbers are
    microseconds since the Unix epoch, above the last. Not thread-safe.

    announcement_due() says whether the announcement must go out before the
    next message (a new epoch's, or every announce_ms), announced() that it
    did; seal(payload) seals the next message, counter 1, 2, ..."""

    def __init__(self, members, topic, publisher_key_id, pad_block=PAD, rotate_ms=ROTATE_MS,
                 announce_ms=ANNOUNCE_MS, max_members=MAX_MEMBERS, clock=time.monotonic):
        if not 1 <= pad_block <= 65535:
            raise ValueError("zguard.sealed_feed: pad_block is 1..65535 bytes")
        self.members = []
        for m in members:
            m = _public(m)
            if m not in self.members:
                self.members.append(m)
        if not self.members:
            raise ValueError("zguard.sealed_feed: a sealed publisher needs at least one member: "
                             "it would seal for no one")
        if len(self.members) > max_members:
            raise ValueError("zguard.sealed_feed: more members than max_members")
        self.topic, self.publisher = _topic_bytes(topic), _publisher_id(publisher_key_id)
        self.pad_block, self.max_members = pad_block, max_members
        self.rotate_s, self.announce_s = rotate_ms / 1000, announce_ms / 1000
        self._clock = clock
        self.epoch, self.counter = 0, 0
        self._key = None
        self.announcement = b""
        self._announced = False
        self._announced_at = self._started = 0.0
        self.new_epoch()

    def new_epoch(self, epoch=None, epoch_key=None, ephemeral_secret=None):
        """Starts an epoch: a fresh key, a fresh ephemeral key, the key sealed
        to each member. epoch, epoch_key and ephemeral_secret are drawn unless
        given (test vectors only: an epoch key must never seal twice)."""
        self.epoch = max(self.epoch + 1, _now_us()) if epoch is None else epoch
        self._key = os.urandom(KEY_SIZE) if epoch_key is None else bytes(epoch_key)
        e = os.urandom(KEY_SIZE) if ephemeral_secret is None else bytes(ephemeral_secret)
        self.counter = 0
        self._started = self._clock()
        self._announced = False
        self.announcement = build_announcement(self.epoch, self._key, e, self.members, self.topic, self.publisher)

    def announcement_due(self, now=None):
        """Before a message: a new epoch once the key is rotate_ms old (or its
        counter spent), then whether the announcement must go out first."""
        now = self._clock() if now is None else now
        if now - self._started >= self.rotate_s or self.counter == (1 << 64) - 2:
            self.new_epoch()
        return not self._announced or now - self._announced_at >= self.announce_s

    def announced(self, now=None):
        self._announced = True
        self._announced_at = self._clock() if now is None else now

    def sealed_size(self, plain):
        return MESSAGE_HEADER + (plain // self.pad_block + 1) * self.pad_block + TAG_SIZE

    def seal(self, payload):
        """The next message sealed under the current epoch's key."""
        self.counter += 1
        return seal_message(self._key, self.epoch, self.counter, payload, self.pad_block, self.topic, self.publisher)

    def add(self, key):
        """Adds a member (a new epoch); False when it is one already."""
        key = _public(key)
        if key in self.members:
            return False
        if len(self.members) >= self.max_members:
            raise ValueError("zguard.sealed_feed: max_members members already")
        self.members.append(key)
        self.new_epoch()
        return True

    def remove(self, key):
        """Removes a member (a new epoch: it never gets that key); False when
        it is not one."""
        key = _public(key)
        if key not in self.members:
            return False
        self.members.remove(key)
        self.new_epoch()
        return True

    def rotate(self):
        self.new_epoch()

    def __repr__(self):  # never the key
        return "FeedSealer(topic %r, epoch %d, %d members)" % (self.topic, self.epoch, len(self.members))


# What take_announcement did: installed (a new epoch's key is now the
# publisher's current one) or a repeat of an epoch already held (False).
Announcement = collections.namedtuple("Announcement", "epoch installed")


class _EpochKey:
    __slots__ = ("epoch", "key")

    def __init__(self, epoch, key):
        self.epoch, self.key = epoch, key


class _Publisher:
    __slots__ = ("current", "previous", "excluded", "excluded_epoch", "unknown_epoch")

    def __init__(self):
        self.current = self.previous = None
        self.excluded, self.excluded_epoch = False, 0
        self.unknown_epoch = None  # the last epoch a message came under with no key held

    def key_of(self, epoch):
        for k in (self.current, self.previous):
            if k is not None and k.epoch == epoch:
                return k.key
        return None


class FeedOpener:
    """A sealed subscriber's side, one per subscriber socket (zguard's
    feed_opener): its SealingKey, the topic, and per publisher (by envelope
    key id, so only publishers a verifier trusts) the key of the current
    epoch and of the one before. Call it only with payloads whose envelope
    verified. Not thread-safe."""

    def __init__(self, key, topic):
        if not isinstance(key, SealingKey):
            key = SealingKey(key)
        self.key, self.topic = key, _topic_bytes(topic)
        self._publishers = {}

    def take_announcement(self, frame, publisher_key_id):
        """An announcement of the publisher with that key id: Announcement
        (epoch, installed), or SealError, checked in zguard's order: kind,
        format and a length other than 44 + 56 m (malformed); an epoch held,
        or already left out of, changes nothing (a repeat; left out of, it
        raises not_a_member again with .quiet True: nothing to log); no entry
        with our key id (not_a_member, once an epoch); an epoch older than
        both held (stale_epoch: epochs only go forward); a low-order E
        (weak_key); an entry that does not open (forged). Its key becomes the
        publisher's current one, the current one the previous; an epoch older
        than the current one (released late) may only fill the previous slot."""
        a = bytes(frame)
        publisher = _publisher_id(publisher_key_id)
        if len(a) < ANNOUNCEMENT_HEADER or a[0] != ANNOUNCEMENT_KIND or a[1] != FORMAT:
            raise SealError("malformed")
        count = _U16.unpack_from(a, 42)[0]
        if len(a) != ANNOUNCEMENT_HEADER + count * ANNOUNCEMENT_ENTRY:
            raise SealError("malformed")
        epoch = _U64.unpack_from(a, 2)[0]
        s = self._publishers.setdefault(publisher, _Publisher())
        if s.excluded and s.excluded_epoch == epoch:
            raise SealError("not_a_member", quiet=True)
        if s.key_of(epoch) is not None:
            return Announcement(epoch, False)
        my_id = self.key.id
        for i in range(count):
            at = ANNOUNCEMENT_HEADER + i * ANNOUNCEMENT_ENTRY
            if hmac.compare_digest(a[at:at + 8], my_id):
                entry = a[at:at + ANNOUNCEMENT_ENTRY]
                break
        else:
            s.excluded, s.excluded_epoch = True, epoch
            raise SealError("not_a_member")
        older = s.current is not None and epoch < s.current.epoch
        if older and s.previous is not None and epoch < s.previous.epoch:
            raise SealError("stale_epoch")
        e_pub = a[10:42]
        wrap = wrap_key(self.key._secret, e_pub, e_pub, bytes(self.key.public_part))
        if wrap is None:
            raise SealError("weak_key")
        try:
            epoch_key = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                entry[8:], _ad(a[:ANNOUNCEMENT_HEADER], self.topic, publisher, my_id), ZERO_NONCE, wrap)
        except nacl.exceptions.CryptoError:
            raise SealError("forged") from None
        if older:
            s.previous = _EpochKey(epoch, epoch_key)
        else:
            s.previous, s.current = s.current, _EpochKey(epoch, epoch_key)
        return Announcement(epoch, True)

    def open(self, frame, publisher_key_id):
        """The payload of a message sealed under one of the publisher's epoch
        keys we hold, or SealError, checked in zguard's order: not a sealed
        message, empty included (not_sealed); shorter than 39 bytes, another
        format, a pad block of 0 or a length not a multiple of it
        (malformed); no key of that publisher and epoch (unknown_epoch, with
        .quiet True after the first of that epoch: zguard logs it once an
        epoch); the tag (forged); padding that does not undo, or a message
        count in the header that is not the payload's (malformed)."""
        f = bytes(frame)
        publisher = _publisher_id(publisher_key_id)
        if not f or f[0] != MESSAGE_KIND:
            raise SealError("not_sealed")
        if len(f) < MESSAGE_MIN or f[1] != MESSAGE_FORMAT:
            raise SealError("malformed")
        block = _U16.unpack_from(f, 2)[0]
        epoch, counter = struct.unpack_from("<QQ", f, 4)
        padded = len(f) - MESSAGE_HEADER - TAG_SIZE
        if block == 0 or padded % block:
            raise SealError("malformed")
        s = self._publishers.setdefault(publisher, _Publisher())
        key = s.key_of(epoch)
        if key is None:
            quiet = s.unknown_epoch == epoch
            s.unknown_epoch = epoch
            raise SealError("unknown_epoch", quiet=quiet)
        try:
            plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                f[MESSAGE_HEADER:], _ad(f[:MESSAGE_HEADER], self.topic, publisher), message_nonce(epoch, counter),
                key)
        except nacl.exceptions.CryptoError:
            raise SealError("forged") from None
        payload = unpad(plain, block)
        if payload is None or messages_in(payload) != _U16.unpack_from(f, 20)[0]:
            raise SealError("malformed")
        return payload

    def receive(self, payload, publisher_key_id):
        """What a sealed zguard subscriber does with a verified payload: an
        announcement (first byte 0x4B) is taken and None returned (never
        handed out); a sealed message (0x46) is opened; anything else is
        not_sealed."""
        b = bytes(payload)
        if b[:1] == bytes([ANNOUNCEMENT_KIND]):
            self.take_announcement(b, publisher_key_id)
            return None
        return self.open(b, publisher_key_id)

    def epoch_of(self, publisher_key_id):
        """The epoch whose key we hold now for that publisher (0: none)."""
        s = self._publishers.get(bytes(publisher_key_id))
        return 0 if s is None or s.current is None else s.current.epoch

    def __repr__(self):  # never a key
        return "FeedOpener(topic %r, member %s, %d publishers)" % (self.topic, self.key.id.hex(),
                                                                  len(self._publishers))
