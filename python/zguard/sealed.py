"""zguard sealed payloads (format 1): seal and open, both ways.

    request = 0x53 || 0x01 || key id || E || run name || sequence || sent at || nonce
              || AEAD(run secret || payload)
    answer  = 0x54 || 0x01 || E || nonce || AEAD(answer)

A client seals each request to its service's X25519 sealing key with a
fresh ephemeral key E; the service seals its answer to that request's own
key. A client's run is a secret of 32 random bytes, sealed in front of
each of its requests' payload; the header names it (the run name,
BLAKE2b-128 keyed with "zguard.sealed.run.v1" over the secret), so only the
client that drew the secret can send in that run. XChaCha20-Poly1305-IETF,
every header byte associated data; the request and answer keys are
BLAKE2b-256 keyed with "zguard.sealed.request.v1" and
"zguard.sealed.answer.v1" over X25519(e, S) || E || S. A device between
the two ends (a queue, its capture, a vouching broker) routes these bytes
and reads none of the payload.

open_request makes the checks of zguard's request opener in the same order
and refuses with SealError whose reason is the C++ one: not_sealed,
malformed, unknown_key, stale, weak_key, forged (the tag, or a run secret
inside that does not name the header's run), replayed; open_answer
refuses with not_sealed, malformed, unknown_request, forged.
docs/wire-format.md ("Sealed payloads") is the format, docs/python.md the API.

X25519 and the AEAD are PyNaCl's (nacl.bindings), BLAKE2b hashlib's.
"""
import hashlib
import hmac
import os
import struct
import time

import nacl.bindings
import nacl.exceptions

from . import wire
from .envelope import ReplayTracker

REQUEST_KIND = 0x53                      # "S": a sealed request
ANSWER_KIND = 0x54                       # "T": a sealed answer
FORMAT = 0x01
KEY_SIZE = 32
NONCE_SIZE = 24                          # XChaCha20-Poly1305-IETF
TAG_SIZE = 16
RUN_SIZE = 16                            # a run's name on the wire
RUN_SECRET_SIZE = 32                     # sealed in front of every request's payload
# kind, format, key id, E, run name, sequence, sent at, nonce
REQUEST_HEADER = 1 + 1 + 8 + 32 + RUN_SIZE + 8 + 8 + NONCE_SIZE          # 98
PAYLOAD_AT = REQUEST_HEADER + RUN_SECRET_SIZE                             # 130: where the payload is sealed
ANSWER_HEADER = 1 + 1 + 32 + NONCE_SIZE                                   # 58
REQUEST_OVERHEAD = REQUEST_HEADER + RUN_SECRET_SIZE + TAG_SIZE            # 146: the shortest sealed request
ANSWER_OVERHEAD = ANSWER_HEADER + TAG_SIZE                                # 74
KEY_ID_TAG = b"zguard.keyid.x25519"
REQUEST_LABEL = b"zguard.sealed.request.v1"
ANSWER_LABEL = b"zguard.sealed.answer.v1"
RUN_LABEL = b"zguard.sealed.run.v1"
MAX_RUNS = 4096                          # client runs a service remembers

REQUEST_REASONS = ("not_sealed", "malformed", "unknown_key", "weak_key", "stale", "forged", "replayed")
ANSWER_REASONS = ("not_sealed", "malformed", "unknown_request", "forged")

_U64 = struct.Struct("<Q")


class SealError(Exception):
    """A sealed frame that was not opened (or could not be sealed); reason
    is one of REQUEST_REASONS or ANSWER_REASONS (or, for sealed feeds,
    sealed_feed.FEED_REASONS), as the C++ event seal.<reason> names it.
    quiet: a sealed feed's repeated announcement that leaves us out again,
    which a C++ subscriber does not log a second time."""

    def __init__(self, reason, quiet=False):
        self.reason, self.quiet = reason, quiet
        super().__init__(reason)


def refusal(reason):
    """What a sealed zguard service answers a request it could not open:
    the zguard.refusal message, peer_refused, "sealed: <reason>", unsealed
    (there is no key to seal it to)."""
    return wire.refusal("peer_refused", "sealed: " + (reason.reason if isinstance(reason, SealError) else reason))


