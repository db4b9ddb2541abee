"""The peer client protocol of tests/interop/README.md, once for every
Python library: `await run(call, fault_of)` makes the calls through
`await call(method, *params)` (the library's native values) and prints one
NAME<TAB>RESULT line per check. `fault_of(error)` is (code, string) when
the error is an XML-RPC fault, else None. Runs under asyncio, or under
Twisted (`defer.ensureDeferred`), since it only awaits `call`.

A JSON-RPC client passes `batch` too: `await batch(calls)` sends the
(method, params) pairs as one JSON-RPC batch and gives one result per
call, in order, each `("ok", value)` or `("fault", code, message)`; the
multicall check then goes as that batch, its results turned back into
system.multicall's form ([value], or a fault struct) to be judged.
"""

MULTICALL = [
    {"methodName": "add", "params": [2, 3]},
    {"methodName": "interop.fault", "params": [4, "in a multicall"]},
    {"methodName": "echo", "params": ["x"]},
]


async def run(call, fault_of, batch=None):
    async def report(name, check):
        try:
            result = await check()
        except Exception as e:  # a fault, or the library failing to read or write a value
            fault = fault_of(e)
            result = f"ERROR fault {fault[0]}: {fault[1]}" if fault else f"ERROR {type(e).__name__}: {e}"
        print(f"{name}\t{' '.join(str(result).splitlines())}", flush=True)

    async def checked(name, method, *params):
        return await call("interop.check", name, await call(method, *params))

    async def fault():
        try:
            await call("interop.fault", 4, "Too many parameters: <&> 'quoted' \"double\" é")
        except Exception as e:
            fault = fault_of(e)
            if not fault:
                raise
            return await call("interop.check", "fault", list(fault))
        return "ERROR no fault raised"

    for name in await call("interop.cases"):
        await report(name, lambda: checked(name, "interop.case", name))
    await report("fault", fault)
    await report("introspection.list", lambda: checked("introspection.list", "system.listMethods"))
    await report("introspection.signature",
                 lambda: checked("introspection.signature", "system.methodSignature", "add"))
    await report("introspection.help", lambda: checked("introspection.help", "system.methodHelp", "add"))
    if batch is None:
        await report("multicall", lambda: checked("multicall", "system.multicall", MULTICALL))
    else:
        async def batched():
            results = await batch([(c["methodName"], c["params"]) for c in MULTICALL])
            wire = [[r[1]] if r[0] == "ok" else {"faultCode": r[1], "faultString": r[2]}
                    for r in results]
            return await call("interop.check", "multicall", wire)
        await report("multicall", batched)
