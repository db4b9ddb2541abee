#!/usr/bin/python3
"""Python's xmlrpc.server.CGIXMLRPCRequestHandler as an interop peer server
behind a web server's CGI: echo, fault, add, and Python's introspection
and multicall. Debian's /usr/bin/python3 (a CGI's PATH is minimal)."""
from xmlrpc.client import Fault
from xmlrpc.server import CGIXMLRPCRequestHandler


def echo(x):
    return x


def fault(code, string):
    raise Fault(code, string)


def add(a, b):
    """Adds two numbers."""
    return a + b


handler = CGIXMLRPCRequestHandler(allow_none=True, use_builtin_types=True)
handler.register_introspection_functions()
handler.register_multicall_functions()
handler.register_function(echo)
handler.register_function(fault)
handler.register_function(add)
handler.handle_request()
