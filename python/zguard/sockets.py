"""pyzmq sockets speaking to zguard sockets: CURVE keys, a REQ call with a
deadline, a REP service, a verified subscription.

    req = sockets.curve(ctx.socket(zmq.REQ), server_key=server_public,
                        public_key=my_public, secret_key=my_secret)
    req.connect(endpoint)
    ack = sockets.call(req, order, {...}, order_ack, timeout_ms=5000)

    rep = sockets.curve(ctx.socket(zmq.REP), secret_key=server_secret)
    rep.bind(endpoint)
    sockets.Service(rep, order, order_ack, handler).serve()

    sub = sockets.Subscription(sub_socket, "test.tick", tick, verifier)
    value, origin = sub.receive(timeout_ms=1000)

    sealer = sealed.RequestSealer(service_public)      # sealed end to end (sealed.py)
    ack = sockets.call(req, order, {...}, order_ack, sealed_to=sealer)
    sockets.Service(rep, order, order_ack, handler, sealing_key=key).serve()

    feed = sockets.FeedPublisher(pub, "test.tick", tick, signer, [member_public])   # sealed feeds
    feed.send({...})
    sub = sockets.Subscription(sub_socket, "test.tick", tick, verifier, sealing_key=member_key)

The sockets stay pyzmq's, opened and closed by the caller; the messages are
wire.py's and envelope.py's, the vouch vouch.py's, the sealing sealed.py's
and sealed_feed.py's.
docs/python.md has the API.
"""
import time
import weakref

import zmq

from . import sealed, sealed_feed, wire
from .vouch import VouchError, refusal as vouch_refusal


def curve(sock, server_key=None, public_key=None, secret_key=None):
    """Sets CURVE on a pyzmq socket (before connect or bind) and returns it:
    a client gives the server's public key and its own public and secret
    keys; a server only its secret key. Keys are 32 bytes or 40 Z85
    characters (what zmq.auth.load_certificate returns)."""
    def raw(k):
        return k.encode("ascii") if isinstance(k, str) else bytes(k)

    if server_key is not None:
        if public_key is None or secret_key is None:
            raise ValueError("zguard.sockets: a CURVE client needs server_key, public_key and secret_key")
        sock.curve_serverkey, sock.curve_publickey, sock.curve_secretkey = raw(server_key), raw(public_key), \
            raw(secret_key)
    elif secret_key is not None:
        sock.curve_server = True
        sock.curve_secretkey = raw(secret_key)
    elif public_key is not None:
        raise ValueError("zguard.sockets: a CURVE server gives its secret_key, a client also server_key")
    return sock


# The request sealer of each socket that was given a sealing public key
# (call(sealed_to=key)): one run (its secret drawn once) per socket, as a
# zguard client socket has.
_sealers = weakref.WeakKeyDictionary()


def _sealer_for(sock, sealed_to):
    if isinstance(sealed_to, sealed.RequestSealer):
        return sealed_to
    to = sealed_to if isinstance(sealed_to, sealed.SealingPublicKey) else sealed.SealingPublicKey(sealed_to)
    sealer = _sealers.get(sock)
    if sealer is None or sealer.service_public != to:
        sealer = _sealers[sock] = sealed.RequestSealer(to)
    return sealer


