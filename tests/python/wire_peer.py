"""A peer for zguard's schema wire format, written from docs/wire-format.md.

It encodes and decodes the test schemas (tests/schemas.hpp) with nothing but
struct and bytes, to prove the document is enough to interoperate.

usage:
  wire_peer.py vectors
      prints the hex encodings of the documented test vectors, one per line
  wire_peer.py client ENDPOINT SERVER_PUBLIC_CERT CLIENT_SECRET_CERT
      talks to a CURVE REP service of service<test.order, test.order_ack>:
      sends a malformed frame, a valid order and an out-of-range order, and
      prints what came back for each
"""
import struct
import sys

FORMAT_VERSION = 1
# docs/wire-format.md, "Refusal reasons"
REASONS = ["truncated", "length_over_bound", "out_of_range", "unknown_enum_value", "invalid_utf8",
           "trailing_bytes", "unsupported_format", "wrong_schema", "wrong_version", "peer_refused"]
SIDE = {"buy": 1, "sell": 2}


def header(name, version):
    raw = name.encode("ascii")
    return bytes([FORMAT_VERSION, len(raw)]) + raw + struct.pack("<H", version)


def prefix(count, bound):
    width = 1 if bound <= 0xFF else 2 if bound <= 0xFFFF else 4
    if count > bound:
        raise ValueError("over bound")
    return count.to_bytes(width, "little")


def text(value, bound):
    raw = value.encode("utf-8")
    return prefix(len(raw), bound) + raw


def encode_order(oid, side, lines, priority, tag, urgent, blob):
    out = header("test.order", 1) + struct.pack("<Q", oid) + bytes([SIDE[side]])
    out += prefix(len(lines), 4)
    for sku, qty in lines:
        out += text(sku, 16) + struct.pack("<i", qty)
    out += b"\x00" if priority is None else b"\x01" + struct.pack("<h", priority)
    out += bytes(tag) + bytes([1 if urgent else 0]) + prefix(len(blob), 8) + bytes(blob)
    return out


def encode_order_ack(oid, accepted, note):
    return header("test.order_ack", 1) + struct.pack("<Q", oid) + bytes([1 if accepted else 0]) + text(note, 32)


def encode_tick(symbol, price, seq):
    return header("test.tick", 1) + text(symbol, 8) + struct.pack("<qI", price, seq)


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def header(self, name, version):
        fmt, length = self.take(1)[0], self.take(1)[0]
        got = self.take(length).decode("ascii")
        (ver,) = struct.unpack("<H", self.take(2))
        if fmt != FORMAT_VERSION or got != name or ver != version:
            raise ValueError("not %s v%d" % (name, version))

    def text(self, bound):
        width = 1 if bound <= 0xFF else 2 if bound <= 0xFFFF else 4
        n = int.from_bytes(self.take(width), "little")
        if n > bound:
            raise ValueError("over bound")
        return self.take(n).decode("utf-8")

    def done(self):
        if self.pos != len(self.data):
            raise ValueError("trailing bytes")


def decode_order_ack(data):
    r = Reader(data)
    r.header("test.order_ack", 1)
    (oid,) = struct.unpack("<Q", r.take(8))
    accepted = r.take(1)[0]
    if accepted > 1:
        raise ValueError("bad bool")
    note = r.text(32)
    r.done()
    return oid, bool(accepted), note


def decode_refusal(data):
    r = Reader(data)
    r.header("zguard.refusal", 1)
    reason = r.take(1)[0]
    field = r.text(128)
    r.done()
    return REASONS[reason] if reason < len(REASONS) else str(reason), field


def describe_reply(data):
    try:
        oid, accepted, note = decode_order_ack(data)
        return "ack %d %s %s" % (oid, "accepted" if accepted else "rejected", note)
    except ValueError:
        reason, field = decode_refusal(data)
        return "refused %s %s" % (reason, field)


def vectors():
    print(encode_order(42, "sell", [("abc", 5), ("\u00e9t\u00e9", 1000)], -2, [1, 2, 3, 4], True, [0xDE, 0xAD]).hex())
    print(encode_order(0, "buy", [], None, [0, 0, 0, 0], False, []).hex())
    print(encode_order_ack(7, True, "ok").hex())
    print(encode_tick("EURUSD", -1, 3).hex())


def client(endpoint, server_cert, client_cert):
    import zmq
    import zmq.auth
    server_public, _ = zmq.auth.load_certificate(server_cert)
    client_public, client_secret = zmq.auth.load_certificate(client_cert)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = 3000
    sock.curve_serverkey, sock.curve_publickey, sock.curve_secretkey = server_public, client_public, client_secret
    sock.connect(endpoint)
    requests = [
        b"\x01\x02not an order",
        encode_order(1001, "buy", [("py-sku", 3)], None, [9, 9, 9, 9], False, []),
        encode_order(1002, "buy", [("zero", 0)], None, [0, 0, 0, 0], False, []),
    ]
    try:
        for request in requests:
            sock.send(request)
            print(describe_reply(sock.recv()), flush=True)
    except zmq.Again:
        print("no reply", flush=True)
        sys.exit(3)
    finally:
        sock.close()
        ctx.term()


if __name__ == "__main__":
    if sys.argv[1:2] == ["vectors"]:
        vectors()
    elif sys.argv[1:2] == ["client"]:
        client(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
