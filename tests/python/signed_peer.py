"""A peer for zguard's signed envelope, written from docs/wire-format.md
("Signed envelope") with PyNaCl and pyzmq only.

Keys are given in hex: an Ed25519 seed (32 bytes) for a publisher, an Ed25519
public key for a subscriber, or a BLAKE2b-256 MAC key (32 bytes) for both.

usage:
  signed_peer.py vectors
      prints the documented test vectors, one hex line per frame (topic,
      then the sealed frame: header || payload || signature)
  signed_peer.py publish ENDPOINT ALG KEYHEX TOPIC COUNT [BATCH]
      binds an XPUB at ENDPOINT, waits for a subscription to TOPIC, then
      publishes COUNT test.tick messages (symbol "PY", price i, seq i) sealed
      with the key, and prints "published COUNT"; with BATCH, BATCH messages
      a sealed batch ("Batches" in the document), the last batch shorter
  signed_peer.py subscribe ENDPOINT ALG KEYHEX TOPIC COUNT [BATCH]
      connects a SUB to ENDPOINT, verifies envelopes until COUNT verified
      test.tick messages arrived (at most 20 s), checks sequence numbers rise
      within the publisher's epoch, prints "verified COUNT epoch E" and exits
      0; anything that fails verification is counted and printed as
      "rejected N" at the end; with BATCH, each payload must be a batch of at
      most BATCH test.tick messages whose seq fields rise by one
ALG is ed25519 or blake2b.
"""
import os
import struct
import sys
import time

import nacl.bindings
import nacl.encoding
import nacl.hash
import nacl.signing
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire_peer  # noqa: E402  (the schema encoding, from the same document)

VERSION = 2
ALGORITHMS = {"ed25519": 3, "blake2b": 2}
SIGNATURE_SIZES = {3: 64, 2: 32}
TAG = b"zguard.envelope.v2\x00"
DIGEST_TAG = b"zguard.ed25519.blake2b512\x00"
RAW = nacl.encoding.RawEncoder


def blake2b_256(data, key=b""):
    return nacl.hash.blake2b(data, digest_size=32, key=key, encoder=RAW)


def ed25519_signed(data):
    """Ed25519 signs the digest tag and BLAKE2b-512 of the signed bytes."""
    return DIGEST_TAG + nacl.hash.blake2b(data, digest_size=64, encoder=RAW)


def key_id(alg, key):
    if alg == "ed25519":  # key: the public key
        return blake2b_256(b"zguard.keyid.ed25519" + key)[:8]
    return blake2b_256(b"zguard.keyid.blake2b", key=key)[:8]


def header(alg, kid, epoch, seq, timestamp_us, topic):
    raw = topic.encode("ascii")
    return (bytes([VERSION, ALGORITHMS[alg]]) + kid + struct.pack("<QQQ", epoch, seq, timestamp_us)
            + bytes([len(raw)]) + raw)


class Sealer:
    def __init__(self, alg, keyhex):
        self.alg = alg
        key = bytes.fromhex(keyhex)
        if alg == "ed25519":
            self.signing = nacl.signing.SigningKey(key)
            self.kid = key_id(alg, bytes(self.signing.verify_key))
        else:
            self.mac_key = key
            self.kid = key_id(alg, key)

    def seal(self, topic, epoch, seq, timestamp_us, payload):
        """The frames: [topic, header || payload || signature]."""
        h = header(self.alg, self.kid, epoch, seq, timestamp_us, topic)
        data = TAG + h + payload
        if self.alg == "ed25519":
            sig = self.signing.sign(ed25519_signed(data)).signature
        else:
            sig = blake2b_256(data, key=self.mac_key)
        return [topic.encode("ascii"), h + payload + sig]


def split(sealed):
    """header, payload, signature of one sealed frame, or ValueError."""
    if len(sealed) < 35 or sealed[0] != VERSION or sealed[1] not in SIGNATURE_SIZES:
        raise ValueError("malformed header")
    header_size = 35 + sealed[34]
    sig_size = SIGNATURE_SIZES[sealed[1]]
    if len(sealed) < header_size + sig_size:
        raise ValueError("malformed: too short")
    end = len(sealed) - sig_size
    return sealed[:header_size], sealed[header_size:end], sealed[end:]


def verify(alg, key, frames, topic):
    """Returns (epoch, seq, payload) or raises ValueError naming the reason."""
    if len(frames) != 2:
        raise ValueError("malformed: %d frames" % len(frames))
    t, sealed = frames
    h, payload, sig = split(sealed)
    if h[1] != ALGORITHMS[alg]:
        raise ValueError("malformed: algorithm")
    if h[2:10] != key_id(alg, key):
        raise ValueError("unknown key")
    data = TAG + h + payload
    if alg == "ed25519":
        try:
            nacl.signing.VerifyKey(key).verify(ed25519_signed(data), sig)
        except Exception:
            raise ValueError("bad signature")
    elif not nacl.bindings.sodium_memcmp(blake2b_256(data, key=key), sig):
        raise ValueError("bad signature")
    if h[35:] != topic.encode("ascii") or t != h[35:]:
        raise ValueError("re-topiced")
    epoch, seq, ts = struct.unpack("<QQQ", h[10:34])
    if abs(time.time() * 1e6 - ts) > 30e6:
        raise ValueError("stale")
    return epoch, seq, payload


