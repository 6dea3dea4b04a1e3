"""zguard for Python services: schema messages, signed envelopes, broker
vouches, and pyzmq socket helpers.

    from zguard import wire, envelope, vouch, sockets
    schemas = wire.load_schemas("schemas.json")   # written by zguard::write_descriptions
    order = schemas["test.order"]
    data = order.encode({...}); value = order.decode(data)
    signer = envelope.Signer("ed25519", seed); frame = signer.seal("ticks", data)
    origin, payload = envelope.Verifier("ed25519", [public_key]).verify(frame, "ticks", b"ticks")

    checker = vouch.VouchChecker([group_key]); client = checker.check([vouch_frame, request])
    ack = sockets.call(req_socket, order, {...}, schemas["test.order_ack"], timeout_ms=5000)

wire needs only the standard library, envelope and vouch PyNaCl, sockets
pyzmq; the sockets are pyzmq's, opened by the caller. See docs/python.md.
"""
from . import envelope, vouch, wire
from .envelope import Origin, Signer, Verifier, VerifyError
from .wire import (CallError, DecodeError, EncodeError, Schema, application_error, decode_reply, load_schemas,
                   pack_batch, refusal, unpack_batch)

from .vouch import VouchChecker, VouchError

# sockets (pyzmq) is imported by name: from zguard import sockets.
__all__ = ["wire", "envelope", "vouch", "VouchChecker", "VouchError", "Schema", "load_schemas", "DecodeError", "EncodeError", "CallError", "decode_reply",
           "refusal", "application_error", "pack_batch", "unpack_batch",
           "Signer", "Verifier", "VerifyError", "Origin"]
