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


def write_seeds(target, seeds):
    """Writes {name: bytes} as fuzz/corpus/<target>/seed-<name>."""
    out = os.path.join(HERE, "corpus", target)
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), out))


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

write_seeds("decode", seeds)
print("decode seeds digest", hashlib.sha256(b"".join(seeds.values())).hexdigest()[:12])

# fuzz_envelope: frames framed as byte count, then (u16 length, bytes) each
# (fuzz/frames.hpp).
import signed_peer as sp  # noqa: E402


def framed(frames):
    return bytes([len(frames)]) + b"".join(struct.pack("<H", len(f)) + f for f in frames)


tick = w.encode_tick("EURUSD", -1, 3)
ed = sp.Sealer("ed25519", bytes(range(32)).hex()).seal("test.tick", 0x0102030405060708, 1, 1700000000000000, tick)
mac = sp.Sealer("blake2b", bytes(range(32, 64)).hex()).seal("test.tick", 0x0102030405060708, 1, 1700000000000000, tick)
mac_service = sp.Sealer("blake2b", bytes(range(32, 64)).hex()).seal("", 7, 9, 1700000000000000, tick)[1:]
mac_empty = sp.Sealer("blake2b", bytes(range(32, 64)).hex()).seal("test.tick", 7, 1, 1700000000000000, b"")
topic, sealed = ed
header_size = 35 + sealed[34]


def with_byte(frame, at, value):
    return frame[:at] + bytes([value]) + frame[at + 1:]


envelopes = {
    "ed25519": ed,
    "blake2b": mac,
    "blake2b_service": mac_service,
    "empty_payload": mac_empty,
    "bad_signature": [topic, with_byte(sealed, len(sealed) - 1, sealed[-1] ^ 1)],
    "re_topiced": [b"test.tick.eu", sealed],
    # Malformed: each stops at another check of the framing.
    "no_sealed_frame": [topic],
    "extra_frame": ed + [b"x"],
    "version_1": [topic, with_byte(sealed, 0, 1)],
    "v1_frames": [topic, with_byte(sealed[:header_size], 0, 1), sealed[header_size:-64], sealed[-64:]],
    "unknown_algorithm": [topic, with_byte(sealed, 1, 4)],
    "whole_message_ed25519": [topic, with_byte(sealed, 1, 1)],
    "other_algorithm": [topic, with_byte(sealed, 1, 2)],
    "short_header": [topic, sealed[:34]],
    "no_room_for_signature": [topic, sealed[:header_size + 63]],
    "topic_past_end": [topic, with_byte(sealed, 34, 255)],
    "empty_frames": [b"", b""],
}
write_seeds("envelope", {name: framed(frames) for name, frames in envelopes.items()})

# fuzz_certificate: certificate files as zcert_save and zguard write them,
# and one malformed file per check of the ZPL reader and the key loader.
import nacl.bindings  # noqa: E402
import zmq.utils.z85 as z85  # noqa: E402

secret = bytes(range(32))
public = nacl.bindings.crypto_scalarmult_base(secret)
other_secret = bytes(range(1, 33))
pub_z = z85.encode(public).decode()
sec_z = z85.encode(secret).decode()
other_sec_z = z85.encode(other_secret).decode()
czmq_header = ("#   ****  Generated on 2026-11-24 12:00:00 by CZMQ  ****\n"
               "#   ZeroMQ CURVE **Secret** Certificate\n"
               "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n")


def cert(body, header=czmq_header):
    return (header + body).encode()


