//! One HTTP or HTTPS connection of the server's own listeners, served by
//! hyper until the client closes it, the server asks it to close (idle
//! under pressure), or the server stops.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::sync::watch;

use crate::admission::Conn;
use crate::connection_io::Unvectored;
use crate::http1::{HeaderTimer, http1_builder};
use crate::lifecycle::{Stop, reached, stop_settled};
use crate::service::{RpcService, SlicedAnswers};
use crate::shared::Shared;

/// One HTTP connection, until the client closes it, the server asks it to
/// close (idle under pressure), or the server stops.
pub(crate) async fn serve_http<S>(
    stream: S,
    peer: Option<SocketAddr>,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    mut stopping: watch::Receiver<Stop>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = SlicedAnswers(RpcService {
        shared: shared.clone(),
        peer,
        conn: Some(conn.clone()),
    });
    // No header read timer: the server's sweeper closes connections idle
    // for longer than the header read timeout (see `Connections::sweep`).
    let io = TokioIo::new(Unvectored::watched(stream, conn.clone()));
    let connection =
        http1_builder(&shared.config, HeaderTimer::Swept).serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = conn.close.notified() => {
            // Idle under pressure. hyper closes an idle connection at once
            // but waits out a half-sent request head; no call has started
            // on one, so it is closed here.
            connection.as_mut().graceful_shutdown();
            loop {
                tokio::select! {
                    result = connection.as_mut() => break result,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        if !conn.is_busy() {
                            break Ok(());
                        }
                    }
                }
            }
        }
        () = stop_settled(&mut stopping) => {
            // Stopping: finish the request in progress, then close; or
            // drop it when told to stop at once.
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                result = connection.as_mut() => result,
                () = reached(&mut stopping, Stop::Now) => Ok(()),
            }
        }
    };
    if let Err(e) = result {
        if e.is_parse() || e.is_parse_too_large() {
            refused_by_parser(&shared, peer, &e);
        }
        tracing::debug!(?peer, error = %e, "connection ended with an error");
    }
}

/// Counts and logs a request whose head hyper could not read (a control
/// character in the path, a head past the size limit), which hyper
/// answered itself (400, or 431 for a head too large) without handing it
/// over: an access line with what is known of it, `-` for the rest.
fn refused_by_parser(shared: &Shared, peer: Option<SocketAddr>, error: &hyper::Error) {
    let status = if error.is_parse_too_large() { 431 } else { 400 };
    shared.after_answer(status, None, 0, true);
    if shared.config.log_requests {
        xmlrpc_kit_front::AccessLog::of_head(peer.map(|p| p.ip()), "-", "-", "HTTP/1.1", status)
            .deliver(shared.config.access_sink.as_ref(), &tracing::Span::none());
    }
}

/// One HTTPS connection: the TLS handshake within the header timeout, then
/// HTTP. A plain HTTP request on the TLS port is answered 400 in plain
/// text, saying so.
#[cfg(feature = "tls")]
pub(crate) async fn serve_https(
    mut stream: crate::socket::Stream,
    peer: Option<SocketAddr>,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    stopping: watch::Receiver<Stop>,
) {
    use tokio::io::AsyncWriteExt as _;
    let Some(tls) = &shared.tls else {
        return;
    };
    // The configuration of the moment: a reload serves new connections.
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config());
    let timeout = shared.config.limits.header_read_timeout;
    if let crate::socket::Stream::Tcp(tcp) = &stream {
        let mut first = [0u8; 1];
        let peeked = tokio::time::timeout(timeout, tcp.peek(&mut first)).await;
        if matches!(peeked, Ok(Ok(1))) && first[0].is_ascii_uppercase() {
            let refusal = xmlrpc_kit_front::Rejection::wrong_protocol(
                "this port speaks HTTPS: send the request over TLS",
            );
            let _ = stream
                .write_all(&crate::response::refusal_bytes(&refusal))
                .await;
            let _ = stream.shutdown().await;
            return;
        }
    }
    let handshake = tokio::select! {
        done = tokio::time::timeout(timeout, acceptor.accept(stream)) => done,
        () = conn.close.notified() => return,
    };
    match handshake {
        Ok(Ok(tls_stream)) => serve_http(tls_stream, peer, shared, conn, stopping).await,
        Ok(Err(e)) => tracing::debug!(?peer, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(?peer, "TLS handshake timed out"),
    }
}
