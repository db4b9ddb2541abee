//! What was written, kept: a cloneable in-memory writer for a `tracing`
//! subscriber under test (each clone appends to the same bytes), read back
//! as text.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// An in-memory writer whose clones share one buffer: hand a clone to a
/// subscriber (`with_writer(move || captured.clone())`) and read
/// [`text`](Self::text) afterwards.
///
/// ```
/// use std::io::Write;
/// use xmlrpc_kit_test_support::captured::Captured;
///
/// let captured = Captured::default();
/// writeln!(captured.clone(), "one line").unwrap();
/// assert_eq!(captured.text(), "one line\n");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// Everything written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