public_body = 'metadata\n    name = "worker-1"\n    site = \'lab\'\ncurve\n    public-key = "%s"\n' % pub_z
secret_body = public_body + '    secret-key = "%s"\n' % sec_z
certificates = {
    "public": cert(public_body),
    "secret": cert(secret_body),
    "crlf": cert(secret_body).replace(b"\n", b"\r\n"),
    "bare_values": cert("metadata\n    name = worker-1  # a comment\ncurve\n    public-key = %s\n" % pub_z),
    "nested_metadata": cert('metadata\n    site\n        rack = "7"\ncurve\n    public-key = "%s"\n' % pub_z),
    # Malformed: each stops at another check.
    "secret_mismatch": cert(public_body + '    secret-key = "%s"\n' % other_sec_z),
    "no_public_key": cert('curve\n    secret-key = "%s"\n' % sec_z),
    "short_key": cert('curve\n    public-key = "%s"\n' % pub_z[:-1]),
    "key_outside_alphabet": cert('curve\n    public-key = "%s"\n' % (pub_z[:-1] + "~")),
    "key_overflow": cert('curve\n    public-key = "%s"\n' % ("%%%%%" * 8)),
    "tab_indent": cert('curve\n\tpublic-key = "%s"\n' % pub_z),
    "odd_indent": cert('curve\n   public-key = "%s"\n' % pub_z),
    "too_deep": cert('curve\n        public-key = "%s"\n' % pub_z),
    "unterminated": cert('curve\n    public-key = "%s\n' % pub_z),
    "text_after_quote": cert('curve\n    public-key = "%s" x\n' % pub_z),
    "twice": cert(public_body + '    public-key = "%s"\n' % pub_z),
    "no_name": cert('curve\n    = "%s"\n' % pub_z),
    "empty": b"",
}
write_seeds("certificate", certificates)


# fuzz_endpoint: byte 0 selects the ipc mode (bits 0-2 owner, 3-5 group,
# 6-7 others' read and write bits); the
# rest is the text, "{dir}" being the target's private scratch directory.
def mode_byte(mode):
    assert mode & 1 == 0
    return (mode >> 6) | ((mode >> 3) & 7) << 3 | (mode & 6) >> 1 << 6


endpoints = {
    "tcp": (0o600, "tcp://127.0.0.1:5555"),
    "tcp_any_port": (0o600, "tcp://[::1]:*"),
    "tcp_port_zero": (0o600, "tcp://127.0.0.1:0"),
    "tcp_port_high": (0o600, "tcp://127.0.0.1:65536"),
    "tcp_no_port": (0o600, "tcp://localhost"),
    "tcp_space": (0o600, "tcp://host :1"),
    "tcp_nul": (0o600, "tcp://127.0.0.1:1\x00"),
    "ipc": (0o600, "ipc://{dir}/s.sock"),
    "ipc_group": (0o660, "ipc://{dir}/s.sock"),
    "ipc_others": (0o606, "ipc://{dir}/s.sock"),
    "ipc_nul": (0o600, "ipc://{dir}/s.sock\x00x"),
    "ipc_symlink_dir": (0o600, "ipc://{dir}/link/s"),
    "ipc_file": (0o600, "ipc://{dir}/file"),
    "ipc_open_dir": (0o600, "ipc://{dir}/open/s"),
    "ipc_dotdot": (0o600, "ipc://{dir}/open/../s"),
    "ipc_tmp": (0o600, "ipc:///tmp/s"),
    "ipc_relative": (0o600, "ipc://s.sock"),
    "ipc_abstract": (0o600, "ipc://@s"),
    "ipc_long": (0o600, "ipc://{dir}/" + "a" * 120),
    "inproc": (0o600, "inproc://jobs"),
    "inproc_long": (0o600, "inproc://" + "j" * 257),
    "epgm": (0o600, "epgm://eth0;239.192.1.1:5555"),
    "pgm_no_group": (0o600, "pgm://eth0"),
    "empty": (0o600, ""),
}
write_seeds("endpoint", {name: bytes([mode_byte(mode)]) + text.encode() for name, (mode, text) in endpoints.items()})

# fuzz_zap: ZAP requests (RFC 27) framed as fuzz_envelope's input; the
# target allows the CURVE key bytes(range(32)), PLAIN alice/secret, and
# denies 10.0.0.66.


def zap(domain, address, mechanism, *creds, version=b"1.0"):
    return [version, b"7", domain, address, b"", mechanism] + list(creds)


