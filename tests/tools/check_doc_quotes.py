"""Checks that code quoted in docs/ is the code that compiles.

A fenced block whose paragraph before it (up to 6 lines, not reaching back
past the previous block) says "quoted from `<path>`" must
match <path>: every line of the block that is not an elision (a line
holding "...") appears in the file, in the same order, as a whole line
(trailing spaces ignored). Fails naming the first line that does not.

usage: /usr/bin/python3 check_doc_quotes.py SOURCE_DIR DOC.md...
"""
import os
import re
import sys

root = sys.argv[1]
quotes = 0
failures = []
for doc in sys.argv[2:]:
    lines = open(doc, encoding="utf-8").read().split("\n")
    i = 0
    previous_end = 0
    while i < len(lines):
        if not lines[i].startswith("```") or lines[i] == "```":
            i += 1
            continue
        start = i
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        block = lines[start + 1:end]
        lead = " ".join(lines[max(previous_end, start - 6):start])
        i = previous_end = end + 1
        m = re.search(r"[Qq]uoted from `([^`]+)`", lead)
        if not m:
            continue
        quotes += 1
        source = [l.rstrip() for l in open(os.path.join(root, m.group(1)), encoding="utf-8").read().split("\n")]
        at = 0
        for n, line in enumerate(block, start + 2):
            if "..." in line:
                continue
            try:
                at = source.index(line.rstrip(), at) + 1
            except ValueError:
                failures.append("%s:%d: not in %s (in this order): %s" % (doc, n, m.group(1), line.strip()))
                break
if failures:
    print("\n".join(failures))
    sys.exit(1)
if quotes == 0:
    print("no quoted blocks found")
    sys.exit(1)
print("%d quoted blocks match their sources" % quotes)
