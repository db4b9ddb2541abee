"""What scripts/instructions.py and scripts/open_loop.py share: the
request bodies they load servers with, the answer each body must get,
and starting a server on a free port of 127.0.0.1."""

import base64
import datetime
import glob
import json
import os
import socket
import time
import xmlrpc.client

TINY_ADD = (
    b'<?xml version="1.0"?><methodCall><methodName>add</methodName><params>'
    b"<param><value><int>2</int></value></param><param><value><int>3</int>"
    b"</value></param></params></methodCall>"
)


TINY_ANSWER = (
    b'<?xml version="1.0"?><methodResponse><params><param><value><int>5</int>'
    b"</value></param></params></methodResponse>"
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


def expected_answer_file(path, workdir):
    """The document whose value every answer to the body at `path` must
    have: NAME.response.xml beside NAME.xml, or, for the built-in add, one
    written into `workdir`. A load is only measured on correct answers."""
    beside = (path[: -len(".xml")] if path.endswith(".xml") else path) + ".response.xml"
    if os.path.exists(beside):
        return beside
    with open(path, "rb") as f:
        if f.read() == TINY_ADD:
            answer = os.path.join(workdir, "tiny.response.xml")
            with open(answer, "wb") as out:
                out.write(TINY_ANSWER)
            return answer
    raise SystemExit(f"no {beside}: write the answer every request of {path} must get there")


def read_answer(document):
    """An answer document as a comparable value: ("value", v) or ("fault",
    code, string); ("unreadable", error) for what is not an answer."""
    try:
        params, _ = xmlrpc.client.loads(document, use_builtin_types=True)
        return ("value", params)
    except xmlrpc.client.Fault as fault:
        return ("fault", fault.faultCode, fault.faultString)
    except Exception as error:  # noqa: BLE001 - any parse error is a wrong answer
        return ("unreadable", f"{type(error).__name__}: {error}")


def to_json_form(value):
    """A value as xmlrpc.client reads it, in the JSON form our JSON-RPC
    speaks (README.md, "JSON-RPC 2.0, from the same methods"): bytes as
    {"$base64": …}, a date-time as {"$dateTime": …}."""
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    if isinstance(value, datetime.datetime):
        return {"$dateTime": value.strftime("%Y%m%dT%H:%M:%S")}
    if isinstance(value, xmlrpc.client.DateTime):
        return {"$dateTime": value.value}
    if isinstance(value, list):
        return [to_json_form(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_form(v) for k, v in value.items()}
    return value


def json_rpc_body(xml_body):
    """The JSON-RPC 2.0 request making the call an XML-RPC body makes."""
    params, method = xmlrpc.client.loads(xml_body, use_builtin_types=True)
    call = {"jsonrpc": "2.0", "method": method, "params": to_json_form(list(params)), "id": 1}
    return json.dumps(call, separators=(",", ":")).encode()


class JsonAnswerCheck:
    """Checks that each JSON-RPC answer holds the value of the expected
    XML-RPC document, in its JSON form (or its fault as the error)."""

    def __init__(self, response_file):
        with open(response_file, "rb") as f:
            expected = read_answer(f.read())
        if expected[0] == "value":
            self.expected = ("value", to_json_form(expected[1][0]))
        else:
            self.expected = expected
        self.right = set()

    def check(self, answer):
        """None if `answer` is right, else what is wrong with it."""
        if answer in self.right:
            return None
        try:
            document = json.loads(answer)
            if "error" in document:
                got = ("fault", document["error"]["code"], document["error"]["message"])
            else:
                got = ("value", document["result"])
        except Exception as error:  # noqa: BLE001 - any parse error is a wrong answer
            got = ("unreadable", f"{type(error).__name__}: {error}")
        if got != self.expected:
            return f"a wrong answer: {str(got)[:200]} (expected {str(self.expected)[:200]})"
        if len(self.right) < 4:
            self.right.add(answer)
        return None


class AnswerCheck:
    """Checks that each answer holds the value of the expected document
    (compared as values, so that servers may spell it differently); an
    answer whose bytes were already found right is not parsed again."""

    def __init__(self, response_file):
        with open(response_file, "rb") as f:
            self.expected = read_answer(f.read())
        if self.expected[0] == "unreadable":
            raise SystemExit(f"{response_file}: {self.expected[1]}")
        self.right = set()

    def check(self, answer):
        """None if `answer` is right, else what is wrong with it."""
        if answer in self.right:
            return None
        got = read_answer(answer)
        if got != self.expected:
            return f"a wrong answer: {str(got)[:200]} (expected {str(self.expected)[:200]})"
        if len(self.right) < 4:
            self.right.add(answer)
        return None


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
