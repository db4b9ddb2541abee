#!/usr/bin/env python3
"""Requests a second of one server over XML-RPC and over JSON-RPC 2.0, on
the same workloads, in one run: wrk posts each workload's body (the
XML-RPC document, or the JSON-RPC call it makes) over keep-alive
connections, the two protocols alternating round by round so that the
host's drift falls on both; the median of the rounds is reported, with
JSON-RPC's figure as a ratio to XML-RPC's.

    python3 scripts/protocol_throughput.py --bodies ../shared/bench/workloads \\
        --only tiny,struct --rounds 3 --seconds 5 \\
        'target/release/xmlrpc-kit demo --quiet --port {port}'

Answers are checked before and after each wrk run (20 requests, every
answer's value compared with the workload's NAME.response.xml, in its JSON
form for JSON-RPC), and any wrk error (a status other than 2xx, a broken
connection) stops the run, so no wrong answer is counted. Absolute figures
move 15-30% between runs on a shared 2-core host; the ratio between the
protocols, measured side by side, moves far less. Needs wrk (Debian's
package).
"""

import argparse
import csv
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from instructions import Connection  # noqa: E402
from load_common import (  # noqa: E402
    AnswerCheck,
    JsonAnswerCheck,
    add_body_arguments,
    bodies_from,
    expected_answer_file,
    free_port,
    json_rpc_body,
    wait_for_port,
)

LUA = """
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""

PROTOCOLS = {
    "xml-rpc": ("text/xml", lambda body: body, AnswerCheck),
    "json-rpc": ("application/json", json_rpc_body, JsonAnswerCheck),
}


def run_wrk(port, body_file, content_type, seconds, connections, lua):
    env = dict(os.environ, WRK_BODY=body_file, WRK_CONTENT_TYPE=content_type)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", lua,
         f"http://127.0.0.1:{port}/RPC2"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("WRKJSON "))
    result = json.loads(line[len("WRKJSON "):])
    if result["errors"]:
        raise SystemExit(f"protocol_throughput.py: wrk saw {result['errors']} errors:\n{out}")
    return result["requests"] / (result["duration_us"] / 1e6)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("server", help="the server's command, with {port}")
    add_body_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--csv", help="also write the figures here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("protocol_throughput.py: needs wrk (Debian: apt-get install wrk)")
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        lua = os.path.join(workdir, "post.lua")
        with open(lua, "w") as f:
            f.write(LUA)
        port = free_port()
        proc = subprocess.Popen(shlex.split(args.server.replace("{port}", str(port))),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, proc, 60)
            for workload, path in bodies_from(args, workdir):
                with open(path, "rb") as f:
                    xml_body = f.read()
                answer_file = expected_answer_file(path, workdir)
                rates = {name: [] for name in PROTOCOLS}
                for _ in range(args.rounds):
                    for name, (content_type, make_body, check) in PROTOCOLS.items():
                        body = make_body(xml_body)
                        body_file = os.path.join(workdir, f"{workload}.{name}")
                        with open(body_file, "wb") as f:
                            f.write(body)
                        conn = Connection(port, body, check(answer_file), content_type)
                        conn.call(20)
                        rates[name].append(run_wrk(port, body_file, content_type,
                                                   args.seconds, args.connections, lua))
                        conn.call(20)
                        conn.close()
                xml = statistics.median(rates["xml-rpc"])
                for name in PROTOCOLS:
                    rate = statistics.median(rates[name])
                    rows.append((workload, name, rate, rate / xml))
                    print(f"{workload:10s} {name:9s} {rate:12,.0f} requests/s  {rate / xml:.2f}x "
                          f"(rounds: {', '.join(f'{r:,.0f}' for r in rates[name])})", flush=True)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["workload", "protocol", "requests_per_second", "to_xml_rpc"])
            for workload, name, rate, ratio in rows:
                w.writerow([workload, name, round(rate), f"{ratio:.3f}"])


if __name__ == "__main__":
    sys.exit(main())
