"""zguard broker vouches (format version 2): what a worker behind a
vouching queue checks.

    checker = vouch.VouchChecker([group_key])    # the 32-byte key the broker vouches with
    client = checker.check(frames)               # frames: [vouch, payload...], as a REP worker receives them
    client.user_id, client.kind                  # b"<Z85 key>", "key"

A queue declared proxy<Front, Back, vouch_clients<blake2b_mac>> puts one
frame, the vouch, before each request's payload frames: the client's
identity and its kind, a timestamp, the broker's epoch and a sequence
number, and a keyed BLAKE2b-256 MAC over them and the payload frames.
VouchChecker makes the checks of zguard's vouched<blake2b_mac> worker in the
same order and refuses with VouchError, whose reason is the C++ reason
text: missing, malformed, unknown_key, bad_mac, stale, replay. A worker
answers a refused request with refusal(reason) (sockets.Service does).
docs/wire-format.md ("Broker vouch") is the format, docs/python.md the API.
"""
import collections
import hmac
import struct
import time

from . import wire
from .envelope import KeyRing, ReplayTracker, _blake2b_256

MAGIC = b"ZGV"
VERSION = 2
ALGORITHM = 2                  # keyed BLAKE2b-256
TAG = b"zguard.vouch.v2"       # 15 bytes
FIXED_SIZE = 40                # the vouch up to its user id
MAC_SIZE = 32
WINDOW = 1024                  # replay window per broker run
MAX_EPOCHS = 64                # broker runs remembered
KINDS = {0: None, 1: "key", 2: "user"}   # the identity kind byte: no one (NULL front), CURVE key, PLAIN user

# vouch_reason of vouch.hpp, in the order they are checked.
REASONS = ("missing", "malformed", "unknown_key", "bad_mac", "stale", "replay")

# The client a broker vouched for: user_id (bytes: a CURVE key in Z85, a
# PLAIN user name, or empty for no one), kind ("key", "user" or None), the
# key id of the broker's MAC key, the broker run's epoch, the vouch's
# sequence number in it, and the broker's clock (milliseconds).
Vouched = collections.namedtuple("Vouched", "user_id kind key_id epoch sequence timestamp_ms")


class VouchError(Exception):
    """A refused vouch; reason is one of REASONS."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def refusal(reason):
    """What a zguard worker answers a request whose vouch it refused: the
    zguard.refusal message, peer_refused, "vouch: <reason>"."""
    return wire.refusal("peer_refused", "vouch: " + (reason.reason if isinstance(reason, VouchError) else reason))


def _kind_fits(kind, n):
    """A kind byte that names a kind, and an id of n bytes that fits it (a
    key is 40 bytes of Z85, a user 1..255 bytes, no one has no id)."""
    return (kind == 0 and n == 0) or (kind == 1 and n == 40) or (kind == 2 and 1 <= n <= 255)


def mac(key, header, payload):
    """The vouch MAC: BLAKE2b-256(key; TAG | header | u32 N | per payload
    frame: u64 size | bytes); header is the vouch without its MAC."""
    data = bytearray(TAG + bytes(header) + struct.pack("<I", len(payload)))
    for f in payload:
        f = bytes(f)
        data += struct.pack("<Q", len(f)) + f
    return _blake2b_256(bytes(data), key=key)


class VouchChecker(KeyRing):
    """Checks broker vouches against the group keys the brokers vouch with
    (32 bytes each; add_key, retire, remove rotate them as for envelopes),
    with freshness_ms (1..600000, default 10000: as vouched<blake2b_mac,
    freshness_ms<N>>) and a replay window of 1024 per broker run, for the
    64 most recently seen runs. Not thread-safe: one per socket."""

    def __init__(self, keys=(), freshness_ms=10000):
        super().__init__("blake2b", keys)
        if isinstance(freshness_ms, bool) or not isinstance(freshness_ms, int) or not 0 < freshness_ms <= 600000:
            raise ValueError("zguard.vouch: freshness_ms must be in 1..600000")
        self.freshness_ms = freshness_ms
        self._seen = ReplayTracker(WINDOW, MAX_EPOCHS)  # runs: (key id, broker epoch)

    def check(self, frames, now_ms=None):
        """The Vouched client of a request's frames (the vouch, then its
        payload frames), or VouchError."""
        frames = [bytes(f) for f in frames]
        if len(frames) < 2:
            raise VouchError("missing")
        v = frames[0]
        if len(v) < FIXED_SIZE + MAC_SIZE or v[:3] != MAGIC:
            raise VouchError("missing")
        if v[3] != VERSION or v[4] != ALGORITHM:
            raise VouchError("malformed")  # format 1 too: it had no kind byte
        n = int.from_bytes(v[38:40], "little")
        if not _kind_fits(v[37], n) or len(v) != FIXED_SIZE + n + MAC_SIZE:
            raise VouchError("malformed")
        now = time.time_ns() // 1000000 if now_ms is None else now_ms
        kid = v[5:13]
        key = self._key(kid, now * 1000)
        if key is None:
            raise VouchError("unknown_key")
        if not hmac.compare_digest(mac(key, v[:FIXED_SIZE + n], frames[1:]), v[FIXED_SIZE + n:]):  # constant time
            raise VouchError("bad_mac")
        timestamp, epoch, sequence = struct.unpack_from("<QQQ", v, 13)
        if abs(now - timestamp) > self.freshness_ms:
            raise VouchError("stale")
        if not self._seen.record((kid, epoch), sequence):
            raise VouchError("replay")
        return Vouched(v[FIXED_SIZE:FIXED_SIZE + n], KINDS[v[37]], kid, epoch, sequence, timestamp)
