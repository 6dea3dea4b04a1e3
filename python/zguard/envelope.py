"""zguard signed envelopes (format version 2): seal and verify.

    sealed = header || payload || signature        (one frame)
    signed = "zguard.envelope.v2\\0" || header || payload
    Ed25519 signs "zguard.ed25519.blake2b512\\0" || BLAKE2b-512(signed)

A topic feed sends [topic, sealed]; services and streams send [sealed].
Signer seals as zguard's signer<A>; Verifier makes the checks of zguard's
verifier<A, FreshnessMs, Window> in the same order and refuses with
VerifyError whose reason is the C++ drop reason: malformed, unknown_key,
bad_signature, re_topiced, stale, replay. docs/wire-format.md ("Signed
envelope") is the format, docs/python.md the API.

Ed25519 uses PyNaCl's SigningKey / VerifyKey over the BLAKE2b-512 digest;
keyed BLAKE2b-256 uses nacl.hash.blake2b(data, digest_size=32, key=key).
"""
import collections
import hmac
import os
import struct
import time

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.signing

VERSION = 2
ED25519, BLAKE2B = 3, 2                       # the algorithm byte (1 is not used)
SIGNATURE_SIZES = {ED25519: 64, BLAKE2B: 32}
ALGORITHM_NAMES = {"ed25519": ED25519, "blake2b": BLAKE2B}
TAG = b"zguard.envelope.v2\x00"               # 19 bytes, the zero included
DIGEST_TAG = b"zguard.ed25519.blake2b512\x00"  # 26 bytes: what Ed25519 signs starts with it
HEADER_MIN = 35                                # the header without its topic
KEY_SIZE = 32

DROP_REASONS = ("malformed", "unknown_key", "bad_signature", "re_topiced", "replay", "stale")

_RAW = nacl.encoding.RawEncoder

# Who signed a verified message: key id (8 bytes), the publisher run's epoch,
# its sequence number in that run, and the publisher's clock (microseconds).
Origin = collections.namedtuple("Origin", "key_id epoch sequence timestamp_us")


