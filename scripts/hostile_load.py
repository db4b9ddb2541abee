#!/usr/bin/env python3
"""What hostile requests cost a running server: its memory and whether
everyone else is still answered.

Starts a server command (`{port}` in it is replaced by a free port) and
runs, one after the other:

  amplify      CONNECTIONS connections each send a small gzip request
               (an `echo` of ITEMS empty values, `<value/>`, answered as
               32 bytes each: ~32 MB from ~12 KB at the default 999,000)
               and never read the answer.
  header-only  HEADERS connections each send a request head declaring a
               20 MiB body and nothing more.
  big-bodies   BIG clients at once each send an `echo` of an 18 MB string
               (more than the body budget holds together, at the default
               64) and then read: each must read its answer, the echo or a
               503 with `Retry-After`, not a reset connection. Bodies past
               the budget wait in line for it first (10 s at most by
               default); an answer a client is slow to read holds its
               request's share meanwhile. (The clients read slowly: they
               gather each answer by concatenating bytes.)

--only NAME runs one of them (the others' checks are skipped).

During the first two, normal calls (`add(2, 3)` on new connections) must
be answered correctly within --max-call-seconds. The server's peak resident
memory (VmHWM) must stay within --max-peak-mib, after the first scenario
and over the whole run; its resident memory after the load (all
connections closed) is reported beside its idle figure, and checked when
--max-after-ratio is given. Prints one line per scenario and exits non-zero
on a failed check.

    python3 scripts/hostile_load.py 'target/release/xmlrpc-kit demo --quiet --port {port}'
"""

import argparse
import gzip
import os
import shlex
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_common import free_port, wait_for_port  # noqa: E402

ADD = (
    b'<?xml version="1.0"?><methodCall><methodName>add</methodName><params>'
    b"<param><value><int>2</int></value></param><param><value><int>3</int>"
    b"</value></param></params></methodCall>"
)


def memory_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} for process {pid}")