def call(sock, request_schema, value, reply_schema, timeout_ms=5000, sealed_to=None):
    """One request on a REQ socket, as zguard's call(): the reply decoded;
    CallError for a refusal, a rate limit or an application error
    (wire.decode_reply), and CallError("timed_out") when no reply came in
    timeout_ms; DecodeError for a reply that does not decode; EncodeError
    (nothing sent) for a value the schema cannot carry. The REQ socket is set
    relaxed and correlated, so it can call again after a timeout and a late
    reply is not taken for the next call's.

    sealed_to (a sealed.RequestSealer, or the service's sealing public key:
    the module then keeps one sealer per socket) seals the request to the
    service (docs/wire-format.md, "Sealed payloads") and opens the answer
    with that request's key; an unsealed refusal is read as any refusal,
    any other answer that does not open raises sealed.SealError
    (not_sealed, malformed, unknown_request, forged)."""
    data = request_schema.encode(value)
    answer_key = None
    if sealed_to is not None:
        data, answer_key = _sealer_for(sock, sealed_to).seal(data)
    sock.setsockopt(zmq.REQ_RELAXED, 1)
    sock.setsockopt(zmq.REQ_CORRELATE, 1)
    sock.send(data)
    if not sock.poll(timeout_ms, zmq.POLLIN):
        raise wire.CallError("timed_out", "no reply in %d ms" % timeout_ms)
    reply = sock.recv()
    if answer_key is not None:
        reply = sealed.open_reply(answer_key, reply)
    return wire.decode_reply(reply_schema, reply)


def _answer_to(error):
    """What a handler's CallError is answered with: what call() raises again."""
    if error.status == "refused_by_service":
        return wire.refusal("peer_refused", error.reason)
    if error.status == "rate_limited":
        return wire.refusal("peer_refused", "rate limited; retry after %d ms" % error.retry_after_ms)
    if error.status == "application_error":
        return wire.application_error(error.code, error.reason)
    return None


# A C++ caller's request (zguard::caller, docs/wire-format.md "Correlated
# calls"): 0x82, the call id (u64 LE, not 0), then the schema message.
CORRELATED = 0x82
CALL_PREFIX_SIZE = 9


def correlated(frames):
    """Splits a request's call id off its last frame: (prefix, frames, refusal).
    prefix is the 9 bytes to put before every answer to it (b"" for a plain
    request); refusal, when not None, is the answer to a correlated request
    whose id is cut short (truncated) or 0 (out_of_range), sent plain as the
    C++ service sends it."""
    last = frames[-1] if frames else b""
    if last[:1] != bytes([CORRELATED]):
        return b"", frames, None
    if len(last) < CALL_PREFIX_SIZE or last[1:CALL_PREFIX_SIZE] == bytes(8):
        reason = "truncated" if len(last) < CALL_PREFIX_SIZE else "out_of_range"
        return b"", frames, wire.refusal(reason, "call id")
    return last[:CALL_PREFIX_SIZE], frames[:-1] + [last[CALL_PREFIX_SIZE:]], None


