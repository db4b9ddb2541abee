"""Python Twisted twisted.web.xmlrpc.Proxy as a peer client: python3 client.py URL.

Switches: allowNone=True (send <nil/>), useDateTime=True (dateTime.iso8601
as datetime); base64 stays xmlrpc.client.Binary (Proxy has no
use_builtin_types), which it sends back as base64.
"""
import os
import sys

from twisted.internet import defer, task
from twisted.web.xmlrpc import Fault, Proxy

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "_lib"))
from protocol import run  # noqa: E402


def main(reactor):
    proxy = Proxy(sys.argv[1].encode(), allowNone=True, useDateTime=True)
    fault_of = lambda e: (e.faultCode, e.faultString) if isinstance(e, Fault) else None  # noqa: E731
    return defer.ensureDeferred(run(proxy.callRemote, fault_of))


task.react(main)
