"""Python Twisted twisted.web.xmlrpc.Proxy as a peer client: python3 client.py URL.

Switches: allowNone=True (send <nil/>), useDateTime=True (dateTime.iso8601
as datetime); base64 stays xmlrpc.client.Binary (Proxy has no
use_builtin_types), which it sends back as base64.
"""
import sys

from twisted.internet import defer, task
from twisted.web.xmlrpc import Fault, Proxy


@defer.inlineCallbacks
def main(reactor):
    proxy = Proxy(sys.argv[1].encode(), allowNone=True, useDateTime=True)
    call = proxy.callRemote

    @defer.inlineCallbacks
    def report(name, check):
        try:
            result = yield check()
        except Fault as f:
            result = f"ERROR fault {f.faultCode}: {f.faultString}"
        except Exception as e:  # the library failing to read or write a value
            result = f"ERROR {type(e).__name__}: {e}"
        print(f"{name}\t{' '.join(str(result).splitlines())}", flush=True)

    @defer.inlineCallbacks
    def case(name):
        value = yield call("interop.case", name)
        return (yield call("interop.check", name, value))

    @defer.inlineCallbacks
    def checked(name, method, *args):
        value = yield call(method, *args)
        return (yield call("interop.check", name, value))

    @defer.inlineCallbacks
    def fault():
        try:
            yield call("interop.fault", 4, "Too many parameters: <&> 'quoted' \"double\" é")
        except Fault as f:
            return (yield call("interop.check", "fault", [f.faultCode, f.faultString]))
        return "ERROR no fault raised"

    for name in (yield call("interop.cases")):
        yield report(name, lambda: case(name))
    yield report("fault", fault)
    yield report("introspection.list",
                 lambda: checked("introspection.list", "system.listMethods"))
    yield report("introspection.signature",
                 lambda: checked("introspection.signature", "system.methodSignature", "add"))
    yield report("introspection.help",
                 lambda: checked("introspection.help", "system.methodHelp", "add"))
    yield report("multicall", lambda: checked("multicall", "system.multicall", [
        {"methodName": "add", "params": [2, 3]},
        {"methodName": "interop.fault", "params": [4, "in a multicall"]},
        {"methodName": "echo", "params": ["x"]},
    ]))


task.react(main)
