"""Check that nothing but the exported methods can be reached through the instance.

    python3 instance_escape.py URL [--code -32601]

Calls, each with the arguments (7, 2), names that would reach private or
unexported things if the server resolved names on its registered instance
carelessly (dunder attributes, dotted paths, empty path segments, a bare
'system', a 100 KB name) and expects each to be answered by a Fault with
faultCode CODE (default -32601, our "method not found"; use --code 1 for
Python's SimpleXMLRPCServer). The 100 KB name may instead be refused before
any lookup with -32600 (our method-name length limit). Requests are built with xmlrpc.client.dumps and
POSTed with http.client, so that names like '__class__' really go out.

Also checks the exported methods still work: div(7,2) == 3, div(-7,2) == -4
(floor division), mul(5,2) == 10, and that div(1,0) is a Fault whose code is
not -32601 (it is not a missing method).

Prints `ok N names refused` and exits 0, or one line per problem and exits 1.
"""
import argparse
import sys
import xmlrpc.client

from rawpost import post

NAMES = ['div.__class__', 'div.__globals__', '_dispatch', '__init__', '__class__',
         '__class__.__init__', 'div.__call__', 'mul.__code__', '_private', 'a..b',
         '.div', 'div.', 'system', 'system.listMethods.x', 'a' * 100 * 1024]


def call(url, method, *params):
    """Return the single result; raise xmlrpc.client.Fault for a fault response."""
    body = xmlrpc.client.dumps(params, methodname=method, allow_none=True).encode('utf-8')
    return xmlrpc.client.loads(post(url, body))[0][0]


def outcome(url, method, *params):
    try:
        return 'returned %r' % (call(url, method, *params),)
    except xmlrpc.client.Fault as fault:
        return fault
    except Exception as exc:
        return '%s: %s' % (type(exc).__name__, exc)


def short(text, limit=160):
    text = str(text)
    return text if len(text) <= limit else '%s...(%d chars)' % (text[:limit], len(text))


def label(name):
    return repr(name) if len(name) < 80 else '%r...(%d chars)' % (name[:20], len(name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('--code', type=int, default=-32601,
                        help='fault code expected for unreachable names (default -32601)')
    args = parser.parse_args()

    problems = []
    for name in NAMES:
        got = outcome(args.url, name, 7, 2)
        allowed = {args.code, -32600} if len(name) > 1024 else {args.code}
        if not (isinstance(got, xmlrpc.client.Fault) and got.faultCode in allowed):
            problems.append('%s: want Fault %d, got %s' % (label(name), args.code, short(got)))

    for method, params, want in [('div', (7, 2), 3), ('div', (-7, 2), -4), ('mul', (5, 2), 10)]:
        got = outcome(args.url, method, *params)
        if got != 'returned %r' % (want,):
            problems.append('%s%r: want %r, got %s' % (method, params, want, short(got)))
    got = outcome(args.url, 'div', 1, 0)
    if not (isinstance(got, xmlrpc.client.Fault) and got.faultCode != -32601):
        problems.append('div(1, 0): want a Fault with a code other than -32601, got %s' % short(got))

    if problems:
        for line in problems:
            print('FAIL ' + line)
        return 1
    print('ok %d names refused' % len(NAMES))
    return 0


if __name__ == '__main__':
    sys.exit(main())
