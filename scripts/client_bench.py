#!/usr/bin/env python3
"""What an XML-RPC client costs: calls a second, user-space instructions
per call and peak memory of each client, making the same calls to a
canned-answer server (`examples/ceiling.rs` of xmlrpc-kit-test-support:
it reads each request and answers the workload's response bytes, parsing
nothing), so that the client's work is what differs.

    cargo build --release -p xmlrpc-kit-test-support --example client_bench --example ceiling
    (cd benchmarks/client-peers && cargo build --release)
    python3 scripts/client_bench.py --bodies ../shared/bench/workloads --csv client.csv

The clients, each in one or more modes (`--clients` keeps some):

- `ours`: our async client, 1 and 64 calls at a time over keep-alive
  connections (`async-1`, `async-64`), and our blocking client shared by
  8 threads (`blocking-8`) (`examples/client_bench.rs`);
- `hyper`: the floor, a bare hyper-util client posting the workload's
  bytes and reading the whole answer (`async-1`, `async-64`);
- `dxr`: dxr_client 0.9 (`async-1`, `async-64`), and `xmlrpc`: the
  `xmlrpc` crate 0.15 (`threads-1`, `threads-8`), from
  `benchmarks/client-peers/`;
- `python`: Python's `xmlrpc.client.ServerProxy`, a proxy a thread
  (`threads-1`, `threads-8`).

Each call is the client's typed call with the parameters of the body
(decoded once at the start); every answer must hold the value of the
body's NAME.response.xml (for the built-in add, 5): a wrong answer or a
failure stops the run. For each workload the server is started on a port
of 127.0.0.1, and stopped by its PID. Calls a second: the median of
`--repeat` interleaved runs, after each connection's first call.
Instructions per call: the client run under valgrind's callgrind with N
and with 2N calls, the difference divided by N, so that start-up, the
first calls and the exit cancel (the kernel's share is not counted). Peak
RSS: the client process's own (VmHWM), from its wall-clock runs (the
most of them).

Bodies are `--bodies DIR`'s NAME.xml files (not `*.response.xml`), or
`--body NAME=FILE`, or, with neither, a two-integer `add` call.
"""

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

from load_common import add_body_arguments, bodies_from, expected_answer_file, free_port, wait_for_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (client, mode, program key, program's mode argument, concurrency)
CELLS = [
    ("ours", "async-1", "ours", "async", 1),
    ("ours", "async-64", "ours", "async", 64),
    ("ours", "blocking-8", "ours", "blocking", 8),
    ("hyper", "async-1", "ours", "hyper", 1),
    ("hyper", "async-64", "ours", "hyper", 64),
    ("dxr", "async-1", "peers", "dxr", 1),
    ("dxr", "async-64", "peers", "dxr", 64),
    ("xmlrpc", "threads-1", "peers", "xmlrpc", 1),
    ("xmlrpc", "threads-8", "peers", "xmlrpc", 8),
    ("python", "threads-1", "python", "threads", 1),
    ("python", "threads-8", "python", "threads", 8),
]


def program(key, args):
    """The argv prefix that runs a client program."""
    if key == "ours":
        return [args.client_bench]
    if key == "peers":
        return [args.peers]
    # The interpreter itself (not a wrapper script such as pyenv's shim):
    # callgrind counts the process it starts.
    return [os.path.realpath(sys.executable), os.path.join(ROOT, "benchmarks/client-peers/python_client.py")]


def run_client(argv, workdir):
    """Runs a client to its end: its JSON (with its own peak RSS, which
    it reads from /proc/self/status: what wait4 reports is at least this
    script's size, as the child was forked from it)."""
    err_path = os.path.join(workdir, "client.err")
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
        out, _ = proc.communicate()
    with open(err_path, "rb") as f:
        stderr = f.read().decode(errors="replace").strip()
    if proc.returncode != 0 or not out.strip():
        raise SystemExit(f"client_bench.py: {' '.join(argv)} failed ({proc.returncode}): {stderr[-2000:]}")
    return json.loads(out)


def instructions(argv, workdir):
    """The user-space instructions of a whole run under callgrind."""
    out = os.path.join(workdir, "callgrind.out")
    if os.path.exists(out):
        os.remove(out)
    run_client(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv, workdir)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"client_bench.py: no total in {out}")