class VerifyError(Exception):
    """A dropped envelope; reason is one of DROP_REASONS."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def _blake2b_256(data, key=b""):
    return nacl.hash.blake2b(data, digest_size=32, key=key, encoder=_RAW)


def _ed25519_signed(signed):
    """What Ed25519 signs: the digest tag, then BLAKE2b-512(TAG || signed)."""
    return DIGEST_TAG + nacl.hash.blake2b(TAG + signed, digest_size=64, encoder=_RAW)


def _algorithm(algorithm):
    a = ALGORITHM_NAMES.get(algorithm, algorithm)
    if a not in SIGNATURE_SIZES:
        raise ValueError("zguard.envelope: algorithm must be 'ed25519' or 'blake2b'")
    return a


def _key_bytes(key, what):
    raw = bytes(key)
    if len(raw) != KEY_SIZE:
        raise ValueError("zguard.envelope: %s must be %d bytes" % (what, KEY_SIZE))
    return raw


def key_id(algorithm, key):
    """The 8-byte key id: for Ed25519 of the public key (bytes or VerifyKey),
    for BLAKE2b of the MAC key (docs/wire-format.md, "Key ids")."""
    if _algorithm(algorithm) == ED25519:
        return _blake2b_256(b"zguard.keyid.ed25519" + _key_bytes(key, "an Ed25519 public key"))[:8]
    return _blake2b_256(b"zguard.keyid.blake2b", key=_key_bytes(key, "a BLAKE2b key"))[:8]


def _now_us():
    return time.time_ns() // 1000


def _topic_bytes(topic):
    return topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)


class Signer:
    """Seals payloads under one key; one Signer is one publisher run: a
    random epoch and sequence numbers from 1 (a run reusing an epoch would see
    its messages dropped as replays).

    Signer("ed25519", seed)  seed: 32 bytes, or a nacl.signing.SigningKey
    Signer("blake2b", key)   key: the 32-byte group key
    """

    def __init__(self, algorithm, key, epoch=None):
        self.algorithm = _algorithm(algorithm)
        if self.algorithm == ED25519:
            self._signing = key if isinstance(key, nacl.signing.SigningKey) else \
                nacl.signing.SigningKey(_key_bytes(key, "an Ed25519 seed"))
            self.verify_key = bytes(self._signing.verify_key)
            self.key_id = key_id(ED25519, self.verify_key)
        else:
            self._mac_key = _key_bytes(key, "a BLAKE2b key")
            self.key_id = key_id(BLAKE2B, self._mac_key)
        # epoch: test vectors only; a publisher run draws its own.
        self.epoch = struct.unpack("<Q", os.urandom(8))[0] if epoch is None else epoch
        self.sequence = 0

    def seal(self, topic, payload, timestamp_us=None):
        """The sealed frame for payload (bytes) under topic ("" for service
        and stream channels); send it after the topic frame on a feed."""
        t = _topic_bytes(topic)
        if len(t) > 255:
            raise ValueError("zguard.envelope: a topic is at most 255 bytes")
        self.sequence += 1
        at = _now_us() if timestamp_us is None else timestamp_us
        header = bytes([VERSION, self.algorithm]) + self.key_id + \
            struct.pack("<QQQ", self.epoch, self.sequence, at) + bytes([len(t)]) + t
        signed = header + bytes(payload)
        if self.algorithm == ED25519:
            signature = self._signing.sign(_ed25519_signed(signed)).signature
        else:
            signature = _blake2b_256(TAG + signed, key=self._mac_key)
        return signed + signature


class _Run:
    """Replay state of one sender run: the newest sequence and a bitmap of
    the window before it (IPsec's anti-replay window)."""

    def __init__(self, window, sequence, stamp=0):
        self.window, self.highest, self.last_used, self.stamp = window, sequence, 0, stamp
        self.seen = self._bit(sequence)

    def _bit(self, s):
        return 1 << (s % self.window)

    def record(self, s):
        if s > self.highest:
            for k in range(1, min(s - self.highest, self.window) + 1):
                self.seen &= ~self._bit(self.highest + k)
            self.highest = s
            self.seen |= self._bit(s)
            return True
        if self.highest - s >= self.window or self.seen & self._bit(s):
            return False
        self.seen |= self._bit(s)
        return True


class ReplayTracker:
    """Which sequence numbers of each sender run (a key id and the sender's
    random epoch) were seen, as zguard's replay tracker: a sequence seen
    before, or `window` or more behind the newest of its run, is a replay.
    At most max_runs runs are kept, the least recently seen forgotten first.
    The envelope Verifier and the broker vouch checker (vouch.py) use it, and
    the sealed request opener (sealed.py), which also gives each record a
    stamp: the newest stamp of any forgotten run is forgotten_stamp."""

    def __init__(self, window, max_runs):
        self.window, self.max_runs = window, max(1, max_runs)
        self._runs = {}
        self._tick = 0
        self.forgotten_stamp = 0

    def __len__(self):
        return len(self._runs)

    def known(self, run):
        """Whether `run` is one of the runs kept."""
        return run in self._runs

    def record(self, run, sequence, stamp=0):
        """True when `sequence` of `run` is new (it is recorded), False for a
        replay. `stamp` (optional: a time the caller trusts, such as a
        request's sent-at no later than its own clock) is kept per run, its
        newest, replays included."""
        self._tick += 1
        state = self._runs.get(run)
        if state is None:
            if len(self._runs) >= self.max_runs:
                oldest = min(self._runs, key=lambda r: self._runs[r].last_used)
                self.forgotten_stamp = max(self.forgotten_stamp, self._runs.pop(oldest).stamp)
            state = self._runs[run] = _Run(self.window, sequence, stamp)
            state.last_used = self._tick
            return True
        state.last_used = self._tick  # a replay counts as use too: the run is live
        state.stamp = max(state.stamp, stamp)
        return state.record(sequence)


def split(sealed):
    """(algorithm, Origin, topic bytes, signed part, payload, signature) of one
    sealed frame; VerifyError("malformed") unless it holds a whole version-2
    header of a known algorithm, its topic and the algorithm's signature.
    Nothing in it is verified."""
    b = bytes(sealed)
    if len(b) < HEADER_MIN or b[0] != VERSION:
        raise VerifyError("malformed")
    signature_size = SIGNATURE_SIZES.get(b[1], 0)
    if signature_size == 0:
        raise VerifyError("malformed")
    header_size = HEADER_MIN + b[34]
    if len(b) < header_size or len(b) - header_size < signature_size:
        raise VerifyError("malformed")
    end = len(b) - signature_size
    epoch, sequence, timestamp = struct.unpack("<QQQ", b[10:34])
    origin = Origin(b[2:10], epoch, sequence, timestamp)
    return b[1], origin, b[HEADER_MIN:header_size], b[:end], b[header_size:end], b[end:]


class KeyRing:
    """The keys of one algorithm a receiver accepts, by key id, with
    rotation as zguard's verify_keys: the envelope Verifier and the broker
    vouch checker (vouch.py) hold one."""

    def __init__(self, algorithm, keys=()):
        self.algorithm = _algorithm(algorithm)
        self._keys = {}     # key id -> [key, retire_at_us or None]
        for k in keys:
            self.add_key(k)

    def add_key(self, key):
        """Accept a key (replacing one of the same id); returns its key id."""
        if isinstance(key, nacl.signing.SigningKey):  # bytes() of it is the secret seed: never a verify key
            raise ValueError("zguard.envelope: an Ed25519 verifier holds public keys (SigningKey.verify_key)")
        raw = _key_bytes(key, "a key")
        kid = key_id(self.algorithm, raw)
        self._keys[kid] = [raw, None]
        return kid

    def retire(self, kid, at_us):
        """The key verifies until at_us (microseconds since 1970), then is
        refused as unknown_key."""
        if kid in self._keys:
            self._keys[kid][1] = at_us

    def remove(self, kid):
        self._keys.pop(kid, None)

    def _key(self, kid, now_us):
        """The key of that id, unless unknown or retired by now_us."""
        entry = self._keys.get(kid)
        return None if entry is None or (entry[1] is not None and now_us >= entry[1]) else entry[0]


class Verifier(KeyRing):
    """Checks envelopes of one algorithm against a set of keys, with replay
    and freshness state for up to max_epochs publisher runs (least recently
    seen forgotten first).

    Verifier("ed25519", [public_key, ...])   32-byte public keys or VerifyKeys
    Verifier("blake2b", [group_key, ...])    32-byte MAC keys
    freshness_ms 1..600000 (default 30000), replay_window a multiple of 64 in
    64..65536 (default 1024): the bounds of zguard::signing<...>.
    """

    def __init__(self, algorithm, keys=(), freshness_ms=30000, replay_window=1024, max_epochs=256):
        super().__init__(algorithm, keys)
        if isinstance(freshness_ms, bool) or not isinstance(freshness_ms, int) or not 0 < freshness_ms <= 600000:
            raise ValueError("zguard.envelope: freshness_ms must be in 1..600000")
        if isinstance(replay_window, bool) or not isinstance(replay_window, int) or \
                not (64 <= replay_window <= 65536 and replay_window % 64 == 0):
            raise ValueError("zguard.envelope: replay_window must be a multiple of 64 in 64..65536")
        self.freshness_us = freshness_ms * 1000
        self.window = replay_window
        self.max_epochs = max(1, max_epochs)
        self._seen = ReplayTracker(replay_window, self.max_epochs)  # runs: (key id, epoch)

    def epochs_tracked(self):
        return len(self._seen)

    def verify_frames(self, frames, topic, with_topic=True, now_us=None):
        """(Origin, payload) of a received message: frames [topic, sealed]
        for a feed (with_topic), [sealed] otherwise; any other count is
        malformed."""
        frames = [bytes(f) for f in frames]
        if len(frames) != (2 if with_topic else 1):
            raise VerifyError("malformed")
        return self.verify(frames[-1], topic, frames[0] if with_topic else None, now_us)

    def verify(self, sealed, topic, topic_frame=None, now_us=None):
        """(Origin, payload) of one sealed frame expected under topic ("" for
        services and streams); topic_frame is the frame a feed's message came
        under (it must equal the signed topic). VerifyError otherwise."""
        algorithm, origin, signed_topic, signed, payload, signature = split(sealed)
        # Cheap checks first: junk costs no signature verification.
        if algorithm != self.algorithm:
            raise VerifyError("malformed")
        now = _now_us() if now_us is None else now_us
        key = self._key(origin.key_id, now)
        if key is None:
            raise VerifyError("unknown_key")
        if not self._signature_ok(key, signed, signature):
            raise VerifyError("bad_signature")
        # Authentic from here on: what it says can be judged.
        if signed_topic != _topic_bytes(topic) or (topic_frame is not None and bytes(topic_frame) != signed_topic):
            raise VerifyError("re_topiced")
        if abs(now - origin.timestamp_us) > self.freshness_us:
            raise VerifyError("stale")
        if not self._seen.record((origin.key_id, origin.epoch), origin.sequence):
            raise VerifyError("replay")
        return origin, payload

    def _signature_ok(self, key, signed, signature):
        if self.algorithm == ED25519:
            try:
                nacl.signing.VerifyKey(key).verify(_ed25519_signed(signed), signature)
                return True
            except nacl.exceptions.BadSignatureError:
                return False
        return hmac.compare_digest(_blake2b_256(TAG + signed, key=key), signature)  # constant time