zaps = {
    "null": zap(b"fuzz", b"127.0.0.1", b"NULL"),
    "curve_allowed": zap(b"fuzz", b"127.0.0.1", b"CURVE", bytes(range(32))),
    "curve_other": zap(b"fuzz", b"127.0.0.1", b"CURVE", bytes(range(1, 33))),
    "curve_short": zap(b"fuzz", b"127.0.0.1", b"CURVE", bytes(range(31))),
    "curve_two_keys": zap(b"fuzz", b"127.0.0.1", b"CURVE", bytes(range(32)), bytes(range(32))),
    "plain_alice": zap(b"fuzz", b"::1", b"PLAIN", b"alice", b"secret"),
    "plain_wrong": zap(b"fuzz", b"::1", b"PLAIN", b"alice", b"Secret"),
    "plain_unknown": zap(b"fuzz", b"::1", b"PLAIN", b"mallory", b"secret"),
    "plain_one_frame": zap(b"fuzz", b"::1", b"PLAIN", b"alice"),
    "denied": zap(b"fuzz", b"10.0.0.66", b"NULL"),
    "denied_mapped": zap(b"fuzz", b"::ffff:10.0.0.66", b"NULL"),
    "other_domain": zap(b"fuzz2", b"127.0.0.1", b"NULL"),
    "log_injection": zap(b"fuzz", b"127.0.0.1", b"PLAIN", b'x"\n{"event":"zap.allow"}', b"pw"),
    "gssapi": zap(b"fuzz", b"127.0.0.1", b"GSSAPI", b"token"),
    "version_2": zap(b"fuzz", b"127.0.0.1", b"NULL", version=b"2.0"),
    "short": [b"1.0", b"7", b"fuzz"],
    "none": [],
}
write_seeds("zap", {name: framed(frames) for name, frames in zaps.items()})

# fuzz_batch: batches of test.tick (docs/wire-format.md, "Batches"), the
# target's receiver taking up to 16 a batch.


def batch(messages, count=None):
    return (bytes([0x81]) + struct.pack("<H", len(messages) if count is None else count)
            + b"".join(struct.pack("<I", len(m)) + m for m in messages))


ticks = [w.encode_tick("EURUSD", -1, 3), w.encode_tick("AB", 7, 4), w.encode_tick("", 0, 0)]
good = batch(ticks[:2])
batches = {
    "vector": good,
    "one": batch(ticks[2:]),
    "sixteen": batch([w.encode_tick("S%d" % i, i, i) for i in range(16)]),
    "seventeen": batch([w.encode_tick("S%d" % i, i, i) for i in range(17)]),
    "count_zero": batch([], count=0),
    "count_over": batch(ticks, count=4),
    "cut": good[:-1],
    "trailing": good + b"\x00",
    "empty_item": batch([b""]),
    "long_item": batch([b"\x01" * 40]),
    "lone_message": ticks[0],
    "bad_item": batch([ticks[0], b"\x01\x09test.tock\x01\x00\x00" + bytes(12)]),
}
write_seeds("batch", batches)

# fuzz_sealed: the sealed payloads' test vector (docs/wire-format.md,
# "Sealed payloads") and variants that stop at each check.
import hashlib as _h  # noqa: E402

import nacl.bindings as _nb  # noqa: E402

_service = bytes(range(1, 33))
_ephemeral = bytes(0x40 + i for i in range(32))
_run = bytes(0x20 + i for i in range(32))
_S = _nb.crypto_scalarmult_base(_service)
_E = _nb.crypto_scalarmult_base(_ephemeral)
_shared = _nb.crypto_scalarmult(_ephemeral, _S)


def _kdf(label):
    return _h.blake2b(_shared + _E + _S, digest_size=32, key=label).digest()


def sealed_request(payload, run=_run, name=None, sequence=9, nonce=bytes(0x80 + i for i in range(24))):
    key_id = _h.blake2b(b"zguard.keyid.x25519" + _S, digest_size=32).digest()[:8]
    run_name = name or _h.blake2b(run, digest_size=16, key=b"zguard.sealed.run.v1").digest()
    header = bytes([0x53, 1]) + key_id + _E + run_name + struct.pack("<QQ", sequence, 1700000000000) + nonce
    return header + _nb.crypto_aead_xchacha20poly1305_ietf_encrypt(run + payload, header, nonce,
                                                                      _kdf(b"zguard.sealed.request.v1"))


def sealed_answer(payload, nonce=bytes(0xC0 + i for i in range(24))):
    header = bytes([0x54, 1]) + _E + nonce
    return header + _nb.crypto_aead_xchacha20poly1305_ietf_encrypt(payload, header, nonce,
                                                                      _kdf(b"zguard.sealed.answer.v1"))


