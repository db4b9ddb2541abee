"""Compare introspection and multicall of our server with the Python reference.

    python3 compare_introspection.py OUR_URL REF_URL [--no-strict]

REF_URL is normally reference_server.py. Checks, on both servers:
  * system.listMethods: the same list on both, each sorted;
  * system.methodHelp(m) for every method: a string on both (text not compared);
  * system.methodSignature(m): Python answers a string; ours must answer an
    array of non-empty arrays of type-name strings, with 3 entries (return
    type + 2 params) in every signature of pow, add, div and mul;
  * system.getCapabilities: a struct of {specUrl: str, specVersion: int} structs;
  * xmlrpc.client.MultiCall of pow(2,3), add(2,3), div(7,2), div(1,0),
    nosuch(), mul(5,2): the same successes (8, 5, 3, 10) in the same order, and
    a Fault (int faultCode, str faultString) at the same places; fault codes
    are not compared (Python uses 1 for every fault);
  * a raw system.multicall: each success is a one-element array, each failure
    a struct with exactly the members faultCode (int) and faultString (str).

--no-strict accepts a string from ours' system.methodSignature as well (the
only check Python's own server fails), for pointing both URLs at references.

Prints `ok ...` with a summary and exits 0, or one line per problem and exits 1.
"""
import sys
import xmlrpc.client

ARITH = ('pow', 'add', 'div', 'mul')
CALLS = [('pow', (2, 3)), ('add', (2, 3)), ('div', (7, 2)), ('div', (1, 0)),
         ('nosuch', ()), ('mul', (5, 2))]
EXPECTED = [8, 5, 3, 'fault', 'fault', 10]

problems = []


def check(ok, message):
    if not ok:
        problems.append(message)
    return ok


def call(proxy, method, *args):
    """('ok', value) or ('fault', Fault) or ('error', exception)."""
    try:
        return 'ok', getattr(proxy, method)(*args)
    except xmlrpc.client.Fault as fault:
        return 'fault', fault
    except Exception as exc:
        return 'error', exc


def is_signature_list(sig):
    return (isinstance(sig, list) and len(sig) > 0 and
            all(isinstance(s, list) and s and all(isinstance(t, str) for t in s) for s in sig))


def multicall_outcomes(proxy):
    multi = xmlrpc.client.MultiCall(proxy)
    for name, args in CALLS:
        getattr(multi, name)(*args)
    results = multi()
    outcomes = []
    for i in range(len(CALLS)):
        try:
            outcomes.append(results[i])
        except xmlrpc.client.Fault as fault:
            outcomes.append(fault)
    return outcomes


def shape(outcome):
    if isinstance(outcome, xmlrpc.client.Fault):
        return 'fault' if isinstance(outcome.faultCode, int) and isinstance(outcome.faultString, str) else 'bad fault %r' % outcome
    return outcome


