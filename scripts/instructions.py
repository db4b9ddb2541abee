#!/usr/bin/env python3
"""User-space instructions a server executes per request, counted by
valgrind's callgrind: a figure that does not move with what else the
machine is doing (wall-clock benchmarks on a shared host move by 15-30%
from run to run; this one by well under 1%).

Each server is started under `valgrind --tool=callgrind`; one keep-alive
connection sends it the workload's body as wrk does (the same request
head as ../shared/bench's wrk script), `--warmup` times, then the counters
are zeroed, the body sent `--requests` times, the counters dumped and the
server stopped (by PID). Every answer must be `200` and hold the value
of the workload's NAME.response.xml (for the built-in add, 5): a fault or
a wrong value stops the run, so no wrong answer is measured. The kernel's share (the socket calls, the scheduler)
is not counted: callgrind sees only the process.

    python3 scripts/instructions.py --bodies ../shared/bench/workloads \\
        main='target/release/xmlrpc-kit demo --quiet --port {port}' \\
        ceiling='../shared/bench/servers/ceiling/run.sh {port}'

With no server named, it measures `target/release/xmlrpc-kit demo`. Bodies
are `--bodies DIR`'s `NAME.xml` files (not `*.response.xml`), or
`--body NAME=FILE`, or, with neither, a two-integer `add` call. Each
figure is also given as a ratio to the server named `ceiling`'s (if one
is) and to the first server's. `--json-rpc` sends each body as the
JSON-RPC 2.0 call it makes instead (`application/json`), each answer
checked against the same value in its JSON form.
"""

import argparse
import csv
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from load_common import (  # noqa: E402
    AnswerCheck,
    JsonAnswerCheck,
    json_rpc_body,
    add_body_arguments,
    bodies_from,
    expected_answer_file,
    free_port,
    wait_for_port,
)


def request_bytes(port, body, content_type="text/xml"):
    head = (
        f"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
        f"User-Agent: perf-lab-wrk\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Connection:
    """A keep-alive HTTP/1.1 connection that checks every answer, and
    connects again when a server closes it (HTTP/1.0 servers do, after
    each answer)."""

    def __init__(self, port, body, answers, content_type="text/xml"):
        self.port = port
        self.request = request_bytes(port, body, content_type)
        self.answers = answers
        self.sock = None

    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=300)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def call(self, times):
        for _ in range(times):
            if self.sock is None:
                self.connect()
            self.sock.sendall(self.request)
            status = self.reader.readline()
            if b" 200 " not in status:
                raise SystemExit(f"instructions.py: answer {status!r}, not 200")
            length = None
            closes = status.startswith(b"HTTP/1.0")
            while True:
                line = self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    closes = value.strip().lower() == b"close"
            answer = self.reader.read(length) if length is not None else self.reader.read()
            wrong = self.answers.check(answer)
            if wrong:
                raise SystemExit(f"instructions.py: {wrong}")
            if closes or length is None:
                self.close()

    def close(self):
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
            self.sock = None


def count(command, body, answers, warmup, requests, workdir, content_type="text/xml"):
    """Instructions per request of `command` ({port} filled in) on `body`."""
    port = free_port()
    out = os.path.join(workdir, "callgrind.out")
    for stale in glob.glob(out + "*"):
        os.remove(stale)
    # The server's own program, not a script that starts it: valgrind
    # measures the process it starts, not its children.
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    argv += shlex.split(command.replace("{port}", str(port)))
    # The server's log goes to a file, as a server's would: a pipe nobody
    # reads would hold up a server that writes its log in place, and stop
    # a log writer thread's work from being counted.
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    try:
        wait_for_port(port, proc, 120)
        conn = Connection(port, body, answers, content_type)
        conn.call(warmup)
        control(proc.pid, "-z")
        conn.call(requests)
        control(proc.pid, "-d")
        conn.close()
        total = dumped_total(out)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return total / requests


def dumped_total(out, seconds=30):
    """The instruction total of the dump `callgrind_control -d` asked for
    (files `out.N`; `out` itself is written only at exit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in glob.glob(out + ".*"):
            with open(path) as f:
                for line in f:
                    if line.startswith(("summary:", "totals:")):
                        return int(line.split()[1])
        time.sleep(0.2)
    raise SystemExit(f"instructions.py: no callgrind dump with a total after {seconds} s")


def control(pid, flag):
    done = subprocess.run(["callgrind_control", flag, str(pid)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"instructions.py: callgrind_control {flag} failed: {done.stderr}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="*", help="NAME='command with {port}'")
    add_body_arguments(parser)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--csv", help="also write the figures here")
    parser.add_argument(
        "--json-rpc",
        action="store_true",
        help="send each body as the JSON-RPC 2.0 call it makes (application/json), "
        "and check each answer's result against the XML-RPC answer's value",
    )
    args = parser.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise SystemExit("instructions.py: needs valgrind (Debian: apt-get install valgrind)")
    servers = [s.partition("=")[::2] for s in args.servers] or [
        ("main", "target/release/xmlrpc-kit demo --quiet --port {port}")
    ]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for workload, path in bodies_from(args, workdir):
            with open(path, "rb") as f:
                body = f.read()
            answers = AnswerCheck(expected_answer_file(path, workdir))
            content_type = "text/xml"
            if args.json_rpc:
                body = json_rpc_body(body)
                answers = JsonAnswerCheck(expected_answer_file(path, workdir))
                content_type = "application/json"
            for name, command in servers:
                per_request = count(
                    command, body, answers, args.warmup, args.requests, workdir, content_type
                )
                rows.append((workload, name, per_request))
                print(f"{workload:10s} {name:12s} {per_request:12,.0f} instructions/request", flush=True)
    # Each figure against the ceiling's (the HTTP layer alone) and the
    # first server's (ours, when named first) on the same workload.
    first = servers[0][0]
    by = {(w, s): n for w, s, n in rows}
    print(f"\nworkload   server       instructions/request   / ceiling's   / {first}'s")
    for workload, name, n in rows:
        ceiling = by.get((workload, "ceiling"))
        to_ceiling = f"{n / ceiling:.2f}x" if ceiling else "-"
        print(f"{workload:10s} {name:12s} {n:20,.0f}   {to_ceiling:>10s}   {n / by[(workload, first)]:.2f}x")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["workload", "server", "instructions_per_request", "requests"])
            for workload, name, n in rows:
                w.writerow([workload, name, round(n), args.requests])


if __name__ == "__main__":
    sys.exit(main())
