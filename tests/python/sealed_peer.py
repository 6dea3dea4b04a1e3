"""Sealed peers built on the zguard Python module (python/zguard, sealed.py
and sockets.py), driven by tests/unit-sealed-python.cpp. The module is
found through PYTHONPATH; PyNaCl and pyzmq must be there (an ImportError
fails the test, it does not skip it).

usage:
  sealed_peer.py client ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS SEALING_PUBLIC
      a CURVE REQ (sockets.call with sealed_to) calling a sealed
      service<test.order, test.order_ack>; prints one line per call: "ack ID
      NOTE", or the status and reason of what was refused
  sealed_peer.py wrong_key ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS SEALING_PUBLIC
      one call sealed to SEALING_PUBLIC (not the service's key); prints its
      status and reason
  sealed_peer.py verdicts ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS SEALING_SECRET OTHER_PUBLIC
      sends crafted sealed requests on a CURVE REQ, one at a time, to a
      sealed service holding the key SEALING_SECRET, and judges each with
      the module's RequestOpener holding the same key, in the same order;
      prints "CASE SERVICE PYTHON" per request: "ok" (the service's answer
      was sealed to it and opened; the module opened it) or the refusal
      reason (the service's "sealed: <reason>"; the module's SealError);
      then 4096 requests each in a run of its own push the first run out
      (one line for all of them), and that run's first request, replayed,
      and its next are judged the same way
  sealed_peer.py serve ENDPOINT ENDPOINT_FILE SEALING_SECRET SCHEMAS
      a sealed REP (sockets.Service with sealing_key) bound on ENDPOINT
      (written to ENDPOINT_FILE once bound), answering requests until it
      answered order id 999 (at most 200 requests, none more than 20 s
      apart): an ack whose note is "py sealed ID", or for id 13 a refusal
      ("python says no"), 14 an application error (7), 16 a handler
      failure; prints "served N" (N requests answered, refused ones too)
SEALING_PUBLIC and OTHER_PUBLIC are sealing public keys in Z85,
SEALING_SECRET a sealing secret key in hex.
"""
import hashlib
import os
import struct
import sys
import time

import nacl.bindings

import zmq
import zmq.auth

from zguard import sealed, sockets, wire


def curve_req(ctx, server_cert, client_cert):
    server_public, _ = zmq.auth.load_certificate(server_cert)
    public, secret = zmq.auth.load_certificate(client_cert)
    sock = sockets.curve(ctx.socket(zmq.REQ), server_key=server_public, public_key=public, secret_key=secret)
    sock.linger = 0
    return sock


def order_value(oid, lines):
    return {"id": oid, "direction": 1, "lines": [{"sku": s, "qty": q} for s, q in lines], "priority": None,
            "tag": [9, 9, 9, 9], "urgent": False, "blob": b"sealed"}


def show(sock, schema, value, ack, sealed_to):
    try:
        a = sockets.call(sock, schema, value, ack, timeout_ms=5000, sealed_to=sealed_to)
        print("ack %d %s" % (a["id"], a["note"]))
    except wire.CallError as e:
        if e.status == "application_error":
            print("application_error %d: %s" % (e.code, e.reason))
        else:
            print("%s: %s" % (e.status, e.reason))
    except sealed.SealError as e:
        print("sealed answer refused: %s" % e.reason)


def lax_order(schemas_path):
    """test.order with qty any int32: a value the service must refuse."""
    import copy
    import json
    with open(schemas_path, "rb") as f:
        desc = copy.deepcopy(next(d for d in json.loads(f.read()) if d["name"] == "test.order"))
    desc["fields"][2]["type"]["element"]["fields"][1]["type"] = {"kind": "int", "signed": True, "bytes": 4}
    return wire.Schema(desc)


def cmd_client(endpoint, server_cert, client_cert, schemas_path, sealing_public):
    schemas = wire.load_schemas(schemas_path)
    order, ack = schemas["test.order"], schemas["test.order_ack"]
    ctx = zmq.Context()
    sock = curve_req(ctx, server_cert, client_cert)
    sock.connect(endpoint)
    sealer = sealed.RequestSealer(sealed.SealingPublicKey(sealing_public))
    for oid in (1, 2, 3):
        show(sock, order, order_value(oid, [("py-sku", oid)]), ack, sealer)
    show(sock, order, order_value(14, [("a", 1)]), ack, sealer)         # the service's typed error, sealed
    show(sock, lax_order(schemas_path), order_value(8, [("zero", 0)]), ack, sealer)  # its decoder's refusal, sealed
    show(sock, order, order_value(4, [("by-key", 4)]), ack, sealing_public)  # sealed_to a key: a sealer per socket
    show(sock, order, order_value(5, [("by-key", 5)]), ack, sealing_public)
    print("run %s sequence %d" % ("kept" if sockets._sealers[sock].sequence == 2 else "new", sealer.sequence))
    sock.close()
    ctx.term()


