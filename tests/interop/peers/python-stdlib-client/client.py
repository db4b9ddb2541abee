"""Python xmlrpc.client (stdlib) as a peer client: python3 client.py URL.

Switches: allow_none=True (send <nil/>; reading <nil/> and <i8> is always on),
use_builtin_types=True (base64 as bytes, dateTime.iso8601 as datetime).
"""
import sys
import xmlrpc.client

proxy = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True, use_builtin_types=True)


def report(name, call):
    try:
        result = call()
    except xmlrpc.client.Fault as f:
        result = f"ERROR fault {f.faultCode}: {f.faultString}"
    except Exception as e:  # the library failing to read or write a value
        result = f"ERROR {type(e).__name__}: {e}"
    print(f"{name}\t{' '.join(str(result).splitlines())}", flush=True)


for name in proxy.interop.cases():
    report(name, lambda: proxy.interop.check(name, proxy.interop.case(name)))


def fault():
    try:
        proxy.interop.fault(4, "Too many parameters: <&> 'quoted' \"double\" é")
    except xmlrpc.client.Fault as f:
        return proxy.interop.check("fault", [f.faultCode, f.faultString])
    return "ERROR no fault raised"


report("fault", fault)
report("introspection.list",
       lambda: proxy.interop.check("introspection.list", proxy.system.listMethods()))
report("introspection.signature",
       lambda: proxy.interop.check("introspection.signature", proxy.system.methodSignature("add")))
report("introspection.help",
       lambda: proxy.interop.check("introspection.help", proxy.system.methodHelp("add")))
report("multicall", lambda: proxy.interop.check("multicall", proxy.system.multicall([
    {"methodName": "add", "params": [2, 3]},
    {"methodName": "interop.fault", "params": [4, "in a multicall"]},
    {"methodName": "echo", "params": ["x"]},
])))
