"""Peers built on the zguard Python module (python/zguard), driven by
tests/unit-python-module.cpp. The module is found through PYTHONPATH.

usage:
  module_peer.py schemas SCHEMAS
      prints "name version max_encoded_size" per described schema, then
      checks the module's built-in refusal schema against the described one
  module_peer.py tampered SCHEMAS
      loads altered copies of the test.order description and prints, per
      alteration, "refused" (ValueError) or "loaded"
  module_peer.py encode SCHEMAS
      encodes test.order values the C++ types would not hold and prints,
      per value, "refused" (EncodeError) or "encoded"
  module_peer.py keys
      Signer and Verifier arguments refused, service-channel envelopes, key
      retirement and removal; one line per case
  module_peer.py decode SCHEMAS INPUT
      INPUT lines: "SCHEMA HEX"; prints "ok" (decoded, and encoding the value
      again gives the same bytes), or "REASON FIELD OFFSET" ("-" for an
      empty field)
  module_peer.py waits INPUT
      INPUT lines: a refusal's field text as hex; prints the rate-limit wait
      in milliseconds the module reads from it, or "none"
  module_peer.py verify ALG KEYHEX NOW_US INPUT
      INPUT lines: the frames of one message as hex ("." for an empty frame);
      one Verifier for the topic test.tick checks them in order at NOW_US
      and prints "ok SEQUENCE" or the drop reason
  module_peer.py client ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS
      a CURVE REQ (sockets.call) calling a service<test.order,
      test.order_ack>; prints what came back for each request, then calls
      until the service answers "rate limited"; then a call that times out
      (a local service answering late) and the next call's own reply
  module_peer.py serve ENDPOINT_FILE SERVER_SECRET_CERT SCHEMAS COUNT
      a CURVE REP (sockets.Service) of service<test.order, test.order_ack>
      on tcp loopback (its endpoint written to ENDPOINT_FILE), answering
      COUNT requests: an ack, or a refusal (undecodable; id 13 is refused by
      rule, 14 an application error, 15 rate limited, 16 a handler failure)
  module_peer.py vouch_worker ENDPOINT ENDPOINT_FILE KEYHEX SCHEMAS COUNT FRAMES_FILE
      a NULL REP (sockets.Service with a vouch.VouchChecker) bound on
      ENDPOINT (written to ENDPOINT_FILE once bound) behind a vouching queue,
      answering COUNT requests with an ack whose note is "py KIND CLIENT"
      (the client's first 24 bytes: the note holds 32);
      the frames of each request whose vouch passed are appended to
      FRAMES_FILE as hex ("VOUCH PAYLOAD")
  module_peer.py vouches KEYHEX NOW_MS INPUT
      INPUT lines: the frames of one request as hex ("." for an empty
      frame); one VouchChecker checks them in order at NOW_MS and prints
      "ok KIND CLIENT" (KIND none and CLIENT "-" for no one) or the reason
  module_peer.py publish ENDPOINT_FILE SERVER_SECRET_CERT SCHEMAS ALG KEYHEX TOPIC COUNT
      a CURVE XPUB on tcp loopback; after the subscription arrives, three
      envelopes a verifier must drop (unknown key, stale, re-topiced), then
      COUNT signed test.tick messages (symbol "PY", price i, seq i)
  module_peer.py subscribe ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS ALG KEYHEX TOPIC COUNT
      a CURVE SUB (sockets.Subscription) verifying with the module until
      COUNT ticks verified (at most 20 s): prints "verified COUNT epoch E in
      order" and "rejected N"; ALG none: an unsigned feed (epoch 0, the
      ticks' seq in order)
ALG is ed25519 or blake2b; KEYHEX an Ed25519 seed (publish), public key
(subscribe, verify) or the BLAKE2b group key.
"""
import copy
import json
import os
import sys
import time

from zguard import envelope, sockets, vouch, wire

TOPIC = "test.tick"


def load(path):
    return wire.load_schemas(path)


def cmd_schemas(path):
    schemas = load(path)
    for s in schemas.values():
        print(s.name, s.version, s.max_encoded_size)
    described = schemas["zguard.refusal"]
    built_in = wire.REFUSAL
    same = (described.header == built_in.header and described.field_names == built_in.field_names
            and described.max_encoded_size == built_in.max_encoded_size)
    print("refusal built-in matches" if same else "refusal built-in differs")


