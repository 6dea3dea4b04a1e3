"""Writes the seed corpora of fuzz_decode and fuzz_envelope from docs/wire-format.md's encoding
(tests/python/wire_peer.py): valid messages of every test schema and
malformed variants that stop at each kind of check. Run again after a
schema change; libFuzzer adds what it finds to the same directory.

usage: /usr/bin/python3 fuzz/make_seeds.py
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))
import wire_peer as w  # noqa: E402


def note(text, data):
    return w.header("test.note", 1) + w.text(text, 64) + w.prefix(len(data), 16) + bytes(data)


def bulk(items):
    return w.header("test.bulk", 1) + w.prefix(len(items), 60000) + b"".join(struct.pack("<I", i) for i in items)


def refusal(reason, field):
    return w.header("zguard.refusal", 1) + bytes([reason]) + w.text(field, 128)


order = w.encode_order(42, "sell", [("abc", 5), ("\u00e9t\u00e9", 1000)], -2, [1, 2, 3, 4], True, [0xDE, 0xAD])
seeds = {
    "order": order,
    "order_blank": w.encode_order(0, "buy", [], None, [0, 0, 0, 0], False, []),
    "order_ack": w.encode_order_ack(7, True, "ok"),
    "order_v2": w.header("test.order", 2) + struct.pack("<Q", 1),
    "tick": w.encode_tick("EURUSD", -1, 3),
    "note": note("h\u00e9llo", [0, 1, 2]),
    "bulk": bulk([1, 2, 0xFFFFFFFF]),
    "refusal": refusal(2, "lines[1].qty"),
    # Malformed: each stops at another check.
    "order_truncated": order[:-1],
    "order_trailing": order + b"\x00",
    "order_bad_enum": order.replace(b"\x02\x02\x03abc", b"\x03\x02\x03abc"),
    "order_qty_out_of_range": order.replace(struct.pack("<i", 1000), struct.pack("<i", 1001)),
    "order_lines_over_bound": order.replace(b"\x02\x03abc", b"\x05\x03abc"),
    "note_bad_utf8": note("ok", []).replace(b"\x02ok", b"\x02\xc3\x28"),
    "tick_format_2": b"\x02" + w.encode_tick("X", 1, 1)[1:],
    "bulk_count_past_end": w.header("test.bulk", 1) + struct.pack("<H", 60000),
    "empty": b"",
}

out = os.path.join(HERE, "corpus", "decode")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(seeds), out), hashlib.sha256(b"".join(seeds.values())).hexdigest()[:12])

# fuzz_envelope: frames framed as byte count, then (u16 length, bytes) each.
import signed_peer as sp  # noqa: E402


def framed(frames):
    return bytes([len(frames)]) + b"".join(struct.pack("<H", len(f)) + f for f in frames)


tick = w.encode_tick("EURUSD", -1, 3)
ed = sp.Sealer("ed25519", bytes(range(32)).hex()).seal("test.tick", 0x0102030405060708, 1, 1700000000000000, tick)
mac = sp.Sealer("blake2b", bytes(range(32, 64)).hex()).seal("test.tick", 0x0102030405060708, 1, 1700000000000000, tick)
mac_service = sp.Sealer("blake2b", bytes(range(32, 64)).hex()).seal("", 7, 9, 1700000000000000, tick)[1:]
envelopes = {
    "ed25519": ed,
    "blake2b": mac,
    "blake2b_service": mac_service,
    "bad_signature": ed[:3] + [bytes([ed[3][0] ^ 1]) + ed[3][1:]],
    "re_topiced": [b"test.tick.eu"] + ed[1:],
    "truncated": ed[:3],
    "short_header": [ed[0], ed[1][:-1]] + ed[2:],
    "empty_frames": [b"", b"", b"", b""],
}
out = os.path.join(HERE, "corpus", "envelope")
os.makedirs(out, exist_ok=True)
for name, frames in envelopes.items():
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(framed(frames))
print("%d seeds in %s" % (len(envelopes), out))
