//! The protocols a document may speak, XML-RPC or JSON-RPC 2.0, and the
//! media type (`Content-Type`) of each.

use std::fmt;

/// The protocol of a request and of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// XML-RPC: `text/xml` in and out.
    #[default]
    XmlRpc,
    /// JSON-RPC 2.0: `application/json` in and out (the `json-rpc`
    /// feature).
    JsonRpc,
}

impl Protocol {
    /// The `Content-Type` of answers in this protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::XmlRpc => "text/xml",
            Protocol::JsonRpc => "application/json",
        }
    }

    /// The protocol a media type names (`text/xml; charset=utf-8` is
    /// XML-RPC, `application/json` JSON-RPC), if it names one.
    ///
    /// ```
    /// use xmlrpc_kit::Protocol;
    ///
    /// assert_eq!(Protocol::of_media_type(b"text/xml; charset=utf-8"), Some(Protocol::XmlRpc));
    /// assert_eq!(Protocol::of_media_type(b"Application/JSON"), Some(Protocol::JsonRpc));
    /// assert_eq!(Protocol::of_media_type(b"application/x-www-form-urlencoded"), None);
    /// ```
    pub fn of_media_type(value: &[u8]) -> Option<Protocol> {
        let end = value.iter().position(|&b| b == b';').unwrap_or(value.len());
        let media_type = value[..end].trim_ascii();
        let is = |name: &str| media_type.eq_ignore_ascii_case(name.as_bytes());
        if is("text/xml") || is("application/xml") {
            Some(Protocol::XmlRpc)
        } else if is("application/json")
            || is("application/json-rpc")
            || is("application/jsonrequest")
        {
            Some(Protocol::JsonRpc)
        } else {
            None
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::XmlRpc => "XML-RPC",
            Protocol::JsonRpc => "JSON-RPC",
        })
    }
}
