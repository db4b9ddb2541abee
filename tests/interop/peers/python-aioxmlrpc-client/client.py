"""Python aioxmlrpc (asyncio + httpx over xmlrpc.client's marshalling) as a
peer client: python3 client.py URL.

Switches: allow_none=True (send <nil/>), use_builtin_types=True (base64 as
bytes, dateTime.iso8601 as datetime).
"""
import asyncio
import os
import sys

from aioxmlrpc.client import Fault, ServerProxy

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_lib"))
from protocol import run  # noqa: E402


async def main():
    proxy = ServerProxy(sys.argv[1], allow_none=True, use_builtin_types=True, timeout=60)

    async def call(method, *params):
        return await getattr(proxy, method)(*params)

    await run(call, lambda e: (e.faultCode, e.faultString) if isinstance(e, Fault) else None)


asyncio.run(main())
