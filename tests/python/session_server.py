"""An XML-RPC server that keeps a session in a cookie, as session-based
APIs do: login(user, password) sets `session=…`, whoami() answers the
user of the session cookie sent (fault 2 without one), logout() deletes
the cookie (Max-Age=0).

    python3 session_server.py PORT_FILE

Listens on 127.0.0.1 with an OS-picked port, written to PORT_FILE.
"""
import os
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

sessions = {}
local = threading.local()


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ('/RPC2',)

    def do_POST(self):
        local.cookie = self.headers.get('Cookie', '')
        local.set_cookie = None
        super().do_POST()

    def end_headers(self):
        if getattr(local, 'set_cookie', None):
            self.send_header('Set-Cookie', local.set_cookie)
        super().end_headers()


def login(user, password):
    if password != 'secret':
        raise xmlrpc.client.Fault(1, 'bad password')
    token = 'tok-' + user
    sessions[token] = user
    local.set_cookie = 'session=%s; Path=/; HttpOnly' % token
    return True


def whoami():
    for part in local.cookie.split(';'):
        name, _, value = part.strip().partition('=')
        if name == 'session' and value in sessions:
            return sessions[value]
    raise xmlrpc.client.Fault(2, 'not logged in')


def logout():
    local.set_cookie = 'session=; Path=/; Max-Age=0'
    return True


server = SimpleXMLRPCServer(('127.0.0.1', 0), requestHandler=Handler, logRequests=False)
for function in (login, whoami, logout):
    server.register_function(function)
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[1] + '.tmp', sys.argv[1])
server.serve_forever()
