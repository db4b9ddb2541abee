//! Which protocol a request speaks, XML-RPC or JSON-RPC 2.0, told by its
//! `Content-Type` and the protocols its path answers.

use std::fmt;

pub use xmlrpc_kit_codec::Protocol;

/// Which protocols one path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocols {
    /// XML-RPC only (a JSON body is refused with 415).
    XmlRpc,
    /// Both, told apart by `Content-Type` (XML-RPC when it names neither).
    Both,
    /// JSON-RPC only (an XML body is refused with 415): a path of its own.
    JsonRpc,
}

/// Why a request's `Content-Type` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolRefusal {
    /// Its `Content-Type` lines name both protocols (400).
    Conflicting,
    /// It names a protocol the path does not answer (415).
    NotAnswered {
        /// The protocol it names.
        named: Protocol,
        /// The one the path answers.
        answered: Protocol,
    },
}

impl fmt::Display for ProtocolRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolRefusal::Conflicting => f.write_str(
                "the Content-Type lines name both XML-RPC (text/xml) and JSON-RPC \
                 (application/json): send one",
            ),
            ProtocolRefusal::NotAnswered { named, answered } => write!(
                f,
                "this path answers {answered} ({}), not {named} ({})",
                answered.content_type(),
                named.content_type()
            ),
        }
    }
}

impl Protocols {
    /// The protocol of a request whose `Content-Type` lines are
    /// `content_types`, on a path answering these protocols: the one its
    /// media type names, or, when it names none (or has none), the path's
    /// (XML-RPC on a path answering both).
    ///
    /// ```
    /// use xmlrpc_kit::{Protocol, Protocols};
    ///
    /// let json: &[u8] = b"application/json";
    /// assert_eq!(Protocols::Both.of_request([json]), Ok(Protocol::JsonRpc));
    /// assert_eq!(Protocols::Both.of_request([]), Ok(Protocol::XmlRpc));
    /// assert!(Protocols::XmlRpc.of_request([json]).is_err());
    /// assert!(Protocols::Both.of_request([json, b"text/xml".as_slice()]).is_err());
    /// ```
    ///
    /// # Errors
    /// Lines naming both protocols, or a protocol the path does not answer.
    pub fn of_request<'a>(
        self,
        content_types: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Protocol, ProtocolRefusal> {
        let mut named = None;
        for line in content_types {
            // One line may be a list of values (several lines are one).
            for value in line.split(|&b| b == b',') {
                match (named, Protocol::of_media_type(value)) {
                    (_, None) => {}
                    (None, found) => named = found,
                    (Some(a), Some(b)) if a != b => return Err(ProtocolRefusal::Conflicting),
                    _ => {}
                }
            }
        }
        let path_default = match self {
            Protocols::JsonRpc => Protocol::JsonRpc,
            Protocols::XmlRpc | Protocols::Both => Protocol::XmlRpc,
        };
        match (self, named) {
            (_, None) => Ok(path_default),
            (Protocols::Both, Some(named)) => Ok(named),
            (_, Some(named)) if named == path_default => Ok(named),
            (_, Some(named)) => Err(ProtocolRefusal::NotAnswered {
                named,
                answered: path_default,
            }),
        }
    }
}