# --- Z85, the text form of keys (ZeroMQ RFC 32), as zguard's z85() -------------------

_Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
_Z85_VALUE = {c: i for i, c in enumerate(_Z85)}


def z85_encode(data):
    data = bytes(data)
    if len(data) % 4:
        raise ValueError("zguard.sealed: Z85 encodes a multiple of 4 bytes")
    out = []
    for i in range(0, len(data), 4):
        v = struct.unpack(">I", data[i:i + 4])[0]
        out.extend(_Z85[v // 85 ** k % 85] for k in range(4, -1, -1))
    return "".join(out)


def z85_decode(text):
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("ascii", errors="replace")
    if len(text) % 5:
        raise ValueError("zguard.sealed: Z85 text is a multiple of 5 characters")
    out = bytearray()
    for i in range(0, len(text), 5):
        v = 0
        for c in text[i:i + 5]:
            if c not in _Z85_VALUE:
                raise ValueError("zguard.sealed: not Z85 text")
            v = v * 85 + _Z85_VALUE[c]
        if v > 0xFFFFFFFF:
            raise ValueError("zguard.sealed: not Z85 text")
        out += struct.pack(">I", v)
    return bytes(out)


def _key_bytes(key, what):
    """32 bytes given as bytes or as 40 characters of Z85."""
    if isinstance(key, str) or (isinstance(key, (bytes, bytearray)) and len(key) == 40):
        key = z85_decode(key)
    raw = bytes(key)
    if len(raw) != KEY_SIZE:
        raise ValueError("zguard.sealed: %s is 32 bytes or 40 characters of Z85" % what)
    return raw


# --- keys --------------------------------------------------------------------------------

def key_id(public):
    """The 8 bytes naming a sealing public key on the wire: the first 8 of
    BLAKE2b-256("zguard.keyid.x25519" || public key), unkeyed."""
    return hashlib.blake2b(KEY_ID_TAG + bytes(public), digest_size=32).digest()[:8]


def run_name(run_secret):
    """The name of a client run on the wire (16 bytes): BLAKE2b-128 keyed
    with "zguard.sealed.run.v1" over the run's 32-byte secret."""
    secret = bytes(run_secret)
    if len(secret) != RUN_SECRET_SIZE:
        raise ValueError("zguard.sealed: a run secret is %d bytes" % RUN_SECRET_SIZE)
    return hashlib.blake2b(secret, digest_size=RUN_SIZE, key=RUN_LABEL).digest()


def _x25519(secret, public):
    """X25519(secret, public), or None when it is all zero (a low-order point:
    libsodium refuses it, and so do we, whatever the binding does)."""
    try:
        shared = nacl.bindings.crypto_scalarmult(secret, public)
    except nacl.exceptions.RuntimeError:  # crypto_scalarmult returned -1: the result was all zero
        return None
    return None if hmac.compare_digest(shared, bytes(KEY_SIZE)) else shared


def is_small_order(public):
    """Whether a Curve25519 public key is a small-order point (anything
    sealed to it could be read by anyone), tested as zguard tests it."""
    return _x25519(b"\x5a" * KEY_SIZE, bytes(public)) is None


def is_canonical(key):
    """Whether 32 bytes are the canonical encoding of an X25519 u-coordinate
    (bit 255 clear, u < 2^255 - 19), as zguard requires of a sealing public
    key: another encoding is the same key under another key id."""
    return int.from_bytes(bytes(key), "little") < 2 ** 255 - 19


class SealingPublicKey:
    """A service's sealing public key (X25519), what its clients seal to:
    32 bytes or 40 characters of Z85 (zguard's sealing_public_key::z85()).
    A small-order point is refused (ValueError), as zguard refuses it."""

    __slots__ = ("_bytes", "id")

    def __init__(self, key):
        raw = bytes(key) if isinstance(key, SealingPublicKey) else _key_bytes(key, "a sealing public key")
        if is_small_order(raw):
            raise ValueError("zguard.sealed: this sealing public key is a small-order Curve25519 point, "
                             "not a real key")
        if not is_canonical(raw):
            raise ValueError("zguard.sealed: this sealing public key is not canonically encoded "
                             "(bit 255 set, or u >= 2^255 - 19)")
        self._bytes = raw
        self.id = key_id(raw)

    def __bytes__(self):
        return self._bytes

    def z85(self):
        return z85_encode(self._bytes)

    def __eq__(self, other):
        return isinstance(other, SealingPublicKey) and self._bytes == other._bytes

    def __hash__(self):
        return hash(self._bytes)

    def __repr__(self):
        return "SealingPublicKey(%r)" % self.z85()


class SealingKey:
    """A service's sealing key: the X25519 secret (32 bytes or 40 characters
    of Z85, or SealingKey.generate()) and its public part."""

    __slots__ = ("_secret", "public_part")

    def __init__(self, secret):
        self._secret = _key_bytes(secret, "a sealing secret key")
        self.public_part = SealingPublicKey(nacl.bindings.crypto_scalarmult_base(self._secret))

    @classmethod
    def generate(cls):
        return cls(os.urandom(KEY_SIZE))

    @property
    def id(self):
        return self.public_part.id

    def __repr__(self):  # never the secret
        return "SealingKey(public %s)" % self.public_part.z85()


def _public(key):
    return key if isinstance(key, SealingPublicKey) else SealingPublicKey(key)


class AnswerKey:
    """The key one answer is sealed with, and the request it answers: that
    request's ephemeral public key (request), its name on the wire."""

    __slots__ = ("request", "key")

    def __init__(self, request, key):
        self.request, self.key = bytes(request), bytes(key)

    def __repr__(self):  # never the key
        return "AnswerKey(request=%s)" % self.request.hex()


def _derive(shared, ephemeral_public, service_public):
    """(request key, answer key) of one request."""
    material = shared + ephemeral_public + service_public
    return (hashlib.blake2b(material, digest_size=KEY_SIZE, key=REQUEST_LABEL).digest(),
            hashlib.blake2b(material, digest_size=KEY_SIZE, key=ANSWER_LABEL).digest())


def _fixed(value, size, what):
    raw = os.urandom(size) if value is None else bytes(value)
    if len(raw) != size:
        raise ValueError("zguard.sealed: %s is %d bytes" % (what, size))
    return raw


def _now_ms():
    return time.time_ns() // 1000000


# --- requests ----------------------------------------------------------------------------

def seal_request(service_public, payload, run_secret, sequence, sent_at_ms=None, ephemeral_secret=None,
                 nonce=None):
    """(frame, AnswerKey): payload sealed to the service's public key
    (SealingPublicKey, 32 bytes or Z85) as request `sequence` of the client
    run whose secret is run_secret (32 bytes: sealed with the payload, its
    run_name() in the header), sent at sent_at_ms (now when None). The
    ephemeral secret and the nonce are random unless given (test vectors
    only: a request key must never seal twice). Keep the AnswerKey to open
    the answer with."""
    to = _public(service_public)
    s = bytes(to)
    e = _fixed(ephemeral_secret, KEY_SIZE, "an ephemeral secret")
    n = _fixed(nonce, NONCE_SIZE, "a nonce")
    if run_secret is None:
        raise ValueError("zguard.sealed: a request is sealed in its client's run (a 32-byte run secret)")
    secret = _fixed(run_secret, RUN_SECRET_SIZE, "a run secret")
    if not 0 <= sequence < 1 << 64:
        raise ValueError("zguard.sealed: a sequence is a u64")
    at = _now_ms() if sent_at_ms is None else sent_at_ms
    if not 0 <= at < 1 << 64:
        raise ValueError("zguard.sealed: sent_at_ms is a u64")
    ephemeral_public = nacl.bindings.crypto_scalarmult_base(e)
    shared = _x25519(e, s)
    if shared is None:  # not reached for a SealingPublicKey (small-order points are refused)
        raise SealError("weak_key")
    request_key, answer_key = _derive(shared, ephemeral_public, s)
    header = bytes([REQUEST_KIND, FORMAT]) + to.id + ephemeral_public + run_name(secret) + \
        _U64.pack(sequence) + _U64.pack(at) + n
    sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(secret + bytes(payload), header, n,
                                                                      request_key)
    return header + sealed, AnswerKey(ephemeral_public, answer_key)


class SealedRequest:
    """The fields of a sealed request's header, as read (nothing checked but
    its kind, length and format); run is the run's name (16 bytes)."""

    __slots__ = ("key_id", "ephemeral", "run", "sequence", "sent_at_ms")

    def __init__(self, frame):
        b = bytes(frame)
        if not b or b[0] != REQUEST_KIND:
            raise SealError("not_sealed")
        if len(b) < REQUEST_OVERHEAD or b[1] != FORMAT:
            raise SealError("malformed")
        self.key_id, self.ephemeral, self.run = b[2:10], b[10:42], b[42:58]
        self.sequence, self.sent_at_ms = struct.unpack_from("<QQ", b, 58)


def replay_tracker(window=1024):
    """A service's replay state: `window` sequences per client run (a
    multiple of 64 in 64..65536), MAX_RUNS runs, and the newest stamp of
    any run it forgot."""
    _check_window(window)
    return ReplayTracker(window, MAX_RUNS)


def open_request(service_key, frame, freshness_ms, replays, now_ms=None):
    """(payload, AnswerKey) of a request sealed to service_key (a
    SealingKey), or SealError, checked in zguard's order: kind (not_sealed),
    length and format (malformed), key id (unknown_key), sent-at within
    freshness_ms of now_ms either way (stale), an X25519 result that is not
    all zero (weak_key), the tag and that the run secret inside names the
    header's run (forged), and only then the run and sequence in `replays`
    (replayed; replay_tracker()): a forged frame, or a genuine one in
    another client's run, cannot move a window. A request of a run
    `replays` does not hold is replayed too unless its stamp (sent-at, no
    later than now_ms) is after the newest stamp of any run it forgot: a
    forgotten run's requests do not open twice, however many runs others
    start."""
    b = bytes(frame)
    fields = SealedRequest(b)
    if not hmac.compare_digest(fields.key_id, service_key.id):
        raise SealError("unknown_key")
    now = _now_ms() if now_ms is None else now_ms
    if abs(fields.sent_at_ms - now) > freshness_ms:
        raise SealError("stale")
    service_public = bytes(service_key.public_part)
    shared = _x25519(service_key._secret, fields.ephemeral)
    if shared is None:
        raise SealError("weak_key")
    request_key, answer_key = _derive(shared, fields.ephemeral, service_public)
    try:
        plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            b[REQUEST_HEADER:], b[:REQUEST_HEADER], b[74:REQUEST_HEADER], request_key)
    except nacl.exceptions.CryptoError:
        raise SealError("forged") from None
    # Sealed by the client that drew the run's secret, or by someone who
    # copied its name from the wire into a request of their own.
    if not hmac.compare_digest(run_name(plain[:RUN_SECRET_SIZE]), fields.run):
        raise SealError("forged")
    # Authentic and in its own run from here on: its run and sequence may
    # move the window.
    stamp = min(fields.sent_at_ms, now)
    if not (replays.known(fields.run) or stamp > replays.forgotten_stamp) or \
            not replays.record(fields.run, fields.sequence, stamp):
        raise SealError("replayed")
    return plain[RUN_SECRET_SIZE:], AnswerKey(fields.ephemeral, answer_key)


def _check_freshness(freshness_ms):
    if isinstance(freshness_ms, bool) or not isinstance(freshness_ms, int) or not 0 < freshness_ms <= 600000:
        raise ValueError("zguard.sealed: freshness_ms must be in 1..600000")


def _check_window(window):
    if isinstance(window, bool) or not isinstance(window, int) or not (64 <= window <= 65536 and window % 64 == 0):
        raise ValueError("zguard.sealed: replay_window must be a multiple of 64 in 64..65536")


class RequestSealer:
    """A client's side, one per client socket (zguard's request_sealer):
    seals each request to the service's key with a fresh ephemeral key,
    numbered 1, 2, ... in a run whose 32-byte secret is drawn when it is
    made (random unless given: tests only); .run is the run's name, what
    the wire shows."""

    __slots__ = ("service_public", "_run_secret", "run", "sequence")

    def __init__(self, service_public, run_secret=None):
        self.service_public = _public(service_public)
        self._run_secret = _fixed(run_secret, RUN_SECRET_SIZE, "a run secret")
        self.run = run_name(self._run_secret)
        self.sequence = 0

    def seal(self, payload, sent_at_ms=None):
        """(frame, AnswerKey) of the next request."""
        self.sequence += 1
        return seal_request(self.service_public, payload, self._run_secret, self.sequence, sent_at_ms)

    def __repr__(self):  # never the run's secret
        return "RequestSealer(to %s, run %s, sequence %d)" % (self.service_public.z85(), self.run.hex(),
                                                              self.sequence)


class RequestOpener:
    """A service's side, one per service socket (zguard's request_opener):
    opens requests sealed to its key that are fresh (freshness_ms, 1..600000,
    default 30000) and not seen (replay_window sequences per client run, a
    multiple of 64 in 64..65536, default 1024; MAX_RUNS runs): the options of
    zguard::sealed<freshness_ms<N>, replay_window<W>>. When more than
    MAX_RUNS runs are live the least recently used is forgotten, and a
    request of a run it does not hold opens only when it was sent after the
    newest sent-at of any forgotten run (open_request). Not thread-safe."""

    def __init__(self, key, freshness_ms=30000, replay_window=1024):
        if not isinstance(key, SealingKey):
            raise ValueError("zguard.sealed: a RequestOpener holds a SealingKey")
        _check_freshness(freshness_ms)
        self.key, self.freshness_ms = key, freshness_ms
        self._replays = replay_tracker(replay_window)

    def open(self, frame, now_ms=None):
        """(payload, AnswerKey), or SealError: open_request."""
        return open_request(self.key, frame, self.freshness_ms, self._replays, now_ms)


# --- answers -----------------------------------------------------------------------------

def seal_answer(answer_key, payload, nonce=None):
    """The sealed answer to the request answer_key came from (the nonce is
    random unless given: test vectors only)."""
    n = _fixed(nonce, NONCE_SIZE, "a nonce")
    header = bytes([ANSWER_KIND, FORMAT]) + answer_key.request + n
    return header + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(payload), header, n,
                                                                              answer_key.key)


