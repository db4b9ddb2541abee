//! The server's log writer: lines go into a bounded buffer and a thread of
//! their own writes them to stderr, so a slow stderr never holds up a
//! request. The thread is not woken per line: it wakes every few
//! milliseconds, takes what the buffer holds in one go (swapping it for
//! an empty one) and writes it (waking a thread per line, as a channel's
//! receiver is, cost a request more than formatting its line; a channel
//! of lines, a copy and an allocation a line). A line that does not fit
//! is dropped and counted, and the thread writes how many were dropped
//! as soon as it has written what came before them.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How often the writer thread writes what the buffer holds: the most a
/// line waits before it is written.
const WRITE_EVERY: Duration = Duration::from_millis(10);

/// Where formatted lines go (see the module): each `write` is one line,
/// kept whole or dropped whole.
#[derive(Clone, Debug)]
pub(crate) struct QueuedWriter(Arc<Queue>);

/// The lines waiting for the writer thread, at most `max_bytes` of them.
#[derive(Debug)]
pub(crate) struct Queue {
    lines: Mutex<Vec<u8>>,
    max_bytes: usize,
    dropped: AtomicU64,
    stop: AtomicBool,
}

/// Stops the writer thread when dropped, once it has written every line
/// queued, and tells how many were dropped.
#[derive(Debug)]
pub(crate) struct WriterGuard {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
}

impl WriterGuard {
    /// How many lines found the buffer full.
    pub(crate) fn dropped_lines(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.queue.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// A buffer of at most `max_bytes` of lines, written to `out` by a
/// thread of its own.
pub(crate) fn queued<W: Write + Send + 'static>(
    out: W,
    max_bytes: usize,
) -> io::Result<(QueuedWriter, WriterGuard)> {
    let queue = Arc::new(Queue {
        lines: Mutex::new(Vec::new()),
        max_bytes,
        dropped: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    let thread = {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name("xmlrpc-kit-log".into())
            .spawn(move || write_lines(&queue, out))?
    };
    Ok((
        QueuedWriter(queue.clone()),
        WriterGuard {
            queue,
            thread: Some(thread),
        },
    ))
}

/// The writer thread: every [`WRITE_EVERY`], what the buffer holds, in
/// one go, then how many lines were dropped since it last said; at the
/// stop, what is left.
fn write_lines(queue: &Queue, mut out: impl Write) {
    let mut taken = Vec::new();
    let mut dropped_said = 0;
    loop {
        let stopping = queue.stop.load(Ordering::Acquire);
        std::mem::swap(
            &mut taken,
            &mut *queue.lines.lock().unwrap_or_else(|e| e.into_inner()),
        );
        let _ = out.write_all(&taken);
        taken.clear();
        let dropped = queue.dropped.load(Ordering::Relaxed);
        if dropped > dropped_said {
            let _ = writeln!(
                out,
                "xmlrpc-kit demo: {} log lines dropped: stderr could not keep up \
                 (the log holds {} bytes)",
                dropped - dropped_said,
                queue.max_bytes
            );
            dropped_said = dropped;
        }
        let _ = out.flush();
        if stopping {
            return;
        }
        std::thread::park_timeout(WRITE_EVERY);
    }
}

impl Write for &Queue {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() + line.len() <= self.max_bytes {
            lines.extend_from_slice(line);
        } else {
            drop(lines);
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for QueuedWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        (&*self.0).write(line)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for QueuedWriter {
    type Writer = &'a Queue;

    fn make_writer(&'a self) -> Self::Writer {
        &self.0
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
        let (mut writer, guard) = queued(out.clone(), 64 * 1024).unwrap();
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
    fn lines_past_the_buffer_are_dropped_counted_and_said() {
        let out = Recorded::default();
        // Room for 4 lines of 3 bytes.
        let (mut writer, guard) = queued(out.clone(), 12).unwrap();
        // The thread may take some between two writes: at least 100 - 4
        // minus what it took are dropped, and every line is written or
        // counted.
        for i in 10..110 {
            writer.write_all(format!("{i}\n").as_bytes()).unwrap();
        }
        let dropped = guard.dropped_lines();
        drop(guard);
        let text = String::from_utf8(out.0.lock().unwrap().0.clone()).unwrap();
        let written = text
            .lines()
            .filter(|l| l.len() == 2 || l.len() == 3)
            .count() as u64;
        assert_eq!(written + dropped, 100, "{text}");
        assert!(dropped > 0);
        // The writer says how many it dropped, in as many notes as it
        // took to see them all.
        let said: u64 = text
            .lines()
            .filter_map(|l| l.strip_prefix("xmlrpc-kit demo: "))
            .map(|l| {
                assert!(l.ends_with(
                    "log lines dropped: stderr could not keep up (the log holds 12 bytes)"
                ));
                l.split(' ').next().unwrap().parse::<u64>().unwrap()
            })
            .sum();
        assert_eq!(said, dropped, "{text}");
    }

    #[test]
    fn a_line_is_kept_whole_or_dropped_whole() {
        let out = Recorded::default();
        let (writer, guard) = queued(out.clone(), 8).unwrap();
        let mut line = writer.make_writer();
        line.write_all(b"12345\n").unwrap();
        line.write_all(b"67890\n").unwrap();
        drop(guard);
        let text = String::from_utf8(out.0.lock().unwrap().0.clone()).unwrap();
        assert!(
            text == "12345\n67890\n"
                || text.starts_with("12345\nxmlrpc-kit demo: 1 log lines dropped"),
            "{text}"
        );
    }

    #[test]
    fn a_line_is_written_within_a_few_milliseconds_without_a_stop() {
        let out = Recorded::default();
        let (mut writer, _guard) = queued(out.clone(), 1024).unwrap();
        writer.write_all(b"soon\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while out.0.lock().unwrap().0.is_empty() {
            assert!(std::time::Instant::now() < deadline, "not written in 5 s");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(out.0.lock().unwrap().0, b"soon\n");
    }
}