BATCH_FORMAT = 0x81


def pack_batch(messages):
    """0x81 | count (u16) | count x (length (u32) | schema message)."""
    return (bytes([BATCH_FORMAT]) + struct.pack("<H", len(messages))
            + b"".join(struct.pack("<I", len(m)) + m for m in messages))


def decode_tick(data):
    r = wire_peer.Reader(data)
    r.header("test.tick", 1)
    symbol = r.text(8)
    price, seq = struct.unpack("<qI", r.take(12))
    r.done()
    return symbol, price, seq


def unpack_batch(batch, max_count):
    """The messages of a batch, or ValueError naming what is wrong."""
    if len(batch) < 3 or batch[0] != BATCH_FORMAT:
        raise ValueError("not a batch")
    (count,) = struct.unpack("<H", batch[1:3])
    if count == 0 or count > max_count:
        raise ValueError("batch count %d" % count)
    at, out = 3, []
    for _ in range(count):
        if len(batch) - at < 4:
            raise ValueError("batch truncated")
        (n,) = struct.unpack("<I", batch[at:at + 4])
        at += 4
        if n == 0 or len(batch) - at < n:
            raise ValueError("batch item length")
        out.append(batch[at:at + n])
        at += n
    if at != len(batch):
        raise ValueError("batch trailing bytes")
    return out


def vectors():
    ed_seed = bytes(range(32)).hex()
    mac_key = bytes(range(32, 64)).hex()
    payload = wire_peer.encode_tick("EURUSD", -1, 3)
    for alg, key in (("ed25519", ed_seed), ("blake2b", mac_key)):
        for frame in Sealer(alg, key).seal("test.tick", 0x0102030405060708, 1, 1700000000000000, payload):
            print(frame.hex())


def publish(endpoint, alg, keyhex, topic, count, batch=0):
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 2000)
    pub.bind(endpoint)
    pub.setsockopt(zmq.RCVTIMEO, 20000)
    while pub.recv() != b"\x01" + topic.encode("ascii"):
        pass
    sealer = Sealer(alg, keyhex)
    epoch = struct.unpack("<Q", os.urandom(8))[0]
    if batch:
        seq = 0
        for first in range(1, count + 1, batch):
            seq += 1
            ticks = [wire_peer.encode_tick("PY", i, i) for i in range(first, min(first + batch, count + 1))]
            pub.send_multipart(sealer.seal(topic, epoch, seq, int(time.time() * 1e6), pack_batch(ticks)))
    else:
        for i in range(1, count + 1):
            payload = wire_peer.encode_tick("PY", i, i)
            pub.send_multipart(sealer.seal(topic, epoch, i, int(time.time() * 1e6), payload))
    print("published %d" % count, flush=True)
    pub.close()
    ctx.term()


def subscribe(endpoint, alg, keyhex, topic, count, batch=0):
    key = bytes.fromhex(keyhex)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, topic.encode("ascii"))
    sub.setsockopt(zmq.RCVTIMEO, 1000)
    sub.connect(endpoint)
    verified, rejected, last, epoch0, last_tick = 0, 0, 0, None, None
    deadline = time.time() + 20
    while verified < count and time.time() < deadline:
        try:
            frames = sub.recv_multipart()
        except zmq.Again:
            continue
        try:
            epoch, seq, payload = verify(alg, key, frames, topic)
        except ValueError as e:
            rejected += 1
            print("rejected:", e, file=sys.stderr)
            continue
        if epoch0 is None:
            epoch0 = epoch
        if epoch != epoch0 or seq <= last:
            print("sequence out of order: epoch %d seq %d after %d" % (epoch, seq, last), file=sys.stderr)
            sys.exit(3)
        last = seq
        if batch:
            try:
                ticks = [decode_tick(m) for m in unpack_batch(payload, batch)]
            except ValueError as e:
                print("bad batch:", e, file=sys.stderr)
                sys.exit(4)
            for t in ticks:
                if last_tick is not None and t[2] != last_tick + 1:
                    print("tick %d after %d inside a batch feed" % (t[2], last_tick), file=sys.stderr)
                    sys.exit(5)
                last_tick = t[2]
            verified += len(ticks)
        else:
            verified += 1
    print("verified %d epoch %d" % (verified, epoch0 or 0))
    print("rejected %d" % rejected)
    sub.close()
    ctx.term()
    sys.exit(0 if verified >= count else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["vectors"]:
        vectors()
    elif len(sys.argv) in (7, 8) and sys.argv[1] in ("publish", "subscribe") and sys.argv[3] in ALGORITHMS:
        fn = publish if sys.argv[1] == "publish" else subscribe
        fn(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
           int(sys.argv[7]) if len(sys.argv) == 8 else 0)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
