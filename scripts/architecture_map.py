#!/usr/bin/env python3
"""ARCHITECTURE.md's map of modules, derived from the modules themselves:
one row per source file of every crate, its job being the first sentence
of the file's `//!` documentation (each fact written once, in the file it
describes).

    python3 scripts/architecture_map.py           # check: exit 1 if the map is stale
    python3 scripts/architecture_map.py --write   # rewrite the map in ARCHITECTURE.md

The map sits between the two marker lines below in ARCHITECTURE.md. CI runs
the check, so a module added, removed or renamed without its map, or one
whose documentation does not say its job, fails the build.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
BEGIN = "<!-- modules: written by scripts/architecture_map.py from each file's //! text -->"
END = "<!-- end of modules -->"
# Bottom layer first, as the layers diagram reads upwards.
ORDER = ["codec", "transport", "server", "front", "http", "client", "macros", "", "cli", "test-support"]


def first_sentence(path):
    """The first sentence of the file's leading `//!` paragraph, with
    rustdoc's link targets dropped; None when the file has none."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("//!"):
            text = line[3:].strip()
            if not text:
                if lines:
                    break
                continue
            lines.append(text)
        elif lines or (line.strip() and not line.startswith("#![")):
            break
    if not lines:
        return None
    text = " ".join(lines)
    match = re.match(r"(.+?[.])(\s|$)", text)
    sentence = match.group(1) if match else text
    # [`Value`](crate::Value) and [`Value`] read as `Value`.
    sentence = re.sub(r"\[(`[^`]+`)\]\([^)]*\)", r"\1", sentence)
    sentence = re.sub(r"\[(`[^`]+`)\]", r"\1", sentence)
    return sentence.replace("|", "\\|")


def crate_rank(crate):
    suffix = crate[len("xmlrpc-kit-"):] if crate.startswith("xmlrpc-kit-") else ""
    return ORDER.index(suffix) if suffix in ORDER else len(ORDER)


def generated():
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard",
         "crates/*/src/*.rs", "crates/*/src/**/*.rs"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    by_crate = {}
    missing = []
    for name in sorted(files):
        crate, relative = name.split("/", 2)[1:]
        job = first_sentence(ROOT / name)
        if job is None:
            missing.append(name)
            continue
        by_crate.setdefault(crate, []).append((relative, job))
    if missing:
        sys.exit("architecture_map.py: these files say nothing of their job in a //! line: "
                 + ", ".join(missing))
    out = [BEGIN]
    for crate in sorted(by_crate, key=lambda c: (crate_rank(c), c)):
        out += ["", f"### `{crate}`", "", "| file | its job |", "| --- | --- |"]
        out += [f"| `{relative}` | {job} |" for relative, job in by_crate[crate]]
    out += ["", END]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite the map in ARCHITECTURE.md")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        sys.exit(f"architecture_map.py: ARCHITECTURE.md has no map between {BEGIN!r} and {END!r}")
    start = text.index(BEGIN)
    stop = text.index(END) + len(END)
    fresh = text[:start] + generated() + text[stop:]
    if fresh == text:
        return
    if args.write:
        DOC.write_text(fresh, encoding="utf-8")
        return
    sys.exit("architecture_map.py: ARCHITECTURE.md's map of modules is stale (a module was "
             "added, removed, renamed, or its //! text changed): run "
             "python3 scripts/architecture_map.py --write and commit the result")


if __name__ == "__main__":
    main()
