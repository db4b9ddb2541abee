"""Python aiohttp-xmlrpc (its own lxml marshalling) as a peer client:
python3 client.py URL.

No switches: it always reads and writes <nil/>; it has no i8.
"""
import asyncio
import sys

from aiohttp_xmlrpc.client import ServerProxy
from aiohttp_xmlrpc.exceptions import XMLRPCError


async def main():
    proxy = ServerProxy(sys.argv[1], huge_tree=True)  # huge_tree: the 1 MB base64 case

    async def report(name, call):
        try:
            result = await call()
        except XMLRPCError as f:
            result = f"ERROR fault {f.code}: {f.message}"
        except Exception as e:  # the library failing to read or write a value
            result = f"ERROR {type(e).__name__}: {e}"
        print(f"{name}\t{' '.join(str(result).splitlines())}", flush=True)

    async def case(name):
        return await proxy.interop.check(name, await proxy.interop.case(name))

    async def check(name, value):
        return await proxy.interop.check(name, await value)

    async def fault():
        try:
            await proxy.interop.fault(4, "Too many parameters: <&> 'quoted' \"double\" é")
        except XMLRPCError as f:
            return await proxy.interop.check("fault", [f.code, f.message])
        return "ERROR no fault raised"

    try:
        for name in await proxy.interop.cases():
            await report(name, lambda: case(name))
        await report("fault", fault)
        await report("introspection.list",
                     lambda: check("introspection.list", proxy.system.listMethods()))
        await report("introspection.signature",
                     lambda: check("introspection.signature", proxy.system.methodSignature("add")))
        await report("introspection.help",
                     lambda: check("introspection.help", proxy.system.methodHelp("add")))
        await report("multicall", lambda: check("multicall", proxy.system.multicall([
            {"methodName": "add", "params": [2, 3]},
            {"methodName": "interop.fault", "params": [4, "in a multicall"]},
            {"methodName": "echo", "params": ["x"]},
        ])))
    finally:
        await proxy.close()


asyncio.run(main())
