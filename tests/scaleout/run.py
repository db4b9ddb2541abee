#!/usr/bin/env python3
"""Scale-out the way operators run it: three server processes (the
`behind_proxy` example) sharing a TCP port through SO_REUSEPORT and each on
its own Unix socket, behind HAProxy and behind nginx from Debian, under a
bounded load during which one backend is stopped with SIGTERM and then all
three are restarted one by one. Every call must succeed at the client.

    python3 tests/scaleout/run.py [--seconds-between N]

Runs in a network namespace of its own (`unshare --net`, as root), so that
its sysctl (net.ipv4.tcp_migrate_req=1: connections queued on a closing
SO_REUSEPORT socket move to another one) and its addresses (the client
calls from 127.0.0.3, the proxies reach the backends from 127.0.0.1, the
one address the backends trust besides Unix sockets) touch nothing
outside. The HAProxy and nginx configurations and the systemd
units are DEPLOYMENT.md's own (its blocks marked `tested`), with the test's
paths and ports put in; the backends trust the proxies (and read the
header) that the unit's ExecStart says. Before the load, a client forging
`Forwarded` and `X-Forwarded-For` through every route must be seen as
itself. Prints the calls made and failed per route.
"""

import argparse
import http.client
import os
import json
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ADDRESS = "127.0.0.3"
BACKENDS = ("b1", "b2", "b3")


def log(message):
    print(f"scaleout: {message}", file=sys.stderr, flush=True)


def in_own_namespace():
    """Re-runs this script in a new network namespace, once."""
    if os.environ.get("SCALEOUT_NETNS") == "1":
        return False
    if os.geteuid() != 0:
        sys.exit("scaleout: needs root for its own network namespace (unshare --net)")
    env = dict(os.environ, SCALEOUT_NETNS="1")
    result = subprocess.run(["unshare", "--net", "--", sys.executable, __file__, *sys.argv[1:]],
                            env=env)
    sys.exit(result.returncode)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target_directory():
    """Where cargo builds this workspace (CARGO_TARGET_DIR, or target/)."""
    metadata = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return Path(json.loads(metadata)["target_directory"])


# The backend's executable, once built (main).
BACKEND = None


class Backend:
    def __init__(self, name, shared_port, folder, drain):
        self.name = name
        self.socket = folder / f"{name}.sock"
        self.shared_port = shared_port
        self.folder = folder
        self.process = None
        self.generation = 0
        self.drain = drain

    def start(self):
        self.generation += 1
        log_file = open(self.folder / f"{self.name}-{self.generation}.log", "w")
        self.process = subprocess.Popen(
            [str(BACKEND), "--name", self.name, "--quiet", "--reuse-port",
             "--listen", f"http://127.0.0.1:{self.shared_port}",
             "--listen", f"unix://{self.socket}",
             *unit_trust_options(),
             "--drain", str(self.drain),
             # nginx's workers run as nobody: they may connect.
             "--socket-mode", "666"],
            stdout=log_file, stderr=subprocess.STDOUT)
        wait_until(lambda: healthy(self.socket), 20, f"{self.name} healthy")

    def stop(self):
        """SIGTERM, then wait for it to drain and exit on its own."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=self.drain + 35)
        if code != 0:
            raise RuntimeError(f"{self.name} exited {code} after SIGTERM")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def healthy(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(1)
        s.connect(str(path))
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = s.recv(100)
        s.close()
        return answer.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


DEPLOYMENT = ROOT / "DEPLOYMENT.md"
# DEPLOYMENT.md's addresses, and what the test puts in their place.
SOCKETS_FOLDER = "/run/xmlrpc"
SHARED_PORT = "127.0.0.1:8000"
FRONTENDS = ("127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8090", "127.0.0.1:8091")


def tested_block(name):
    """The fenced block after `<!-- tested: NAME -->` in DEPLOYMENT.md."""
    text = DEPLOYMENT.read_text()
    match = re.search(r"<!-- tested: " + re.escape(name) + r" -->\n```[^\n]*\n(.*?)```",
                      text, re.S)
    if not match:
        sys.exit(f"scaleout: DEPLOYMENT.md has no tested block {name!r}")
    return match.group(1)


def unit_trust_options():
    """`--trusted-proxies LIST --proxy-header NAME` as DEPLOYMENT.md's unit
    starts the backends."""
    service = tested_block("xmlrpc@.service")
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    words = shlex.split(exec_start.removeprefix("ExecStart="))
    options = []
    for flag in ("--trusted-proxies", "--proxy-header"):
        if flag not in words:
            sys.exit(f"scaleout: DEPLOYMENT.md's ExecStart has no {flag}")
        options += [flag, words[words.index(flag) + 1]]
    return options


def localised(config, folder, shared_port, fronts):
    config = config.replace(SOCKETS_FOLDER, str(folder))
    config = config.replace(SHARED_PORT, f"127.0.0.1:{shared_port}")
    for documented, port in zip(FRONTENDS, fronts):
        config = config.replace(documented, f"127.0.0.1:{port}")
    return config


NGINX_AROUND = """worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    fastcgi_temp_path {dir}/nginx-fastcgi;
    uwsgi_temp_path {dir}/nginx-uwsgi;
    scgi_temp_path {dir}/nginx-scgi;
    include {dir}/xmlrpc.conf;
}}
"""


def systemd_units_verify(folder):
    """DEPLOYMENT.md's units pass `systemd-analyze verify` without a word."""
    units = folder / "units"
    units.mkdir()
    for name in ("xmlrpc@.socket", "xmlrpc@.service"):
        text = tested_block(name).replace("/usr/local/bin/behind_proxy", str(BACKEND))
        (units / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             str(units / "xmlrpc@b1.socket"), str(units / "xmlrpc@b1.service")],
                            capture_output=True, text=True)
    said = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or said:
        raise AssertionError(f"systemd-analyze verify: {said}")
    log("DEPLOYMENT.md's systemd units verify")


