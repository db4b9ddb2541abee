#!/usr/bin/env python3
"""Python's xmlrpc.client codec on the bodies the codec benchmark wrote.

Usage: CODEC_BODIES_DIR=DIR cargo bench -p xmlrpc-kit-codec --bench codec -- --test
       python3 scripts/codec_py.py DIR

For each DIR/*.xml (a methodCall): pyexpat reading it with no callbacks
(the C tokeniser floor), xmlrpc.client.loads (MiB/s of request) and dumps of
its first parameter as a response (MiB/s of response), the best of 5 batches
of at least 0.2 s each. One thread, no HTTP: the same measures as
crates/xmlrpc-kit-codec/benches/codec.rs.
"""
import os
import sys
import time
import xml.parsers.expat
import xmlrpc.client


def best_seconds(fn, batch=0.2):
    fn()
    n, spent = 1, 0.0
    while spent < batch / 4:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        spent = time.perf_counter() - t0
        n *= 2
    n = max(1, int(n * batch / max(spent, 1e-9)))
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def mib_per_s(size, seconds):
    return size / seconds / (1 << 20)


def main(folder):
    print("%-22s %12s %12s %12s" % ("body", "expat MiB/s", "loads MiB/s", "dumps MiB/s"))
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".xml"):
            continue
        body = open(os.path.join(folder, name), "rb").read()
        params, _ = xmlrpc.client.loads(body, use_builtin_types=True)
        response = xmlrpc.client.dumps((params[0],), methodresponse=True).encode()

        def expat():
            xml.parsers.expat.ParserCreate().Parse(body, True)

        loads = best_seconds(lambda: xmlrpc.client.loads(body, use_builtin_types=True))
        dumps = best_seconds(lambda: xmlrpc.client.dumps((params[0],), methodresponse=True))
        print("%-22s %12.1f %12.1f %12.1f" % (
            name[:-4], mib_per_s(len(body), best_seconds(expat)),
            mib_per_s(len(body), loads), mib_per_s(len(response), dumps)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
