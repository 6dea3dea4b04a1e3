"""A victim and an attacker against a zguard CURVE ROUTER service of
service<test.order, test.order_ack>, both authenticated with their own keys.
The victim leaves its routing id to libzmq; the attacker chooses one
(ZMQ_ROUTING_ID), the name the victim would have used.

usage: router_spoof.py ENDPOINT SERVER_CERT VICTIM_SECRET_CERT ATTACKER_SECRET_CERT
Prints one line per step: what each peer got back.
"""
import sys
import time

import zmq
import zmq.auth

import wire_peer as w

endpoint, server_cert, victim_cert, attacker_cert = sys.argv[1:5]
server_public, _ = zmq.auth.load_certificate(server_cert)
ctx = zmq.Context()


def dealer(cert, routing_id):
    public, secret = zmq.auth.load_certificate(cert)
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.rcvtimeo = 1500
    s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server_public, public, secret
    if routing_id is not None:
        s.setsockopt(zmq.ROUTING_ID, routing_id)
    s.connect(endpoint)
    return s


def ask(s, oid):
    s.send_multipart([b"", w.encode_order(oid, "buy", [("abc", 1)], None, [0, 0, 0, 0], False, [])])
    try:
        frames = s.recv_multipart()
    except zmq.Again:
        return "no reply"
    ack_id, accepted, note = w.decode_order_ack(frames[-1])
    return "ack %d %s" % (ack_id, note)


victim = dealer(victim_cert, None)
print("victim:", ask(victim, 1))
attacker = dealer(attacker_cert, b"victim")
print("attacker while the victim is connected:", ask(attacker, 666))
print("victim:", ask(victim, 2))
attacker.close()
victim.close()
# A chosen id is refused whoever is connected: nothing must come back.
time.sleep(0.5)
answers = []
for attempt in range(3):
    squatter = dealer(attacker_cert, b"victim")
    answers.append(ask(squatter, 667 + attempt))
    squatter.close()
print("attacker after the victim left:", ", ".join(sorted(set(answers))))
ctx.term()
