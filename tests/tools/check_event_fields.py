"""Checks that every security event has one field set, whoever emits it.

An operator's filter or alert reads an event by its name and fields
(docs/threat-model.md, "Events"), so two places that emit the same name must
give the same field names. Scans include/zguard/ (.hpp, .ipp) for event_log
calls

    emit(NAME, LEVEL, {{"field", value}, {"field", value}, ...})

and fails when two emitters of one name give different sets of field names,
printing each emitter's fields, or when a field is named like a key the
JSON line already has (ts_ms, event, level: the line would hold it twice). NAME is a string literal, a choice of two
literals (cond ? "a" : "b"), or a literal prefix and a computed rest
("verify." + reason: every emitter of a name with that prefix is compared
with it); a NAME with no literal (a name read from a table) is listed, not
compared. The fields must be a braced list of {"literal", value} pairs, so
the set can be read here; anything else fails.

Before the scan the checker runs its self-test: sample sources it must
accept and ones it must reject. A checker that can no longer fail fails.

usage: /usr/bin/python3 check_event_fields.py SOURCE_DIR [--list]
"""
import os
import re
import sys

STRING = r'"(?:\\.|[^"\\\n])*"'
# The keys every JSON line of an event already has (events.hpp, to_json).
LINE_KEYS = ("ts_ms", "event", "level")


def strip_comments(text):
    """Comments replaced by blanks (newlines kept); string literals kept."""
    def blank(m):
        s = m.group(0)
        return s if s[0] in "\"'" else re.sub(r"[^\n]", " ", s)
    return re.sub(r'//[^\n]*|/\*.*?\*/|' + STRING + r"|'(?:\\.|[^'\\\n])*'", blank, text, flags=re.S)


def split_args(text, i):
    """The top-level arguments of the call whose '(' is at text[i], and the
    index after its ')'; None when the parentheses do not close."""
    args, depth, start, j = [], 0, i + 1, i
    while j < len(text):
        c = text[j]
        if c in "\"'":
            m = re.compile(STRING if c == '"' else r"'(?:\\.|[^'\\\n])*'").match(text, j)
            j = m.end() if m else j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[start:j])
                return [a.strip() for a in args], j + 1
        elif c == "," and depth == 1:
            args.append(text[start:j])
            start = j + 1
        j += 1
    return None


def literal(s):
    return s[1:-1] if re.fullmatch(STRING, s) else None


def names_of(expr):
    """(names, prefix): the literal names an expression can give, or a
    literal prefix; ([], None) for a name with no literal."""
    if literal(expr) is not None:
        return [literal(expr)], None
    m = re.match(r"(" + STRING + r")\s*\+", expr)
    if m:
        return [], literal(m.group(1))
    m = re.fullmatch(r"[^?]+\?\s*(" + STRING + r")\s*:\s*(" + STRING + r")", expr, flags=re.S)
    if m:
        return [literal(m.group(1)), literal(m.group(2))], None
    return [], None


def fields_of(expr):
    """The field names of a braced {{"k", v}, ...} list, or None."""
    if not (expr.startswith("{") and expr.endswith("}")):
        return None
    inner = "(" + expr[1:-1] + ")"
    parsed = split_args(inner, 0)
    if not parsed:
        return None
    keys = []
    for pair in parsed[0]:
        if not pair:
            continue
        sub = split_args("(" + pair[1:-1] + ")", 0) if pair.startswith("{") and pair.endswith("}") else None
        key = literal(sub[0][0]) if sub and sub[0] else None
        if key is None:
            return None
        keys.append(key)
    return keys


def scan(sources):
    """sources: {path: text}. Returns (emitters, errors): emitters as
    (names, prefix, fields, where); errors as text."""
    emitters, errors = [], []
    for path, raw in sorted(sources.items()):
        text = strip_comments(raw)
        for m in re.finditer(r"\bemit\s*\(", text):
            before = text[:m.start()].rstrip()
            if re.search(r"\b(void|auto)$", before):
                continue  # a declaration, not a call
            parsed = split_args(text, m.end() - 1)
            if not parsed:
                continue
            args = parsed[0]
            # An event: name, a severity, a field list. emit(security_event)
            # and other functions named emit have another shape.
            if len(args) != 3 or not ("severity" in args[1] or args[2].startswith("{")):
                continue
            where = "%s:%d" % (path, text.count("\n", 0, m.start()) + 1)
            fields = fields_of(args[2])
            if fields is None:
                errors.append("%s: the fields of an event must be a braced list of {\"name\", value}: %s"
                              % (where, " ".join(args[2].split())[:80]))
                continue
            repeated = [f for f in fields if f in LINE_KEYS]
            if repeated:
                errors.append("%s: a field named %s would repeat a key of the event's JSON line (%s): a "
                              "reader keeps only one of the two" % (where, ", ".join(repeated), ", ".join(LINE_KEYS)))
            names, prefix = names_of(args[0])
            emitters.append((names, prefix, fields, where))
    return emitters, errors


