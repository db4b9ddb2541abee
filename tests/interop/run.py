#!/usr/bin/env python3
"""The interoperability suite: every peer in tests/interop/peers, our server
against each peer client and our client against each peer server, over the
case table of crates/xmlrpc-kit-test-support/src/interop.rs (in XML-RPC, or
in JSON-RPC 2.0 for a peer whose [run] protocol is "json-rpc"); and the real
services (role "service"), each called by its typed example program
(crates/xmlrpc-kit/examples/<example>.rs) and by the CLI.

    python3 tests/interop/run.py [--only PEER ...] [--services] [--no-install] [--no-write]

Installs what the peers need (Debian packages, PyPI into a virtualenv, npm,
their builds) under target/interop/, runs every pair, classifies each check
(ok; unsupported or peer bug when the peer's peer.toml says so, why, and
with which failure text, `seen`: a check that fails otherwise fails the run;
anything else fails), writes INTEROP.md at the top of the repository, and
exits 1 on any failure. `--services` runs the real services alone and
rewrites only their section of INTEROP.md. See tests/interop/README.md.
"""

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "interop"
PEERS = HERE / "peers"
WORK = ROOT / "target" / "interop"
VENV = WORK / "venv"
NODE = WORK / "node"
EXAMPLES = ROOT / "target" / "debug" / "examples"
CLI = ROOT / "target" / "debug" / "xmlrpc-kit"
REPORT = ROOT / "INTEROP.md"
SERVICES_HEADING = "## Our client and CLI × real services"
OUTCOMES = ("ok", "unsupported", "peer bug")
# [run] protocol: what a client or server peer speaks ("xml-rpc" unless said).
PROTOCOLS = {"xml-rpc": "XML-RPC", "json-rpc": "JSON-RPC"}
CLIENT_TIMEOUT = 180
# The suite is not green with fewer peers than this run (all of them, not --only).
MIN_CLIENTS = 15
MIN_SERVERS = 10
MIN_SERVICES = 7  # real services (role "service"), in a full or a --services run
SERVER_START_TIMEOUT = 60


@dataclass
class Peer:
    name: str
    folder: Path
    spec: dict
    version: str = "?"
    results: dict = field(default_factory=dict)  # check -> (outcome, text)
    failures: list = field(default_factory=list)  # what fails the suite
    problem: str = ""  # the peer could not be run at all
    seconds: float = 0.0  # how long its run took (start to stop)

    @property
    def role(self):
        return self.spec["role"]

    @property
    def title(self):
        return self.spec.get("title", self.name)

    @property
    def run(self):
        return self.spec.get("run", {})

    @property
    def protocol(self):
        """"xml-rpc" or "json-rpc" ([run] protocol)."""
        return self.run.get("protocol", "xml-rpc")

    @property
    def dialect(self):
        """The output dialect our side uses; JSON-RPC has none."""
        return "–" if self.protocol == "json-rpc" else self.run.get("dialect", "python")

    @property
    def expect(self):
        return self.spec.get("expect", {})

    @property
    def unavailable(self):
        """A service that cannot run here: why, and what was tried."""
        return self.spec.get("unavailable", "")

    @property
    def out(self):
        return WORK / "build" / self.name


def log(message):
    print(f"interop: {message}", file=sys.stderr, flush=True)


def load_peers(only, services_only=False):
    peers = []
    for toml in sorted(PEERS.glob("*/peer.toml")):
        name = toml.parent.name
        if only and name not in only:
            continue
        with open(toml, "rb") as f:
            spec = tomllib.load(f)
        if spec.get("role") not in ("client", "server", "service"):
            sys.exit(f"{toml}: role must be client, server or service")
        if services_only and spec["role"] != "service":
            continue
        if spec.get("run", {}).get("protocol", "xml-rpc") not in PROTOCOLS:
            sys.exit(f"{toml}: [run] protocol must be one of {', '.join(PROTOCOLS)}")
        if spec["role"] == "service" and not spec.get("unavailable"):
            if not spec.get("run", {}).get("example"):
                sys.exit(f"{toml}: a service names its example program ([run] example)")
            for check in spec.get("cli", []):
                if not check.get("name") or not check.get("args") or not check.get("what"):
                    sys.exit(f"{toml}: each [[cli]] check needs name, args and what")
        for check, exp in spec.get("expect", {}).items():
            if exp.get("outcome") not in OUTCOMES[1:] or not exp.get("why") or not exp.get("seen"):
                sys.exit(f"{toml}: [expect] {check!r} needs outcome "
                         f"('unsupported' or 'peer bug'), why, and seen (the failure's "
                         f"text as the report shows it)")
        peers.append(Peer(name, toml.parent, spec))
    if only and len(peers) != len(only):
        sys.exit(f"no such peer among {sorted(set(only) - {p.name for p in peers})}")
    return peers


