"""zguard for Python services: schema messages and signed envelopes.

    from zguard import wire, envelope
    schemas = wire.load_schemas("schemas.json")   # written by zguard::write_descriptions
    order = schemas["test.order"]
    data = order.encode({...}); value = order.decode(data)
    signer = envelope.Signer("ed25519", seed); frame = signer.seal("ticks", data)
    origin, payload = envelope.Verifier("ed25519", [public_key]).verify(frame, "ticks", b"ticks")

wire needs only the standard library, envelope PyNaCl; the sockets are
pyzmq's, opened by the caller. See docs/python.md.
"""
from . import envelope, wire
from .envelope import Origin, Signer, Verifier, VerifyError
from .wire import (CallError, DecodeError, EncodeError, Schema, application_error, decode_reply, load_schemas,
                   pack_batch, refusal, unpack_batch)

__all__ = ["wire", "envelope", "Schema", "load_schemas", "DecodeError", "EncodeError", "CallError", "decode_reply",
           "refusal", "application_error", "pack_batch", "unpack_batch",
           "Signer", "Verifier", "VerifyError", "Origin"]
