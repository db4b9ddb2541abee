#!/usr/bin/python3
"""Python's xmlrpc.server.CGIXMLRPCRequestHandler as an interop peer server
behind a web server's CGI: echo, fault, add, and Python's introspection
and multicall. Debian's /usr/bin/python3 (a CGI's PATH is minimal).
python-stdlib-server/server.py serves the same methods (`register`)."""
from xmlrpc.client import Fault
from xmlrpc.server import CGIXMLRPCRequestHandler


def echo(x):
    return x


def fault(code, string):
    raise Fault(code, string)


def add(a, b):
    """Adds two numbers."""
    return a + b


def register(dispatcher):
    """Registers introspection, multicall, echo, fault and add on
    `dispatcher`: this CGI's handler, or python-stdlib-server's server."""
    dispatcher.register_introspection_functions()
    dispatcher.register_multicall_functions()
    dispatcher.register_function(echo)
    dispatcher.register_function(fault)
    dispatcher.register_function(add)


if __name__ == "__main__":
    handler = CGIXMLRPCRequestHandler(allow_none=True, use_builtin_types=True)
    register(handler)
    handler.handle_request()