def environment(peer=None):
    env = dict(os.environ)
    env["PATH"] = f"{VENV / 'bin'}:{NODE / 'node_modules' / '.bin'}:{env.get('PATH', '')}"
    env["NODE_PATH"] = str(NODE / "node_modules")
    env["VIRTUAL_ENV"] = str(VENV)
    # The same hash order every run, so that INTEROP.md comes out the same.
    env["PERL_HASH_SEED"] = "0"
    env["PERL_PERTURB_KEYS"] = "0"
    env["PYTHONHASHSEED"] = "0"
    if peer is not None:
        env["OUT"] = str(peer.out)
    return env


def sh(command, **kwargs):
    return subprocess.run(command, shell=True, check=True, **kwargs)


# ---------------------------------------------------------------- installing

def marker_ok(marker, content):
    return marker.exists() and marker.read_text() == content


def install(peers):
    WORK.mkdir(parents=True, exist_ok=True)
    peers = [p for p in peers if not p.unavailable]
    debian = sorted({p for peer in peers for p in peer.spec.get("install", {}).get("debian", [])})
    missing = [p for p in debian if not debian_installed(p)]
    if missing:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit(f"interop: please install the Debian packages {' '.join(missing)}")
        log(f"installing Debian packages: {' '.join(missing)}")
        sh("apt-get update -qq")
        sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "
           + " ".join(missing), stdout=subprocess.DEVNULL)
    pip = sorted({p for peer in peers for p in peer.spec.get("install", {}).get("pip", [])})
    if pip:
        marker = VENV / "installed.txt"
        if not marker_ok(marker, "\n".join(pip)):
            log(f"installing from PyPI: {' '.join(pip)}")
            if not (VENV / "bin" / "python").exists():
                sh(f"{sys.executable} -m venv {VENV}")
            sh(f"{VENV / 'bin' / 'pip'} install -q " + " ".join(f"'{p}'" for p in pip))
            marker.write_text("\n".join(pip))
    npm = sorted({p for peer in peers for p in peer.spec.get("install", {}).get("npm", [])})
    if npm:
        marker = NODE / "installed.txt"
        if not marker_ok(marker, "\n".join(npm)):
            log(f"installing from npm: {' '.join(npm)}")
            NODE.mkdir(parents=True, exist_ok=True)
            sh(f"npm install --silent --no-audit --no-fund --prefix {NODE} "
               + " ".join(f"'{p}'" for p in npm), stdout=subprocess.DEVNULL)
            marker.write_text("\n".join(npm))
    for peer in peers:
        build = peer.spec.get("install", {}).get("build", "").strip()
        if not build:
            continue
        # The peer's folder, and any sibling folder its build names
        # (`../java-axmlrpc-client/Client.java`).
        digest = folder_digest(peer.folder) + "".join(
            folder_digest(PEERS / sibling)
            for sibling in sorted(set(re.findall(r"\.\./([\w.-]+)/", build))))
        marker = peer.out / ".built"
        if marker_ok(marker, digest):
            continue
        log(f"building {peer.name}")
        peer.out.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(build, shell=True, cwd=peer.folder, env=environment(peer),
                                capture_output=True, text=True)
        if result.returncode != 0:
            peer.problem = f"build failed: {last_lines(result.stderr + result.stdout)}"
            continue
        marker.write_text(digest)


def debian_installed(package):
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                            capture_output=True, text=True)
    return result.returncode == 0 and "install ok installed" in result.stdout


