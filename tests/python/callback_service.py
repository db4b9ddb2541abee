"""An XML-RPC service that calls its clients back, as HomeMatic's CCU does:
init(url, interface_id) registers a client's callback server, and the
service then calls `system.multicall` of `event(interface_id, address,
key, value)` on it from a thread of its own, and `listDevices(interface_id)`
once; init(url) with no id unregisters it. events_sent() answers how many
events each registered id was sent, once sent.

    python3 callback_service.py PORT_FILE

Listens on 127.0.0.1 with an OS-picked port, written to PORT_FILE.
"""
import os
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

sent = {}
done = {}


def call_back(url, interface_id):
    proxy = xmlrpc.client.ServerProxy(url)
    devices = proxy.listDevices(interface_id)
    multicall = xmlrpc.client.MultiCall(proxy)
    for n in range(3):
        multicall.event(interface_id, 'LEQ0000001:1', 'STATE', n % 2 == 0)
    multicall.event(interface_id, 'LEQ0000001:1', 'DEVICES_KNOWN', len(devices))
    results = list(multicall())
    sent[interface_id] = len(results)
    done[interface_id].set()


def init(url, interface_id=''):
    if interface_id:
        done[interface_id] = threading.Event()
        threading.Thread(target=call_back, args=(url, interface_id), daemon=True).start()
    return ''


def events_sent(interface_id):
    done[interface_id].wait(10)
    return sent.get(interface_id, 0)


server = SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False, allow_none=True)
server.register_function(init)
server.register_function(events_sent)
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
server.serve_forever()
