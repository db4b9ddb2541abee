"""Python xmlrpc.client (stdlib) as a peer client: python3 client.py URL.

Switches: allow_none=True (send <nil/>; reading <nil/> and <i8> is always on),
use_builtin_types=True (base64 as bytes, dateTime.iso8601 as datetime).
"""
import asyncio
import os
import sys
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_lib"))
from protocol import run  # noqa: E402

proxy = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True, use_builtin_types=True)


async def call(method, *params):
    return getattr(proxy, method)(*params)


def fault_of(e):
    return (e.faultCode, e.faultString) if isinstance(e, xmlrpc.client.Fault) else None


asyncio.run(run(call, fault_of))
