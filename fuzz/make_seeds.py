#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus into fuzz/seeds/<target>/.

The seeds are committed; this script says how each was made, and running
it again rewrites them byte for byte. Hostile inputs: billion laughs, a
quadratic blow-up, XXE, 65-deep nesting, 80,000 attributes, out-of-range
and malformed scalars, duplicate members, unknown types, odd method names,
a gzip bomb, request smuggling shapes, pipelining; and the requests
Python's xmlrpc.client really sends.
"""

import gzip
import os
import shutil
import xmlrpc.client
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")


def gz(data: bytes) -> bytes:
    # mtime=0: the same bytes on every run.
    return gzip.compress(data, compresslevel=9, mtime=0)


def call(method: str, *params: str) -> str:
    body = "".join(f"<param><value>{p}</value></param>" for p in params)
    return (
        "<?xml version='1.0'?>\n<methodCall><methodName>"
        + method
        + "</methodName><params>"
        + body
        + "</params></methodCall>\n"
    )


def response(value: str) -> str:
    return (
        "<?xml version='1.0'?>\n<methodResponse><params><param><value>"
        + value
        + "</value></param></params></methodResponse>\n"
    )


def nested(depth: int) -> str:
    return (
        "<array><data><value>" * depth
        + "<int>1</int>"
        + "</value></data></array>" * depth
    )


# Python's own client, as it writes a normal call and every type.
PY_CALL = xmlrpc.client.dumps((2, 3), "pow").encode()
PY_TYPES = xmlrpc.client.dumps(
    (
        1,
        2**31 - 1,
        True,
        "a <b> & c\r\n\u00e9\u20ac",
        -1.5e300,
        xmlrpc.client.DateTime(datetime(2026, 1, 25, 9, 30, 0)),
        xmlrpc.client.Binary(b"\x00\xffhi"),
        [1, "two", [3.0]],
        {"x": 1, "y": {"z": None}},
        None,
    ),
    "echo",
    allow_none=True,
).encode()
PY_MULTICALL = xmlrpc.client.dumps(
    ([{"methodName": "add", "params": [2, 3]}, {"methodName": "pow", "params": [2, 10]},
      {"methodName": "system.multicall", "params": [[]]}],),
    "system.multicall",
).encode()
PY_RESPONSE = xmlrpc.client.dumps(({"answer": [8, 5.5, "x"]},), methodresponse=True).encode()
PY_FAULT = xmlrpc.client.dumps(xmlrpc.client.Fault(-32601, "no <such> method")).encode()
PY_LATIN1 = xmlrpc.client.dumps(("caf\u00e9",), "echo", encoding="iso-8859-1").encode("iso-8859-1")
UTF16 = call("echo", "<string>\u65e5\u672c</string>").replace("'1.0'?>", "'1.0' encoding='utf-16'?>").encode("utf-16")

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)
QUADRATIC_ENTITY = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "' + "a" * 20000 + '">]>\n'
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'

SCALARS = {
    "int_overflow": "<int>99999999999</int>",
    "i4_negative_overflow": "<i4>-2147483649</i4>",
    "i8_overflow": "<i8>9223372036854775808</i8>",
    "double_1e400": "<double>1e400</double>",
    "double_nan": "<double>nan</double>",
    "double_inf": "<double>-inf</double>",
    "double_hex": "<double>0x1p3</double>",
    "boolean_2": "<boolean>2</boolean>",
    "bad_base64": "<base64>@@@=</base64>",
    "base64_bad_padding": "<base64>aGk===</base64>",
    "date_feb_30": "<dateTime.iso8601>20260230T00:00:00</dateTime.iso8601>",
    "date_zone_25h": "<dateTime.iso8601>20260101T00:00:00+25:00</dateTime.iso8601>",
    "date_fraction_10": "<dateTime.iso8601>20260101T00:00:00.1234567890</dateTime.iso8601>",
    "ex_serializable": "<ex:serializable>rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==</ex:serializable>",
    "duplicate_members": "<struct>"
    + "<member><name>k</name><value>1</value></member>" * 50
    + "<member><name>k</name><value><int>2</int></value></member></struct>",
    "nil_with_text": "<nil>x</nil>",
    "cr_reference": "<string>a&#13;\r\nb\rc&#x10FFFF;&#0;</string>",
    "cdata": "<string><![CDATA[<methodCall>]]></string>",
    "nested_64": nested(64),
    "nested_65": nested(65),
}


def write(target: str, name: str, data) -> None:
    if isinstance(data, str):
        data = data.encode()
    path = os.path.join(SEEDS, target, name)
    with open(path, "wb") as f:
        f.write(data)


def http(method: str, path: str, headers: list, body: bytes = b"", version: str = "HTTP/1.1") -> bytes:
    head = f"{method} {path} {version}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
    return head.encode() + body


def post(body: bytes, extra=(), path="/RPC2") -> bytes:
    return http(
        "POST",
        path,
        ["Host: localhost:8000", "User-Agent: Python-xmlrpc/3.11", "Content-Type: text/xml",
         f"Content-Length: {len(body)}", *extra],
        body,
    )


def chunked(body: bytes) -> bytes:
    return f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


def main() -> None:
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    for target in ["decode_call", "decode_response", "roundtrip", "http_service", "gzip_body", "doc_page", "scgi_service"]:
        os.makedirs(os.path.join(SEEDS, target))

    # decode_call
    write("decode_call", "python_pow", PY_CALL)
    write("decode_call", "python_every_type", PY_TYPES)
    write("decode_call", "python_multicall", PY_MULTICALL)
    write("decode_call", "python_latin1", PY_LATIN1)
    write("decode_call", "utf16", UTF16)
    write("decode_call", "billion_laughs", BILLION_LAUGHS + call("echo", "&lol9;"))
    write("decode_call", "quadratic_blowup", QUADRATIC_ENTITY + call("echo", "&a;" * 5000))
    write("decode_call", "xxe", XXE + call("echo", "&e;"))
    write("decode_call", "attributes_80000",
          "<methodCall><methodName" + "".join(f' a{i}=""' for i in range(80000))
          + ">f</methodName></methodCall>")
    for name, value in SCALARS.items():
        write("decode_call", name, call("echo", value))
    for i, method in enumerate(["__class__.__init__", "_private", "a..b", "system.multicall.x", "x" * 300]):
        write("decode_call", f"method_name_{i}", call(method, "<int>1</int>"))
    write("decode_call", "no_params", "<methodCall><methodName>f</methodName></methodCall>")
    write("decode_call", "encoding_unknown", "<?xml version='1.0' encoding='klingon'?><methodCall/>")
    write("decode_call", "bad_utf8", b"<methodCall><methodName>\xff\xfe</methodName></methodCall>")

    # decode_response
    write("decode_response", "python_struct", PY_RESPONSE)
    write("decode_response", "python_fault", PY_FAULT)
    write("decode_response", "empty_params", "<methodResponse><params/></methodResponse>")
    write("decode_response", "two_values",
          "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>")
    write("decode_response", "fault_not_struct",
          "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>")
    write("decode_response", "billion_laughs",
          BILLION_LAUGHS + response("&lol9;").replace("<?xml version='1.0'?>\n", ""))
    write("decode_response", "xxe", XXE + response("&e;").replace("<?xml version='1.0'?>\n", ""))
    for name, value in SCALARS.items():
        write("decode_response", name, response(value))

    # roundtrip: bytes for arbitrary::Unstructured; structure comes from mutation.
    write("roundtrip", "zeros", bytes(64))
    write("roundtrip", "ramp", bytes(range(256)))
    write("roundtrip", "ones", b"\xff" * 128)
    write("roundtrip", "text", "\x0a\x03a\r\n<&>\u00e9\u20ac\U0001F600\x00\x01".encode() * 4)

    # http_service
    write("http_service", "python_post", post(PY_CALL, ["Accept-Encoding: gzip"]))
    write("http_service", "pipelined",
          post(PY_CALL) + post(PY_MULTICALL) + http("GET", "/", ["Host: x"]) + post(PY_TYPES))
    write("http_service", "content_length_and_chunked",
          http("POST", "/RPC2", ["Host: x", f"Content-Length: {len(PY_CALL)}", "Transfer-Encoding: chunked"],
               chunked(PY_CALL)))
    write("http_service", "two_content_lengths",
          http("POST", "/RPC2", ["Host: x", f"Content-Length: {len(PY_CALL)}", "Content-Length: 5"], PY_CALL))
    write("http_service", "content_length_plus",
          http("POST", "/RPC2", ["Host: x", "Content-Length: +10"], PY_CALL[:10]))
    write("http_service", "content_length_huge",
          http("POST", "/RPC2", ["Host: x", "Content-Length: 99999999999999999999999"], b"x"))
    write("http_service", "huge_chunk_size",
          http("POST", "/RPC2", ["Host: x", "Transfer-Encoding: chunked"], b"ffffffffffffffff\r\nabc\r\n0\r\n\r\n"))
    write("http_service", "chunked_with_trailer",
          http("POST", "/RPC2", ["Host: x", "Transfer-Encoding: chunked"],
               chunked(PY_CALL)[:-2] + b"X-Trailer: 1\r\n\r\n"))
    write("http_service", "chunked_gzip",
          http("POST", "/", ["Host: x", "Transfer-Encoding: chunked", "Content-Encoding: gzip"], chunked(gz(PY_CALL))))
    write("http_service", "gzip_bomb",
          post(gz(bytes(1 << 20)), ["Content-Encoding: gzip"]))
    write("http_service", "too_large", http("POST", "/", ["Host: x", "Content-Length: 70000"], b"<"))
    write("http_service", "no_length", http("POST", "/", ["Host: x"]))
    write("http_service", "http10", post(PY_CALL).replace(b"HTTP/1.1", b"HTTP/1.0"))
    write("http_service", "expect_continue", post(PY_CALL, ["Expect: 100-continue"]))
    write("http_service", "get_doc", http("GET", "/", ["Host: x", "Accept-Encoding: gzip"]))
    write("http_service", "head_and_options",
          http("HEAD", "/RPC2", ["Host: x"]) + http("OPTIONS", "*", ["Host: x"]) + http("PUT", "/x", ["Host: x"]))
    write("http_service", "wrong_path", post(PY_CALL, path="/nothing/../RPC2"))
    write("http_service", "obs_fold", http("POST", "/", ["Host: x", "X-A: 1", " folded", "Content-Length: 0"]))
    write("http_service", "bad_encoding", post(PY_CALL, ["Content-Encoding: br"]))
    write("http_service", "partial_body", http("POST", "/", ["Host: x", "Content-Length: 500"], PY_CALL[:50]))
    write("http_service", "billion_laughs", post((BILLION_LAUGHS + call("echo", "&lol9;")).encode()))
    write("http_service", "nested_65", post(call("echo", SCALARS["nested_65"]).encode()))

    # gzip_body
    write("gzip_body", "python_pow", gz(PY_CALL))
    write("gzip_body", "python_multicall", gz(PY_MULTICALL))
    write("gzip_body", "bomb_4mib_of_zeros", gz(bytes(4 << 20)))
    write("gzip_body", "bomb_of_xml", gz(call("echo", "<string>" + "a" * (1 << 20) + "</string>").encode()))
    write("gzip_body", "truncated", gz(PY_TYPES)[:-9])
    write("gzip_body", "bad_crc", gz(PY_CALL)[:-8] + b"\0\0\0\0" + gz(PY_CALL)[-4:])
    write("gzip_body", "two_members", gz(PY_CALL) + gz(b"<junk/>"))
    write("gzip_body", "junk_after", gz(PY_CALL) + b"junk")
    write("gzip_body", "empty_member", gz(b""))
    write("gzip_body", "not_gzip", PY_CALL)
    write("gzip_body", "billion_laughs", gz((BILLION_LAUGHS + call("echo", "&lol9;")).encode()))

    # doc_page: bytes for arbitrary::Unstructured; hostile text to mutate.
    for i, text in enumerate([
        '<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;',
        "see https://example.com/a?b=1&c=2\" onmouseover=\"x <b>",
        "javascript:alert(1) data:text/html,<b> ftp://h/<x>",
        "system.listMethods add\n\n\nhttp://x.org/\"'`<",
        "</style></title><svg/onload=alert(1)>",
    ]):
        write("doc_page", f"hostile_{i}", (text + "\0" + text[::-1] + "\0\xff").encode() * 3)

    # scgi_service: SCGI requests, well formed and not.
    def scgi(headers, body=b""):
        block = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in headers)
        return str(len(block)).encode() + b":" + block + b"," + body

    pow_call = call("pow", "<int>2</int>", "<int>10</int>").encode()
    length = str(len(pow_call))
    write("scgi_service", "valid_call", scgi([("CONTENT_LENGTH", length), ("SCGI", "1"), ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")], pow_call))
    write("scgi_service", "nginx_headers", scgi([
        ("CONTENT_LENGTH", length), ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2?x=1"),
        ("QUERY_STRING", "x=1"), ("CONTENT_TYPE", "text/xml"), ("DOCUMENT_URI", "/RPC2"),
        ("DOCUMENT_ROOT", "/usr/share/nginx/html"), ("SCGI", "1"), ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_SCHEME", "http"), ("REMOTE_ADDR", "127.0.0.1"), ("REMOTE_PORT", "5000"),
        ("SERVER_PORT", "80"), ("SERVER_NAME", "localhost"), ("HTTP_HOST", "localhost"),
        ("HTTP_ACCEPT_ENCODING", "gzip"), ("HTTP_CONTENT_TYPE", "text/xml"),
        ("HTTP_USER_AGENT", "Python-xmlrpc/3.11"), ("HTTP_CONTENT_LENGTH", length)], pow_call))
    write("scgi_service", "empty_body", scgi([("CONTENT_LENGTH", "0"), ("SCGI", "1")]))
    write("scgi_service", "get_page", scgi([("CONTENT_LENGTH", "0"), ("SCGI", "1"), ("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/")]))
    write("scgi_service", "short_body", scgi([("CONTENT_LENGTH", "500"), ("SCGI", "1")], pow_call))
    write("scgi_service", "negative_length", scgi([("CONTENT_LENGTH", "-1"), ("SCGI", "1")]))
    write("scgi_service", "no_length", scgi([("SCGI", "1")]))
    write("scgi_service", "bad_netstring", b"12:abc")
    write("scgi_service", "odd_strings", b"5:a\0b\0c,")
    write("scgi_service", "http_request", b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    write("scgi_service", "gzip_header", scgi([("CONTENT_LENGTH", "4"), ("SCGI", "1"), ("HTTP_CONTENT_ENCODING", "gzip")], b"\x1f\x8b\x08\x00"))

    total = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(SEEDS) for f in files
    )
    print(f"wrote {sum(len(f) for _, _, f in os.walk(SEEDS))} seeds, {total} bytes, into {SEEDS}")


if __name__ == "__main__":
    main()
