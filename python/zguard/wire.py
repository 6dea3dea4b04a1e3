"""zguard schema messages (wire format 1) from a schema description.

A description is the JSON text zguard::describe<S>() makes from the C++
schema type (include/zguard/schema_description.hpp). Schema.encode(dict)
gives the bytes a zguard socket accepts; Schema.decode(bytes) makes every
check the C++ decoder makes and raises DecodeError with the same reason,
field path and byte offset. docs/python.md has the API, docs/wire-format.md
the format.

Values: integers, enums and ranged fields are int; bool is bool; strings
are str; byte fields are bytes; vectors and arrays are lists; an optional is
None or its value; a nested struct is a dict.
"""
import json
import math
import struct

FORMAT_VERSION = 1

# docs/wire-format.md, "Decode errors and refusals": the index is the code.
REASONS = ("truncated", "length_over_bound", "out_of_range", "unknown_enum_value", "invalid_utf8",
           "trailing_bytes", "unsupported_format", "wrong_schema", "wrong_version", "peer_refused")

MAX_BOUND = 0xFFFFFFFF          # a length or count prefix is at most 4 bytes
_SATURATED = (1 << 64) - 1      # the C++ size arithmetic saturates at SIZE_MAX
_MAX_PATH_DEPTH = 16            # the C++ reader names at most 16 levels of a field path


class DecodeError(Exception):
    """Why bytes were refused: reason (a name of REASONS), field (a path such
    as "lines[1].qty", empty for the header), offset (a byte offset)."""

    def __init__(self, reason, field="", offset=0):
        self.reason, self.field, self.offset = reason, field, offset
        text = reason + (" at field '%s'" % field if field else "") + " (byte %d)" % offset
        super().__init__(text)

    @property
    def code(self):
        return REASONS.index(self.reason)


class EncodeError(ValueError):
    """A value the schema cannot carry (what a C++ bounded type refuses to hold)."""


def prefix_width(bound):
    """Bytes of the length or count prefix for at most `bound` items."""
    return 1 if bound <= 0xFF else 2 if bound <= 0xFFFF else 4


def _sat_add(a, b):
    return min(a + b, _SATURATED)


def _sat_mul(a, b):
    return min(a * b, _SATURATED)


# --- types --------------------------------------------------------------------


class _Int:
    def __init__(self, d, what):
        self.signed, self.width = d["signed"], d["bytes"]
        if not isinstance(self.signed, bool) or self.width not in (1, 2, 4, 8):
            raise ValueError("zguard description: %s: bad integer shape" % what)
        bits = 8 * self.width
        self.lo, self.hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed else (0, (1 << bits) - 1)
        self.max_size = self.width

    def check(self, v, path):
        if isinstance(v, bool) or not isinstance(v, int) or not self.lo <= v <= self.hi:
            raise EncodeError("%s: %r is not a %s %d-byte integer" % (path, v, "signed" if self.signed else "unsigned",
                                                                       self.width))

    def write(self, out, v, path):
        self.check(v, path)
        out += v.to_bytes(self.width, "little", signed=self.signed)

    def read(self, r):
        return int.from_bytes(r.take_fixed(self.width), "little", signed=self.signed)


class _Float:
    """float (4 bytes) or double (8): IEEE 754 bits, little-endian; every NaN
    as the one quiet NaN, any other NaN spelling refused (out_of_range)."""

    def __init__(self, d, what):
        self.width = d["bytes"]
        if self.width not in (4, 8):
            raise ValueError("zguard description: %s: a float is 4 or 8 bytes" % what)
        self.fmt, self.nan = ("<f", 0x7FC00000) if self.width == 4 else ("<d", 0x7FF8000000000000)
        self.max_size = self.width

    def write(self, out, v, path):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise EncodeError("%s: %r is not a number" % (path, v))
        if math.isnan(v):
            out += self.nan.to_bytes(self.width, "little")
            return
        try:
            packed = struct.pack(self.fmt, v)
        except OverflowError:
            raise EncodeError("%s: %r does not fit a %d-byte float" % (path, v, self.width)) from None
        if self.width == 4 and math.isfinite(v) and not math.isfinite(struct.unpack("<f", packed)[0]):
            raise EncodeError("%s: %r does not fit a 4-byte float" % (path, v))
        out += packed

    def read(self, r):
        raw = r.take_fixed(self.width)
        v = struct.unpack(self.fmt, raw)[0]
        if math.isnan(v) and int.from_bytes(raw, "little") != self.nan:
            r.fail("out_of_range")
        return v


