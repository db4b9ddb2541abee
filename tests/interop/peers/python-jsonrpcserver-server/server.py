#!/usr/bin/env python3
"""Python jsonrpcserver (PyPI) as a JSON-RPC 2.0 peer server:
python3 server.py PORT (127.0.0.1, path /RPC2, and /). echo, fault and add
through its `dispatch`, behind the standard library's http.server, as its
documentation shows; batches are its own. It has no introspection.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jsonrpcserver import Error, Success, dispatch, method


@method
def echo(x):
    return Success(x)


@method
def fault(code, string):
    return Error(code, string)


@method
def add(a, b):
    return Success(a + b)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        request = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        body = dispatch(request).encode()
        self.send_response(200 if body else 204)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