def post(body, extra=b""):
    return (
        b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def amplifying_request(items):
    body = (
        b'<?xml version="1.0"?><methodCall><methodName>echo</methodName><params>'
        b"<param><value><array><data>"
        + b"<value/>" * items
        + b"</data></array></value></param></params></methodCall>"
    )
    return post(gzip.compress(body, 9), b"Content-Encoding: gzip\r\n")


def read_answer(sock):
    """The status and body of one HTTP response on `sock`."""
    status, _, body = read_response(sock)
    return status, body


def read_response(sock):
    """The status, header lines (lower case) and body of one HTTP response
    on `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError(f"connection closed after {len(data)} bytes")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed in the body")
        body += chunk
    return status, [line.lower() for line in lines[1:]], body


def normal_call(port):
    """Seconds an `add(2, 3)` took on a new connection; fails if it was
    not answered 5 within 5 s."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(post(ADD))
        status, body = read_answer(s)
    took = time.monotonic() - started
    if status != 200 or b"<int>5</int>" not in body:
        raise SystemExit(f"a normal call was answered {status}: {body[:200]!r}")
    return took


def small_window_connection(port):
    s = socket.socket()
    # A small receive window: an unread answer stays with the server.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    return s


def amplify(port, pid, connections, items, settle):
    request = amplifying_request(items)
    opened = []
    slowest = 0.0
    for i in range(connections):
        s = small_window_connection(port)
        s.sendall(request)
        opened.append(s)
        if i % 10 == 9:
            slowest = max(slowest, normal_call(port))
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        slowest = max(slowest, normal_call(port))
        time.sleep(0.2)
    peak = memory_kib(pid, "VmHWM")
    during = memory_kib(pid, "VmRSS")
    for s in opened:
        s.close()
    return len(request), slowest, peak, during


def header_only(port, headers, settle):
    opened = []
    for _ in range(headers):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20971520\r\n\r\n")
        opened.append(s)
    time.sleep(0.2)
    slowest = 0.0
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        slowest = max(slowest, normal_call(port))
        time.sleep(0.1)
    for s in opened:
        s.close()
    return slowest


def big_bodies(port, clients, size):
    """Counts of (echoed, 503, failed) for `clients` concurrent `echo`s of
    a `size`-byte string, each sent whole before its answer is read."""
    import threading

    text = b"e" * size
    body = (
        b'<?xml version="1.0"?><methodCall><methodName>echo</methodName><params>'
        b"<param><value><string>" + text + b"</string></value></param></params></methodCall>"
    )
    request = post(body)
    outcomes = []

    def one():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
                s.sendall(request)
                status, headers, answer = read_response(s)
            if status == 200 and len(answer) > size and text[:1000] in answer:
                outcomes.append("echoed")
            elif status == 503 and any(h.startswith(b"retry-after:") for h in headers):
                outcomes.append("503")
            else:
                outcomes.append(f"status {status}")
        except OSError as e:
            outcomes.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = [o for o in outcomes if o not in ("echoed", "503")]
    return outcomes.count("echoed"), outcomes.count("503"), failed


def amplify_checks(pid, port, args, idle, failed):
    """Runs the amplify scenario, prints its line and adds its failed
    checks to `failed`."""
    sent, slowest, peak, during = amplify(port, pid, args.connections, args.items, args.settle)
    time.sleep(2)
    after = memory_kib(pid, "VmRSS")
    print(
        f"amplify: {args.connections} connections x {sent} bytes sent, unread; "
        f"slowest normal call {slowest * 1000:.0f} ms; RSS idle {idle / 1024:.1f} MiB, "
        f"during {during / 1024:.1f}, peak {peak / 1024:.1f}, after {after / 1024:.1f} MiB"
    )
    if peak / 1024 > args.max_peak_mib:
        failed.append(f"peak RSS {peak / 1024:.1f} MiB > {args.max_peak_mib}")
    if args.max_after_ratio and after > idle * args.max_after_ratio:
        failed.append(f"RSS after {after / 1024:.1f} MiB > {args.max_after_ratio} x idle {idle / 1024:.1f}")
    if slowest > args.max_call_seconds:
        failed.append(f"a normal call took {slowest:.2f} s during amplify")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", help="the server, with {port}")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--items", type=int, default=999_000)
    parser.add_argument("--headers", type=int, default=26)
    parser.add_argument("--big", type=int, default=64, help="concurrent 18 MB echoes")
    parser.add_argument("--big-bytes", type=int, default=18_000_000)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of normal calls after each load")
    parser.add_argument("--max-peak-mib", type=float, default=512)
    parser.add_argument("--max-after-ratio", type=float, help="RSS after / idle RSS must stay below this")
    parser.add_argument("--max-call-seconds", type=float, default=1.0)
    parser.add_argument("--only", choices=["amplify", "header-only", "big-bodies"], help="run this scenario alone")
    args = parser.parse_args()

    def runs(name):
        return args.only in (None, name)

    port = free_port()
    proc = subprocess.Popen(shlex.split(args.command.replace("{port}", str(port))), stdout=subprocess.DEVNULL)
    failed = []
    try:
        wait_for_port(port, proc, 60)
        normal_call(port)
        idle = memory_kib(proc.pid, "VmRSS")
        if runs("amplify"):
            amplify_checks(proc.pid, port, args, idle, failed)
        if runs("header-only"):
            slowest = header_only(port, args.headers, args.settle)
            print(f"header-only: {args.headers} heads declaring 20 MiB; slowest normal call {slowest * 1000:.0f} ms")
            if slowest > args.max_call_seconds:
                failed.append(f"a normal call took {slowest:.2f} s during header-only")
        if runs("big-bodies"):
            started = time.monotonic()
            echoed, busy, broken = big_bodies(port, args.big, args.big_bytes)
            print(
                f"big-bodies: {args.big} echoes of {args.big_bytes} bytes at once: {echoed} echoed, "
                f"{busy} answered 503 with Retry-After, {len(broken)} failed, "
                f"in {time.monotonic() - started:.1f} s"
            )
            if broken:
                failed.append(f"big-bodies: {len(broken)} clients did not read an answer, e.g. {broken[0]}")
        peak = memory_kib(proc.pid, "VmHWM")
        print(f"peak RSS over the whole run: {peak / 1024:.1f} MiB")
        if peak / 1024 > args.max_peak_mib:
            failed.append(f"peak RSS {peak / 1024:.1f} MiB > {args.max_peak_mib} by the end")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    for f in failed:
        print(f"hostile_load: {f}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
