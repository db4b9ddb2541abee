#!/usr/bin/env python3
"""Python's xmlrpc.server.SimpleXMLRPCServer as an interop peer server:
python3 server.py PORT (127.0.0.1, path /RPC2)."""
import sys
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCServer, SimpleXMLRPCRequestHandler


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2", "/")


def echo(x):
    return x


def fault(code, string):
    raise Fault(code, string)


def add(a, b):
    """Adds two numbers."""
    return a + b


server = SimpleXMLRPCServer(("127.0.0.1", int(sys.argv[1])), requestHandler=Handler,
                            logRequests=False, allow_none=True, use_builtin_types=True)
server.register_introspection_functions()
server.register_multicall_functions()
server.register_function(echo)
server.register_function(fault)
server.register_function(add)
server.serve_forever()
