"""Round-trip values through the server's echo(x) and demand exact equality.

    python3 echo_roundtrip.py URL [--no-strict]

"Exact" means same type all the way down (bool is not int, list is not
tuple), same value, floats bit-for-bit (the sign of -0.0 too) and dict members
in the same order.

Two groups of cases:
  * through xmlrpc.client.ServerProxy(URL, allow_none=True,
    use_builtin_types=True): ints, booleans, doubles, strings (non-ASCII, XML
    specials, whitespace), nil, bytes, datetimes, empty/nested/huge
    containers, and one list of all of them;
  * hand-built request XML POSTed with http.client (what xmlrpc.client will
    not send: <i8>, <ex:i8>, <i1>, <i2>, untyped <value>, CDATA, character
    references, a request in ISO-8859-1), the response parsed with
    xmlrpc.client.loads from raw bytes.

Responses are never assumed to be UTF-8: they are parsed from bytes, so the
XML declaration decides (run it against a server answering in iso-8859-1 too).

Cases marked STRICT encode our server's behaviour beyond Python's own
SimpleXMLRPCServer (it cannot send 64-bit ints, and it does not escape a
carriage return on output); --no-strict skips them, for running against
reference_server.py.

Prints `ok N cases` and exits 0, or prints one line per failing case (with
the path of the first difference) and exits 1.
"""
import argparse
import datetime
import math
import sys
import xmlrpc.client

from rawpost import post, short


