//! Work long enough to stall an async runtime's other tasks: decoding a
//! large request, encoding a large answer and freeing its value,
//! inflating or compressing a large gzip body. On a tokio multi-thread
//! runtime (with the `tokio` feature, which the HTTP server turns on) it
//! runs within `block_in_place`: the worker thread's other tasks move to
//! another thread while it runs, so a 16 MB document does not hold up the
//! small calls that share its worker. Elsewhere (a current-thread
//! runtime, no runtime at all, CGI) it runs in place.
//!
//! A dispatcher runs at most one fewer piece of long work at once than
//! the machine has cores, at least one
//! ([`DispatchOptions::long_work_at_once`](crate::DispatchOptions::long_work_at_once));
//! the others wait their turn without holding a thread. That bounds the
//! memory of values being decoded and answers being written (they ran on
//! the workers before, one each at most), and leaves a core to the small
//! calls.
//!
//! The dispatcher decides what is long with
//! [`DispatchOptions::off_runtime_above`](crate::DispatchOptions::off_runtime_above).
//! A dispatcher run from a task of a `LocalSet` on a multi-thread runtime
//! (`spawn_local`) should set it to `usize::MAX`: tokio does not support
//! `block_in_place` there (tokio-rs/tokio#7368).
//!
//! ```
//! use xmlrpc_kit::long_work::LongWork;
//! // No runtime here: the work runs in place.
//! let long_work = LongWork::new(2);
//! let five = futures::executor::block_on(long_work.run_if(true, || 2 + 3));
//! assert_eq!(five, 5);
//! ```

use xmlrpc_kit_codec::Value;

/// Where long work runs, and how many pieces at once (see the module's
/// documentation).
#[derive(Debug)]
pub struct LongWork {
    #[cfg(feature = "tokio")]
    turns: tokio::sync::Semaphore,
}

impl LongWork {
    /// At most `at_once` (at least 1) pieces of long work at a time.
    #[cfg_attr(not(feature = "tokio"), allow(unused_variables))]
    pub fn new(at_once: usize) -> Self {
        LongWork {
            #[cfg(feature = "tokio")]
            turns: tokio::sync::Semaphore::new(at_once.max(1)),
        }
    }

    /// One fewer at once than the machine has cores (at least one): a
    /// core is left to the small calls (BENCHMARKS.md, "Large documents
    /// beside small calls").
    pub fn beside_the_workers() -> Self {
        Self::new(default_at_once())
    }

    /// Runs `work`: when `long`, where it cannot stall the runtime's other
    /// tasks, once its turn comes; otherwise at once, in place.
    pub async fn run_if<T>(&self, long: bool, work: impl FnOnce() -> T) -> T {
        if long {
            // Boxed: the wait is rare, and the futures of every request
            // would otherwise carry its room.
            Box::pin(self.run(work)).await
        } else {
            work()
        }
    }

    /// Runs `work` where it cannot stall the runtime's other tasks, once
    /// its turn comes.
    pub async fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        #[cfg(feature = "tokio")]
        if let Ok(runtime) = tokio::runtime::Handle::try_current()
            && runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        {
            // The semaphore is never closed.
            let _turn = self.turns.acquire().await.ok();
            return tokio::task::block_in_place(work);
        }
        work()
    }
}

impl Default for LongWork {
    /// [`LongWork::beside_the_workers`].
    fn default() -> Self {
        Self::beside_the_workers()
    }
}

/// One fewer than the machine's cores, at least one (see
/// [`LongWork::beside_the_workers`]).
pub(crate) fn default_at_once() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |cores| usize::from(cores).saturating_sub(1).max(1))
}

/// Bytes of markup a value costs in a document, about (`<value><int>`
/// and its end tags).
const MARKUP_BYTES: usize = 30;