def cmd_tampered(path):
    with open(path, "rb") as f:
        described = {d["name"]: d for d in json.loads(f.read())}
    base = described["test.order"]

    def lines(d):
        return d["fields"][2]["type"]

    def alter(change):
        d = copy.deepcopy(base)
        change(d)
        return d

    cases = [
        ("as written", lambda d: None),
        ("prefix_bytes not the bound's", lambda d: lines(d).update(prefix_bytes=2)),
        ("bound over 4294967295", lambda d: d["fields"][6]["type"].update(max_length=1 << 32, prefix_bytes=4)),
        ("max_size not the type's", lambda d: lines(d).update(max_size=lines(d)["max_size"] + 1)),
        ("max_encoded_size not the fields'", lambda d: d.update(max_encoded_size=d["max_encoded_size"] - 1)),
        ("unknown kind", lambda d: d["fields"][0]["type"].update(kind="decimal")),
        ("integer of 3 bytes", lambda d: d["fields"][0]["type"].update(bytes=3, max_size=3)),
        ("enum value outside its integer", lambda d: d["fields"][1]["type"].update(values=[1, 256])),
        ("ranged min above max", lambda d: lines(d)["element"]["fields"][1]["type"].update(min=5, max=4)),
        ("repeated field name", lambda d: d["fields"].append(copy.deepcopy(d["fields"][0]))),
        ("name too long", lambda d: d.update(name="x" * 65)),
        ("another wire format", lambda d: d.update(format=2)),
    ]
    for what, change in cases:
        try:
            wire.Schema(alter(change))
            print(what, "loaded")
        except (ValueError, KeyError, TypeError):
            print(what, "refused")


def cmd_encode(path):
    order = load(path)["test.order"]
    good = order_value(1, [("a", 1)])

    def with_(**changes):
        v = copy.deepcopy(good)
        v.update(changes)
        return v

    cases = [
        ("a good order", good),
        ("id over 64 bits", with_(id=1 << 64)),
        ("id negative", with_(id=-1)),
        ("id a bool", with_(id=True)),
        ("undeclared direction", with_(direction=3)),
        ("qty above its range", with_(lines=[{"sku": "a", "qty": 1001}])),
        ("sku of 17 bytes", with_(lines=[{"sku": "x" * 17, "qty": 1}])),
        ("sku of 9 characters, 18 bytes", with_(lines=[{"sku": "\u00e9" * 9, "qty": 1}])),
        ("sku with a lone surrogate", with_(lines=[{"sku": "\ud800", "qty": 1}])),
        ("five lines", with_(lines=[{"sku": "a", "qty": 1}] * 5)),
        ("tag of 3", with_(tag=[1, 2, 3])),
        ("tag item over a byte", with_(tag=[1, 2, 3, 256])),
        ("urgent as 1", with_(urgent=1)),
        ("blob of 9", with_(blob=b"123456789")),
        ("blob as str", with_(blob="12")),
        ("a field missing", {k: v for k, v in good.items() if k != "urgent"}),
        ("an extra field", with_(extra=1)),
    ]
    for what, value in cases:
        try:
            order.encode(value)
            print(what, "encoded")
        except wire.EncodeError:
            print(what, "refused")


def cmd_keys():
    import nacl.signing
    seed = bytes(range(32))
    signer = envelope.Signer("ed25519", seed)
    public = signer.verify_key
    now = 1700000000000000

    def attempt(what, action):
        try:
            result = action()
            print(what, "ok" if result is None else result)
        except envelope.VerifyError as e:
            print(what, e.reason)
        except ValueError:
            print(what, "refused")

    attempt("a verifier given a signing key", lambda: envelope.Verifier("ed25519", [nacl.signing.SigningKey(seed)])
            and None)
    attempt("a key of 31 bytes", lambda: envelope.Verifier("blake2b", [bytes(31)]) and None)
    attempt("a seed of 33 bytes", lambda: envelope.Signer("ed25519", bytes(33)) and None)
    attempt("an unknown algorithm", lambda: envelope.Signer("rsa", seed) and None)
    attempt("freshness_ms 0", lambda: envelope.Verifier("ed25519", freshness_ms=0) and None)
    attempt("freshness_ms 600001", lambda: envelope.Verifier("ed25519", freshness_ms=600001) and None)
    attempt("replay_window 100", lambda: envelope.Verifier("ed25519", replay_window=100) and None)
    attempt("replay_window 65600", lambda: envelope.Verifier("ed25519", replay_window=65600) and None)
    attempt("a topic of 256 bytes", lambda: signer.seal("t" * 256, b"") and None)
    v = envelope.Verifier("ed25519", [public])
    attempt("a service message", lambda: v.verify_frames([signer.seal("", b"x", now)], "", False, now)[0].sequence)
    attempt("a service message under a topic", lambda: v.verify(signer.seal("t", b"x", now), "", None, now))
    attempt("a feed message without its topic frame", lambda: v.verify_frames([signer.seal("t", b"x", now)], "t", True,
                                                                             now))
    kid = v.add_key(public)
    v.retire(kid, now + 10)
    attempt("before retirement", lambda: v.verify(signer.seal("", b"x", now + 9), "", None, now + 9)[0].sequence)
    attempt("at retirement", lambda: v.verify(signer.seal("", b"x", now + 10), "", None, now + 10))
    v.add_key(public)  # added again: no retirement
    attempt("added again", lambda: v.verify(signer.seal("", b"x", now + 10), "", None, now + 10)[0].sequence)
    v.remove(kid)
    attempt("removed", lambda: v.verify(signer.seal("", b"x", now), "", None, now))
    print("key id", envelope.key_id("ed25519", public).hex())


