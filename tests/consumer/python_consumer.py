"""Imports the installed zguard Python module (the consumer tests run it
with Debian's python3 and PYTHONPATH set to an install's dist-packages):
it must come from there, hold exactly the source tree's modules, import
each of them, and work.

usage: python_consumer.py DIST_PACKAGES SOURCE_MODULE_DIR
"""
import importlib
import os
import sys

dist, source = (os.path.realpath(a) for a in sys.argv[1:3])
import zguard  # noqa: E402
from zguard import wire  # noqa: E402

where = os.path.dirname(os.path.realpath(zguard.__file__))
if where != os.path.join(dist, "zguard"):
    sys.exit("zguard was imported from %s, not from %s" % (where, dist))
installed = sorted(f for f in os.listdir(where) if f.endswith(".py"))
expected = sorted(f for f in os.listdir(source) if f.endswith(".py"))
if installed != expected:
    sys.exit("installed modules %s, the source has %s" % (installed, expected))
for f in installed:
    if f != "__init__.py":
        importlib.import_module("zguard." + f[:-3])
try:
    wire.decode_reply(wire.APPLICATION_ERROR, wire.refusal("peer_refused", "rate limited; retry after 25 ms"))
    sys.exit("a rate-limited answer was not raised")
except wire.CallError as e:
    if (e.status, e.retry_after_ms) != ("rate_limited", 25):
        sys.exit("a rate-limited answer read as %s %s" % (e.status, e.retry_after_ms))
print("python consumer: ok (%d modules)" % len(installed))
