#!/usr/bin/env python3
"""Latency at equal load: every server given the same requests a second
(an open loop: `examples/open_loop.rs` of xmlrpc-kit-test-support), so that
their percentiles compare. The shared benchmark's wrk is a closed loop:
each connection sends its next request when the last is answered, so a
faster server is given more load, and its p99 is measured under it.

    cargo build --release -p xmlrpc-kit-cli -p xmlrpc-kit-test-support --examples --bins
    python3 scripts/open_loop.py --bodies ../shared/bench/workloads --only tiny \\
        --rates 10000,20000,30000 \\
        main='target/release/xmlrpc-kit demo --quiet --port {port}' \\
        dxr='../shared/bench/target/release/dxr-ref-server {port}'

With `--background-mb M`, `--background-clients N` more clients (4 by
default) each echo an M MB document over their own connection, again and
again, for the whole of each load: how much large documents being decoded
and encoded slow the small calls beside them. The first answer is checked
in full before the load starts, and every later one against its bytes.

For each round, body and rate, each server in turn is started (the
command, `{port}` filled in), loaded, and stopped by PID. With no server
named, it loads `target/release/xmlrpc-kit demo`. Bodies are `--bodies DIR`'s
`NAME.xml` files (not `*.response.xml`), or `--body NAME=FILE`, or, with
neither, a two-integer `add` call. Every answer must hold the value of
the body's NAME.response.xml (for the add, 5): a server that answers a
fault or a wrong value is reported as failing, not measured.
"""

import argparse
import csv
import http.client
import json
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import xmlrpc.client

from load_common import add_body_arguments, bodies_from, expected_answer_file, free_port, read_answer, wait_for_port


def large_echo(megabytes):
    """An `echo` call of about `megabytes` MB (structs of every common
    type, a long string with escapes among them) and the value it holds."""
    record = {
        "name": "perf-lab record", "id": 123456789, "score": 3.141592653589793,
        "active": True, "text": "escapes & <angle> \"quotes\", unicode: h\u00e9llo \u2713",
        "tags": ["alpha", "beta", "gamma"],
    }
    sample = [dict(record, id=i) for i in range(100)]
    one = len(xmlrpc.client.dumps((sample,), methodname="echo")) / 100
    value = [dict(record, id=i) for i in range(int(megabytes * 1e6 / one))]
    return xmlrpc.client.dumps((value,), methodname="echo").encode(), value


class Background:
    """`clients` threads echoing `body` to 127.0.0.1:`port` until stopped,
    counting answers and errors. The first answer, got before the threads
    start, must hold `value`; every later one must be that answer's bytes
    (a wrong answer is an error)."""

    def __init__(self, port, body, value, clients):
        self.port, self.body = port, body
        self.stop = threading.Event()
        self.answers = 0
        self.errors = []
        self.lock = threading.Lock()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            self.first = self.echo(conn)
        finally:
            conn.close()
        if read_answer(self.first) != ("value", (value,)):
            raise SystemExit("open_loop.py: the server's echo of the large document answered another value")
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def echo(self, conn):
        conn.request("POST", "/RPC2", self.body, {"Content-Type": "text/xml"})
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return answer

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            while not self.stop.is_set():
                answer = self.echo(conn)
                if answer != self.first:
                    raise RuntimeError(f"an answer of {len(answer)} bytes unlike the first")
                with self.lock:
                    self.answers += 1
        except Exception as error:  # noqa: BLE001 - reported with the run
            if not self.stop.is_set():
                with self.lock:
                    self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()
        return self.answers, self.errors


def load(generator, command, body_file, answer_file, rate, args, background=None):
    port = free_port()
    proc = subprocess.Popen(
        shlex.split(command.replace("{port}", str(port))),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc, 60)
        loaders = Background(port, *background, args.background_clients) if background else None
        done = subprocess.run(
            [generator, f"127.0.0.1:{port}", "/RPC2", body_file, answer_file, str(rate),
             str(args.connections), str(args.seconds), str(args.warmup)],
            capture_output=True,
            text=True,
        )
        echoes, echo_errors = loaders.finish() if loaders else (0, [])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    if not done.stdout.strip():
        raise SystemExit(f"open_loop.py: the load generator failed: {done.stderr}")
    result = json.loads(done.stdout)
    result["stderr"] = done.stderr.strip()
    result["echoes"] = echoes
    if echo_errors:
        result["errors"] += len(echo_errors)
        result["stderr"] = "; ".join([result["stderr"]] * bool(result["stderr"]) + echo_errors)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="*", help="NAME='command with {port}'")
    add_body_arguments(parser)
    parser.add_argument("--rates", default="10000,20000", help="requests a second, comma-separated")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--generator", default="target/release/examples/open_loop")
    parser.add_argument("--csv", help="also write every run here")
    parser.add_argument("--background-mb", type=float,
                        help="meanwhile, clients echo a document of this many MB continuously")
    parser.add_argument("--background-clients", type=int, default=4)
    args = parser.parse_args()
    servers = [s.partition("=")[::2] for s in args.servers] or [
        ("main", "target/release/xmlrpc-kit demo --quiet --port {port}")
    ]
    rates = [float(r) for r in args.rates.split(",")]
    background = large_echo(args.background_mb) if args.background_mb else None
    rows = []
    failed = False
    with tempfile.TemporaryDirectory() as workdir:
        for round_ in range(1, args.rounds + 1):
            for workload, body_file in bodies_from(args, workdir):
                answer_file = expected_answer_file(body_file, workdir)
                for rate in rates:
                    for name, command in servers:
                        r = load(args.generator, command, body_file, answer_file, rate, args, background)
                        rows.append((round_, workload, rate, name, r))
                        failed |= r["errors"] > 0
                        print(
                            f"round {round_} {workload:9s} {rate:8.0f}/s {name:10s} "
                            f"reached {r['rate']:8.0f}/s  p50 {r['p50_ms']:7.2f}  p90 {r['p90_ms']:7.2f}  "
                            f"p99 {r['p99_ms']:7.2f}  p99.9 {r['p999_ms']:7.2f}  max {r['max_ms']:7.2f} ms  "
                            f"errors {r['errors']}" + (f"  echoes {r['echoes']}" if background else "") + (f"  ({r['stderr']})" if r["stderr"] else ""),
                            flush=True,
                        )
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["round", "workload", "offered", "server", "rate", "requests", "errors",
                        "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "large_echoes"])
            for round_, workload, rate, name, r in rows:
                w.writerow([round_, workload, round(rate), name, r["rate"], r["requests"], r["errors"],
                            r["p50_ms"], r["p90_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"], r["echoes"]])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
