//! The human access line written straight to the log: its timestamp,
//! level, target and message, which is the whole line, with none of
//! tracing-subscriber's `fmt` layer in between (that layer visits and
//! formats through several writers what is here written once; for the
//! demo's log it is used for every other event).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime as _;
use tracing_subscriber::layer::{Context, Layer};

use crate::log_time::CachedUtc;

/// The target of the access events.
pub(crate) const ACCESS_TARGET: &str = "xmlrpc_kit::access";

/// A layer writing each event it sees as `TIME  INFO TARGET: MESSAGE`, as
/// tracing-subscriber's plain (not coloured) format writes an event whose
/// fields are all in its message: the access events.
pub(crate) struct AccessLines<W> {
    writer: W,
}

impl<W> AccessLines<W> {
    pub(crate) fn new(writer: W) -> Self {
        AccessLines { writer }
    }
}

thread_local! {
    /// The line being made, kept from one event to the next.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes the `message` field, nothing else.
struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

impl<S, W> Layer<S> for AccessLines<W>
where
    S: Subscriber,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return;
            };
            line.clear();
            let _ = CachedUtc.format_time(&mut Writer::new(&mut *line));
            let metadata = event.metadata();
            let _ = write!(line, " {:>5} {}: ", metadata.level(), metadata.target());
            event.record(&mut Message(&mut line));
            line.push('\n');
            let _ = self.writer.make_writer().write_all(line.as_bytes());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;
    use xmlrpc_kit_test_support::captured::Captured;

    /// The line tracing-subscriber's own plain format writes for the same
    /// event, its timestamp cut off, is ours.
    #[test]
    fn the_line_is_the_one_the_fmt_layer_writes() {
        let (ours, theirs) = (Captured::default(), Captured::default());
        let (o, t) = (ours.clone(), theirs.clone());
        let subscriber = tracing_subscriber::registry()
            .with(AccessLines::new(move || o.clone()))
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || t.clone())
                    .fmt_fields(tracing_subscriber::fmt::format::debug_fn(
                        |w, field, value| match field.name() {
                            "message" => write!(w, "{value:?}"),
                            _ => Ok(()),
                        },
                    )),
            );
        tracing::subscriber::with_default(subscriber, || {
            let line = "127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 131 add 0.049ms";
            tracing::info!(target: "xmlrpc_kit::access", status = 200, "{line}");
        });
        let cut = |c: &Captured| {
            let text = c.text();
            text.split_once('Z').unwrap().1.to_owned()
        };
        assert_eq!(
            cut(&ours),
            "  INFO xmlrpc_kit::access: 127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 131 add 0.049ms\n"
        );
        assert_eq!(cut(&ours), cut(&theirs));
    }
}
