#!/usr/bin/env python3
"""twisted.web.xmlrpc.XMLRPC as an interop peer server:
python3 server.py PORT (127.0.0.1, path /RPC2), with Twisted's
introspection (addIntrospection); Twisted has no system.multicall."""
import sys

from twisted.internet import endpoints, reactor
from twisted.web import resource, server, xmlrpc


class Peer(xmlrpc.XMLRPC):
    def xmlrpc_echo(self, x):
        return x

    def xmlrpc_fault(self, code, string):
        raise xmlrpc.Fault(code, string)

    def xmlrpc_add(self, a, b):
        """Adds two numbers."""
        return a + b

    xmlrpc_add.signature = [["int", "int", "int"]]


peer = Peer(allowNone=True, useDateTime=True)
xmlrpc.addIntrospection(peer)
root = resource.Resource()
root.putChild(b"RPC2", peer)
endpoints.TCP4ServerEndpoint(reactor, int(sys.argv[1]), interface="127.0.0.1").listen(server.Site(root))
reactor.run()