class Service:
    """A REP socket answering requests of one schema with replies of another,
    as a typed zguard REP: handler(value, client) -> the reply's value.

    client is the vouch.Vouched client when the service is given a
    vouch.VouchChecker (a worker behind a vouching queue), else None. A
    request that does not decode is answered with its refusal (the reason
    and field the C++ decoder gives), extra frames with trailing_bytes, a
    refused vouch with "vouch: <reason>". What the handler raises as a
    wire.CallError is what the caller's call() gets: "refused_by_service"
    (the reason text), "rate_limited" (retry_after_ms) or
    "application_error" (code, message). Any other exception, and a reply
    that does not encode, is answered "handler failed" (as C++ does), then
    raised. A C++ caller's correlated request is answered with its call id
    in front, as a C++ REP answers it (correlated()).

    sealing_key (a sealed.SealingKey, or a sealed.RequestOpener for other
    freshness and replay bounds) makes it a sealed service, as a zguard REP
    with sealed<...>: each request is opened after the vouch and the frame
    count were checked (a request that does not open is answered, unsealed,
    "sealed: <reason>"), and every answer to an opened request (the reply,
    a refusal, an application error; its call id inside) is sealed to it."""

    def __init__(self, sock, request_schema, reply_schema, handler, vouch=None, sealing_key=None):
        self.socket, self.request, self.reply, self.handler, self.vouch = \
            sock, request_schema, reply_schema, handler, vouch
        self.opener = sealing_key if sealing_key is None or isinstance(sealing_key, sealed.RequestOpener) \
            else sealed.RequestOpener(sealing_key)

    def serve_one(self, timeout_ms=None):
        """Answers one request; False when none came in timeout_ms (None: wait)."""
        if timeout_ms is not None and not self.socket.poll(timeout_ms, zmq.POLLIN):
            return False
        frames = self.socket.recv_multipart()
        if self.opener is not None:
            self._serve_sealed(frames)
            return True
        # The vouch covers the frames as the caller sent them, its call id
        # included: checked on them, and the id taken off the payload after.
        prefix, _, refused = correlated(frames)
        try:
            answer = refused if refused is not None else self._answer(frames, len(prefix))
        except Exception:
            self.socket.send(prefix + wire.refusal("peer_refused", "handler failed"))  # REP must answer
            raise
        self.socket.send(prefix + answer)
        return True

    def serve(self, count=None, timeout_ms=None):
        """Answers count requests (None: for ever); returns how many, fewer
        when one did not come in timeout_ms."""
        served = 0
        while (count is None or served < count) and self.serve_one(timeout_ms):
            served += 1
        return served

    def _checked(self, frames):
        """(client, payload, refusal): the vouch and the frame count checked."""
        client = None
        if self.vouch is not None:
            try:
                client = self.vouch.check(frames)
            except VouchError as e:
                return None, None, vouch_refusal(e)
            frames = frames[1:]
        if len(frames) != 1:
            return client, None, wire.refusal("trailing_bytes", "extra frames")
        return client, frames[0], None

    def _answer(self, frames, skip=0):
        client, payload, refused = self._checked(frames)
        return refused if refused is not None else self._reply_to(payload[skip:], client)

    def _reply_to(self, payload, client):
        try:
            value = self.request.decode(payload)
        except wire.DecodeError as e:
            return wire.refusal(e)
        try:
            return self.reply.encode(self.handler(value, client))
        except wire.CallError as e:
            answer = _answer_to(e)
            if answer is None:
                raise
            return answer

    def _serve_sealed(self, frames):
        """A sealed service's answer: the request opened after the vouch and
        the frame count (the vouch covers the sealed bytes), its call id
        inside; refused unsealed when it does not open, else answered sealed
        to it."""
        client, payload, refused = self._checked(frames)
        if refused is None:
            try:
                plain, key = self.opener.open(payload)
            except sealed.SealError as e:
                refused = sealed.refusal(e)
        if refused is not None:
            self.socket.send(refused)  # unsealed: there is no key to seal it to
            return
        prefix, body, refused = correlated([plain])
        try:
            answer = refused if refused is not None else self._reply_to(body[0], client)
        except Exception:
            self.socket.send(sealed.seal_answer(key, prefix + wire.refusal("peer_refused", "handler failed")))
            raise
        self.socket.send(sealed.seal_answer(key, prefix + answer))


