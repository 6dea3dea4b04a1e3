"""Sealed feed peers built on the zguard Python module (python/zguard,
sealed_feed.py, envelope.py and sockets.py), driven by
tests/unit-sealed-python.cpp. The module is found through PYTHONPATH;
PyNaCl and pyzmq must be there (an ImportError fails the test, it does not
skip it).

usage:
  sealed_feed_peer.py subscribe ENDPOINT SCHEMAS VERIFY_KEY SEALING_SECRET COUNT
      a sealed Python subscriber (sockets.Subscription with a Verifier and
      sealing_key) of a C++ sealed publisher of test.tick: reads until COUNT
      ticks "T" opened (at most 20 s); prints "ticks COUNT consecutive" (or
      "... OUT OF ORDER"), "epochs many" when they came under more than one
      epoch (else "epochs one"), "refused before the first: R" (the reasons
      of what it could not open before its first key, a late joiner's
      unknown_epoch; "none") and "refused after the first N" (must be 0)
  sealed_feed_peer.py outsider ENDPOINT SCHEMAS VERIFY_KEY SEALING_SECRET MS
      the same with a key that is not a member, for MS ms: prints "opened N",
      "not_a_member N" (raised once an epoch), "unknown_epoch some" (or
      "none") and "other refusals N"
  sealed_feed_peer.py publish ENDPOINT ENDPOINT_FILE SCHEMAS SEED MEMBER_SECRET OTHER_PUBLIC COUNT
      a sealed Python publisher (sockets.FeedPublisher on an XPUB bound on
      ENDPOINT, written to ENDPOINT_FILE once bound) signing with the
      Ed25519 SEED and sealing to the member whose secret is MEMBER_SECRET:
      once subscribed, it sends crafted payloads (each signed, so the
      envelope verifies), COUNT ticks "PY" (seq 1..COUNT, a new epoch half
      way) and messages held back from the first epoch, and judges each
      with the module's FeedOpener holding the member's key, in the same
      order; prints "CASE VERDICT" per payload (judged(): "taken",
      "repeat", "quiet", "ok" or the reason), the ticks' verdicts as one
      tally line "ticks VERDICT:N ...", then "published COUNT"
  sealed_feed_peer.py verdicts FRAMES_FILE SEALING_SECRET PUBLISHER_ID TOPIC
      FRAMES_FILE holds one payload a line, in hex ("-" for an empty one);
      judges them in order with one FeedOpener, as a sealed subscriber
      does after the envelope verified (FeedOpener.receive); prints per
      line "ok", "ok TEXT" (a message opened, TEXT its payload), "quiet" or
      the reason
VERIFY_KEY is an Ed25519 public key in hex, SEED an Ed25519 seed in hex,
SEALING_SECRET and MEMBER_SECRET sealing secret keys in hex, OTHER_PUBLIC a
sealing public key in hex, PUBLISHER_ID an envelope key id in hex.
"""
import os
import struct
import sys
import time

import nacl.bindings

import zmq

from zguard import envelope, sealed, sealed_feed, sockets, wire


def tick_schema(schemas_path):
    return wire.load_schemas(schemas_path)["test.tick"]


def sealed_subscription(ctx, endpoint, schemas_path, verify_hex, secret_hex):
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    verifier = envelope.Verifier("ed25519", [bytes.fromhex(verify_hex)])
    key = sealed.SealingKey(bytes.fromhex(secret_hex))
    subscription = sockets.Subscription(sub, "test.tick", tick_schema(schemas_path), verifier, sealing_key=key)
    sub.connect(endpoint)
    return sub, subscription


