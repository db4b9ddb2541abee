#!/usr/bin/env python3
"""The codec benchmark's last results as a table and a CSV.

Reads what criterion saved under target/criterion after
`cargo bench -p xmlrpc-kit-codec --bench codec` (groups `workload` and `size`),
and prints, per body, MiB/s for quick-xml's bare tokenising (the floor),
our decode, dropping the decoded tree, our encode, and decode / floor. With --csv FILE it also
writes the rows (the input of scripts/charts.py).

    python3 scripts/codec_table.py [--criterion target/criterion] [--csv FILE]
"""
import argparse
import csv
import json
import pathlib
import sys

ORDER = ["tiny", "struct", "multicall", "big", "1KB", "64KB", "1MB", "16MB"]
FUNCTIONS = {"quick-xml events": "floor", "decode": "decode", "drop": "drop", "encode": "encode"}


def mib_per_s(bench_dir):
    """MiB/s from criterion's mean estimate and the declared throughput."""
    meta = json.loads((bench_dir / "new" / "benchmark.json").read_text())
    estimates = json.loads((bench_dir / "new" / "estimates.json").read_text())
    nanos = estimates["mean"]["point_estimate"]
    nbytes = meta["throughput"]["Bytes"]
    return nbytes / (nanos / 1e9) / (1024 * 1024), nbytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", default="target/criterion")
    ap.add_argument("--csv")
    args = ap.parse_args()
    root = pathlib.Path(args.criterion)
    rows = {}
    for group in ("workload", "size"):
        for function, column in FUNCTIONS.items():
            base = root / group / function
            if not base.is_dir():
                continue
            for body_dir in base.iterdir():
                if (body_dir / "new" / "estimates.json").exists():
                    speed, nbytes = mib_per_s(body_dir)
                    row = rows.setdefault(body_dir.name, {"body": body_dir.name, "group": group})
                    row[column] = speed
                    row[column + "_bytes"] = nbytes
    if not rows:
        sys.exit(f"no criterion results under {root}: run cargo bench -p xmlrpc-kit-codec --bench codec first")
    ordered = sorted(rows.values(), key=lambda r: ORDER.index(r["body"]) if r["body"] in ORDER else 99)
    print("| body | quick-xml events only | decode | decode / floor | drop | encode |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in ordered:
        floor, decode, encode = r.get("floor"), r.get("decode"), r.get("encode")
        ratio = f"{decode / floor:.2f}" if floor and decode else "—"
        enc = f"{encode / 1024:.2f} GiB/s" if encode else "—"
        dropped = f"{r['drop']:.0f} MiB/s" if r.get("drop") else "—"
        print(f"| {r['body']} | {floor or 0:.0f} MiB/s | {decode or 0:.0f} MiB/s | {ratio} | {dropped} | {enc} |")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["body", "group", "floor_mib_s", "decode_mib_s", "encode_mib_s", "request_bytes",
                        "response_bytes", "drop_mib_s"])
            for r in ordered:
                w.writerow([r["body"], r["group"], f"{r.get('floor', 0):.1f}", f"{r.get('decode', 0):.1f}",
                            f"{r.get('encode', 0):.1f}", r.get("decode_bytes", ""), r.get("encode_bytes", ""),
                            f"{r.get('drop', 0):.1f}"])


if __name__ == "__main__":
    main()