def diff(want, got, path='$'):
    """None if want and got are exactly the same, else where and how they differ."""
    if type(want) is not type(got):
        return '%s: expected %s %s, got %s %s' % (
            path, type(want).__name__, short(want), type(got).__name__, short(got))
    if isinstance(want, list):
        if len(want) != len(got):
            return '%s: expected a list of %d, got a list of %d' % (path, len(want), len(got))
        for i, (w, g) in enumerate(zip(want, got)):
            d = diff(w, g, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    if isinstance(want, dict):
        if list(want) != list(got):
            what = 'member order differs' if sorted(want) == sorted(got) else 'members differ'
            return '%s: %s: expected %s, got %s' % (path, what, short(list(want)), short(list(got)))
        for k in want:
            d = diff(want[k], got[k], '%s[%r]' % (path, k))
            if d:
                return d
        return None
    if isinstance(want, float):
        if want == got and math.copysign(1.0, want) == math.copysign(1.0, got):
            return None
    elif want == got:
        return None
    return '%s: expected %s, got %s' % (path, short(want), short(got))


def nested_list(depth):
    value = ['bottom', 1]
    for _ in range(depth - 1):
        value = [value]
    return value


def nested_dict(depth):
    value = {'leaf': 1}
    for i in range(depth - 1):
        value = {'level%d' % (depth - 1 - i): value}
    return value


def big_array(n=200_000):
    kinds = [lambda i: i, lambda i: 'item %d' % i, lambda i: i + 0.5,
             lambda i: i % 2 == 0, lambda i: None]
    return [kinds[i % len(kinds)](i) for i in range(n)]


NON_ASCII = 'héllo wörld ✓ 日本語 😀'

# (name, value sent, value expected back); expected None means "the same".
PROXY_CASES = [
    ('int 0', 0), ('int 1', 1), ('int -1', -1),
    ('int max i4', 2**31 - 1), ('int min i4', -2**31),
    ('bool true', True), ('bool false', False),
    ('double 0.0', 0.0), ('double -0.0', -0.0), ('double 1.5', 1.5),
    ('double 0.1', 0.1), ('double -2.5', -2.5), ('double 1e16', 1e16),
    ('double 123456789.123456789', 123456789.123456789),
    ('double 1.5e300', 1.5e300), ('double 1e-300', 1e-300),
    ('double max', sys.float_info.max), ('double min normal', sys.float_info.min),
    ('double min subnormal', 5e-324),
    ('string empty', ''), ('string ascii', 'hello'),
    ('string non-ascii', NON_ASCII), ('string xml specials', '<&>"\''),
    ('string ]]>', ']]>'), ('string markup', '<value><i4>1</i4></value>'),
    ('string entity-like', '&amp; &lt; &#65;'),
    ('string whitespace only', '   '), ('string padded', '  x  '),
    ('string tabs newlines', '\ta\n\tb\n\n'),
    ('string latin-1 range', ''.join(map(chr, range(0xA0, 0x100)))),
    ('string long', 'abcdefghij' * 100_000),
    ('nil', None),
    ('bytes empty', b''), ('bytes 0..255', bytes(range(256))),
    ('bytes long', bytes(range(256)) * 1000),
    ('datetime', datetime.datetime(1998, 7, 17, 14, 8, 55)),
    ('datetime 2038', datetime.datetime(2038, 1, 19, 3, 14, 8)),
    ('list empty', []), ('dict empty', {}),
    ('list mixed', [1, 'two', 3.0, True, None, b'\x00', [], {}]),
    ('dict non-ascii keys, order', {'zéta': 1, 'alpha': 2, '日本': 3, 'ü': [], 'a b': {}, '': 'empty key'}),
    ('list 20 deep', nested_list(20)),
    ('dict 20 deep', nested_dict(20)),
    ('array 200000 mixed', big_array()),
]
PROXY_CASES = [(name, value, value) for name, value in PROXY_CASES]
# A raw CR goes out unescaped from xmlrpc.client; XML end-of-line
# normalisation (XML 1.0 section 2.11) makes it a LF for any conforming parser.
PROXY_CASES.append(('string CRLF (raw CR)', 'line1\r\nline2', 'line1\nline2'))
PROXY_CASES.append(('list of all of these', [c[1] for c in PROXY_CASES], [c[2] for c in PROXY_CASES]))

EX = 'xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"'

# (name, <value> content, expected, strict)
RAW_CASES = [
    ('i8 2**31', '<i8>2147483648</i8>', 2**31, True),
    ('i8 -2**63', '<i8>-9223372036854775808</i8>', -2**63, True),
    ('i8 2**63-1', '<i8>9223372036854775807</i8>', 2**63 - 1, True),
    ('ex:i8 2**40', '<ex:i8>1099511627776</ex:i8>', 2**40, True),
    ('i8 small', '<i8>-5</i8>', -5, False),
    ('ex:i8 small', '<ex:i8>7</ex:i8>', 7, False),
    ('i1', '<i1>-128</i1>', -128, False),
    ('ex:i1', '<ex:i1>127</ex:i1>', 127, False),
    ('i2', '<i2>-32768</i2>', -32768, False),
    ('ex:i2', '<ex:i2>32767</ex:i2>', 32767, False),
    ('i4', '<i4>42</i4>', 42, False),
    ('int with plus sign', '<int>+7</int>', 7, False),
    ('ex:nil', '<ex:nil/>', None, False),
    ('untyped value', 'plain text', 'plain text', False),
    ('untyped value padded', '  a b  ', '  a b  ', False),
    ('untyped value empty', '', '', False),
    ('empty string element', '<string/>', '', False),
    ('CDATA', '<string><![CDATA[<b>&amp;</b>]]></string>', '<b>&amp;</b>', False),
    ('character references', '<string>&#233;&#x1F600;&lt;&#38;</string>', 'é😀<&', False),
    ('CR kept (&#13;)', '<string>a&#13;&#10;b&#13;</string>', 'a\r\nb\r', True),
]


def raw_echo(url, value_xml, encoding='utf-8'):
    decl = '' if encoding == 'utf-8' else '<?xml version="1.0" encoding="%s"?>\n' % encoding
    body = ('%s<methodCall %s><methodName>echo</methodName><params><param><value>%s'
            '</value></param></params></methodCall>' % (decl, EX, value_xml))
    data = post(url, body.encode(encoding))
    params, _ = xmlrpc.client.loads(data, use_builtin_types=True)
    if len(params) != 1:
        raise RuntimeError('expected one return value, got %s' % short(params))
    return params[0]


def run(name, call, want, failures):
    try:
        got = call()
    except xmlrpc.client.Fault as fault:
        failures.append('%s: expected %s, got Fault %r: %s' % (name, short(want), fault.faultCode, short(fault.faultString)))
        return
    except Exception as exc:
        failures.append('%s: expected %s, got %s: %s' % (name, short(want), type(exc).__name__, short(str(exc))))
        return
    d = diff(want, got)
    if d:
        failures.append('%s: %s' % (name, d))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('--no-strict', action='store_true',
                        help='skip the STRICT cases (Python reference server cannot pass them)')
    args = parser.parse_args()

    proxy = xmlrpc.client.ServerProxy(args.url, allow_none=True, use_builtin_types=True)
    failures, count = [], 0
    for name, sent, want in PROXY_CASES:
        run(name, lambda: proxy.echo(sent), want, failures)
        count += 1
    for name, value_xml, want, strict in RAW_CASES:
        if strict and args.no_strict:
            continue
        run('raw ' + name + (' [STRICT]' if strict else ''),
            lambda: raw_echo(args.url, value_xml), want, failures)
        count += 1
    # A request in ISO-8859-1: the server must honour the declaration.
    run('raw request in iso-8859-1', lambda: raw_echo(args.url, '<string>café ÿ</string>', 'iso-8859-1'),
        'café ÿ', failures)
    count += 1

    if failures:
        for line in failures:
            print('FAIL ' + line)
        print('FAILED %d of %d cases' % (len(failures), count))
        return 1
    print('ok %d cases' % count)
    return 0


if __name__ == '__main__':
    sys.exit(main())
