#!/usr/bin/env python3
"""docs/architecture.md maps every header of include/zguard/, and names none
that is gone.

A header is mapped when its path (relative to include/zguard/, a glob such as
`impl/*.ipp` allowed) is written in backquotes in the "Header map" section.
The headers of socket/ and pipeline/ may be named by their file name alone
in the section that describes that folder ("How a socket type is assembled",
"Pipelines"). Every backquoted name ending in .hpp or .ipp in those sections
must match a file. Usage: check_architecture_map.py SOURCE_DIR
"""
import fnmatch
import pathlib
import re
import sys

# folder -> the section that may name its headers by file name alone
FOLDER_SECTIONS = {
    "socket": "How a socket type is assembled",
    "pipeline": "Pipelines",
}
MAP_SECTION = "Header map"


def sections(text):
    """{heading: body} of the '## ' sections."""
    out, name, body = {}, None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if name is not None:
                out[name] = "\n".join(body)
            name, body = line[3:].strip(), []
        elif name is not None:
            body.append(line)
    if name is not None:
        out[name] = "\n".join(body)
    return out


def header_names(body):
    """Backquoted names of headers in a section, `zguard/` and <> stripped."""
    names = set()
    for token in re.findall(r"`([^`\s]+)`", body):
        token = token.strip("<>")
        if token.startswith("zguard/"):
            token = token[len("zguard/"):]
        if token.startswith("include/zguard/"):
            token = token[len("include/zguard/"):]
        if token.endswith((".hpp", ".ipp")):
            names.add(token)
    return names


def check(root):
    include = root / "include" / "zguard"
    files = sorted(str(p.relative_to(include)) for p in include.rglob("*") if p.suffix in (".hpp", ".ipp"))
    doc = sections((root / "docs" / "architecture.md").read_text())
    problems = []
    for needed in [MAP_SECTION, *FOLDER_SECTIONS.values()]:
        if needed not in doc:
            problems.append(f"docs/architecture.md has no section '## {needed}'")
    if problems:
        return problems
    in_map = header_names(doc[MAP_SECTION])
    by_folder = {folder: header_names(doc[section]) for folder, section in FOLDER_SECTIONS.items()}

    def matches(name, path):
        return fnmatch.fnmatchcase(path, name)

    for path in files:
        folder, _, base = path.rpartition("/")
        named = any(matches(n, path) for n in in_map)
        if not named and folder in by_folder:
            named = any(matches(n, base) or matches(n, path) for n in by_folder[folder])
        if not named:
            where = f"'{MAP_SECTION}'" + (f" or '{FOLDER_SECTIONS[folder]}'" if folder in FOLDER_SECTIONS else "")
            problems.append(f"include/zguard/{path} is not in docs/architecture.md ({where})")
    for name in sorted(in_map):
        if not any(matches(name, p) for p in files):
            problems.append(f"docs/architecture.md '{MAP_SECTION}' names `{name}`, which is not in include/zguard/")
    for folder, names in by_folder.items():
        for name in sorted(names):
            if not any(matches(name, p) or matches(name, p.rpartition("/")[2]) and p.startswith(folder + "/")
                       for p in files):
                problems.append(f"docs/architecture.md '{FOLDER_SECTIONS[folder]}' names `{name}`, "
                                f"which is not in include/zguard/ nor include/zguard/{folder}/")
    return problems


def main():
    root = pathlib.Path(sys.argv[1])
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s): keep the header map of docs/architecture.md true to include/zguard/")
        return 1
    print("docs/architecture.md maps every header of include/zguard/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
