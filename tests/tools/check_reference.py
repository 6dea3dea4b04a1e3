"""Checks that docs/reference.md covers the public API and names nothing gone.

Scans include/zguard/ (not detail/) for the names an application uses:
namespace-scope class, struct, enum class, concept, `using X =`, free
function and constexpr variable in namespace zguard outside `detail`, the
pattern tags ZGUARD_PATTERN makes, ZGUARD_* macros left defined, and the
public member functions of those classes and of the socket facets (whose
classes are detail, their members the socket's API). A name counts as
documented when it stands as a whole word inside a `backtick span` or a
signature block (```text) of the doc; ```cpp examples do not count. Every
header needs a `## zguard/<header>` section (or one for its directory).
The other way round, every name in backticks in a `###` heading must be one
of the scanned names, and every `## zguard/...` heading a header or
directory that exists, so a rename shows up.

usage: /usr/bin/python3 check_reference.py SOURCE_DIR [--list]
       /usr/bin/python3 check_reference.py SOURCE_DIR --extract OUT_DIR
--extract writes each ```cpp block of the doc to OUT_DIR/reference_example_<n>.cpp
(a #line directive points compiler messages at the doc; unchanged files are
not rewritten, stale ones removed) and prints their paths, ';'-separated, for
tests/CMakeLists.txt.
"""
import os
import re
import sys

# Socket facets: detail classes whose public members are zguard::socket's API.
FACETS = {"socket_core", "raw_frames", "typed_messages", "send_path", "service_protocol"}
KEYWORDS = {"requires", "static_assert", "decltype", "sizeof", "noexcept", "alignas", "alignof",
            "operator", "return", "if", "explicit", "constexpr", "consteval", "inline", "static",
            "virtual", "friend", "template", "typename", "const", "auto", "void", "bool", "int"}


def strip(text):
    """Comments, string and char literals, preprocessor lines removed."""
    text = re.sub(r"\\\n", " ", text)
    out = re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                 lambda m: '""' if m.group(0)[0] == '"' else (" " if m.group(0)[0] == "/" else "''"),
                 text, flags=re.S)
    return "\n".join("" if l.lstrip().startswith("#") else l for l in out.split("\n"))


TOKEN = re.compile(r"[A-Za-z_]\w*|::|->|\d[\w.']*|\S")