def compare(emitters):
    """The names whose emitters give different field sets."""
    groups = {}
    for names, prefix, fields, where in emitters:
        for n in names:
            groups.setdefault(n, []).append((fields, where))
        if prefix is not None:
            groups.setdefault(prefix + "*", []).append((fields, where))
    for key in [k for k in groups if k.endswith("*")]:
        for n, members in list(groups.items()):
            if n != key and not n.endswith("*") and n.startswith(key[:-1]):
                groups[key] += members
    problems = []
    for name in sorted(groups):
        members = groups[name]
        if len({frozenset(f) for f, _ in members}) > 1:
            shown = "\n".join("    %s: %s" % (w, ", ".join(f)) for f, w in members)
            problems.append("%s is emitted with different fields:\n%s" % (name, shown))
    return problems


def check(sources):
    emitters, errors = scan(sources)
    return errors + compare(emitters), emitters


def self_test():
    """Samples the checker must accept, and ones it must reject."""
    good = {
        "a.hpp": '''
          void emit(std::string name, severity level, std::vector<field> fields);  // a declaration
          log.emit("peer.gone", severity::warning, {{"socket", label}, {"user_id", f(a, b)}});
          // log.emit("peer.gone", severity::warning, {{"commented", "out"}});
          log_->emit("peer.gone", severity::info,
                     {{"user_id", std::string(u)},   // order does not matter
                      {"socket", "x, y"}});
          log.emit(ok ? "zap.allow" : "zap.deny", ok ? severity::info : severity::warning, {{"domain", d}});
          log.emit("verify." + why, severity::warning, {{"reason", why}});
          log.emit("verify.stale", severity::warning, {{"reason", "stale"}});
          log.emit(name, level, {{"code", c}});
          emit("default", defaults_);
        ''',
    }
    must_fail = {
        "different field sets": {"a.hpp": 'log.emit("x.y", severity::warning, {{"socket", s}});',
                                 "b.hpp": 'log.emit("x.y", severity::warning, {{"socket", s}, {"extra", e}});'},
        "a prefixed name against a literal": {
            "a.hpp": 'log.emit("verify." + r, severity::warning, {{"reason", r}, {"socket", s}});\n'
                     'log.emit("verify.stale", severity::warning, {{"reason", r}});'},
        "one side of a choice": {"a.hpp": 'log.emit(c ? "p.a" : "p.b", severity::warning, {{"k", v}});\n'
                                          'log.emit("p.b", severity::warning, {{"k", v}, {"l", w}});'},
        "fields not readable here": {"a.hpp": 'log.emit("x.y", severity::warning, fields);'},
        "a field name that is not a literal": {"a.hpp": 'log.emit("x.y", severity::warning, {{key, v}});'},
        "a field named like a key of the line": {"a.hpp": 'log.emit("x.y", severity::warning, {{"event", e}});'},
    }
    failures = []
    problems, emitters = check(good)
    if problems:
        failures.append("rejected good samples:\n" + "\n".join(problems))
    if len(emitters) != 6:
        failures.append("found %d emitters in the good samples, expected 6" % len(emitters))
    for what, sources in must_fail.items():
        if not check(sources)[0]:
            failures.append("accepted " + what)
    return failures


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    failures = self_test()
    if failures:
        print("check_event_fields.py self-test failed:\n" + "\n".join(failures))
        return 1
    root = os.path.join(argv[1], "include", "zguard")
    sources = {}
    for d, _, files in os.walk(root):
        for name in files:
            if name.endswith((".hpp", ".ipp")):
                path = os.path.join(d, name)
                with open(path, encoding="utf-8") as f:
                    sources[os.path.relpath(path, root)] = f.read()
    problems, emitters = check(sources)
    if "--list" in argv:
        for names, prefix, fields, where in emitters:
            shown = " | ".join(names) if names else (prefix + "*" if prefix is not None else "(computed)")
            print("%-28s %-40s %s" % (shown, where, ", ".join(fields)))
    if not emitters:
        problems.append("no event emitters found under " + root)
    for p in problems:
        print(p)
    print("%d emitters, %d problems" % (len(emitters), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
