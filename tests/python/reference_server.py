"""Pure-Python reference for the demo server, for side-by-side comparisons.

Serves, with Python's own xmlrpc.server.SimpleXMLRPCServer on 127.0.0.1 and an
OS-picked port, exactly what the Rust demo serves: pow, add, div and mul (the
last two from a registered instance), echo, system.listMethods,
system.methodHelp, system.methodSignature, system.multicall and
system.getCapabilities, with allow_none on, on the paths '/' and '/RPC2'.

Once listening it writes its port number to PORTFILE (atomically: a reader
never sees a half-written file), then serves until killed (SIGTERM or SIGINT
stop it cleanly, exit status 0).

    python3 reference_server.py PORTFILE [--encoding iso-8859-1] [--headers]

--encoding sets the encoding of the responses (default utf-8).
--headers also registers request_headers(*ignored), which answers the
headers of the request that called it as a struct (names in lower case), so
a client's tests can see what reached the server (Authorization,
Content-Encoding, Accept-Encoding); any arguments are ignored, so a large one
makes a request large enough to be gzipped.

Note: Python reports every fault with faultCode 1 (unknown method, bad
params, division by zero alike) and answers system.methodSignature with the
string 'signatures not supported'.
"""
import argparse
import os
import signal
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


def power(x, y):
    """Return x raised to the power y."""
    return x ** y


def adder(x, y):
    """Return the sum of x and y."""
    return x + y


def echo(x):
    """Return the argument unchanged."""
    return x


class Arithmetic:
    """Instance whose public methods are exported (div and mul)."""

    def div(self, x, y):
        """Return x divided by y, rounded down (floor division)."""
        return x // y

    def mul(self, x, y):
        """Return the product of x and y."""
        return x * y


SPEC = {
    'xmlrpc': ('http://www.xmlrpc.com/spec', 1),
    'faults_interop': ('http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php', 20010516),
    'introspection': ('http://xmlrpc-c.sourceforge.net/introspection.html', 1),
    'system.multicall': ('http://www.xmlrpc.com/discuss/msgReader$1208', 1),
    'nil': ('http://www.ontosys.com/xml-rpc/extensions.php', 20010518),
}


def get_capabilities():
    """Return the XML-RPC specifications and extensions this server supports."""
    return {name: {'specUrl': url, 'specVersion': version}
            for name, (url, version) in SPEC.items()}


# The headers of the request being answered (the server is single-threaded).
CURRENT_HEADERS = {}


def request_headers(*ignored):
    """Return the headers of this request, names in lower case."""
    return dict(CURRENT_HEADERS)


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ('/', '/RPC2')

    def do_POST(self):
        CURRENT_HEADERS.clear()
        CURRENT_HEADERS.update((k.lower(), v) for k, v in self.headers.items())
        super().do_POST()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('portfile')
    parser.add_argument('--encoding', default=None)
    parser.add_argument('--headers', action='store_true')
    args = parser.parse_args()

    server = SimpleXMLRPCServer(('127.0.0.1', 0), requestHandler=Handler,
                                allow_none=True, logRequests=False,
                                encoding=args.encoding)
    with server:
        server.register_function(power, 'pow')
        server.register_function(adder, 'add')
        server.register_instance(Arithmetic())
        server.register_function(echo)
        server.register_introspection_functions()
        server.register_multicall_functions()
        server.register_function(get_capabilities, 'system.getCapabilities')
        if args.headers:
            server.register_function(request_headers)

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        tmp = args.portfile + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % server.server_address[1])
        os.replace(tmp, args.portfile)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    main()