def skip_group(toks, i, open_, close):
    depth = 0
    while i < len(toks):
        if toks[i] == open_:
            depth += 1
        elif toks[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def strip_templates(head):
    """Drops `template <...>` and requires-clauses from a declaration head."""
    out, i = [], 0
    while i < len(head):
        if head[i] == "template" and i + 1 < len(head) and head[i + 1] == "<":
            i = skip_group(head, i + 1, "<", ">")
            continue
        if head[i] == "requires" and not out:
            i += 1
            if i < len(head) and head[i] == "(":
                i = skip_group(head, i, "(", ")")
            else:  # Concept<...> [&& ...]
                while i < len(head) and re.match(r"\w|::|&&|\|\||!", head[i]):
                    i += 1
                    if i < len(head) and head[i] == "<":
                        i = skip_group(head, i, "<", ">")
            continue
        out.append(head[i])
        i += 1
    return out


def declared(head, end):
    """(kind, name) declared by a statement head ending at `end` ('{' or ';')."""
    h = strip_templates(head)
    h = [t for t in h if t not in ("[", "]")]
    if not h:
        return []
    for kw in ("class", "struct"):
        if h[0] == kw or (h[0] in ("enum",) and len(h) > 1 and h[1] == kw):
            at = 2 if h[0] == "enum" else 1
            while at < len(h) and h[at] in ("nodiscard", "alignas"):
                at += 1
            if at < len(h) and re.match(r"[A-Za-z_]\w*$", h[at]):
                rest = at + 1
                if rest < len(h) and h[rest] == "<":  # an explicit specialization
                    rest = skip_group(h, rest, "<", ">")
                follow = h[rest] if rest < len(h) else end
                if follow in ("{", ":", "final", ";") and "=" not in h:
                    return [("enum" if h[0] == "enum" else kw, h[at])]
            return []
    if h[0] == "concept" and len(h) > 1:
        return [("concept", h[1])]
    if h[0] == "using" and len(h) > 2 and h[2] == "=":
        return [("using", h[1])]
    if h[0] in ("using", "namespace", "friend", "static_assert", "typedef", "extern"):
        return []
    if "constexpr" in h and end == "{" and "=" not in h and "(" not in h:  # constexpr T name{...}
        return [("variable", h[-1])]
    if "constexpr" in h and "=" in h and ("(" not in h or h.index("=") < h.index("(")):
        names, depth, i = [], 0, 0
        eq = h.index("=")
        names.append(h[eq - 1])
        for j in range(eq, len(h)):  # further declarators: , name =
            t = h[j]
            if t in "([{<":
                depth += 1
            elif t in ")]}>":
                depth -= 1
            elif t == "," and depth == 0 and j + 2 < len(h) and h[j + 2] == "=":
                names.append(h[j + 1])
        return [("variable", n) for n in names]
    i = 0
    while i < len(h):
        if h[i] == "(":
            prev = h[i - 1] if i else ""
            if prev in KEYWORDS or prev in ("]", "."):  # also sizeof...(Ts)
                i = skip_group(h, i, "(", ")")
                continue
            if re.match(r"[A-Za-z_]\w*$", prev) and not prev.isupper() and (i < 2 or h[i - 2] not in ("operator", "~", ".", "->")):
                return [("function", prev)]
            return []
        if h[i] == "=":
            return []
        i += 1
    return []


def scan(path):
    """Public names of one header: {name: kind}, and {class: {member names}}."""
    raw = open(path, encoding="utf-8").read()
    text = strip(raw)
    names, members = {}, {}
    # Macros the header leaves defined (ZGUARD_SCHEMA, the version numbers).
    for m in re.finditer(r"^\s*#\s*define\s+(ZGUARD_\w+)", raw, re.M):
        if not re.search(r"^\s*#\s*undef\s+%s\b" % m.group(1), raw, re.M):
            names[m.group(1)] = "macro"
    for m in re.finditer(r"^ZGUARD_PATTERN\((\w+),", text, re.M):
        names[m.group(1)] = "struct"
    toks = TOKEN.findall(text)
    stack = []  # (kind, name, public?) kind: ns, class, other
    head = []
    i = 0
    while i < len(toks):
        t = toks[i]
        in_ns = all(k == "ns" for k, _, _ in stack)
        public_ns = in_ns and not any(n == "detail" for _, n, _ in stack) and any(n == "zguard" for _, n, _ in stack)
        in_class = stack and stack[-1][0] == "class"
        cls = stack[-1][1] if in_class else None
        if t == "<" and head and head[-1] == "template":
            j = skip_group(toks, i, "<", ">")
            head += toks[i:j]
            i = j
            continue
        if re.match(r"[A-Z][A-Z0-9_]+$", t) and i + 1 < len(toks) and toks[i + 1] == "(":
            i = skip_group(toks, i + 1, "(", ")")  # a macro call: ZGUARD_PATTERN(...), ZGUARD_SCHEMA(...)
            continue
        if in_class and t in ("public", "private", "protected") and i + 1 < len(toks) and toks[i + 1] == ":":
            stack[-1] = ("class", cls, t == "public")
            head = []
            i += 2
            continue
        if t == "(" and head:  # parameter lists and conditions hold no scope
            j = skip_group(toks, i, "(", ")")
            head += ["(", ")"] if head[-1] not in KEYWORDS else toks[i:j]
            i = j
            continue
        if t in ("{", ";"):
            decl = declared(head, t)
            if public_ns:
                for kind, name in decl:
                    names.setdefault(name, kind)
            elif in_class and stack[-1][2] and (cls in names or cls in FACETS):
                for kind, name in decl:
                    if kind == "function" and name != cls:
                        members.setdefault(cls, set()).add(name)
            if t == "{":
                if head and head[0] in ("namespace", "inline") and "namespace" in head[:2]:
                    nm = [x for x in head if re.match(r"\w+$", x) and x not in ("namespace", "inline")]
                    stack.append(("ns", nm[0] if nm else "", True))
                elif decl and decl[0][0] in ("class", "struct") and (public_ns or (in_ns and decl[0][1] in FACETS)):
                    stack.append(("class", decl[0][1], decl[0][0] == "struct"))
                else:
                    j = skip_group(toks, i, "{", "}")  # body, initializer, enum list, nested class
                    i = j
                    head = []
                    if i < len(toks) and toks[i] == ";":
                        i += 1
                    continue
            head = []
            i += 1
            continue
        if t == "}":
            if stack:
                stack.pop()
            head = []
            i += 1
            continue
        head.append(t)
        i += 1
    return names, members


def extract(doc_path, out_dir):
    """Writes one translation unit per ```cpp block; returns their paths."""
    os.makedirs(out_dir, exist_ok=True)
    lines = open(doc_path, encoding="utf-8").read().split("\n")
    paths, i = [], 0
    while i < len(lines):
        if lines[i].strip() != "```cpp":
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise SystemExit("%s:%d: a ```cpp block is not closed" % (doc_path, i + 1))
        text = '#line %d "%s"\n%s\n' % (i + 2, doc_path, "\n".join(lines[i + 1:end]))
        path = os.path.join(out_dir, "reference_example_%d.cpp" % (len(paths) + 1))
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        paths.append(path)
        i = end + 1
    for f in os.listdir(out_dir):
        if f.startswith("reference_example_") and os.path.join(out_dir, f) not in paths:
            os.remove(os.path.join(out_dir, f))
    if not paths:
        raise SystemExit("%s: no ```cpp blocks" % doc_path)
    return paths


def main():
    root = sys.argv[1]
    if "--extract" in sys.argv:
        print(";".join(extract(os.path.join(root, "docs", "reference.md"), sys.argv[sys.argv.index("--extract") + 1])))
        return 0
    inc = os.path.join(root, "include", "zguard")
    names, members, headers = {}, {}, set()
    for dirpath, dirs, files in os.walk(inc):
        dirs[:] = [d for d in dirs if d != "detail"]
        for f in sorted(files):
            if f.endswith(".hpp"):
                rel = os.path.relpath(os.path.join(dirpath, f), inc)
                headers.add(rel)
                n, m = scan(os.path.join(dirpath, f))
                for k, v in n.items():
                    names.setdefault(k, (v, rel))
                for c, ms in m.items():
                    for x in ms:
                        members.setdefault((c, x), rel)
    if "--list" in sys.argv:
        for k, (v, rel) in sorted(names.items(), key=lambda x: (x[1][1], x[0])):
            print("%-28s %-10s %s" % (rel, v, k))
        for (c, k), rel in sorted(members.items(), key=lambda x: (x[1], x[0])):
            print("%-28s %-10s %s::%s" % (rel, "member", c, k))
        return 0
    doc_path = os.path.join(root, "docs", "reference.md")
    doc = open(doc_path, encoding="utf-8").read()
    # Examples (```cpp) are not entries; signature blocks (```text) are.
    prose = re.sub(r"^```cpp\n.*?^```", "", doc, flags=re.S | re.M)
    words = set()
    for span in re.findall(r"^```[^\n]*\n(.*?)^```|`([^`\n]+)`", prose, flags=re.S | re.M):
        words.update(re.findall(r"[A-Za-z_]\w*", span[0] or span[1]))
    failures = []
    for k, (v, rel) in sorted(names.items(), key=lambda x: (x[1][1], x[0])):
        if k not in words:
            failures.append("docs/reference.md: %s `%s` (include/zguard/%s) is not documented" % (v, k, rel))
    for (c, k), rel in sorted(members.items(), key=lambda x: (x[1], x[0])):
        if k not in words:
            failures.append("docs/reference.md: member function `%s::%s` (include/zguard/%s) is not documented"
                            % (c, k, rel))
    sections = set()
    for line in prose.split("\n"):
        if line.startswith("## "):
            sections.update(re.findall(r"`zguard/([^`]+)`", line))
    for h in sorted(headers):
        if h not in sections and os.path.dirname(h) + "/" not in sections:
            failures.append("docs/reference.md: no `## zguard/%s` section" % h)
    known = set(names) | {k for _, k in members} | set(FACETS)
    for line in re.sub(r"^```.*?^```", "", prose, flags=re.S | re.M).split("\n"):
        if line.startswith("## "):
            for h in re.findall(r"`zguard/([^`]+)`", line):
                if h not in headers and not (h.endswith("/") and os.path.isdir(os.path.join(inc, h))):
                    failures.append("docs/reference.md: section for `zguard/%s`, which does not exist" % h)
        elif line.startswith("### "):
            for span in re.findall(r"`([^`]+)`", line):
                m = re.match(r"(?:\w+::)*(\w+)", span)
                if m and m.group(1) not in known:
                    failures.append("docs/reference.md: heading names `%s`, which no public header declares" % span)
    if failures:
        print("\n".join(failures))
        print("%d problem(s): add the entry to docs/reference.md, or rename/remove the stale one" % len(failures))
        return 1
    print("docs/reference.md covers %d public names and %d member functions" % (len(names), len(members)))
    return 0


sys.exit(main())