class SourceTransport(xmlrpc.client.Transport):
    """Python's transport (keep-alive), calling from the client's own
    address, without its silent retry: Python sends a call again when a
    kept-alive connection was reset or closed under it, which would hide a
    connection the deployment dropped. Here that is a failed call."""

    def request(self, host, handler, request_body, verbose=False):
        return self.single_request(host, handler, request_body, verbose)

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, http.client.HTTPConnection(
            host, timeout=30, source_address=(CLIENT_ADDRESS, 0))
        return self._connection[1]


class Load:
    """Threads calling every route until stopped; counts and checks."""

    def __init__(self, routes, threads_per_route):
        self.routes = routes
        self.threads_per_route = threads_per_route
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.made = {name: 0 for name in routes}
        self.failed = {name: 0 for name in routes}
        self.failures = []
        self.backends_seen = {name: set() for name in routes}
        self.threads = []

    def worker(self, route, url, seed):
        proxy = xmlrpc.client.ServerProxy(url, transport=SourceTransport())
        i = seed
        while not self.stopping.is_set():
            i += 1
            try:
                if i % 20 == 0:
                    answer = proxy.whoami()
                    if answer["client"] != CLIENT_ADDRESS:
                        raise AssertionError(f"whoami saw client {answer['client']!r}")
                    backend = answer["backend"]
                else:
                    if proxy.add(i, 1) != i + 1:
                        raise AssertionError("add gave a wrong sum")
                    backend = None
                with self.lock:
                    self.made[route] += 1
                    if backend:
                        self.backends_seen[route].add(backend)
            except Exception as e:  # every failure is counted and shown
                with self.lock:
                    self.made[route] += 1
                    self.failed[route] += 1
                    if len(self.failures) < 20:
                        self.failures.append(f"{route}: {type(e).__name__}: {e}")
                proxy = xmlrpc.client.ServerProxy(url, transport=SourceTransport())

    def start(self):
        for route, url in self.routes.items():
            for n in range(self.threads_per_route):
                t = threading.Thread(target=self.worker, args=(route, url, n * 1000003),
                                     daemon=True)
                t.start()
                self.threads.append(t)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=40)


FORGED_FORWARDED = "for=198.51.100.7"
FORGED_X_FORWARDED_FOR = ("198.51.100.8", "198.51.100.9")


def forged_call(host_port, method):
    """`method()` called from the client's address with a forged
    `Forwarded` and two forged `X-Forwarded-For` lines; its result."""
    conn = http.client.HTTPConnection(host_port, timeout=10,
                                      source_address=(CLIENT_ADDRESS, 0))
    body = xmlrpc.client.dumps((), method).encode()
    conn.putrequest("POST", "/RPC2")
    conn.putheader("Content-Type", "text/xml")
    conn.putheader("Content-Length", str(len(body)))
    conn.putheader("Forwarded", FORGED_FORWARDED)
    for address in FORGED_X_FORWARDED_FOR:
        conn.putheader("X-Forwarded-For", address)
    conn.endheaders(body)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    if response.status != 200:
        raise AssertionError(f"{host_port}: HTTP {response.status}: {text[:300]!r}")
    return xmlrpc.client.loads(text)[0][0]