def cmd_wrong_key(endpoint, server_cert, client_cert, schemas_path, sealing_public):
    schemas = wire.load_schemas(schemas_path)
    ctx = zmq.Context()
    sock = curve_req(ctx, server_cert, client_cert)
    sock.connect(endpoint)
    show(sock, schemas["test.order"], order_value(21, [("a", 1)]), schemas["test.order_ack"], sealing_public)
    sock.close()
    ctx.term()


def cmd_verdicts(endpoint, server_cert, client_cert, schemas_path, sealing_secret, other_public):
    schemas = wire.load_schemas(schemas_path)
    order, ack = schemas["test.order"], schemas["test.order_ack"]
    key = sealed.SealingKey(bytes.fromhex(sealing_secret))
    opener = sealed.RequestOpener(key)
    run = os.urandom(32)  # the run's secret
    now = time.time_ns() // 1000000

    def request(seq, to=key.public_part, at=None, run_secret=None):
        return sealed.seal_request(to, order.encode(order_value(seq, [("v", 1)])),
                                   run if run_secret is None else run_secret, seq, at)

    def in_run_named(seq, name):
        """A request sealed to the service by hand (docs/wire-format.md), in
        the run named `name` (copied from the wire) with a run secret of our
        own inside: the tag verifies, the name does not match the secret."""
        e = os.urandom(32)
        n = os.urandom(24)
        e_pub = nacl.bindings.crypto_scalarmult_base(e)
        s_pub = bytes(key.public_part)
        material = nacl.bindings.crypto_scalarmult(e, s_pub) + e_pub + s_pub
        request_key = hashlib.blake2b(material, digest_size=32, key=b"zguard.sealed.request.v1").digest()
        header = b"\x53\x01" + key.id + e_pub + name + struct.pack("<QQ", seq, time.time_ns() // 1000000) + n
        body = os.urandom(32) + order.encode(order_value(seq, [("v", 1)]))
        return header + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(body, header, n, request_key)

    def changed(frame, at, value=None, xor=0x01):
        b = bytearray(frame)
        if value is not None:
            b[at:at + len(value)] = value
        else:
            b[at] ^= xor
        return bytes(b)

    good, good_key = request(1)
    ahead, _ = request(1000000)
    later, later_key = request(2)
    cases = [
        ("good", good, good_key),
        ("replayed", good, good_key),
        ("unsealed", order.encode(order_value(3, [("v", 1)])), None),
        ("empty", b"", None),
        ("cut", request(3)[0][:sealed.REQUEST_OVERHEAD - 1], None),
        ("format_2", changed(request(4)[0], 1, b"\x02"), None),
        ("other_key", request(5, sealed.SealingPublicKey(other_public))[0], None),
        ("stale_past", request(6, at=now - 120000)[0], None),
        ("stale_future", request(7, at=now + 120000)[0], None),
        ("weak_zero", changed(request(8)[0], 10, bytes(32)), None),
        ("weak_one", changed(request(9)[0], 10, b"\x01" + bytes(31)), None),
        ("forged_header", changed(request(10)[0], 45), None),
        ("forged_body", changed(request(11)[0], sealed.PAYLOAD_AT + 3), None),
        ("forged_secret", changed(request(18)[0], sealed.REQUEST_HEADER + 3), None),
        ("forged_tag", changed(request(12)[0], -1), None),
        ("forged_ahead", changed(ahead, -1), None),
        ("after_forged_ahead", later, later_key),
        # Sealed to the service, in this run (its name read off the wire) at
        # the last sequence, with another run's secret inside.
        ("forged_run", in_run_named(2 ** 64 - 1, sealed.run_name(run)), None),
        ("after_forged_run", *request(19)),  # it did not move the run's window
        # Two faults at once: the earlier check names it.
        ("format_2_other_key", changed(request(13, sealed.SealingPublicKey(other_public))[0], 1, b"\x02"), None),
        ("other_key_stale", request(14, sealed.SealingPublicKey(other_public), now - 120000)[0], None),
        ("stale_weak", changed(request(15, at=now - 120000)[0], 10, bytes(32)), None),
        ("stale_forged", changed(request(16, at=now + 120000)[0], -1), None),
        ("weak_forged", changed(changed(request(17)[0], 10, bytes(32)), -1), None),
        ("replayed_forged", changed(good, -1), None),
    ]
    built = time.time_ns() // 1000000  # no request above was sent at a later time
    ctx = zmq.Context()
    sock = curve_req(ctx, server_cert, client_cert)
    sock.connect(endpoint)

    def judged(frame, answer_key):
        """(the service's verdict, the module's) on one request."""
        sock.send(frame)
        if not sock.poll(5000, zmq.POLLIN):
            service = "no_answer"
        else:
            answer = sock.recv()
            if sealed.is_unsealed_refusal(answer):
                field = wire.REFUSAL.decode(answer)["field"]
                service = field[len("sealed: "):] if field.startswith("sealed: ") else "refused(%s)" % field
            elif answer_key is None:
                service = "sealed_answer_to_a_refused_request"
            else:
                try:
                    service = "ok" if ack.decode(sealed.open_answer(answer_key, answer))["id"] else "ok_id_0"
                except sealed.SealError as e:
                    service = "answer_" + e.reason
        try:
            opener.open(frame)
            python = "ok"
        except sealed.SealError as e:
            python = e.reason
        return service, python

    for name, frame, answer_key in cases:
        print(name, *judged(frame, answer_key))
    # sealed.MAX_RUNS runs of their own, sealed with the public key (anyone
    # can): the last pushes this run out, the least recently used.
    verdicts = {}
    for i in range(sealed.MAX_RUNS):
        v = judged(*request(100 + i, run_secret=os.urandom(32)))
        verdicts[v] = verdicts.get(v, 0) + 1
    print("flood", " ".join("%s:%s:%d" % (s, p, n) for (s, p), n in sorted(verdicts.items())))
    # Its first request again: its run is forgotten, and the request was not
    # sent after the newest sent-at of that run.
    print("forgotten_replayed", *judged(good, good_key))
    # Its next request, sent after all of them: the run starts again.
    while time.time_ns() // 1000000 <= built:
        time.sleep(0.002)
    print("forgotten_next", *judged(*request(20)))
    sock.close()
    ctx.term()


def cmd_serve(endpoint, endpoint_file, sealing_secret, schemas_path):
    schemas = wire.load_schemas(schemas_path)
    order, ack = schemas["test.order"], schemas["test.order_ack"]
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.linger = 0
    sock.bind(endpoint)
    with open(endpoint_file + ".tmp", "w") as f:
        f.write(sock.getsockopt_string(zmq.LAST_ENDPOINT))
    os.replace(endpoint_file + ".tmp", endpoint_file)  # the reader sees all of it or nothing
    last = []

    def handler(o, client):
        if o["id"] == 13:
            raise wire.CallError("refused_by_service", "python says no")
        if o["id"] == 14:
            raise wire.CallError("application_error", "python cannot fill order 14", 7)
        if o["id"] == 16:
            raise RuntimeError("a bug in the handler")
        if o["id"] == 999:
            last.append(True)
        return {"id": o["id"], "accepted": True, "note": "py sealed %d" % o["id"]}

    service = sockets.Service(sock, order, ack, handler, sealing_key=sealed.SealingKey(bytes.fromhex(sealing_secret)))
    served = 0
    while not last and served < 200:
        try:
            if not service.serve_one(20000):
                print("served %d, then no request" % served)
                sys.exit(3)
        except RuntimeError as e:  # answered "handler failed", sealed
            print("handler raised:", e, file=sys.stderr)
        served += 1
    sock.close()
    ctx.term()
    print("served %d" % served)
    sys.exit(0 if last else 3)


COMMANDS = {"client": (cmd_client, 5), "wrong_key": (cmd_wrong_key, 5), "verdicts": (cmd_verdicts, 6),
            "serve": (cmd_serve, 4)}

if __name__ == "__main__":
    command = COMMANDS.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if command is None or len(sys.argv) != 2 + command[1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    command[0](*sys.argv[2:])
