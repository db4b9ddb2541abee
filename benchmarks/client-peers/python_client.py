#!/usr/bin/env python3
"""Python's xmlrpc.client, measured by scripts/client_bench.py beside the
other clients, with their arguments:

    python3 python_client.py threads URL BODY_FILE ANSWER_FILE CALLS THREADS

BODY_FILE (a <methodCall>) is read once with xmlrpc.client.loads; then
THREADS threads, each with its own ServerProxy (one is not safe to share;
its Transport keeps its connection alive between calls), call the method
with those parameters until CALLS calls are made. Every answer must equal
ANSWER_FILE's value, or the run stops with exit status 1. The first call
of each thread opens its connection and is not timed. Prints one line of
JSON: calls, seconds, calls a second.
"""

import json
import sys
import threading
import time
import xmlrpc.client


def peak_rss_kib():
    """This process's peak resident memory in KiB (Linux's VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    if len(sys.argv) != 7 or sys.argv[1] != "threads":
        print("usage: python_client.py threads URL BODY_FILE ANSWER_FILE CALLS THREADS", file=sys.stderr)
        return 2
    _, _, url, body_file, answer_file, calls, threads = sys.argv
    calls, threads = int(calls), int(threads)
    with open(body_file, "rb") as f:
        params, method = xmlrpc.client.loads(f.read(), use_builtin_types=True)
    with open(answer_file, "rb") as f:
        (expected,), _ = xmlrpc.client.loads(f.read(), use_builtin_types=True)

    left = [calls]
    lock = threading.Lock()
    failures = []

    def take():
        with lock:
            if left[0] == 0 or failures:
                return False
            left[0] -= 1
            return True

    proxies = [xmlrpc.client.ServerProxy(url, use_builtin_types=True) for _ in range(threads)]

    def call(proxy):
        try:
            got = getattr(proxy, method)(*params)
        except Exception as error:  # noqa: BLE001 - any failure stops the run
            failures.append(f"{type(error).__name__}: {error}")
            return False
        if got != expected:
            failures.append(f"a wrong answer: {str(got)[:200]}")
            return False
        return True

    def worker(proxy, timed):
        if not timed:
            call(proxy)
            return
        while take():
            if not call(proxy):
                return

    def run(timed):
        workers = [threading.Thread(target=worker, args=(p, timed)) for p in proxies]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    run(False)
    start = time.perf_counter()
    run(True)
    seconds = time.perf_counter() - start
    if failures:
        print(f"python_client.py: {failures[0]}", file=sys.stderr)
        return 1
    print(json.dumps({"client": "python", "calls": calls, "concurrency": threads,
                      "seconds": round(seconds, 6), "calls_per_s": round(calls / seconds, 1), "peak_rss_kib": peak_rss_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