def spoofing_is_refused(routes):
    """A client's own `Forwarded` and `X-Forwarded-For` are not believed
    through any proxy: handlers see the address that really called. And
    the proxies do what DEPLOYMENT.md says: the client's `Forwarded` does
    not reach the backend, and the caller's address is appended to its
    `X-Forwarded-For` lines, read as one list in order."""
    for route, url in routes.items():
        host_port = url.split("/")[2]
        answer = forged_call(host_port, "whoami")
        if answer.get("backend") not in BACKENDS:
            raise AssertionError(f"{route}: not one of the test's backends answered: {answer}")
        if answer["client"] != CLIENT_ADDRESS:
            raise AssertionError(f"{route}: a forged header was believed: {answer}")
        received = forged_call(host_port, "forwarding")
        if received["forwarded"]:
            raise AssertionError(f"{route}: the client's Forwarded reached the backend: "
                                 f"{received}")
        entries = [entry.strip() for line in received["x-forwarded-for"]
                   for entry in line.split(",")]
        if entries != [*FORGED_X_FORWARDED_FOR, CLIENT_ADDRESS]:
            raise AssertionError(f"{route}: X-Forwarded-For arrived as {received}, not the "
                                 f"client's entries and then {CLIENT_ADDRESS}")
    log("forged Forwarded and X-Forwarded-For headers are believed on no route")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds-between", type=float, default=1.5,
                        help="load time between the steps of the restarts")
    parser.add_argument("--threads-per-route", type=int, default=3)
    parser.add_argument("--drain", type=float, default=2.0,
                        help="the backends' --drain (0 shows what goes wrong without it)")
    args = parser.parse_args()
    in_own_namespace()
    for tool in ("haproxy", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"scaleout: {tool} is required (scripts/test.sh installs it)")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    Path("/proc/sys/net/ipv4/tcp_migrate_req").write_text("1\n")
    subprocess.run(["cargo", "build", "-q", "-p", "xmlrpc-kit", "--example", "behind_proxy"],
                   cwd=ROOT, check=True)
    global BACKEND
    BACKEND = target_directory() / "debug" / "examples" / "behind_proxy"

    folder = Path(tempfile.mkdtemp(prefix="xmlrpc-scaleout-"))
    folder.chmod(0o755)
    shared_port = free_port()
    backends = [Backend(name, shared_port, folder, args.drain) for name in BACKENDS]
    proxies = []
    systemd_units_verify(folder)
    try:
        for b in backends:
            b.start()
        fronts = [free_port() for _ in FRONTENDS]
        ha_sockets, ha_shared, ng_sockets, ng_shared = fronts
        (folder / "haproxy.cfg").write_text(
            localised(tested_block("haproxy.cfg"), folder, shared_port, fronts))
        (folder / "xmlrpc.conf").write_text(
            localised(tested_block("nginx xmlrpc.conf"), folder, shared_port, fronts))
        (folder / "nginx.conf").write_text(NGINX_AROUND.format(dir=folder))
        haproxy_log = open(folder / "haproxy.log", "w")
        proxies.append(subprocess.Popen(["haproxy", "-db", "-f", str(folder / "haproxy.cfg")],
                                        stdout=haproxy_log, stderr=subprocess.STDOUT))
        proxies.append(subprocess.Popen(["nginx", "-p", str(folder), "-c",
                                         str(folder / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in (ha_sockets, ha_shared, ng_sockets, ng_shared):
            wait_until(lambda: port_open(port), 20, f"a proxy on port {port}")
        routes = {
            "haproxy → 3 Unix sockets": f"http://127.0.0.1:{ha_sockets}/RPC2",
            "haproxy → shared port": f"http://127.0.0.1:{ha_shared}/RPC2",
            "nginx → 3 Unix sockets": f"http://127.0.0.1:{ng_sockets}/RPC2",
            "nginx → shared port": f"http://127.0.0.1:{ng_shared}/RPC2",
        }
        spoofing_is_refused(routes)
        load = Load(routes, args.threads_per_route)
        started = time.monotonic()
        load.start()
        time.sleep(args.seconds_between)
        log("stopping b2 with SIGTERM")
        backends[1].stop()
        time.sleep(args.seconds_between)
        log("starting b2 again")
        backends[1].start()
        time.sleep(args.seconds_between)
        for b in backends:
            log(f"rolling restart: {b.name}")
            b.stop()
            b.start()
            time.sleep(args.seconds_between)
        load.stop()
        elapsed = time.monotonic() - started
    finally:
        for p in proxies:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        for b in backends:
            b.kill()
    made = sum(load.made.values())
    failed = sum(load.failed.values())
    print(f"scaleout: {made} calls made, {failed} failed, in {elapsed:.1f} s "
          f"(one backend stopped with SIGTERM and started again, then all three "
          f"restarted one by one)")
    for route in routes:
        seen = ", ".join(sorted(load.backends_seen[route]))
        print(f"  {route}: {load.made[route]} calls, {load.failed[route]} failed; "
              f"answered by {seen}")
    for failure in load.failures:
        print(f"  FAILED {failure}")
    problems = []
    if failed:
        problems.append(f"{failed} calls failed")
    for route in routes:
        if load.made[route] == 0:
            problems.append(f"no call made through {route}")
        if route.endswith("Unix sockets") and load.backends_seen[route] != set(BACKENDS):
            problems.append(f"{route} did not reach every backend")
    if problems:
        print("scaleout: FAILED: " + "; ".join(problems) + f" (logs in {folder})")
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
