//! The human access line written straight to the log, with none of
//! `tracing` in between: the server hands each access event to
//! [`human_lines`]'s function (an [`AccessSink`](xmlrpc_kit::front::AccessSink)),
//! which writes the line tracing-subscriber's plain format would, its
//! timestamp, level, target and message, in one piece.

use std::cell::RefCell;
use std::io::Write as _;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime as _;
use xmlrpc_kit::front::AccessLog;

use crate::log_time::CachedUtc;

/// The target of the access events.
pub(crate) const ACCESS_TARGET: &str = "xmlrpc_kit::access";

thread_local! {
    /// The line being made, kept from one event to the next.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A function writing each access event to `writer` as `TIME  INFO
/// xmlrpc_kit::access: LINE`, as tracing-subscriber's plain (not
/// coloured) format writes the event through `tracing`, whose fields are
/// all in its message.
pub(crate) fn human_lines<W>(writer: W) -> impl Fn(&AccessLog<'_>) + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    move |event| {
        LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return;
            };
            line.clear();
            let _ = CachedUtc.format_time(&mut Writer::new(&mut *line));
            line.push_str("  INFO ");
            line.push_str(ACCESS_TARGET);
            line.push_str(": ");
            event.push_line(&mut line);
            line.push('\n');
            let _ = writer.make_writer().write_all(line.as_bytes());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tracing_subscriber::layer::SubscriberExt as _;
    use xmlrpc_kit_test_support::captured::Captured;

    /// The line tracing-subscriber's own plain format writes for the same
    /// event emitted through `tracing` (formatted as the demo's human log
    /// does: the message, no access field), its timestamp cut off, is ours.
    #[test]
    fn the_line_is_the_one_the_fmt_layer_writes() {
        let (ours, theirs) = (Captured::default(), Captured::default());
        let (o, t) = (ours.clone(), theirs.clone());
        let event = AccessLog {
            fault_code: Some(-32500),
            rpc_method: Some("div\n"),
            elapsed: Duration::from_micros(49),
            ..AccessLog::of_head(
                Some([127, 0, 0, 1].into()),
                "POST",
                "/RPC2",
                "HTTP/1.1",
                200,
            )
        };
        human_lines(move || o.clone())(&event);
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || t.clone())
            .fmt_fields(tracing_subscriber::fmt::format::debug_fn(
                |w, field, value| match field.name() {
                    "message" => write!(w, "{value:?}"),
                    _ => Ok(()),
                },
            ));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(fmt), || {
            event.emit()
        });
        // Each line written, its timestamp cut off.
        let lines = |c: &Captured| -> Vec<String> {
            c.text()
                .lines()
                .map(|line| line.split_once('Z').unwrap().1.to_owned())
                .collect()
        };
        let access = r#"  INFO xmlrpc_kit::access: 127.0.0.1 "POST /RPC2 HTTP/1.1" 200 - div\n fault=-32500 0.049ms"#;
        assert_eq!(lines(&ours), [access]);
        assert_eq!(lines(&theirs), [access]);
    }
}
