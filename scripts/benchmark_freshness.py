#!/usr/bin/env python3
"""Checks that the figures in benchmarks/ were measured after the last
change to the code they measure: each figure file names the folders
whose changes make it stale, and from the commit that last changed the
file to HEAD no line of code in those folders may have changed (comments
and documentation may).

    python3 scripts/benchmark_freshness.py

Run by .ci/run. A stale file is reported with the command that measures it
again (BENCHMARKS.md has each in full); the exit status is 1.
"""

import subprocess
import sys

REQUEST_PATH = [
    "crates/xmlrpc-kit-codec/src",
    "crates/xmlrpc-kit-server/src",
    "crates/xmlrpc-kit-front/src",
    "crates/xmlrpc-kit-http/src",
]

# (figures, what they measure, the command that measures them again)
FIGURES = [
    (
        "benchmarks/instructions.csv",
        REQUEST_PATH,
        "python3 scripts/instructions.py --bodies $B/workloads ... --csv benchmarks/instructions.csv "
        "(BENCHMARKS.md, \"Instructions per request\")",
    ),
    (
        "benchmarks/json-rpc.csv",
        REQUEST_PATH,
        "python3 scripts/instructions.py --json-rpc --bodies $B/workloads --only tiny,struct ... "
        "--csv benchmarks/json-rpc.csv (BENCHMARKS.md, \"JSON-RPC beside XML-RPC\")",
    ),
    (
        "benchmarks/codec-after.csv",
        ["crates/xmlrpc-kit-codec/src"],
        "cargo bench -p xmlrpc-kit-codec --bench codec, then scripts/codec_table.py "
        "(BENCHMARKS.md, \"The codec alone\")",
    ),
]


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def last_commit(path):
    return git("log", "-1", "--format=%H", "--", path)



def code_changed(since, path):
    """The first changed line of code (not a comment, not blank) under
    `path` from commit `since` to HEAD, or None: a change to comments and
    documentation alone leaves the figures as they were."""
    diff = git("diff", "-U0", since, "HEAD", "--", path)
    for line in diff.splitlines():
        if line.startswith(("+++", "---")) or not line.startswith(("+", "-")):
            continue
        text = line[1:].strip()
        if text and not text.startswith("//"):
            return line
    return None


def main():
    try:
        if git("rev-parse", "--is-shallow-repository") == "true":
            print("benchmark_freshness.py: a shallow clone has too little history to tell; "
                  "run it in a full clone", file=sys.stderr)
            return 1
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"benchmark_freshness.py: not a git checkout ({error}); cannot tell", file=sys.stderr)
        return 1
    stale = 0
    for figures, measured, command in FIGURES:
        measured_at = last_commit(figures)
        if not measured_at:
            print(f"{figures}: not in the repository's history", file=sys.stderr)
            stale += 1
            continue
        for path in measured:
            changed = code_changed(measured_at, path)
            if changed:
                print(f"{figures} is older than a change to the code in {path} ({changed[:100]!r}): "
                      f"measure it again: {command}", file=sys.stderr)
                stale += 1
        if stale == 0:
            print(f"{figures}: recorded at {measured_at[:7]}; the code in "
                  f"{', '.join(measured)} has not changed since (comments aside)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