class _Bool:
    max_size = 1

    def write(self, out, v, path):
        if not isinstance(v, bool):
            raise EncodeError("%s: %r is not a bool" % (path, v))
        out.append(1 if v else 0)

    def read(self, r):
        b = r.take_fixed(1)[0]
        if b > 1:
            r.fail("out_of_range")
        return b == 1


class _Enum(_Int):
    def __init__(self, d, what):
        super().__init__(d, what)
        self.values = list(d["values"])
        for v in self.values:
            self.check(v, what)

    def write(self, out, v, path):
        if isinstance(v, bool) or v not in self.values:
            raise EncodeError("%s: %r is not a declared enum value %s" % (path, v, self.values))
        super().write(out, v, path)

    def read(self, r):
        v = super().read(r)
        if v not in self.values:
            r.fail("unknown_enum_value")
        return v


class _Ranged(_Int):
    def __init__(self, d, what):
        super().__init__(d, what)
        self.min, self.max = d["min"], d["max"]
        self.check(self.min, what)
        self.check(self.max, what)
        if self.min > self.max:
            raise ValueError("zguard description: %s: min above max" % what)

    def write(self, out, v, path):
        self.check(v, path)
        if not self.min <= v <= self.max:
            raise EncodeError("%s: %d outside [%d, %d]" % (path, v, self.min, self.max))
        super().write(out, v, path)

    def read(self, r):
        v = super().read(r)
        if not self.min <= v <= self.max:
            r.fail("out_of_range")
        return v


def _bound(d, key, what):
    n = d[key]
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_BOUND:
        raise ValueError("zguard description: %s: %s must be 0..%d" % (what, key, MAX_BOUND))
    if "prefix_bytes" in d and d["prefix_bytes"] != prefix_width(n):
        raise ValueError("zguard description: %s: prefix_bytes is not the width the wire format gives" % what)
    return n


class _Text:
    def __init__(self, d, what, is_string):
        self.bound, self.is_string = _bound(d, "max_length", what), is_string
        self.width = prefix_width(self.bound)
        self.max_size = _sat_add(self.width, self.bound)

    def write(self, out, v, path):
        if self.is_string:
            if not isinstance(v, str):
                raise EncodeError("%s: %r is not a str" % (path, v))
            try:
                raw = v.encode("utf-8")
            except UnicodeEncodeError:
                raise EncodeError("%s: not encodable as UTF-8 (a lone surrogate)" % path) from None
        else:
            if not isinstance(v, (bytes, bytearray, memoryview)):
                raise EncodeError("%s: %r is not bytes" % (path, v))
            raw = bytes(v)
        if len(raw) > self.bound:
            raise EncodeError("%s: %d bytes, at most %d" % (path, len(raw), self.bound))
        out += len(raw).to_bytes(self.width, "little")
        out += raw

    def read(self, r):
        n = r.prefix(self.width, self.bound)
        raw = r.take(n)
        if not self.is_string:
            return raw
        try:  # Python's UTF-8 decoder is strict as the C++ one: no overlong forms, surrogates, > U+10FFFF
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            r.fail("invalid_utf8")


class _Vector:
    def __init__(self, d, what):
        self.bound = _bound(d, "max_count", what)
        self.width = prefix_width(self.bound)
        self.element = _type(d["element"], what + "[]")
        self.max_size = _sat_add(self.width, _sat_mul(self.bound, self.element.max_size))

    def write(self, out, v, path):
        if not isinstance(v, (list, tuple)):
            raise EncodeError("%s: %r is not a list" % (path, v))
        if len(v) > self.bound:
            raise EncodeError("%s: %d items, at most %d" % (path, len(v), self.bound))
        out += len(v).to_bytes(self.width, "little")
        for i, e in enumerate(v):
            self.element.write(out, e, "%s[%d]" % (path, i))

    def read(self, r):
        n = r.prefix(self.width, self.bound)
        # Each item takes at least one byte: a count above the bytes left is
        # refused before anything is built.
        if self.element.max_size > 0 and n > r.remaining():
            r.fail("truncated")
        items = []
        for i in range(n):
            r.index(i)
            items.append(self.element.read(r))
        return items