class Subscription:
    """A SUB socket subscribed to one topic of one schema: receive() gives
    (value, origin). Unsigned, a message is [topic, message] and origin is
    None; with an envelope.Verifier it is [topic, sealed], verified before
    it is decoded, and origin is its envelope.Origin.

    sealing_key (a sealed.SealingKey, or a sealed_feed.FeedOpener) makes it
    a sealed subscriber, as a zguard SUB with signing<ed25519> and
    sealed<...> (a verifier is required): after the envelope verified, a key
    announcement is taken (never returned) and a sealed message opened with
    the key of its publisher and epoch, then decoded."""

    def __init__(self, sock, topic, schema, verifier=None, sealing_key=None):
        self.socket, self.topic, self.schema, self.verifier = sock, topic, schema, verifier
        self.opener = None
        if sealing_key is not None:
            if verifier is None:
                raise ValueError("zguard.sockets: a sealed subscription verifies its publishers' envelopes "
                                 "first: give it an envelope.Verifier")
            self.opener = sealing_key if isinstance(sealing_key, sealed_feed.FeedOpener) \
                else sealed_feed.FeedOpener(sealing_key, topic)
        self._topic = topic.encode("utf-8")
        sock.setsockopt(zmq.SUBSCRIBE, self._topic)

    def receive(self, timeout_ms=None):
        """(value, origin) of the next message; None when none came in
        timeout_ms (None: wait). A message that is refused raises: VerifyError
        (dropped envelope, with its drop reason), sealed.SealError (sealed: a
        payload that does not open, or an announcement refused, with the C++
        reason; an announcement that leaves us out again is not raised twice
        in an epoch) or DecodeError (wrong_schema at "topic frame" for a topic
        frame that is not the topic or a frame count other than two, as a C++
        subscriber refuses it). Announcements taken do not count as messages:
        it reads on until timeout_ms."""
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            if deadline is not None:
                left = max(0, int((deadline - time.monotonic()) * 1000))
                if not self.socket.poll(left, zmq.POLLIN):
                    return None
            frames = self.socket.recv_multipart()
            if self.verifier is None:
                if len(frames) != 2 or frames[0] != self._topic:
                    raise wire.DecodeError("wrong_schema", "topic frame", 0)
                return self.schema.decode(frames[1]), None
            origin, payload = self.verifier.verify_frames(frames, self.topic)
            if self.opener is not None:
                try:
                    payload = self.opener.receive(payload, origin.key_id)
                except sealed.SealError as e:
                    if e.quiet:  # a repeat of an announcement that left us out: said once an epoch
                        continue
                    raise
                if payload is None:  # an announcement, taken
                    continue
            return self.schema.decode(payload), origin


class FeedPublisher:
    """A sealed publisher on a pyzmq PUB or XPUB, as a zguard PUB with
    signing<ed25519> and sealed<rotate_ms<N>, announce_ms<N>, pad_to<B>,
    max_members<M>>: each message is sealed under the current epoch's key
    (sealed_feed.FeedSealer) and signed (envelope.Signer, Ed25519: the
    signer's key id binds the sealed bytes to this publisher), and the
    epoch's key announcement goes out, signed, before the first message of
    an epoch and then every announce_ms before a message. members are the
    members' sealing public keys; add_member and remove_member start a new
    epoch. Not thread-safe."""

    def __init__(self, sock, topic, schema, signer, members, pad_block=sealed_feed.PAD,
                 rotate_ms=sealed_feed.ROTATE_MS, announce_ms=sealed_feed.ANNOUNCE_MS,
                 max_members=sealed_feed.MAX_MEMBERS):
        if signer.algorithm != 3:  # envelope.ED25519
            raise ValueError("zguard.sockets: a sealed feed is signed with Ed25519")
        self.socket, self.topic, self.schema, self.signer = sock, topic, schema, signer
        self._topic = topic.encode("utf-8")
        self.sealer = sealed_feed.FeedSealer(members, topic, signer.key_id, pad_block, rotate_ms, announce_ms,
                                             max_members)

    def _send(self, payload):
        self.socket.send_multipart([self._topic, self.signer.seal(self.topic, payload)])

    def announce_keys(self):
        """Sends the current announcement now (a new epoch first when the key
        is rotate_ms old)."""
        self.sealer.announcement_due()
        self._send(self.sealer.announcement)
        self.sealer.announced()

    def send_payload(self, payload):
        """Seals and sends encoded bytes (a schema message, or a batch),
        announcing first when due."""
        if self.sealer.announcement_due():
            self._send(self.sealer.announcement)
            self.sealer.announced()
        self._send(self.sealer.seal(payload))

    def send(self, value):
        """Encodes value with the schema (EncodeError: nothing sent), then
        send_payload."""
        self.send_payload(self.schema.encode(value))

    def add_member(self, key):
        return self.sealer.add(key)

    def remove_member(self, key):
        return self.sealer.remove(key)

    def rotate_epoch(self):
        self.sealer.rotate()

    @property
    def sealing_epoch(self):
        return self.sealer.epoch