def cmd_decode(schemas_path, input_path):
    schemas = load(schemas_path)
    with open(input_path) as f:
        for line in f:
            name, _, text = line.strip().partition(" ")
            data = bytes.fromhex(text)
            try:
                value = schemas[name].decode(data)
            except wire.DecodeError as e:
                print(e.reason, e.field or "-", e.offset)
                continue
            print("ok" if schemas[name].encode(value) == data else "noncanonical")


def cmd_waits(input_path):
    """Each line: a refusal's field text in hex; prints the rate-limit wait
    the module reads from it, or "none"."""
    with open(input_path) as f:
        for line in f:
            wait = wire.rate_limited_wait(bytes.fromhex(line.strip()).decode("utf-8"))
            print("none" if wait is None else wait)


def cmd_batches(max_count, max_item, input_path):
    """Each line: a batch in hex; prints "ok N" or "reason field offset"."""
    with open(input_path) as f:
        for line in f:
            try:
                items = wire.unpack_batch(bytes.fromhex(line.strip()), int(max_count), int(max_item))
                print("ok", len(items))
            except wire.DecodeError as e:
                print(e.reason, e.field or "-", e.offset)


def cmd_verify(alg, keyhex, now_us, input_path):
    verifier = envelope.Verifier(alg, [bytes.fromhex(keyhex)])
    with open(input_path) as f:
        for line in f:
            frames = [b"" if h == "." else bytes.fromhex(h) for h in line.split()]
            try:
                origin, _ = verifier.verify_frames(frames, TOPIC, with_topic=True, now_us=int(now_us))
                print("ok", origin.sequence)
            except envelope.VerifyError as e:
                print(e.reason)


def curve_socket(ctx, kind, server_cert, client_cert=None):
    import zmq.auth
    server_public, server_secret = zmq.auth.load_certificate(server_cert)
    if client_cert is None:  # the server side
        sock = sockets.curve(ctx.socket(kind), secret_key=server_secret)
    else:
        public, secret = zmq.auth.load_certificate(client_cert)
        sock = sockets.curve(ctx.socket(kind), server_key=server_public, public_key=public, secret_key=secret)
    sock.linger = 0
    return sock


def bind_loopback(sock, endpoint_file):
    import zmq
    sock.bind("tcp://127.0.0.1:*")
    write_endpoint(sock.getsockopt_string(zmq.LAST_ENDPOINT), endpoint_file)


def write_endpoint(endpoint, endpoint_file):
    with open(endpoint_file + ".tmp", "w") as f:
        f.write(endpoint)
    os.replace(endpoint_file + ".tmp", endpoint_file)  # the reader sees all of it or nothing


def order_value(oid, lines):
    return {"id": oid, "direction": 1, "lines": [{"sku": s, "qty": q} for s, q in lines], "priority": None,
            "tag": [9, 9, 9, 9], "urgent": False, "blob": b""}


class _Raw:
    """Bytes sent as they are, where call() takes a schema."""
    encode = staticmethod(bytes)


