"""Python jsonrpcclient (PyPI) as a JSON-RPC 2.0 peer client:
python3 client.py URL.

jsonrpcclient writes request objects (`request`, its ids counting up) and
reads response objects (`parse`: `Ok` or `Error`); the HTTP is the
standard library's urllib, as its documentation shows with any HTTP
library. Values are what Python's json module makes of them: a base64 or
dateTime case is a dict ({"$base64": ...}) sent back as it came.
"""
import asyncio
import json
import os
import sys
import urllib.request

from jsonrpcclient import Error, Ok, parse, request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_lib"))
from protocol import run  # noqa: E402

URL = sys.argv[1]


class Fault(Exception):
    def __init__(self, error):
        super().__init__(f"{error.code}: {error.message}")
        self.code, self.message = error.code, error.message


def post(document):
    body = json.dumps(document).encode()
    req = urllib.request.Request(URL, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.loads(response.read())


async def call(method, *params):
    response = parse(post(request(method, params=params)))
    if isinstance(response, Error):
        raise Fault(response)
    return response.result


async def batch(calls):
    requests = [request(method, params=tuple(params)) for method, params in calls]
    by_id = {r.id: r for r in parse(post(requests))}
    return [("ok", r.result) if isinstance(r, Ok) else ("fault", r.code, r.message)
            for r in (by_id[q["id"]] for q in requests)]


asyncio.run(run(call, lambda e: (e.code, e.message) if isinstance(e, Fault) else None, batch))
