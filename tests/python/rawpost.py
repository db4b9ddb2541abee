"""POST raw bytes to an XML-RPC server and return the response body.

Shared by the scripts here that must send exactly what they built (names
such as '__class__', documents in other encodings), bypassing ServerProxy.
"""
import http.client
import urllib.parse


def short(text, limit=160):
    text = str(text)
    return text if len(text) <= limit else '%s...(%d chars)' % (text[:limit], len(text))


def post(url, body):
    """POST body (bytes) to url as text/xml; return the response body
    (bytes), or raise RuntimeError for a status other than 200."""
    parts = urllib.parse.urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == 'https' else http.client.HTTPConnection
    conn = conn_class(parts.hostname, parts.port, timeout=60)
    try:
        conn.request('POST', parts.path or '/', body, {'Content-Type': 'text/xml'})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError('HTTP %d %s: %s' % (resp.status, resp.reason, short(data)))
        return data
    finally:
        conn.close()
