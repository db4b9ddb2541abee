"""What scripts/instructions.py and scripts/open_loop.py share: the
request bodies they load servers with, and starting a server on a free
port of 127.0.0.1."""

import glob
import os
import socket
import time

TINY_ADD = (
    b'<?xml version="1.0"?><methodCall><methodName>add</methodName><params>'
    b"<param><value><int>2</int></value></param><param><value><int>3</int>"
    b"</value></param></params></methodCall>"
)


def add_body_arguments(parser):
    parser.add_argument("--bodies", help="a folder of NAME.xml request bodies")
    parser.add_argument("--body", action="append", default=[], help="NAME=FILE, a request body")
    parser.add_argument("--only", help="comma-separated body names to keep")


def bodies_from(args, workdir):
    """(name, path) of each body: `--bodies DIR`'s NAME.xml files (not
    `*.response.xml`), then each `--body NAME=FILE`, kept to `--only`'s
    names; with none, a two-integer `add` call written into `workdir`."""
    bodies = []
    if args.bodies:
        for path in sorted(glob.glob(os.path.join(args.bodies, "*.xml"))):
            name = os.path.basename(path)[: -len(".xml")]
            if not name.endswith(".response"):
                bodies.append((name, path))
    for spec in args.body:
        name, _, path = spec.partition("=")
        bodies.append((name, path))
    if args.only:
        bodies = [b for b in bodies if b[0] in args.only.split(",")]
    if not bodies:
        path = os.path.join(workdir, "tiny.xml")
        with open(path, "wb") as f:
            f.write(TINY_ADD)
        bodies = [("tiny", path)]
    return bodies


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, seconds):
    """Returns once something accepts on `port`; exits if `proc` ends first
    or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}) before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on port {port} after {seconds} s")
