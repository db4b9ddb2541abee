#!/usr/bin/env python3
"""Python's xmlrpc.server.SimpleXMLRPCServer as an interop peer server:
python3 server.py PORT (127.0.0.1, path /RPC2). Its methods are the CGI
peers' (../_cgi/rpc.py)."""
import os
import sys
from xmlrpc.server import SimpleXMLRPCServer, SimpleXMLRPCRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_cgi"))
from rpc import register  # noqa: E402


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2", "/")


server = SimpleXMLRPCServer(("127.0.0.1", int(sys.argv[1])), requestHandler=Handler,
                            logRequests=False, allow_none=True, use_builtin_types=True)
register(server)
server.serve_forever()