def cmd_client(endpoint, server_cert, client_cert, schemas_path):
    import threading
    import zmq
    import zmq.auth
    schemas = load(schemas_path)
    order, ack, tick = schemas["test.order"], schemas["test.order_ack"], schemas["test.tick"]
    # A peer with a laxer idea of the schema (qty any int32) and one with the
    # next version: what the service must refuse.
    with open(schemas_path, "rb") as f:
        order_desc = next(d for d in json.loads(f.read()) if d["name"] == "test.order")
    lax_desc = copy.deepcopy(order_desc)
    lax_desc["fields"][2]["type"]["element"]["fields"][1]["type"] = {"kind": "int", "signed": True, "bytes": 4}
    lax = wire.Schema(lax_desc)
    v2 = wire.Schema({"format": 1, "name": "test.order", "version": 2,
                      "fields": [{"name": "id", "type": {"kind": "int", "signed": False, "bytes": 8}}]})
    requests = [
        (order, order_value(1, [("zero", 0)])),
        (order, order_value(7, [("py-sku", 3)])),
        (lax, order_value(8, [("zero", 0)])),
        (tick, {"symbol": "EURUSD", "price": 1, "seq": 1}),
        (v2, {"id": 9}),
        (_Raw, b"\x07"),
        (order, order_value(10, [("a", 1), ("\u00e9t\u00e9", 1000)])),
        (order, order_value(14, [("a", 1)])),
    ]
    ctx = zmq.Context()
    server_public, _ = zmq.auth.load_certificate(server_cert)
    public, secret = zmq.auth.load_certificate(client_cert)
    sock = sockets.curve(ctx.socket(zmq.REQ), server_key=server_public, public_key=public, secret_key=secret)
    sock.linger = 0
    sock.connect(endpoint)

    def show(schema, value, timeout_ms=5000, on=sock):
        try:
            a = sockets.call(on, schema, value, ack, timeout_ms)
            print("ack %d %s %s" % (a["id"], "accepted" if a["accepted"] else "rejected", a["note"]))
        except wire.EncodeError:
            print("qty 0 not encoded")
        except wire.CallError as e:
            if e.status == "timed_out":
                print("timed_out")
            elif e.status == "application_error":
                print("application_error %d: %s" % (e.code, e.reason))
            else:
                print("%s: %s" % (e.status, e.reason))
            return e

    for schema, value in requests:
        show(schema, value)
    # The service's bucket runs dry: a rate-limited answer, with its wait.
    for i in range(30):
        try:
            sockets.call(sock, order, order_value(100 + i, [("a", 1)]), ack)
        except wire.CallError as e:
            print("%s within 30 calls, retry after %s" % (e.status, "1..1000 ms" if 0 < e.retry_after_ms <= 1000
                                                          else "%d ms" % e.retry_after_ms))
            break
    sock.close()

    # A call that times out, then the next call on the same socket: the late
    # reply to the first is not taken for the second's.
    rep = ctx.socket(zmq.REP)
    rep.linger = 0
    rep.bind("tcp://127.0.0.1:*")
    late = threading.Event()

    def handler(o, client):
        if o["id"] == 20:
            late.wait(5)
        return {"id": o["id"], "accepted": True, "note": "local"}

    server = threading.Thread(target=sockets.Service(rep, order, ack, handler).serve, args=(2, 10000))
    server.start()
    local = ctx.socket(zmq.REQ)
    local.linger = 0
    local.connect(rep.getsockopt_string(zmq.LAST_ENDPOINT))
    show(order, order_value(20, [("a", 1)]), 300, local)
    late.set()
    show(order, order_value(21, [("a", 1)]), 5000, local)
    server.join()
    local.close()
    rep.close()
    ctx.term()


def cmd_serve(endpoint_file, server_cert, schemas_path, count):
    import zmq
    import zmq.auth
    schemas = load(schemas_path)
    order, ack = schemas["test.order"], schemas["test.order_ack"]
    _, server_secret = zmq.auth.load_certificate(server_cert)
    ctx = zmq.Context()
    sock = sockets.curve(ctx.socket(zmq.REP), secret_key=server_secret)
    sock.linger = 0
    bind_loopback(sock, endpoint_file)

    def handler(o, client):
        if o["id"] == 13:
            raise wire.CallError("refused_by_service", "python says no")
        if o["id"] == 14:
            raise wire.CallError("application_error", "python cannot fill order 14", 7)
        if o["id"] == 15:
            raise wire.CallError("rate_limited", "", retry_after_ms=250)
        if o["id"] == 16:
            raise RuntimeError("a bug in the handler")
        total = sum(line["qty"] for line in o["lines"])
        return {"id": o["id"], "accepted": total > 0, "note": "py qty %d" % total}

    service = sockets.Service(sock, order, ack, handler)
    served = 0
    while served < int(count):
        try:
            if not service.serve_one(20000):
                print("served %d, then no request" % served)
                sys.exit(3)
        except RuntimeError as e:  # answered "handler failed"
            print("handler raised:", e, file=sys.stderr)
        served += 1
    sock.close()
    ctx.term()
    print("served %d" % served)


