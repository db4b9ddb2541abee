//! Run with: cargo run --release -p xmlrpc-kit-test-support --example ceiling -- PORT ANSWER_FILE
//!
//! A canned-answer HTTP/1.1 server on 127.0.0.1:PORT: it reads each
//! POST's body whole, throws it away and answers `200` with ANSWER_FILE's
//! bytes, on keep-alive connections, on one thread. It parses no XML, so a
//! client measured against it pays for everything but a real server's
//! work: `scripts/client_bench.py` measures clients against it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [port, answer] = args.as_slice() else {
        eprintln!("usage: ceiling PORT ANSWER_FILE");
        return ExitCode::from(2);
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("ceiling: {port:?} is not a port");
        return ExitCode::from(2);
    };
    let answer = match std::fs::read(answer) {
        Ok(bytes) => Bytes::from(bytes),
        Err(e) => {
            eprintln!("ceiling: {answer}: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(serve(SocketAddr::from(([127, 0, 0, 1], port)), answer)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addr: SocketAddr, answer: Bytes) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| respond(request, answer.clone()));
            // A client closing its connection ends it; nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(
    request: Request<Incoming>,
    answer: Bytes,
) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read to the end, so that the connection can carry the next request.
    let mut body = request.into_body();
    while let Some(Ok(_)) = body.frame().await {}
    let mut response = Response::new(Full::new(answer));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    Ok(response)
}
