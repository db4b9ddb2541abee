//! Decode errors: what went wrong, where (line and column), and in which value.

use std::fmt;

use crate::fault::{Fault, codes, truncate_for_message};

/// The kind of a [`DecodeError`], which also decides its fault code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Not well-formed XML (fault -32700).
    Syntax(String),
    /// A DOCTYPE or an entity other than the five XML built-ins (fault -32700).
    Forbidden(String),
    /// The declared character encoding is not supported (fault -32701).
    UnsupportedEncoding(String),
    /// A byte sequence or character reference that is not a valid character (fault -32702).
    InvalidCharacter(String),
    /// Well-formed XML that is not XML-RPC (fault -32600).
    Structure(String),
    /// A scalar whose text does not fit its type: `<int>x</int>` (fault -32602).
    Scalar(String),
    /// A configured [`DocumentLimits`](crate::DocumentLimits) value was exceeded (fault -32600).
    Limit(String),
}

/// Where inside the document's values an error happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Param(usize),
    Item(usize),
    Member(String),
}

/// Why a document could not be decoded, with its position.
///
/// ```
/// use xmlrpc_kit::{decode_call, DocumentLimits};
/// let err = decode_call(b"<methodCall>\n<methodName>f</methodName><params>\n<param><value><int>x</int></value></param></params></methodCall>", &DocumentLimits::default()).unwrap_err();
/// assert_eq!(err.line(), 3);
/// assert_eq!(err.to_string(), "line 3, column 15: <int> holds \"x\", not a 32-bit integer (in param 1)");
/// assert_eq!(err.to_fault().code, -32602);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Details>);

/// A [`DecodeError`]'s contents, boxed: a decoder passes `Result`s up
/// every level of the document, and a one-word error keeps them small
/// on the path where nothing goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    kind: DecodeErrorKind,
    line: usize,
    column: usize,
    /// Innermost segment first.
    path: Vec<Segment>,
}

impl DecodeError {
    /// An error of `kind` at byte `offset` of `src`.
    pub(crate) fn at(kind: DecodeErrorKind, src: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(src, offset.min(src.len()));
        let before = &src[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        DecodeError(Box::new(Details {
            kind,
            line,
            column,
            path: Vec::new(),
        }))
    }

    /// An error with a known line and column (used before text is UTF-8).
    pub(crate) fn at_line_column(kind: DecodeErrorKind, line: usize, column: usize) -> Self {
        DecodeError(Box::new(Details {
            kind,
            line,
            column,
            path: Vec::new(),
        }))
    }

    /// Adds the enclosing value to the error's path.
    pub(crate) fn within(mut self, segment: Segment) -> Self {
        self.0.path.push(segment);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }

    /// The line (1-based) where the problem was found.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// The column (1-based, in characters) where the problem was found.
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// The fault code a server answers this error with.
    pub fn fault_code(&self) -> i32 {
        match self.0.kind {
            DecodeErrorKind::Syntax(_) | DecodeErrorKind::Forbidden(_) => codes::PARSE_ERROR,
            DecodeErrorKind::UnsupportedEncoding(_) => codes::UNSUPPORTED_ENCODING,
            DecodeErrorKind::InvalidCharacter(_) => codes::INVALID_CHARACTER,
            DecodeErrorKind::Structure(_) | DecodeErrorKind::Limit(_) => codes::INVALID_REQUEST,
            DecodeErrorKind::Scalar(_) => codes::INVALID_PARAMS,
        }
    }

    /// The fault a server answers this error with.
    pub fn to_fault(&self) -> Fault {
        Fault::new(self.fault_code(), self.to_string())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match &self.0.kind {
            DecodeErrorKind::Syntax(m)
            | DecodeErrorKind::Forbidden(m)
            | DecodeErrorKind::UnsupportedEncoding(m)
            | DecodeErrorKind::InvalidCharacter(m)
            | DecodeErrorKind::Structure(m)
            | DecodeErrorKind::Scalar(m)
            | DecodeErrorKind::Limit(m) => m,
        };
        write!(
            f,
            "line {}, column {}: {message}",
            self.0.line, self.0.column
        )?;
        for (i, segment) in self.0.path.iter().rev().enumerate() {
            f.write_str(if i == 0 { " (in " } else { " › " })?;
            match segment {
                Segment::Param(n) => write!(f, "param {n}")?,
                Segment::Item(n) => write!(f, "array item {n}")?,
                Segment::Member(name) => {
                    write!(f, "struct member \"{}\"", truncate_for_message(name, 60))?
                }
            }
        }
        if !self.0.path.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