def cmd_vouch_worker(endpoint, endpoint_file, keyhex, schemas_path, count, frames_file):
    import zmq
    schemas = load(schemas_path)
    order, ack = schemas["test.order"], schemas["test.order_ack"]

    class Recording(vouch.VouchChecker):
        def check(self, frames, now_ms=None):
            client = super().check(frames, now_ms)
            with open(frames_file, "a") as f:
                f.write(" ".join(bytes(x).hex() for x in frames) + "\n")
            return client

    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.linger = 0
    sock.bind(endpoint)
    write_endpoint(endpoint, endpoint_file)

    def handler(o, client):
        return {"id": o["id"], "accepted": True,
                "note": "py %s %s" % (client.kind or "none", client.user_id[:24].decode("utf-8", "replace"))}

    served = sockets.Service(sock, order, ack, handler, Recording([bytes.fromhex(keyhex)])).serve(int(count), 20000)
    sock.close()
    ctx.term()
    print("served %d" % served)
    sys.exit(0 if served == int(count) else 3)


def cmd_vouches(keyhex, now_ms, input_path):
    checker = vouch.VouchChecker([bytes.fromhex(keyhex)])
    with open(input_path) as f:
        for line in f:
            frames = [b"" if h == "." else bytes.fromhex(h) for h in line.split()]
            try:
                client = checker.check(frames, int(now_ms))
                print("ok", client.kind or "none", client.user_id.decode() or "-")
            except vouch.VouchError as e:
                print(e.reason)


def cmd_publish(endpoint_file, server_cert, schemas_path, alg, keyhex, topic, count):
    import zmq
    tick = load(schemas_path)["test.tick"]
    ctx = zmq.Context()
    pub = curve_socket(ctx, zmq.XPUB, server_cert)
    pub.linger = 5000
    pub.rcvtimeo = 20000
    bind_loopback(pub, endpoint_file)
    while pub.recv() != b"\x01" + topic.encode():
        pass
    signer = envelope.Signer(alg, bytes.fromhex(keyhex))
    outsider = envelope.Signer(alg, os.urandom(32))
    t = topic.encode()
    warm = tick.encode({"symbol": "BAD", "price": 0, "seq": 0})
    pub.send_multipart([t, outsider.seal(topic, warm)])                                    # unknown_key
    pub.send_multipart([t, signer.seal(topic, warm, timestamp_us=time.time_ns() // 1000 - 60_000_000)])  # stale
    pub.send_multipart([t, signer.seal("alerts", warm)])                                   # re_topiced
    for i in range(1, int(count) + 1):
        pub.send_multipart([t, signer.seal(topic, tick.encode({"symbol": "PY", "price": i, "seq": i}))])
    print("published %s" % count, flush=True)
    pub.close()
    ctx.term()


def cmd_subscribe(endpoint, server_cert, client_cert, schemas_path, alg, keyhex, topic, count):
    import zmq
    tick = load(schemas_path)["test.tick"]
    verifier = None if alg == "none" else envelope.Verifier(alg, [bytes.fromhex(keyhex)])
    ctx = zmq.Context()
    sub = curve_socket(ctx, zmq.SUB, server_cert, client_cert)
    subscription = sockets.Subscription(sub, topic, tick, verifier)
    sub.connect(endpoint)
    verified, rejected, last, epoch, in_order = 0, 0, 0, None, True
    deadline = time.time() + 20
    while verified < int(count) and time.time() < deadline:
        try:
            got = subscription.receive(1000)
        except (envelope.VerifyError, wire.DecodeError) as e:
            rejected += 1
            print("rejected:", e, file=sys.stderr)
            continue
        if got is None:
            continue
        value, origin = got
        sequence, run = (value["seq"], 0) if origin is None else (origin.sequence, origin.epoch)
        if epoch is None:
            epoch = run
        in_order = in_order and run == epoch and sequence > last and value["symbol"] == "OURS"
        last = sequence
        verified += 1
    print("verified %d epoch %d %s" % (verified, epoch or 0, "in order" if in_order else "OUT OF ORDER"))
    print("rejected %d" % rejected)
    sub.close()
    ctx.term()
    sys.exit(0 if verified == int(count) else 1)


COMMANDS = {"schemas": (cmd_schemas, 1), "tampered": (cmd_tampered, 1), "encode": (cmd_encode, 1),
            "keys": (cmd_keys, 0), "decode": (cmd_decode, 2), "waits": (cmd_waits, 1), "batches": (cmd_batches, 3),
            "verify": (cmd_verify, 4), "client": (cmd_client, 4), "serve": (cmd_serve, 4),
            "vouch_worker": (cmd_vouch_worker, 6), "vouches": (cmd_vouches, 3), "publish": (cmd_publish, 7),
            "subscribe": (cmd_subscribe, 8)}

if __name__ == "__main__":
    command = COMMANDS.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if command is None or len(sys.argv) != 2 + command[1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    command[0](*sys.argv[2:])