def folder_digest(folder):
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "target" not in path.parts:
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def last_lines(text, n=5):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " / ".join(lines[-n:])[:600]


def build_ours(peers):
    if any(p.role in ("client", "server") for p in peers):
        log("building interop_server and interop_client")
        sh("cargo build -q -p xmlrpc-kit-test-support --example interop_server "
           "--example interop_client", cwd=ROOT)
    examples = sorted({p.run["example"] for p in peers
                       if p.role == "service" and not p.unavailable})
    if examples:
        # The CLI, and each service's example (typed with serde).
        log(f"building the xmlrpc-kit CLI and the examples {', '.join(examples)}")
        sh("cargo build -q -p xmlrpc-kit-cli", cwd=ROOT)
        sh("cargo build -q -p xmlrpc-kit --features serde "
           + " ".join(f"--example {e}" for e in examples), cwd=ROOT)


def peer_version(peer):
    command = peer.spec.get("version", "")
    if not command:
        return "?"
    result = subprocess.run(command, shell=True, cwd=peer.folder, env=environment(peer),
                            capture_output=True, text=True, timeout=60)
    text = (result.stdout.strip() or result.stderr.strip()).splitlines()
    return text[0].strip() if text and result.returncode == 0 else "?"


# ---------------------------------------------------------------- running

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def stop(process):
    """Stops a process started with start_new_session, and all its group."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Whatever the group left behind (a daemon's children).
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def parse_lines(text):
    results = {}
    for line in text.splitlines():
        if "\t" in line:
            name, result = line.split("\t", 1)
            results[name.strip()] = result.strip()
    return results


def run_client(peer):
    """Our server, this peer client."""
    dialect = peer.run.get("dialect", "python")
    server = subprocess.Popen([str(EXAMPLES / "interop_server"), "--port", "0",
                               "--dialect", dialect],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        first = server.stdout.readline().split()
        if len(first) != 3 or first[:2] != ["listening", "on"]:
            raise RuntimeError(f"our server did not start: {server.stderr.read()}")
        url = f"http://127.0.0.1:{first[2]}/RPC2"
        command = peer.run["command"].format(url=url)
        result = subprocess.run(command, shell=True, cwd=peer.folder, env=environment(peer),
                                capture_output=True, text=True, timeout=CLIENT_TIMEOUT)
        lines = parse_lines(result.stdout)
        if not lines:
            peer.problem = (f"printed no result (exit {result.returncode}): "
                            f"{last_lines(result.stderr + result.stdout)}")
        return lines
    finally:
        stop(server)


def run_server(peer):
    """This peer server, our client."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"interop-{peer.name}-") as scratch:
        command = peer.run["command"].format(port=port, dir=scratch)
        log_path = Path(scratch) / "server.log"
        with open(log_path, "w") as server_log:
            server = subprocess.Popen(command, shell=True, cwd=peer.folder,
                                      env=environment(peer), stdout=server_log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if not wait_for_port(port, server, SERVER_START_TIMEOUT):
                peer.problem = f"did not listen on {port}: {last_lines(log_path.read_text())}"
                return {}
            url = peer.run.get("url", "http://127.0.0.1:{port}/RPC2").format(port=port)
            profile = peer.run.get("profile", "echo")
            dialect = peer.run.get("dialect", "python")
            protocol = ["--json-rpc"] if peer.protocol == "json-rpc" else []
            result = subprocess.run([str(EXAMPLES / "interop_client"), url, "--profile",
                                     profile, "--dialect", dialect, *protocol],
                                    capture_output=True, text=True, timeout=CLIENT_TIMEOUT)
            lines = parse_lines(result.stdout)
            if not lines:
                peer.problem = f"our client printed nothing: {last_lines(result.stderr)}"
            return lines
        finally:
            stop(server)


def run_service(peer):
    """This real service, our client (its example program) and our CLI."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"interop-{peer.name}-") as scratch:
        # {port} and {dir} (and {url} in CLI arguments), nothing else: JSON
        # arguments hold braces.
        fill = lambda text: text.replace("{port}", str(port)).replace("{dir}", scratch)
        command = fill(peer.run["command"])
        # [run] env: for the service, its example and the CLI alike (an
        # admin's password, say).
        env = environment(peer)
        env.update({k: fill(v) for k, v in peer.run.get("env", {}).items()})
        log_path = Path(scratch) / "server.log"
        with open(log_path, "w") as server_log:
            server = subprocess.Popen(command, shell=True, cwd=peer.folder,
                                      env=env, stdout=server_log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if not wait_for_port(port, server, SERVER_START_TIMEOUT):
                peer.problem = f"did not listen on {port}: {last_lines(log_path.read_text())}"
                return {}
            url = fill(peer.run["url"])
            args = [fill(a) for a in peer.run.get("args", [])]
            result = subprocess.run([str(EXAMPLES / peer.run["example"]), url, *args],
                                    capture_output=True, text=True, timeout=CLIENT_TIMEOUT,
                                    env=env)
            lines = parse_lines(result.stdout)
            if result.returncode != 0 or not lines:
                peer.problem = (f"its example exited {result.returncode}: "
                                f"{last_lines(result.stderr + result.stdout)}")
            for check in peer.spec.get("cli", []):
                lines[check["name"]] = cli_check(check, fill, url, env)
            if server.poll() is not None and not peer.problem:
                peer.problem = f"stopped during the checks: {last_lines(log_path.read_text())}"
            return lines
        finally:
            stop(server)


def cli_check(check, fill, url, env):
    """Runs `xmlrpc-kit ARGS` ({url} in them is the service's URL) and
    judges it: the exit status (`exit`, 0 unless said), and what it
    printed: `stdout` (all of it, trailing white space aside) or
    `contains` (each of these strings), `lacks` (none of these), and
    `stderr` (each of these strings on its standard error). `unset` names
    variables of the service's [run] env the check runs without."""
    args = [fill(a).replace("{url}", url) for a in check["args"]]
    env = {k: v for k, v in env.items() if k not in check.get("unset", [])}
    try:
        result = subprocess.run([str(CLI), *args], capture_output=True, text=True,
                                timeout=CLIENT_TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "ERROR timed out"
    out = result.stdout
    said = " ".join((result.stderr.strip() or out.strip()).split())
    want = check.get("exit", 0)
    if result.returncode != want:
        return f"ERROR exit {result.returncode}: {said}"
    if "stdout" in check and out.rstrip() != fill(check["stdout"]).rstrip():
        return f"printed {' '.join(out.split())[:200]!r}, expected {check['stdout'].strip()!r}"
    for piece in check.get("contains", []):
        if fill(piece) not in out:
            return f"{piece!r} missing from what it printed: {' '.join(out.split())[:200]!r}"
    for piece in check.get("lacks", []):
        if fill(piece) in out:
            return f"{piece!r} in what it printed: {' '.join(out.split())[:200]!r}"
    for piece in check.get("stderr", []):
        if fill(piece) not in result.stderr:
            return f"{piece!r} missing from its stderr: {' '.join(result.stderr.split())[:200]!r}"
    return "ok"


def shown(text):
    """A check's failure text as the report shows it and peer.toml records
    it (`seen`): ports, which differ from run to run, replaced; at most
    300 characters."""
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)[:300]


def judge(peer, lines):
    for check, text in lines.items():
        expected = peer.expect.get(check)
        if text == "ok":
            outcome = "ok"
            if expected:
                peer.failures.append(f"{check}: now ok, but peer.toml expects "
                                     f"{expected['outcome']} ({expected['why']})")
        elif expected and shown(text) == expected["seen"]:
            outcome = expected["outcome"]
        elif expected:
            # The peer fails this check, but not the way it was recorded
            # to: another failure (ours, perhaps) would hide behind the
            # expected one.
            outcome = "FAILED"
            peer.failures.append(f"{check}: failed otherwise than peer.toml records: "
                                 f"seen {shown(text)!r}, recorded {expected['seen']!r}")
        else:
            outcome = "FAILED"
            peer.failures.append(f"{check}: {text}")
        peer.results[check] = (outcome, text)
    for check in peer.expect:
        if check not in lines:
            peer.failures.append(f"{check}: in [expect] but not run")


# ---------------------------------------------------------------- the report

SYMBOL = {"ok": "✓", "unsupported": "–", "peer bug": "B", "FAILED": "✗"}


def write_report(peers, checks_by_role):
    lines = [
        "# Interoperability",
        "",
        "Generated by `python3 tests/interop/run.py` (run by `scripts/test.sh`); do not edit",
        "by hand. Each peer is installed from its registry by that script; its code is in",
        "`tests/interop/peers/<peer>/`, the cases in `crates/xmlrpc-kit-test-support/src/interop.rs`,",
        "and how the suite works in `tests/interop/README.md`.",
        "",
        "Clients: our server (`interop_server`) hands each case to the peer client, which",
        "decodes it into its own types and sends it back; our server judges both directions.",
        "Servers: our client (`interop_client`) sends each case through the peer's `echo` and",
        "judges what comes back. ✓ ok · – unsupported by the peer · B a peer bug (the peer",
        "changes the value or breaks the specification) · ✗ a failure of ours (fails the suite).",
        "",
        "JSON-RPC 2.0 peers (protocol JSON-RPC) run the same checks over JSON-RPC against the",
        "same methods (our server answers both protocols; our client with `--json-rpc`): the",
        "values in their JSON forms (base64 and dateTime as the tagged objects `{\"$base64\": …}`",
        "and `{\"$dateTime\": …}`, which a peer holds as a plain object and sends back as it",
        "came), the fault as an error object, introspection as ordinary methods, and the",
        "multicall check as a JSON-RPC batch of the same three calls.",
        "",
    ]
    notes = HERE / "notes.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    for role, heading in (("client", "Peer clients × our server"),
                          ("server", "Our client × peer servers")):
        group = [p for p in peers if p.role == role]
        if not group:
            continue
        lines += [f"## {heading}", "",
                  "| peer | language | version | protocol | dialect | ok | unsupported | peer bug | failed |",
                  "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
        for p in group:
            counts = {o: sum(1 for r in p.results.values() if r[0] == o)
                      for o in ("ok", "unsupported", "peer bug", "FAILED")}
            failed = counts["FAILED"] + (1 if p.problem else 0)
            lines.append(f"| {p.title} (`{p.name}`) | {p.spec.get('language', '')} | "
                         f"{p.version} | {PROTOCOLS[p.protocol]} | {p.dialect} | {counts['ok']} | "
                         f"{counts['unsupported']} | {counts['peer bug']} | {failed} |")
        lines.append("")
        checks = checks_by_role[role]
        lines += ["| check | " + " | ".join(f"`{p.name}`" for p in group) + " |",
                  "| --- |" + " :---: |" * len(group)]
        for check in checks:
            row = []
            for p in group:
                result = p.results.get(check)
                row.append(SYMBOL[result[0]] if result else " ")
            lines.append(f"| {check} | " + " | ".join(row) + " |")
        lines.append("")
    lines += services_section([p for p in peers if p.role == "service"])
    lines += ["## Every disagreement", ""]
    for p in peers:
        if p.role == "service":
            continue  # in its own section above
        notes = [(check, out, text) for check, (out, text) in p.results.items() if out != "ok"]
        if not notes and not p.problem:
            continue
        lines += [f"### {p.title} (`{p.name}`, {p.role})", ""]
        if p.problem:
            lines.append(f"- could not be run: {p.problem}")
        for check, outcome, text in notes:
            why = p.expect.get(check, {}).get("why", "not expected: a failure of ours")
            seen = shown(text)
            lines.append(f"- **{check}** ({outcome}): {why}. Seen: `{seen}`")
        lines.append("")
    REPORT.write_text("\n".join(lines).rstrip() + "\n")


def services_section(services):
    """INTEROP.md's section on the real services: a row each, then each
    one's checks (what each asserts), its quirks and what is pending."""
    if not services:
        return []
    lines = [
        SERVICES_HEADING, "",
        "Real services, not libraries: each is installed by `tests/interop/run.py` (Debian",
        "packages or PyPI, the versions pinned in its `peer.toml`), started on 127.0.0.1 with a",
        "throwaway configuration in a temporary folder (`tests/interop/peers/<service>/serve.sh`),",
        "called by its typed example program (`crates/xmlrpc-kit/examples/<example>.rs`, serde",
        "structs for what the service answers) and by the CLI (`xmlrpc-kit call/list/multicall`),",
        "and stopped by PID. Each check asserts specific results; a quirk that makes a check fail",
        "is recorded in `peer.toml` with the failure's text, as for the peers above.",
        "`python3 tests/interop/run.py --services` runs these alone and rewrites this section.",
        "supervisord and rTorrent, real services too, are among the peer servers above (their",
        "own APIs, through `interop_client`'s profiles) and in `crates/xmlrpc-kit-cli/tests/peers.rs`.",
        "",
        "| service | language | version | installed from | example | ok | unsupported | peer bug | failed |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for p in services:
        install = p.spec.get("install", {})
        source = ", ".join([f"Debian `{d}`" for d in install.get("debian", [])]
                           + [f"PyPI `{d}`" for d in install.get("pip", [])])
        if p.unavailable:
            lines.append(f"| {p.title} (`{p.name}`) | {p.spec.get('language', '')} | – | "
                         f"{source} | – | cannot run here: see below |  |  |  |")
            continue
        counts = {o: sum(1 for r in p.results.values() if r[0] == o)
                  for o in ("ok", "unsupported", "peer bug", "FAILED")}
        failed = counts["FAILED"] + (1 if p.problem else 0)
        lines.append(f"| {p.title} (`{p.name}`) | {p.spec.get('language', '')} | {p.version} | "
                     f"{source} | `{p.run['example']}` | {counts['ok']} | "
                     f"{counts['unsupported']} | {counts['peer bug']} | {failed} |")
    lines.append("")
    for p in services:
        lines += [f"### {p.title} (`{p.name}`)", ""]
        if p.spec.get("about"):
            lines += [" ".join(p.spec["about"].split()), ""]
        if p.unavailable:
            lines += ["Cannot run here: " + " ".join(p.unavailable.split()), ""]
            continue
        lines += [f"Called at `{p.run['url'].replace('{port}', 'PORT')}` by "
                  f"`cargo run -p xmlrpc-kit --features serde --example {p.run['example']} -- URL`"
                  " and by the CLI.", ""]
        if p.problem:
            lines += [f"- could not be run: {shown(p.problem)}", ""]
        described = dict(p.spec.get("checks", {}))
        through = {c: "client" for c in described}
        for c in p.spec.get("cli", []):
            command = " ".join(shell_word(a) for a in c["args"]).replace("{url}", "URL")
            described[c["name"]] = (f"`xmlrpc-kit {command}`: "
                                    + c["what"])
            through[c["name"]] = "CLI"
        lines += ["| check | through | asserts | result |", "| --- | --- | --- | :---: |"]
        for check, what in described.items():
            result = p.results.get(check)
            symbol = SYMBOL[result[0]] if result else " "
            lines.append(f"| {check} | {through[check]} | {' '.join(what.split())} | {symbol} |")
        lines.append("")
        quirks = [" ".join(q.split()) for q in p.spec.get("quirks", [])]
        for check, (outcome, text) in p.results.items():
            if outcome != "ok":
                why = p.expect.get(check, {}).get("why", "not expected: a failure of ours")
                quirks.append(f"**{check}** ({outcome}): {why}. Seen: `{shown(text)}`")
        if quirks:
            lines += ["Quirks:", ""] + [f"- {q}" for q in quirks] + [""]
        pending = [" ".join(q.split()) for q in p.spec.get("pending", [])]
        if pending:
            lines += ["Pending:", ""] + [f"- {q}" for q in pending] + [""]
    return lines


def shell_word(word):
    """A CLI argument as a reader would type it."""
    if re.fullmatch(r"[\w@%+=:,./{}-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def write_services_section(services):
    """Rewrites INTEROP.md's services section in place (or adds it before
    the list of disagreements), leaving the rest as the last full run
    wrote it."""
    text = REPORT.read_text() if REPORT.exists() else "# Interoperability\n"
    section = "\n".join(services_section(services)).rstrip() + "\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip() == SERVICES_HEADING), None)
    if start is None:
        start = next((i for i, l in enumerate(lines) if l.startswith("## Every disagreement")),
                     len(lines))
        end = start
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
    REPORT.write_text("".join(lines[:start]) + section + "".join(lines[end:]))


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run only this peer")
    parser.add_argument("--services", action="store_true",
                        help="run the real services alone; rewrite their section of INTEROP.md")
    parser.add_argument("--no-install", action="store_true", help="install nothing")
    parser.add_argument("--no-write", action="store_true", help="do not write INTEROP.md")
    args = parser.parse_args()
    peers = load_peers(args.only, args.services)
    if not args.no_install:
        install(peers)
    build_ours(peers)
    checks_by_role = {"client": [], "server": [], "service": []}
    for peer in peers:
        if peer.unavailable:
            log(f"{peer.name}: cannot run here ({' '.join(peer.unavailable.split())[:120]}…)")
            continue
        if peer.problem:
            log(f"{peer.name}: {peer.problem}")
            continue
        peer.version = peer_version(peer)
        started = time.monotonic()
        try:
            runner = {"client": run_client, "server": run_server, "service": run_service}
            lines = runner[peer.role](peer)
        except subprocess.TimeoutExpired:
            peer.problem = "timed out"
            lines = {}
        judge(peer, lines)
        for check in lines:
            if check not in checks_by_role[peer.role]:
                checks_by_role[peer.role].append(check)
        counts = {o: sum(1 for r in peer.results.values() if r[0] == o)
                  for o in ("ok", "unsupported", "peer bug", "FAILED")}
        peer.seconds = time.monotonic() - started
        log(f"{peer.name} ({peer.role}, {peer.version}): {counts['ok']} ok, "
            f"{counts['unsupported']} unsupported, {counts['peer bug']} peer bug, "
            f"{counts['FAILED']} failed, {time.monotonic() - started:.1f} s")
    # A check that others of the same kind ran and this peer did not print
    # (a crash half way) fails, unless peer.toml says why.
    groups = {}
    for peer in peers:
        key = (peer.role, peer.run.get("profile", "echo"))
        groups.setdefault(key, set()).update(peer.results)
    for peer in peers:
        if peer.problem or peer.unavailable:
            continue
        if peer.role == "service":
            # Every check its peer.toml describes, and no other.
            described = set(peer.spec.get("checks", {})) | {c["name"] for c in peer.spec.get("cli", [])}
            for check in sorted(described - set(peer.results)):
                peer.failures.append(f"{check}: described in peer.toml, no result printed")
            for check in sorted(set(peer.results) - described):
                peer.failures.append(f"{check}: printed, but not described in peer.toml [checks]")
            continue
        key = (peer.role, peer.run.get("profile", "echo"))
        for check in sorted(groups[key] - set(peer.results) - set(peer.expect)):
            peer.failures.append(f"{check}: no result printed")
    if not args.no_write and not args.only:
        if args.services:
            write_services_section([p for p in peers if p.role == "service"])
        else:
            write_report(peers, checks_by_role)
    failed = [p for p in peers if p.failures or p.problem]
    clients = sum(1 for p in peers if p.role == "client" and not p.problem)
    servers = sum(1 for p in peers if p.role == "server" and not p.problem)
    print(f"interop: {clients} client peers and {servers} server peers run, "
          f"{sum(len(p.results) for p in peers)} checks")
    services = [p for p in peers if p.role == "service" and not p.unavailable]
    if services:
        print("interop: real services: " + ", ".join(
            f"{p.name} {p.seconds:.1f} s" for p in services))
    too_few = not args.only and not args.services and (
        clients < MIN_CLIENTS or servers < MIN_SERVERS)
    if too_few:
        print(f"FAILED: at least {MIN_CLIENTS} client and {MIN_SERVERS} server peers must run")
    ran = sum(1 for p in services if not p.problem)
    if not args.only and ran < MIN_SERVICES:
        too_few = True
        print(f"FAILED: at least {MIN_SERVICES} real services must run ({ran} did)")
    for p in failed:
        if p.problem:
            print(f"FAILED {p.name}: {p.problem}")
        for f in p.failures:
            print(f"FAILED {p.name}: {f}")
    return 1 if failed or too_few else 0


if __name__ == "__main__":
    sys.exit(main())