def cmd_subscribe(endpoint, schemas_path, verify_hex, secret_hex, count):
    count = int(count)
    ctx = zmq.Context()
    sub, subscription = sealed_subscription(ctx, endpoint, schemas_path, verify_hex, secret_hex)
    got, epochs, before, after, consecutive = [], set(), [], 0, True
    deadline = time.monotonic() + 20
    while len(got) < count and time.monotonic() < deadline:
        try:
            m = subscription.receive(500)
        except (sealed.SealError, envelope.VerifyError, wire.DecodeError) as e:
            if got:
                after += 1
                print("refused after the first:", e, file=sys.stderr)
            elif str(e) not in before:
                before.append(str(e))
            continue
        if m is None or m[0]["symbol"] != "T":
            continue
        value, origin = m
        consecutive = consecutive and (not got or value["seq"] == got[-1] + 1)
        got.append(value["seq"])
        epochs.add(subscription.opener.epoch_of(origin.key_id))
    print("ticks %d %s" % (len(got), "consecutive" if consecutive else "OUT OF ORDER"))
    print("epochs %s" % ("many" if len(epochs) > 1 else "one"))
    print("refused before the first: %s" % (" ".join(sorted(before)) or "none"))
    print("refused after the first %d" % after)
    sub.close()
    ctx.term()
    sys.exit(0 if len(got) == count else 1)


def cmd_outsider(endpoint, schemas_path, verify_hex, secret_hex, ms):
    ctx = zmq.Context()
    sub, subscription = sealed_subscription(ctx, endpoint, schemas_path, verify_hex, secret_hex)
    opened, reasons = 0, {}
    deadline = time.monotonic() + int(ms) / 1000
    while time.monotonic() < deadline:
        try:
            if subscription.receive(100) is not None:
                opened += 1
        except (sealed.SealError, envelope.VerifyError, wire.DecodeError) as e:
            reasons[str(e)] = reasons.get(str(e), 0) + 1
    print("opened %d" % opened)
    print("not_a_member %d" % reasons.pop("not_a_member", 0))
    print("unknown_epoch %s" % ("some" if reasons.pop("unknown_epoch", 0) else "none"))
    print("other refusals %d" % sum(reasons.values()))
    if reasons:
        print("other refusals:", reasons, file=sys.stderr)
    sub.close()
    ctx.term()


def judged(opener, payload, publisher, text=False):
    """The module's verdict on one verified payload: "taken" (an announcement
    installed), "repeat" (one already held), "quiet" (one that left us out
    again: a C++ subscriber does not log it), "ok" (a message opened; with
    text, "ok TEXT") or the reason."""
    b = bytes(payload)
    try:
        if b[:1] == bytes([sealed_feed.ANNOUNCEMENT_KIND]):
            return "taken" if opener.take_announcement(b, publisher).installed else "repeat"
        opened = opener.receive(b, publisher)
        return "ok " + opened.decode("utf-8", "replace") if text else "ok"
    except sealed.SealError as e:
        return "quiet" if e.quiet else e.reason


def changed(frame, at, value=None, xor=0x01):
    b = bytearray(frame)
    if value is not None:
        b[at:at + len(value)] = value
    else:
        b[at] ^= xor
    return bytes(b)


class Judging:
    """A socket's stand-in that judges each payload it sends (after the
    envelope, as a subscriber would see it) with the module's opener, then
    sends it: one line per case, or a tally over many."""

    def __init__(self, sock, opener, publisher):
        self.sock, self.opener, self.publisher = sock, opener, publisher
        self.name, self.tally = "?", None

    def send_multipart(self, frames):
        payload = envelope.split(frames[1])[4]
        verdict = judged(self.opener, payload, self.publisher)
        if self.tally is None:
            print(self.name, verdict)
        else:
            self.tally[verdict] = self.tally.get(verdict, 0) + 1
        self.sock.send_multipart(frames)


