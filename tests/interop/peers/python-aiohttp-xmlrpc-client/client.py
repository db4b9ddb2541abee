"""Python aiohttp-xmlrpc (its own lxml marshalling) as a peer client:
python3 client.py URL.

No switches: it always reads and writes <nil/>; it has no i8.
"""
import asyncio
import os
import sys

from aiohttp_xmlrpc.client import ServerProxy
from aiohttp_xmlrpc.exceptions import XMLRPCError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_lib"))
from protocol import run  # noqa: E402


async def main():
    proxy = ServerProxy(sys.argv[1], huge_tree=True)  # huge_tree: the 1 MB base64 case

    async def call(method, *params):
        return await getattr(proxy, method)(*params)

    try:
        await run(call, lambda e: (e.code, e.message) if isinstance(e, XMLRPCError) else None)
    finally:
        await proxy.close()


asyncio.run(main())
