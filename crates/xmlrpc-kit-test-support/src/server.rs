//! Our server in a background thread, on 127.0.0.1 with an OS-picked port,
//! stopped when dropped.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use xmlrpc_kit::serves::Target;
use xmlrpc_kit::{Server, ServerBuilder, ShutdownHandle};

/// A server serving on a background thread (a two-worker tokio runtime).
#[derive(Debug)]
pub struct TestServer {
    /// Where it serves over TCP (`0.0.0.0:0` when it has only Unix sockets).
    pub addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Binds `builder` to 127.0.0.1:0 and serves it.
    pub fn start<T: Target>(builder: ServerBuilder<T>) -> Self {
        Self::serve(builder.bind("127.0.0.1:0").expect("bind 127.0.0.1:0"))
    }

    /// Serves a bound server.
    pub fn serve(server: Server) -> Self {
        let addr = server
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let handle = server.shutdown_handle();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?
                .block_on(server.serve())
        });
        TestServer {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    /// Its URL on `/RPC2`.
    pub fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
    }

    /// A handle that stops the server without waiting for it.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Stops the server and waits for `serve` to return.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.handle.shutdown();
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("no panic")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