def cmd_publish(endpoint, endpoint_file, schemas_path, seed_hex, member_hex, other_hex, count):
    count = int(count)
    tick = tick_schema(schemas_path)
    member = sealed.SealingKey(bytes.fromhex(member_hex))
    other = sealed.SealingPublicKey(bytes.fromhex(other_hex))
    signer = envelope.Signer("ed25519", bytes.fromhex(seed_hex))
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.linger = 5000
    pub.rcvtimeo = 20000
    pub.bind(endpoint)
    with open(endpoint_file + ".tmp", "w") as f:
        f.write(pub.getsockopt_string(zmq.LAST_ENDPOINT))
    os.replace(endpoint_file + ".tmp", endpoint_file)  # the reader sees all of it or nothing
    while pub.recv() != b"\x01test.tick":
        pass
    kid = signer.key_id
    out = Judging(pub, sealed_feed.FeedOpener(member, "test.tick"), kid)
    feed = sockets.FeedPublisher(out, "test.tick", tick, signer, [member.public_part], pad_block=16)
    sealer = feed.sealer

    def data(seq, symbol="X"):
        return tick.encode({"symbol": symbol, "price": -seq, "seq": seq})

    def send(name, payload):
        out.name = name
        feed._send(payload)

    # Not for us: an announcement of another member only (another sealer of
    # this publisher, an epoch that is not ours).
    outsiders = sealed_feed.FeedSealer([other], "test.tick", kid, 16)
    outsiders.new_epoch(epoch=sealer.epoch - 1)
    first = sealer.announcement
    send("early", sealer.seal(data(100)))                                 # before any announcement
    send("unsealed", data(101))
    send("empty", b"")
    send("announcement_cut", first[:-1])
    send("announcement_long", first + b"\x00")
    send("announcement_format_2", changed(first, 1, b"\x02"))
    send("not_a_member", outsiders.announcement)
    send("not_a_member_again", outsiders.announcement)                   # said once an epoch
    send("announcement_forged", changed(first, -1))
    send("announcement_forged_epoch", changed(first, 3))                  # bound by the entry's seal
    send("weak_zero", changed(first, 10, bytes(32)))
    send("weak_one", changed(first, 10, b"\x01" + bytes(31)))
    send("announcement", first)
    sealer.announced()
    send("announcement_again", first)                                     # a repeat changes nothing
    good = sealer.seal(data(102))
    send("forged_tag", changed(good, -1))
    send("forged_body", changed(good, 25))
    send("forged_counter", changed(good, 12))
    send("format_1", changed(good, 1, b"\x01"))
    send("cut", good[:sealed_feed.MESSAGE_MIN - 1])
    send("pad_0", changed(good, 2, b"\x00\x00"))
    send("pad_not_a_divisor", changed(good, 2, b"\x07\x00"))
    send("unknown_epoch", changed(good, 4, struct.pack("<Q", sealer.epoch + 1)))
    send("other_topic", sealed_feed.seal_message(sealer._key, sealer.epoch, 900, data(103), 16, "test.tock", kid))
    send("other_publisher", sealed_feed.seal_message(sealer._key, sealer.epoch, 901, data(104), 16, "test.tick",
                                                     bytes(8)))
    # Padding that does not undo: 16 zero bytes sealed under the right key.
    header = b"\x46\x01" + struct.pack("<HQQ", 16, sealer.epoch, 902)
    send("bad_padding", header + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        bytes(16), header + b"\x09test.tick" + kid, sealed_feed.message_nonce(sealer.epoch, 902), sealer._key))
    send("good", good)
    # The ticks through FeedPublisher.send, a new epoch half way (its
    # announcement goes first); then a message of the epoch before still
    # opens, and after one more rotation one of two epochs back does not.
    held_back = [sealer.seal(data(105, "OLD")), sealer.seal(data(106, "OLD"))]
    out.tally = {}
    for i in range(1, count + 1):
        if i == count // 2 + 1:
            feed.rotate_epoch()
        feed.send({"symbol": "PY", "price": -i, "seq": i})
    print("ticks", " ".join("%s:%d" % kv for kv in sorted(out.tally.items())))
    out.tally = None
    send("previous_epoch", held_back[0])
    feed.rotate_epoch()
    out.name = "announcement_3"
    feed.announce_keys()
    send("two_epochs_back", held_back[1])
    print("published %d" % count, flush=True)
    time.sleep(0.2)
    pub.close()
    ctx.term()


def cmd_verdicts(frames_file, secret_hex, publisher_hex, topic):
    opener = sealed_feed.FeedOpener(sealed.SealingKey(bytes.fromhex(secret_hex)), topic)
    publisher = bytes.fromhex(publisher_hex)
    with open(frames_file, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            print(judged(opener, b"" if line == "-" else bytes.fromhex(line), publisher, text=True))


COMMANDS = {"subscribe": (cmd_subscribe, 5), "outsider": (cmd_outsider, 5), "publish": (cmd_publish, 7),
            "verdicts": (cmd_verdicts, 4)}

if __name__ == "__main__":
    command = COMMANDS.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if command is None or len(sys.argv) != 2 + command[1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    command[0](*sys.argv[2:])