def answer_names(frame):
    """The ephemeral public key of the request a sealed answer names, or
    None when the frame is not a sealed answer of this format."""
    b = bytes(frame)
    if len(b) < ANSWER_OVERHEAD or b[0] != ANSWER_KIND or b[1] != FORMAT:
        return None
    return b[2:34]


def open_answer(keys, frame):
    """The payload of a sealed answer, opened with the key of the request it
    names: keys is an AnswerKey or an iterable of those still waiting (forget
    one once its answer opened). SealError, in zguard's order: not_sealed
    (not a sealed answer), malformed (cut short, another format),
    unknown_request (no key for the request it names), forged (the tag)."""
    b = bytes(frame)
    if not b or b[0] != ANSWER_KIND:
        raise SealError("not_sealed")
    name = answer_names(b)
    if name is None:
        raise SealError("malformed")
    for k in ([keys] if isinstance(keys, AnswerKey) else keys):
        if hmac.compare_digest(k.request, name):
            break
    else:
        raise SealError("unknown_request")
    try:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(b[ANSWER_HEADER:], b[:ANSWER_HEADER],
                                                                        b[34:ANSWER_HEADER], k.key)
    except nacl.exceptions.CryptoError:
        raise SealError("forged") from None


def is_unsealed_refusal(frame):
    """Whether an unsealed answer is a zguard.refusal (behind a call id or
    not): the one unsealed answer a sealed client takes, what a sealed
    service answers a request it could not open and what a queue or the
    service's earlier stages answer before opening."""
    b = bytes(frame)
    if b[:1] == b"\x82" and len(b) >= 9 and b[1:9] != bytes(8):
        b = b[9:]
    try:
        wire.REFUSAL.decode(b)
        return True
    except wire.DecodeError:
        return False


def open_reply(keys, frame):
    """What a sealed client reads from an answer: its payload opened
    (open_answer), or an unsealed refusal as it came; SealError otherwise
    (not_sealed for any other unsealed answer)."""
    b = bytes(frame)
    if b[:1] != bytes([ANSWER_KIND]) and is_unsealed_refusal(b):
        return b
    return open_answer(keys, b)