/// Whether `values`, written as a document, take at least `bytes` bytes,
/// about: their texts' lengths and [`MARKUP_BYTES`] a value. It stops as
/// soon as it knows, so a small answer costs a walk of its few values and
/// a large one a walk of at most `bytes / MARKUP_BYTES` of them.
pub(crate) fn writes_at_least<'a>(
    values: impl IntoIterator<Item = &'a Value>,
    bytes: usize,
) -> bool {
    let mut left = bytes;
    let mut values = values.into_iter();
    let mut pending: Vec<&Value> = Vec::new();
    let mut next = values.next();
    while let Some(value) = next {
        let size = MARKUP_BYTES
            + match value {
                Value::String(s) => s.len(),
                Value::Base64(b) => b.len() / 3 * 4,
                Value::Array(items) => {
                    pending.extend(items.iter());
                    0
                }
                Value::Struct(members) => {
                    let mut names = 0;
                    for (name, value) in members.iter() {
                        names += name.len() + MARKUP_BYTES;
                        pending.push(value);
                    }
                    names
                }
                _ => 0,
            };
        if size >= left {
            return true;
        }
        left -= size;
        next = pending.pop().or_else(|| values.next());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_large_from_its_texts_and_its_count_of_values() {
        let small = Value::Array(vec![Value::Int(1), Value::String("two".into())]);
        assert!(!writes_at_least([&small], 1 << 20));
        assert!(writes_at_least([&small], 64));
        let long_string = Value::String("x".repeat(2 << 20));
        assert!(writes_at_least([&long_string], 1 << 20));
        let many = Value::Array(vec![Value::Int(7); 50_000]);
        assert!(writes_at_least([&many], 1 << 20));
        assert!(!writes_at_least(
            &[Value::Array(vec![Value::Int(7); 30_000])],
            1 << 20
        ));
        let deep_struct = Value::Struct(
            [("blob".to_owned(), Value::Base64(vec![0; 1 << 20]))]
                .into_iter()
                .collect(),
        );
        assert!(writes_at_least([&deep_struct], 1 << 20));
        // A multicall's results: each small, together large.
        let results = vec![Value::String("y".repeat(600)); 2_000];
        assert!(writes_at_least(&results, 1 << 20));
        assert!(!writes_at_least(&results[..100], 1 << 20));
    }

    #[test]
    fn long_work_runs_in_place_without_a_multi_thread_runtime() {
        let long_work = LongWork::new(1);
        assert_eq!(
            futures::executor::block_on(long_work.run_if(true, || 2 + 3)),
            5
        );
        #[cfg(feature = "tokio")]
        {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            assert_eq!(runtime.block_on(long_work.run_if(true, || 2 + 3)), 5);
        }
    }

    /// On a runtime of one worker, long work waits for a message that
    /// only another task of that runtime can send: it comes only if the
    /// worker's other tasks went on while the work ran.
    #[cfg(feature = "tokio")]
    #[test]
    fn other_tasks_go_on_while_long_work_runs() {
        use std::sync::Arc;
        use std::time::Duration;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let long_work = Arc::new(LongWork::new(1));
        let heard = runtime.block_on(async {
            let (started_tx, started) = tokio::sync::oneshot::channel();
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let long = tokio::spawn(async move {
                started_tx.send(()).unwrap();
                long_work
                    .run_if(true, move || {
                        rx.recv_timeout(Duration::from_secs(20)).is_ok()
                    })
                    .await
            });
            started.await.unwrap();
            tokio::spawn(async move { tx.send(()).unwrap() });
            long.await.unwrap()
        });
        assert!(
            heard,
            "the worker's other task did not run during the long work"
        );
    }

    /// Six pieces of long work on four workers, two at a time: never
    /// more than two run together, and all six run.
    #[cfg(feature = "tokio")]
    #[test]
    fn long_work_takes_turns() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_time()
            .build()
            .unwrap();
        let long_work = Arc::new(LongWork::new(2));
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let done = runtime.block_on(async {
            let pieces: Vec<_> = (0..6)
                .map(|_| {
                    let (long_work, running, most) =
                        (long_work.clone(), running.clone(), most.clone());
                    tokio::spawn(async move {
                        long_work
                            .run(|| {
                                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                                most.fetch_max(now, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(50));
                                running.fetch_sub(1, Ordering::SeqCst);
                            })
                            .await
                    })
                })
                .collect();
            let mut done = 0;
            for piece in pieces {
                piece.await.unwrap();
                done += 1;
            }
            done
        });
        assert_eq!(done, 6);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
