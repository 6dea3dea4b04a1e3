"""Attack peers built on the zguard Python module, driven by
tests/unit-attack-surface.cpp. The module is found through PYTHONPATH.

usage:
  attack_peer.py serve ENDPOINT SCHEMAS COUNT
      a NULL REP (sockets.Service of service<test.order, test.order_ack>)
      bound on ENDPOINT (ipc), answering up to COUNT requests with
      order_ack{id, True, "py"}; prints "served N"
  attack_peer.py fuzz SCHEMAS HEX ROUNDS
      decodes ROUNDS mutations (byte flips, cuts, insertions; fixed seed) of
      the test.order encoding HEX and prints every exception other than
      wire.DecodeError, then "done"
"""
import random
import sys

import zmq

from zguard import sockets, wire


def cmd_serve(endpoint, schemas_path, count):
    schemas = wire.load_schemas(schemas_path)
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.setsockopt(zmq.LINGER, 0)
    rep.bind(endpoint)
    svc = sockets.Service(rep, schemas["test.order"], schemas["test.order_ack"],
                          lambda value, client: {"id": value["id"], "accepted": True, "note": "py"})
    served = svc.serve(count=int(count), timeout_ms=5000)
    print("served", served)
    rep.close()
    ctx.term()


def cmd_fuzz(schemas_path, hexdata, rounds):
    schemas = wire.load_schemas(schemas_path)
    order = schemas["test.order"]
    base = bytes.fromhex(hexdata)
    rng = random.Random(1234)
    bad = 0
    for _ in range(int(rounds)):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            kind = rng.randint(0, 2)
            if kind == 0 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            elif kind == 1 and data:
                del data[rng.randrange(len(data)):]
            else:
                data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        try:
            order.decode(bytes(data))
        except wire.DecodeError:
            pass
        except Exception as e:  # anything else would crash a Service's loop
            bad += 1
            if bad <= 5:
                print("exception", type(e).__name__, bytes(data).hex())
    print("done", bad)


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"serve": cmd_serve, "fuzz": cmd_fuzz}[cmd](*sys.argv[2:])
