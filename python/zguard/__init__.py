"""zguard for Python services: schema messages, signed envelopes, broker
vouches, sealed payloads and sealed feeds, and pyzmq socket helpers.

    from zguard import wire, envelope, vouch, sealed, sealed_feed, sockets
    schemas = wire.load_schemas("schemas.json")   # written by zguard::write_descriptions
    order = schemas["test.order"]
    data = order.encode({...}); value = order.decode(data)
    signer = envelope.Signer("ed25519", seed); frame = signer.seal("ticks", data)
    origin, payload = envelope.Verifier("ed25519", [public_key]).verify(frame, "ticks", b"ticks")

    checker = vouch.VouchChecker([group_key]); client = checker.check([vouch_frame, request])
    frame, answer_key = sealed.RequestSealer(service_public).seal(data)      # to a sealed service
    payload, answer_key = sealed.RequestOpener(sealing_key).open(frame); sealed.seal_answer(answer_key, reply)
    feed = sealed_feed.FeedSealer([member_public], "ticks", signer.key_id)     # a sealed feed's publisher
    frame = signer.seal("ticks", feed.announcement); frame = signer.seal("ticks", feed.seal(data))
    data = sealed_feed.FeedOpener(sealing_key, "ticks").receive(payload, origin.key_id)  # None: an announcement
    ack = sockets.call(req_socket, order, {...}, schemas["test.order_ack"], timeout_ms=5000)

wire needs only the standard library, envelope, vouch, sealed and sealed_feed PyNaCl,
sockets pyzmq; the sockets are pyzmq's, opened by the caller. See
docs/python.md.
"""
from . import envelope, sealed, sealed_feed, vouch, wire
from .envelope import Origin, Signer, Verifier, VerifyError
from .sealed import RequestOpener, RequestSealer, SealError, SealingKey, SealingPublicKey
from .sealed_feed import FeedOpener, FeedSealer
from .wire import (CallError, DecodeError, EncodeError, Schema, application_error, decode_reply, load_schemas,
                   pack_batch, refusal, unpack_batch)

from .vouch import VouchChecker, VouchError

# sockets (pyzmq) is imported by name: from zguard import sockets.
__all__ = ["wire", "envelope", "vouch", "VouchChecker", "VouchError", "Schema", "load_schemas", "DecodeError", "EncodeError", "CallError", "decode_reply",
           "refusal", "application_error", "pack_batch", "unpack_batch",
           "Signer", "Verifier", "VerifyError", "Origin",
           "sealed", "SealingKey", "SealingPublicKey", "RequestSealer", "RequestOpener", "SealError",
           "sealed_feed", "FeedSealer", "FeedOpener"]