def default_calls(body, answer):
    """Calls for a wall-clock run: about 40 MB of requests and answers,
    from 20 to 20,000."""
    return max(20, min(20000, 40_000_000 // (len(body) + len(answer))))


def default_instruction_calls(body, answer):
    """N for the instruction count (N and 2N calls): about 2 MB, 2 to 2,000."""
    return max(2, min(2000, 2_000_000 // (len(body) + len(answer))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_body_arguments(parser)
    parser.add_argument("--clients", default="ours,hyper,dxr,xmlrpc,python",
                        help="comma-separated: ours, hyper, dxr, xmlrpc, python")
    parser.add_argument("--calls", type=int, help="calls a wall-clock run (default: by the body's size)")
    parser.add_argument("--instruction-calls", type=int,
                        help="N of the instruction count's N and 2N calls (default: by the body's size)")
    parser.add_argument("--no-instructions", action="store_true", help="skip the counts under callgrind")
    parser.add_argument("--repeat", type=int, default=1, help="wall-clock runs a cell (the median is shown)")
    parser.add_argument("--bin-dir", default=os.path.join(ROOT, "target/release/examples"),
                        help="where client_bench and ceiling are")
    parser.add_argument("--peers", default=os.path.join(ROOT, "benchmarks/client-peers/target/release/client-peers"))
    parser.add_argument("--csv", help="also write the figures here")
    args = parser.parse_args()
    args.client_bench = os.path.join(args.bin_dir, "client_bench")
    ceiling = os.path.join(args.bin_dir, "ceiling")
    wanted = args.clients.split(",")
    cells = [c for c in CELLS if c[0] in wanted]
    if not cells:
        raise SystemExit(f"client_bench.py: no client among {args.clients}")
    needed = {args.client_bench, ceiling} | ({args.peers} if any(c[2] == "peers" for c in cells) else set())
    for path in needed:
        if not os.access(path, os.X_OK):
            raise SystemExit(f"client_bench.py: {path} is not built (see --help)")
    if not args.no_instructions and not shutil.which("valgrind"):
        raise SystemExit("client_bench.py: needs valgrind (Debian: apt-get install valgrind), or --no-instructions")

    rows = []
    # Written a row at a time, so that a run stopped early keeps what it measured.
    out = open(args.csv, "w", newline="") if args.csv else None
    table = csv.writer(out) if out else None
    if table:
        table.writerow(["workload", "client", "mode", "calls_per_s", "instructions_per_call", "peak_rss_mib",
                        "calls", "instruction_calls"])
    with tempfile.TemporaryDirectory() as workdir:
        for workload, body_file in bodies_from(args, workdir):
            answer_file = expected_answer_file(body_file, workdir)
            with open(body_file, "rb") as f:
                body = f.read()
            with open(answer_file, "rb") as f:
                answer = f.read()
            calls = args.calls or default_calls(body, answer)
            n = args.instruction_calls or default_instruction_calls(body, answer)
            port = free_port()
            server = subprocess.Popen([ceiling, str(port), answer_file],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for_port(port, server, 30)
                url = f"http://127.0.0.1:{port}/RPC2"

                def argv(cell, count, concurrency):
                    _, _, key, mode, _ = cell
                    return program(key, args) + [mode, url, body_file, answer_file, str(count), str(concurrency)]

                rates = {cell: [] for cell in cells}
                rss = dict.fromkeys(cells, 0)
                for _ in range(args.repeat):
                    for cell in cells:
                        result = run_client(argv(cell, calls, cell[4]), workdir)
                        rates[cell].append(result["calls_per_s"])
                        rss[cell] = max(rss[cell], result["peak_rss_kib"])
                for cell in cells:
                    per_call = None
                    if not args.no_instructions:
                        # At most as many at a time as there are calls.
                        at_once = min(cell[4], n)
                        one = instructions(argv(cell, n, at_once), workdir)
                        two = instructions(argv(cell, 2 * n, at_once), workdir)
                        per_call = (two - one) / n
                    rate = statistics.median(rates[cell])
                    rows.append((workload, cell[0], cell[1], rate, per_call, rss[cell], calls, n))
                    if table:
                        table.writerow([workload, cell[0], cell[1], round(rate, 1),
                                        "" if per_call is None else round(per_call), round(rss[cell] / 1024, 1), calls, n])
                        out.flush()
                    shown = f"{per_call:14,.0f}" if per_call is not None else f"{'-':>14s}"
                    print(f"{workload:10s} {cell[0]:7s} {cell[1]:11s} {rate:10,.0f} calls/s {shown} instructions/call "
                          f"{rss[cell] / 1024:7.1f} MiB peak RSS", flush=True)
            finally:
                server.send_signal(signal.SIGKILL)
                server.wait()

    if out:
        out.close()
    # Each figure beside the floor's (hyper, one call at a time) and ours.
    print("\nworkload   client  mode          calls/s  / ours async-1   instructions/call  / hyper async-1   peak RSS MiB")
    by = {(w, c, m): (r, i) for w, c, m, r, i, *_ in rows}
    for workload, client, mode, rate, per_call, peak, *_ in rows:
        ours = by.get((workload, "ours", "async-1"))
        floor = by.get((workload, "hyper", "async-1"))
        to_ours = f"{rate / ours[0]:.2f}x" if ours else "-"
        count = f"{per_call:,.0f}" if per_call is not None else "-"
        to_floor = f"{per_call / floor[1]:.2f}x" if floor and floor[1] and per_call is not None else "-"
        print(f"{workload:10s} {client:7s} {mode:11s} {rate:10,.0f}   {to_ours:>12s}   {count:>17s}   "
              f"{to_floor:>14s}   {peak / 1024:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
