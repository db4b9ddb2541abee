//! The human access line written straight to the log: its timestamp,
//! level, target and message, which is the whole line, with none of
//! tracing-subscriber's `fmt` layer in between (that layer visits and
//! formats through several writers what is here written once). Every
//! other event, and every span, goes on to the layer it wraps (the demo's
//! `fmt` layer), so one layer sees each event with no per-layer filter.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime as _;
use tracing_subscriber::layer::{Context, Layer};

use crate::log_time::CachedUtc;

/// The target of the access events.
pub(crate) const ACCESS_TARGET: &str = "xmlrpc_kit::access";

/// A layer writing each access event ([`ACCESS_TARGET`]) as `TIME  INFO
/// TARGET: MESSAGE`, as tracing-subscriber's plain (not coloured) format
/// writes an event whose fields are all in its message, and handing every
/// other event and every span to `others`.
pub(crate) struct AccessLines<W, L> {
    writer: W,
    others: L,
}

impl<W, L> AccessLines<W, L> {
    pub(crate) fn new(writer: W, others: L) -> Self {
        AccessLines { writer, others }
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

impl<S, W, L> Layer<S> for AccessLines<W, L>
where
    S: Subscriber,
    W: for<'w> MakeWriter<'w> + 'static,
    L: Layer<S>,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        if metadata.target() != ACCESS_TARGET {
            return self.others.on_event(event, ctx);
        }
        LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return;
            };
            line.clear();
            let _ = CachedUtc.format_time(&mut Writer::new(&mut *line));
            // ` {:>5} {}: ` of the level and target, put together here.
            line.push_str(match *metadata.level() {
                Level::ERROR => " ERROR ",
                Level::WARN => "  WARN ",
                Level::INFO => "  INFO ",
                Level::DEBUG => " DEBUG ",
                Level::TRACE => " TRACE ",
            });
            line.push_str(metadata.target());
            line.push_str(": ");
            event.record(&mut Message(&mut line));
            line.push('\n');
            let _ = self.writer.make_writer().write_all(line.as_bytes());
        });
    }

    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.others.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.others.on_layer(subscriber);
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: Context<'_, S>) -> bool {
        metadata.target() == ACCESS_TARGET || self.others.enabled(metadata, ctx)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.others.on_new_span(attrs, id, ctx);
    }

    fn on_record(&self, span: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.others.on_record(span, values, ctx);
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: Context<'_, S>) {
        self.others.on_follows_from(span, follows, ctx);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.others.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.others.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.others.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &Id, new: &Id, ctx: Context<'_, S>) {
        self.others.on_id_change(old, new, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;
    use xmlrpc_kit_test_support::captured::Captured;

    /// tracing-subscriber's plain format of an event's message alone,
    /// written to `writer`.
    fn fmt_layer<S, W>(writer: W) -> impl Layer<S>
    where
        S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
        W: for<'w> MakeWriter<'w> + 'static,
    {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(writer)
            .fmt_fields(tracing_subscriber::fmt::format::debug_fn(
                |w, field, value| match field.name() {
                    "message" => write!(w, "{value:?}"),
                    _ => Ok(()),
                },
            ))
    }

    /// The line tracing-subscriber's own plain format writes for the same
    /// event, its timestamp cut off, is ours; other events go to the layer
    /// wrapped.
    #[test]
    fn the_line_is_the_one_the_fmt_layer_writes() {
        let (ours, theirs, others) = (
            Captured::default(),
            Captured::default(),
            Captured::default(),
        );
        let (o, t, other) = (ours.clone(), theirs.clone(), others.clone());
        let subscriber = tracing_subscriber::registry()
            .with(AccessLines::new(
                move || o.clone(),
                fmt_layer(move || other.clone()),
            ))
            .with(fmt_layer(move || t.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let line = "127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 131 add 0.049ms";
            tracing::info!(target: "xmlrpc_kit::access", status = 200, "{line}");
            tracing::warn!(target: "xmlrpc_kit_http::server", "another event");
        });
        // Each line written, its timestamp cut off.
        let lines = |c: &Captured| -> Vec<String> {
            c.text()
                .lines()
                .map(|line| line.split_once('Z').unwrap().1.to_owned())
                .collect()
        };
        let access =
            "  INFO xmlrpc_kit::access: 127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 131 add 0.049ms";
        let other = "  WARN xmlrpc_kit_http::server: another event";
        assert_eq!(lines(&ours), [access]);
        // The fmt layer alone writes the same line, and the other event,
        // which the layer it wraps gets, and it only.
        assert_eq!(lines(&theirs), [access, other]);
        assert_eq!(lines(&others), [other]);
    }
}
