//! The HTTP/1 settings every connection of a server gets: hyper's
//! builder with the server's header limits, keep-alive and half-close.

use crate::config::HttpConfig;

/// Who enforces the header read timeout on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderTimer {
    /// hyper, with a timer per request head: for connections served
    /// alone ([`RpcService::serve_connection`]).
    Hyper,
    /// The server's sweeper (`Connections::sweep`), with one pass over its
    /// connections per tick: for the listener's connections. A timer per
    /// request costs a tenth of a small call's CPU time.
    Swept,
}

/// The HTTP/1 settings every connection of a server gets.
pub(crate) fn http1_builder(
    config: &HttpConfig,
    timer: HeaderTimer,
) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    match timer {
        HeaderTimer::Hyper => {
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(config.limits.header_read_timeout);
        }
        HeaderTimer::Swept => {
            http.header_read_timeout(None);
        }
    }
    http.max_headers(config.limits.max_headers)
        .max_buf_size(config.limits.max_header_bytes.max(8192))
        .keep_alive(true)
        .pipeline_flush(false)
        // A client may shut down its writing side once its request is sent
        // (as `nc -N` does); it still gets its answer, as from Python's
        // server. Without this, hyper drops the response on reading that EOF.
        .half_close(true);
    http
}