class _Array:
    def __init__(self, d, what):
        self.count = d["count"]
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError("zguard description: %s: bad array count" % what)
        self.element = _type(d["element"], what + "[]")
        self.max_size = _sat_mul(self.count, self.element.max_size)

    def write(self, out, v, path):
        if isinstance(v, (bytes, bytearray)):
            v = list(v)
        if not isinstance(v, (list, tuple)) or len(v) != self.count:
            raise EncodeError("%s: not a list of exactly %d items" % (path, self.count))
        for i, e in enumerate(v):
            self.element.write(out, e, "%s[%d]" % (path, i))

    def read(self, r):
        if type(self.element) is _Int:
            # The C++ codec reads an array of plain integers in one piece (on
            # little-endian hosts): a short one is truncated at its start,
            # with no item index.
            w, signed = self.element.width, self.element.signed
            raw = r.take(self.count * w)
            return [int.from_bytes(raw[i:i + w], "little", signed=signed) for i in range(0, len(raw), w)]
        items = []
        for i in range(self.count):
            r.index(i)
            items.append(self.element.read(r))
        return items


class _Optional:
    def __init__(self, d, what):
        self.element = _type(d["element"], what)
        self.max_size = _sat_add(1, self.element.max_size)

    def write(self, out, v, path):
        if v is None:
            out.append(0)
        else:
            out.append(1)
            self.element.write(out, v, path)

    def read(self, r):
        tag = r.take_fixed(1)[0]
        if tag > 1:
            r.fail("out_of_range")
        return None if tag == 0 else self.element.read(r)


class _Struct:
    def __init__(self, fields, what):
        self.fields = []
        for f in fields:
            name = f["name"]
            if not isinstance(name, str) or not name or any(name == n for n, _ in self.fields):
                raise ValueError("zguard description: %s: bad or repeated field name %r" % (what, name))
            self.fields.append((name, _type(f["type"], (what + "." if what else "") + name)))
        self.max_size = 0
        for _, t in self.fields:
            self.max_size = _sat_add(self.max_size, t.max_size)

    def write(self, out, v, path):
        if not isinstance(v, dict):
            raise EncodeError("%s: %r is not a dict" % (path or "value", v))
        names = [n for n, _ in self.fields]
        extra = [k for k in v if k not in names]
        if extra:
            raise EncodeError("%s: fields the schema does not have: %s" % (path or "value", ", ".join(map(str, extra))))
        for name, t in self.fields:
            sub = (path + "." if path else "") + name
            if name not in v:
                raise EncodeError("%s: missing" % sub)
            t.write(out, v[name], sub)

    def read(self, r):
        value = {}
        for name, t in self.fields:
            r.push(name)
            value[name] = t.read(r)
            r.pop()
        return value


def _type(d, what):
    kinds = {"int": _Int, "float": _Float, "enum": _Enum, "ranged": _Ranged, "vector": _Vector, "array": _Array,
             "optional": _Optional}
    kind = d.get("kind")
    if kind == "bool":
        t = _Bool()
    elif kind in ("string", "bytes"):
        t = _Text(d, what, kind == "string")
    elif kind == "struct":
        t = _Struct(d["fields"], what)
    elif kind in kinds:
        t = kinds[kind](d, what)
    else:
        raise ValueError("zguard description: %s: unknown kind %r" % (what, kind))
    if "max_size" in d and d["max_size"] != t.max_size:
        raise ValueError("zguard description: %s: max_size %s, but the type gives %d" % (what, d["max_size"],
                                                                                      t.max_size))
    return t


# --- reading ------------------------------------------------------------------


class _Failed(Exception):
    pass


