"""Python aioxmlrpc (asyncio + httpx over xmlrpc.client's marshalling) as a
peer client: python3 client.py URL.

Switches: allow_none=True (send <nil/>), use_builtin_types=True (base64 as
bytes, dateTime.iso8601 as datetime).
"""
import asyncio
import sys

from aioxmlrpc.client import Fault, ServerProxy


async def main():
    proxy = ServerProxy(sys.argv[1], allow_none=True, use_builtin_types=True, timeout=60)

    async def report(name, call):
        try:
            result = await call()
        except Fault as f:
            result = f"ERROR fault {f.faultCode}: {f.faultString}"
        except Exception as e:  # the library failing to read or write a value
            result = f"ERROR {type(e).__name__}: {e}"
        print(f"{name}\t{' '.join(str(result).splitlines())}", flush=True)

    async def case(name):
        return await proxy.interop.check(name, await proxy.interop.case(name))

    for name in await proxy.interop.cases():
        await report(name, lambda: case(name))

    async def fault():
        try:
            await proxy.interop.fault(4, "Too many parameters: <&> 'quoted' \"double\" é")
        except Fault as f:
            return await proxy.interop.check("fault", [f.faultCode, f.faultString])
        return "ERROR no fault raised"

    async def check(name, value):
        return await proxy.interop.check(name, await value)

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


asyncio.run(main())
