#!/usr/bin/env python3
"""aiohttp-xmlrpc's XMLRPCView as an interop peer server:
python3 server.py PORT (127.0.0.1, path /RPC2). The library has no
introspection or multicall."""
import sys

from aiohttp import web
from aiohttp_xmlrpc import handler
from aiohttp_xmlrpc.exceptions import XMLRPCError, register_exception

FAULTS = {}


def fault_class(code):
    """The library sends a fault's code from the exception's class, looked
    up in its registry (register_exception), so each code gets a class."""
    if code not in FAULTS:
        FAULTS[code] = type(f"Fault{code}", (XMLRPCError,), {"code": code})
        register_exception(FAULTS[code], code)
    return FAULTS[code]


class View(handler.XMLRPCView):
    def rpc_echo(self, x):
        return x

    def rpc_fault(self, code, string):
        raise fault_class(code)(string)

    def rpc_add(self, a, b):
        return a + b


# aiohttp refuses request bodies over 1 MiB by default; 16 MiB lets the
# megabyte case through (a setting, like rTorrent's size_limit).
app = web.Application(client_max_size=16 * 1024 * 1024)
app.router.add_route("*", "/RPC2", View)
app.router.add_route("*", "/", View)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
