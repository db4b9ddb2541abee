//! The server's log writer: lines go into a bounded queue and a thread of
//! their own writes them to stderr, so a slow stderr never holds up a
//! request. The thread is not woken per line: it wakes every few
//! milliseconds, writes what the queue holds in one go and sleeps again
//! (waking a thread per line, as a channel's receiver is, cost a request
//! more than formatting its line). Lines past the queue are dropped and
//! counted.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How often the writer thread writes what the queue holds: the most a
/// line waits before it is written.
const WRITE_EVERY: Duration = Duration::from_millis(10);

/// The bytes the writer thread gathers before a write to stderr.
const BUFFER_BYTES: usize = 64 * 1024;

/// Where a formatted line goes: the queue (see the module).
#[derive(Clone, Debug)]
pub(crate) struct QueuedWriter {
    lines: SyncSender<Vec<u8>>,
    dropped: Arc<AtomicU64>,
}

/// Stops the writer thread when dropped, once it has written every line
/// queued, and tells how many were dropped.
#[derive(Debug)]
pub(crate) struct WriterGuard {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    dropped: Arc<AtomicU64>,
}

impl WriterGuard {
    /// How many lines found the queue full.
    pub(crate) fn dropped_lines(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// A queue of `lines` lines written to `out` by a thread of its own.
pub(crate) fn queued<W: Write + Send + 'static>(
    out: W,
    lines: usize,
) -> io::Result<(QueuedWriter, WriterGuard)> {
    let (sender, receiver) = sync_channel(lines);
    let stop = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicU64::new(0));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("xmlrpc-kit-log".into())
        .spawn(move || {
            write_lines(
                &receiver,
                io::BufWriter::with_capacity(BUFFER_BYTES, out),
                &stopping,
            )
        })?;
    Ok((
        QueuedWriter {
            lines: sender,
            dropped: dropped.clone(),
        },
        WriterGuard {
            stop,
            thread: Some(thread),
            dropped,
        },
    ))
}

/// The writer thread: every [`WRITE_EVERY`], what the queue holds, in one
/// go; at the stop, what is left.
fn write_lines(lines: &Receiver<Vec<u8>>, mut out: impl Write, stop: &AtomicBool) {
    loop {
        let stopping = stop.load(Ordering::Acquire);
        while let Ok(line) = lines.try_recv() {
            let _ = out.write_all(&line);
        }
        let _ = out.flush();
        if stopping {
            return;
        }
        std::thread::park_timeout(WRITE_EVERY);
    }
}

impl Write for QueuedWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        match self.lines.try_send(line.to_vec()) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for QueuedWriter {
    type Writer = QueuedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// What the writer thread wrote, and how many writes it made.
    #[derive(Clone, Default)]
    struct Recorded(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Recorded {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut recorded = self.0.lock().unwrap();
            recorded.0.extend_from_slice(bytes);
            recorded.1 += 1;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_order_in_few_writes_and_all_by_the_stop() {
        let out = Recorded::default();
        let (mut writer, guard) = queued(out.clone(), 1_000).unwrap();
        for i in 0..500 {
            writer.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        drop(guard);
        let (text, writes) = out.0.lock().unwrap().clone();
        let expected: String = (0..500).map(|i| format!("line {i}\n")).collect();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
        assert!(writes < 50, "{writes} writes for 500 lines");
    }

    #[test]
    fn lines_past_the_queue_are_dropped_and_counted() {
        let out = Recorded::default();
        let (mut writer, guard) = queued(out.clone(), 4).unwrap();
        // The thread may take some between two sends: at least 100 - 4
        // minus what it took are dropped, and every line is written or
        // counted.
        for i in 0..100 {
            writer.write_all(format!("{i}\n").as_bytes()).unwrap();
        }
        let dropped = guard.dropped_lines();
        drop(guard);
        let written = out
            .0
            .lock()
            .unwrap()
            .0
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        assert_eq!(written + dropped, 100);
        assert!(dropped > 0);
    }

    #[test]
    fn a_line_is_written_within_a_few_milliseconds_without_a_stop() {
        let out = Recorded::default();
        let (mut writer, _guard) = queued(out.clone(), 10).unwrap();
        writer.write_all(b"soon\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while out.0.lock().unwrap().0.is_empty() {
            assert!(std::time::Instant::now() < deadline, "not written in 5 s");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(out.0.lock().unwrap().0, b"soon\n");
    }
}
