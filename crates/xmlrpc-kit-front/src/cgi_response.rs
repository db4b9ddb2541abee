//! The CGI form of a response, which CGI programs write to stdout and SCGI
//! servers to their front server: a `Status:` line (left out for 200 from
//! a CGI program), headers, a blank line, the body.

use xmlrpc_kit_transport::ContentCoding;

use crate::rejection::{Rejection, reason};

/// The head of a CGI-style response, blank line included: `status`
/// (`None` for a CGI program's 200, which says no status), the body's
/// type, length and coding (none for 204, which has no content), and
/// `extra` headers.
///
/// ```
/// use xmlrpc_kit::front::cgi_head;
/// use xmlrpc_kit::wire::ContentCoding;
///
/// assert_eq!(
///     cgi_head(Some(200), "text/xml", 12, ContentCoding::Identity, []),
///     "Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 12\r\n\r\n"
/// );
/// ```
pub fn cgi_head(
    status: Option<u16>,
    content_type: &str,
    length: usize,
    coding: ContentCoding,
    extra: impl IntoIterator<Item = (&'static str, String)>,
) -> String {
    let mut head = String::with_capacity(96);
    if let Some(status) = status {
        head.push_str(&format!("Status: {status} {}\r\n", reason(status)));
    }
    // 204 has no content, so no type nor length (RFC 9110 §8.6).
    if status != Some(204) {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {length}\r\n"
        ));
    }
    if let Some(coding) = coding.header_value() {
        head.push_str(&format!("Content-Encoding: {coding}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// A refusal as a whole CGI-style response: its status, its headers
/// ([`Rejection::headers`]) and its line of text.
///
/// ```
/// use xmlrpc_kit::front::{Rejection, cgi_refusal};
///
/// assert_eq!(
///     String::from_utf8(cgi_refusal(&Rejection::unsupported_method("PUT", "POST"))).unwrap(),
///     "Status: 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\n\
///      Content-Length: 27\r\nAllow: POST\r\n\r\nUnsupported method ('PUT')\n"
/// );
/// ```
pub fn cgi_refusal(rejection: &Rejection) -> Vec<u8> {
    let body = rejection.body();
    let head = cgi_head(
        Some(rejection.status()),
        "text/plain; charset=utf-8",
        body.len(),
        ContentCoding::Identity,
        rejection.headers(),
    );
    [head.into_bytes(), body.into_bytes()].concat()
}