_ack = w.header("test.order_ack", 1) + struct.pack("<Q", 7) + b"\x01" + bytes([6]) + b"sealed"
_request = sealed_request(_ack)
_answer = sealed_answer(_ack)
write_seeds("sealed", {
    "request_vector": _request,
    "answer_vector": _answer,
    "request_empty_payload": sealed_request(b""),
    "request_foreign_run": sealed_request(_ack, run=bytes(32), name=_h.blake2b(_run, digest_size=16,
                                                                               key=b"zguard.sealed.run.v1").digest()),
    "request_cut": _request[:145],
    "request_tag_flipped": _request[:-1] + bytes([_request[-1] ^ 1]),
    "request_format_2": _request[:1] + b"\x02" + _request[2:],
    "answer_cut": _answer[:73],
    "answer_other_request": _answer[:2] + bytes(32) + _answer[34:],
    "not_sealed": _ack,
})

# The same target's sealed feeds (docs/wire-format.md, "Sealed feeds"): the
# feed vector (member 11..11, ephemeral 22..22, epoch key 33..33, epoch
# 1767225600000000, publisher 00 01 .. 07, topic test.tick), the target's
# second epoch (key 44..44, ephemeral 55..55, members 66..66, ours, 77..77),
# a message of each, variants that stop at each check, and edit scripts
# (byte 0: which genuine frame; then 3 bytes an edit) for its mutations.
_topic = b"test.tick"
_publisher = bytes(range(8))
_epoch0 = 1767225600000000
_epoch1 = _epoch0 + 1
_member_secret = bytes([0x11]) * 32
_member = _nb.crypto_scalarmult_base(_member_secret)


def _key_id(public):
    return _h.blake2b(b"zguard.keyid.x25519" + public, digest_size=32).digest()[:8]


def _ad(header, member_id=b""):
    return header + bytes([len(_topic)]) + _topic + _publisher + member_id


def announcement(epoch, key, ephemeral, members, count=None):
    E = _nb.crypto_scalarmult_base(ephemeral)
    header = bytes([0x4B, 1]) + struct.pack("<Q", epoch) + E + struct.pack("<H", len(members) if count is None
                                                                           else count)
    out = header
    for M in members:
        wrap = _h.blake2b(_nb.crypto_scalarmult(ephemeral, M) + E + M, digest_size=32,
                          key=b"zguard.sealed.epoch.v1").digest()
        out += _key_id(M) + _nb.crypto_aead_xchacha20poly1305_ietf_encrypt(key, _ad(header, _key_id(M)),
                                                                            bytes(24), wrap)
    return out