def main():
    args = [a for a in sys.argv[1:] if a != '--no-strict']
    strict = len(args) == len(sys.argv) - 1
    if len(args) != 2:
        sys.exit(__doc__)
    servers = {'ours': args[0], 'ref': args[1]}
    proxies = {who: xmlrpc.client.ServerProxy(url, allow_none=True, use_builtin_types=True)
               for who, url in servers.items()}
    ours, ref = proxies['ours'], proxies['ref']

    # system.listMethods
    methods = {}
    for who, proxy in proxies.items():
        kind, value = call(proxy, 'system.listMethods')
        if check(kind == 'ok' and isinstance(value, list) and all(isinstance(m, str) for m in value),
                 '%s: system.listMethods gave %s %r' % (who, kind, value)):
            check(value == sorted(value), '%s: system.listMethods is not sorted: %r' % (who, value))
            methods[who] = value
    if len(methods) == 2 and not check(methods['ours'] == methods['ref'], 'system.listMethods differ'):
        problems.append('  only ours: %r' % sorted(set(methods['ours']) - set(methods['ref'])))
        problems.append('  only ref:  %r' % sorted(set(methods['ref']) - set(methods['ours'])))
    names = methods.get('ours', methods.get('ref', list(ARITH)))

    # system.methodHelp and system.methodSignature
    for name in names:
        for who, proxy in proxies.items():
            kind, value = call(proxy, 'system.methodHelp', name)
            check(kind == 'ok' and isinstance(value, str),
                  '%s: system.methodHelp(%r) gave %s %r, not a string' % (who, name, kind, value))
        kind, value = call(ref, 'system.methodSignature', name)
        check(kind == 'ok' and (isinstance(value, str) or is_signature_list(value)),
              'ref: system.methodSignature(%r) gave %s %r' % (name, kind, value))
        kind, value = call(ours, 'system.methodSignature', name)
        if not strict and kind == 'ok' and isinstance(value, str):
            continue
        if check(kind == 'ok' and is_signature_list(value),
                 'ours: system.methodSignature(%r) gave %s %r, not an array of non-empty arrays of strings'
                 % (name, kind, value)) and name in ARITH:
            check(all(len(s) == 3 for s in value),
                  'ours: system.methodSignature(%r) = %r, want 3 entries (return + 2 params) in each' % (name, value))

    # system.getCapabilities
    caps = {}
    for who, proxy in proxies.items():
        kind, value = call(proxy, 'system.getCapabilities')
        if check(kind == 'ok' and isinstance(value, dict) and all(
                isinstance(v, dict) and isinstance(v.get('specUrl'), str) and type(v.get('specVersion')) is int
                for v in value.values()),
                '%s: system.getCapabilities gave %s %r' % (who, kind, value)):
            caps[who] = sorted(value)

    # MultiCall through xmlrpc.client
    shapes, our_codes = {}, []
    for who, proxy in proxies.items():
        try:
            outcomes = multicall_outcomes(proxy)
        except Exception as exc:
            check(False, '%s: MultiCall failed: %s: %s' % (who, type(exc).__name__, exc))
            continue
        shapes[who] = [shape(o) for o in outcomes]
        if who == 'ours':
            our_codes = [o.faultCode for o in outcomes if isinstance(o, xmlrpc.client.Fault)]
        check(shapes[who] == EXPECTED, '%s: MultiCall of %r gave %r, want %r' % (who, CALLS, shapes[who], EXPECTED))
    if len(shapes) == 2:
        check(shapes['ours'] == shapes['ref'], 'MultiCall differs: ours %r, ref %r' % (shapes['ours'], shapes['ref']))

    # raw system.multicall: the shape of each entry
    raw_calls = [{'methodName': name, 'params': list(args)} for name, args in CALLS]
    for who, proxy in proxies.items():
        kind, value = call(proxy, 'system.multicall', raw_calls)
        if not check(kind == 'ok' and isinstance(value, list) and len(value) == len(CALLS),
                     '%s: raw system.multicall gave %s %r' % (who, kind, value)):
            continue
        for (name, args), want, got in zip(CALLS, EXPECTED, value):
            if want == 'fault':
                check(isinstance(got, dict) and sorted(got) == ['faultCode', 'faultString']
                      and type(got['faultCode']) is int and isinstance(got['faultString'], str),
                      '%s: raw multicall %s%r gave %r, want {faultCode: int, faultString: str}' % (who, name, args, got))
            else:
                check(got == [want] and type(got[0]) is int,
                      '%s: raw multicall %s%r gave %r, want [%r]' % (who, name, args, got, want))

    # informational only: ours may fault for an unknown method's signature
    kind, value = call(ours, 'system.methodSignature', 'no.such.method')
    unknown = 'fault %s' % value.faultCode if kind == 'fault' else '%s %r' % (kind, value)

    if problems:
        for line in problems:
            print('FAIL ' + line)
        return 1
    print('ok %d methods, same list; methodHelp strings; signatures shaped; '
          'getCapabilities %s; MultiCall %r (our fault codes %r); raw multicall shape ok; '
          'methodSignature(unknown) on ours: %s'
          % (len(names), caps.get('ours'), shapes.get('ours'), our_codes, unknown))
    return 0


if __name__ == '__main__':
    sys.exit(main())