class _Reader:
    """The C++ reader's rules: offsets where it reports them, and the field
    path kept as a stack of (name, index) frames."""

    def __init__(self, data):
        self.data, self.pos = data, 0
        self.frames = []  # [name, index or None]
        self.error = None

    def remaining(self):
        return len(self.data) - self.pos

    def fail(self, reason):
        if self.error is None:
            self.error = DecodeError(reason, self._path(), self.pos)
        raise _Failed()

    def _path(self):
        s = ""
        for name, index in self.frames[:_MAX_PATH_DEPTH]:
            if name:
                s += ("." if s else "") + name
            if index is not None:
                s += "[%d]" % index
        return s

    def push(self, name):
        self.frames.append([name, None])

    def index(self, i):
        if self.frames and len(self.frames) <= _MAX_PATH_DEPTH:
            self.frames[-1][1] = i

    def pop(self):
        self.frames.pop()

    def take_fixed(self, n):  # an integer: truncated at its first byte
        if self.remaining() < n:
            self.fail("truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    take = take_fixed  # the bytes of a string or byte field, after their prefix

    def prefix(self, width, bound):
        n = int.from_bytes(self.take_fixed(width), "little")
        if n > bound:
            self.pos -= width  # the offset of the prefix itself
            self.fail("length_over_bound")
        return n


# --- schemas ------------------------------------------------------------------


class Schema:
    """One schema: name, version, fields. Build it from a description (a
    dict, or the JSON text of one schema)."""

    def __init__(self, description):
        d = json.loads(description) if isinstance(description, (str, bytes)) else description
        if d.get("format") != FORMAT_VERSION:
            raise ValueError("zguard description: wire format %r, this module speaks %d" % (d.get("format"),
                                                                                            FORMAT_VERSION))
        self.name, self.version = d["name"], d["version"]
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= 64 or not self.name.isascii():
            raise ValueError("zguard description: a schema name is 1..64 ASCII characters")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or not 0 <= self.version <= 0xFFFF:
            raise ValueError("zguard description: %s: version must be 0..65535" % self.name)
        self._name_bytes = self.name.encode("ascii")
        self._body = _Struct(d["fields"], "")
        self.field_names = [n for n, _ in self._body.fields]
        self.header = bytes([FORMAT_VERSION, len(self._name_bytes)]) + self._name_bytes + \
            self.version.to_bytes(2, "little")
        self.max_encoded_size = _sat_add(len(self.header), self._body.max_size)
        if "max_encoded_size" in d and d["max_encoded_size"] != self.max_encoded_size:
            raise ValueError("zguard description: %s: max_encoded_size %s, but the fields give %d"
                             % (self.name, d["max_encoded_size"], self.max_encoded_size))

    def __repr__(self):
        return "Schema(%r, %d)" % (self.name, self.version)

    def encode(self, value):
        """The message for a dict of field values; EncodeError for a value
        the schema cannot carry (over a bound, undeclared enum value, ...)."""
        out = bytearray(self.header)
        self._body.write(out, value, "")
        return bytes(out)

    def decode(self, data):
        """The dict a message holds, or DecodeError (as the C++ decode<S>)."""
        data = bytes(data)
        r = _Reader(data)
        try:
            if r.take_fixed(1)[0] != FORMAT_VERSION:
                raise DecodeError("unsupported_format", "", 0)
            name = r.take(r.take_fixed(1)[0])
            if name != self._name_bytes:
                raise DecodeError("wrong_schema", "", 1)
            if int.from_bytes(r.take_fixed(2), "little") != self.version:
                raise DecodeError("wrong_version", "", 2 + len(name))
            value = self._body.read(r)
        except _Failed:
            raise r.error from None
        if r.remaining():
            raise DecodeError("trailing_bytes", "", r.pos)
        return value


def load_schemas(source):
    """Schemas by name from a description file written by
    zguard::write_descriptions (a path), or from its text / parsed JSON (a
    list of descriptions, or one). Two schemas of one name are an error: a
    program speaks one version of each."""
    if isinstance(source, (list, dict)):
        parsed = source
    elif isinstance(source, str) and source.lstrip()[:1] in ("[", "{"):
        parsed = json.loads(source)
    else:
        with open(source, "rb") as f:
            parsed = json.loads(f.read())
    schemas = {}
    for d in parsed if isinstance(parsed, list) else [parsed]:
        s = Schema(d)
        if s.name in schemas:
            raise ValueError("zguard description: schema %r given twice" % s.name)
        schemas[s.name] = s
    return schemas


# --- refusals -----------------------------------------------------------------

# What a zguard REP answers to a request it cannot decode (channel.hpp).
REFUSAL = Schema({"format": 1, "name": "zguard.refusal", "version": 1, "fields": [
    {"name": "reason", "type": {"kind": "int", "signed": False, "bytes": 1}},
    {"name": "field", "type": {"kind": "string", "max_length": 128, "prefix_bytes": 1}}]})


def refusal(reason, field=""):
    """The zguard.refusal message for a reason name (or a DecodeError): what a
    REP service sends back for a request it refuses. The field text is cut
    to 128 bytes, as the C++ service does."""
    if isinstance(reason, DecodeError):
        reason, field = reason.reason, reason.field
    raw = field.encode("utf-8")[:128]
    return REFUSAL.encode({"reason": REASONS.index(reason), "field": raw.decode("utf-8", "ignore")})


# What a handler's application error is sent as (call_result.hpp).
APPLICATION_ERROR = Schema({"format": 1, "name": "zguard.application_error", "version": 1, "fields": [
    {"name": "code", "type": {"kind": "int", "signed": False, "bytes": 4}},
    {"name": "message", "type": {"kind": "string", "max_length": 256, "prefix_bytes": 2}}]})


def application_error(code, message):
    """The zguard.application_error message: a service's typed error, which a
    C++ client's call() returns as status application_error. The text is cut
    to 256 bytes."""
    raw = message.encode("utf-8")[:256]
    return APPLICATION_ERROR.encode({"code": code, "message": raw.decode("utf-8", "ignore")})


class CallError(Exception):
    """A reply that is not the value, read as C++ call() reads it: status
    "refused_by_service" (reason: the refusal's field for peer_refused, else
    "<reason> at <field>"), "rate_limited" (a peer_refused field that starts
    "rate limited"; retry_after_ms: the wait it names, 0 when none, at most
    an hour) or "application_error" (code and message)."""

    def __init__(self, status, reason, code=0, retry_after_ms=0):
        super().__init__("%s: %s" % (status, reason))
        self.status, self.reason, self.code = status, reason, code
        self.retry_after_ms = retry_after_ms


MAX_RETRY_AFTER_MS = 3600 * 1000


def rate_limited_wait(text):
    """As C++ call() reads a refusal's field: None when it is no rate limit;
    else the wait "rate limited; retry after <N> ms" names in milliseconds
    (0 when it names none that reads as one; at most an hour)."""
    head, wait, unit = "rate limited", "; retry after ", " ms"
    if not text.startswith(head):
        return None
    rest = text[len(head):]
    if not rest.startswith(wait) or len(rest) <= len(wait) + len(unit) or not rest.endswith(unit):
        return 0
    digits = rest[len(wait):len(rest) - len(unit)]
    if not all("0" <= c <= "9" for c in digits):
        return 0
    if len(digits) > 10:
        return MAX_RETRY_AFTER_MS
    return min(int(digits), MAX_RETRY_AFTER_MS)


def decode_reply(schema, data):
    """A REQ client's view of a reply, as zguard's call(): the reply decoded;
    a refusal or an application error raises CallError; anything else raises
    the reply's own DecodeError (a malformed reply)."""
    try:
        return schema.decode(data)
    except DecodeError as reply_error:
        try:
            r = REFUSAL.decode(data)
        except DecodeError:
            try:
                a = APPLICATION_ERROR.decode(data)
            except DecodeError:
                raise reply_error from None
            raise CallError("application_error", a["message"], a["code"]) from None
        why = REASONS[r["reason"]] if r["reason"] < len(REASONS) else "unknown"
        if why != "peer_refused":
            why += " at " + r["field"] if r["field"] else ""
        else:
            why = r["field"]
        wait = rate_limited_wait(why)
        if wait is not None:
            raise CallError("rate_limited", why, retry_after_ms=wait) from None
        raise CallError("refused_by_service", why) from None


# --- batches (docs/wire-format.md, "Batches") ----------------------------------

BATCH_FORMAT = 0x81


def pack_batch(messages):
    """One batch frame of encoded schema messages (bytes each, 1..65535 of
    them): 0x81 | count (u16) | count x (length (u32) | message)."""
    if not 1 <= len(messages) <= 0xFFFF:
        raise EncodeError("a batch holds 1..65535 messages")
    out = bytearray([BATCH_FORMAT]) + struct.pack("<H", len(messages))
    for m in messages:
        if not m:
            raise EncodeError("a batched message is never empty")
        out += struct.pack("<I", len(m)) + m
    return bytes(out)


def unpack_batch(data, max_count, max_item):
    """The messages of a batch, checked whole as a batched zguard receiver
    does before it hands any out (count 1..max_count, each length
    1..max_item, nothing after the last); otherwise DecodeError with the
    reason, field and offset the C++ receiver logs. Decode each message
    with its Schema afterwards: one that does not decode is refused alone."""
    if not data or data[0] != BATCH_FORMAT:
        raise DecodeError("unsupported_format", "batch", 0)
    if len(data) < 3:
        raise DecodeError("truncated", "batch.count", 1)
    (count,) = struct.unpack_from("<H", data, 1)
    if count == 0 or count > max_count:
        raise DecodeError("length_over_bound", "batch.count", 1)
    at, out = 3, []
    for i in range(count):
        field = "batch[%d]" % i
        if len(data) - at < 4:
            raise DecodeError("truncated", field, at)
        (n,) = struct.unpack_from("<I", data, at)
        if n == 0 or n > max_item:
            raise DecodeError("length_over_bound", field, at)
        at += 4
        if len(data) - at < n:
            raise DecodeError("truncated", field, at)
        out.append(bytes(data[at:at + n]))
        at += n
    if at != len(data):
        raise DecodeError("trailing_bytes", "batch", at)
    return out