def feed_message(payload, key, epoch, counter, pad, padded=None, count=None):
    """padded: the plaintext as given (no sodium_pad), to seal a bad padding;
    count: the header's message count as given, to seal a false one."""
    if padded is None:
        padded = payload + b"\x80" + bytes((len(payload) // pad + 1) * pad - len(payload) - 1)
    # Format 2: the message count after the counter (a batch's, else 1).
    if count is None:
        count = struct.unpack_from("<H", payload, 1)[0] if len(payload) >= 3 and payload[0] == 0x81 else 1
    header = bytes([0x46, 2]) + struct.pack("<HQQH", pad, epoch, counter, count)
    nonce = struct.pack("<QQ", epoch, counter) + bytes(8)
    return header + _nb.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, _ad(header), nonce, key)


_key0, _key1 = bytes([0x33]) * 32, bytes([0x44]) * 32
_others = [_nb.crypto_scalarmult_base(bytes([b]) * 32) for b in (0x66, 0x77)]
_ann0 = announcement(_epoch0, _key0, bytes([0x22]) * 32, [_member])
_ann1 = announcement(_epoch1, _key1, bytes([0x55]) * 32, [_others[0], _member, _others[1]])
_msg0 = feed_message(b"hello, sealed feed", _key0, _epoch0, 1, 16)
_msg1 = feed_message(b"epoch one, pad block 1", _key1, _epoch1, 7, 1)
assert _key_id(_member).hex() == "5a732962418cf0b1"
assert _ann0.hex() == ("4b0100402046484706000faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f2001005a73"
                       "2962418cf0b14312d46bd4622b22de1d954ab9f839e690bb021e93d021f4150760461fae2d2139813caa6ebf10aa"
                       "f2542d437543ea87")
assert _msg0.hex() == ("46021000004020464847060001000000000000000100d0259214232c9976e6eecaf8ae56e154c8081c771eeef687d7"
                       "fee262ac2f7e44c200f67cebcbfb7c11a3cf6b711ffb97")


def edits(which, *ops):
    """An edit script: (op, position, value) with op 0 xor, 1 insert, 2 erase, 3 cut."""
    return bytes([which]) + b"".join(bytes([op | (pos >> 8) << 2, pos & 0xFF, value]) for op, pos, value in ops)


write_seeds("sealed", {
    "feed_announcement_vector": _ann0,
    "feed_message_vector": _msg0,
    "feed_announcement_three_members": _ann1,
    "feed_message_epoch1": _msg1,
    "feed_message_empty_payload": feed_message(b"", _key1, _epoch1, 8, 16),
    "feed_message_pad_1000": feed_message(b"large", _key0, _epoch0, 2, 1000),
    # Refused: each stops at another check.
    "feed_announcement_zero_members": announcement(_epoch1 + 1, _key0, bytes([0x22]) * 32, []),
    "feed_announcement_not_member": announcement(_epoch1 + 1, _key0, bytes([0x22]) * 32, _others),
    "feed_announcement_cut": _ann0[:-1],
    "feed_announcement_count_over": _ann0[:42] + b"\x02\x00" + _ann0[44:],
    "feed_announcement_format_2": _ann0[:1] + b"\x02" + _ann0[2:],
    "feed_announcement_weak_ephemeral": _ann0[:10] + bytes(32) + _ann0[42:],
    "feed_announcement_tag_flipped": _ann0[:-1] + bytes([_ann0[-1] ^ 1]),
    "feed_announcement_entry_zeroed": _ann0[:52] + bytes(48),
    "feed_message_cut": _msg0[:38],
    "feed_message_pad_block_0": _msg0[:2] + b"\x00\x00" + _msg0[4:],
    "feed_message_pad_not_dividing": _msg0[:2] + b"\x05\x00" + _msg0[4:],
    "feed_message_wrong_kind": b"\x4b" + _msg0[1:],
    "feed_message_format_1": _msg0[:1] + b"\x01" + _msg0[2:],
    "feed_message_count_altered": _msg0[:20] + b"\x02\x00" + _msg0[22:],
    "feed_message_batch_count_hidden": feed_message(b"\x81\x03\x00", _key0, _epoch0, 5, 16, count=1),
    "feed_message_count_over_one": feed_message(b"one", _key0, _epoch0, 6, 16, count=2),
    "feed_message_unknown_epoch": feed_message(b"x", _key0, _epoch1 + 1, 1, 16),
    "feed_message_tag_flipped": _msg0[:-1] + bytes([_msg0[-1] ^ 1]),
    "feed_message_counter_changed": _msg0[:12] + b"\x02" + _msg0[13:],
    "feed_message_no_pad_marker": feed_message(b"", _key0, _epoch0, 3, 16, padded=b"abc" + bytes(13)),
    "feed_message_marker_before_last_block": feed_message(b"", _key0, _epoch0, 4, 16,
                                                          padded=b"abc\x80" + bytes(28)),
    # Edit scripts over the genuine frames (0, 1: the messages; 2, 3: the announcements).
    "edit_message0_unchanged": edits(0, (0, 5, 0)),
    "edit_message1_payload_bit": edits(1, (0, 25, 0x01)),
    "edit_message0_insert": edits(0, (1, 20, 0x00)),
    "edit_message0_cut": edits(0, (3, 52, 0)),
    "edit_announcement0_epoch": edits(2, (0, 2, 0x01)),
    "edit_announcement0_erase": edits(2, (2, 99, 0)),
    "edit_announcement1_other_entry": edits(3, (0, 60, 0xFF), (0, 212, 0x10)),
    "edit_announcement1_other_named_as_us": edits(3, *[(0, 44 + i, _key_id(_others[0])[i] ^ _key_id(_member)[i])
                                                       for i in range(8)]),
})
