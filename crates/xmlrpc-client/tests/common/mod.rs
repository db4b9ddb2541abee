//! Peers for the client's tests, all on 127.0.0.1 with OS-picked ports and
//! stopped on drop: our server in a background thread, Python's
//! `SimpleXMLRPCServer` (tests/python/reference_server.py), a proxy that
//! counts connections and records what passes, a TLS front, and a fake
//! server that answers one fixed response.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xmlrpc::{Exports, Fault, Methods, Value};
use xmlrpc::{Server, ShutdownHandle};

/// Our server, serving [`methods`] with `allow_none`, on a background thread.
pub struct TestServer {
    pub addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub fn start() -> Self {
        let server = Server::builder(methods())
            .allow_none(true)
            .log_requests(false)
            .bind("127.0.0.1:0")
            .expect("bind");
        let addr = server.local_addr().unwrap();
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

    pub fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
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

/// The demo's methods (pow, add, echo, and div and mul on an instance)
/// plus a few for testing transports.
pub fn methods() -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.register_function("pow", |x: i64, y: u32| {
        x.checked_pow(y).ok_or(Fault::application("overflow"))
    })
    .help("pow(x, y): x raised to the power y.");
    m.register_function("add", |x: i64, y: i64| x + y)
        .help("add(x, y): the sum.");
    m.register_function("echo", |x: Value| x);
    m.register_function("nothing", || ());
    m.register_function("repeat", |text: String, n: usize| text.repeat(n));
    m.register_function("sleep", |ms: u32| async move {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        Ok::<_, Fault>(ms)
    });
    let mut funcs = Exports::new();
    funcs.register_function("div", |x: i64, y: i64| {
        if y == 0 {
            Err(Fault::application("integer division or modulo by zero"))
        } else {
            Ok(x.div_euclid(y))
        }
    });
    funcs.register_function("mul", |x: i64, y: i64| x * y);
    m.register_instance(funcs);
    m
}

/// A process stopped when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Python's own `SimpleXMLRPCServer` with the demo's methods and
/// `request_headers` (tests/python/reference_server.py --headers).
pub struct PythonServer {
    pub port: u16,
    _process: Running,
    dir: PathBuf,
}

impl PythonServer {
    pub fn start() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "xmlrpc-client-py-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port_file = dir.join("port");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/python/reference_server.py");
        let process = Running(
            Command::new("python3")
                .arg(script)
                .arg(&port_file)
                .arg("--headers")
                .spawn()
                .expect("python3 is required by these tests"),
        );
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(port) = text.trim().parse::<u16>() {
                    break port;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "Python's reference server did not start"
            );
            std::thread::sleep(Duration::from_millis(30));
        };
        PythonServer {
            port,
            _process: process,
            dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/RPC2", self.port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a [`Proxy`] saw.
#[derive(Default)]
pub struct Seen {
    /// Connections accepted.
    pub connections: AtomicUsize,
    /// Bytes from the server to the client.
    pub downstream_bytes: AtomicUsize,
    /// Bytes from the client to the server.
    pub upstream_bytes: AtomicUsize,
    /// The first MiB the clients sent, all connections together.
    pub upstream: Mutex<Vec<u8>>,
}

/// A TCP proxy in front of `upstream` that counts connections and bytes and
/// records what clients send (their request headers, in plain text).
pub struct Proxy {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let (client, _) = tokio::select! {
                        accepted = listener.accept() => accepted.unwrap(),
                        _ = &mut stopped => break,
                    };
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    let seen = shared.clone();
                    tokio::spawn(async move {
                        let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                            return;
                        };
                        let (mut client_read, mut client_write) = client.into_split();
                        let (mut server_read, mut server_write) = server.into_split();
                        let up_seen = seen.clone();
                        let up = async move {
                            let mut buf = vec![0u8; 16 * 1024];
                            loop {
                                let n = match client_read.read(&mut buf).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => n,
                                };
                                up_seen.upstream_bytes.fetch_add(n, Ordering::SeqCst);
                                {
                                    let mut log = up_seen.upstream.lock().unwrap();
                                    let room = (1usize << 20).saturating_sub(log.len());
                                    log.extend_from_slice(&buf[..n.min(room)]);
                                }
                                if server_write.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                            let _ = server_write.shutdown().await;
                        };
                        let down = async move {
                            let mut buf = vec![0u8; 16 * 1024];
                            loop {
                                let n = match server_read.read(&mut buf).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => n,
                                };
                                seen.downstream_bytes.fetch_add(n, Ordering::SeqCst);
                                if client_write.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                            let _ = client_write.shutdown().await;
                        };
                        tokio::join!(up, down);
                    });
                }
            });
        });
        Proxy {
            addr,
            seen,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.seen.connections.load(Ordering::SeqCst)
    }

    pub fn downstream_bytes(&self) -> usize {
        self.seen.downstream_bytes.load(Ordering::SeqCst)
    }

    pub fn upstream_bytes(&self) -> usize {
        self.seen.upstream_bytes.load(Ordering::SeqCst)
    }

    /// What clients sent, as text (bodies that are gzip show as noise).
    pub fn upstream_text(&self) -> String {
        String::from_utf8_lossy(&self.seen.upstream.lock().unwrap()).into_owned()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server that answers every connection with `response` (raw HTTP) and
/// closes it.
pub struct FakeServer {
    pub addr: SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    pub fn start(response: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_millis(500)))
                            .unwrap();
                        // Read the request's head (and whatever of the body came with it).
                        let mut buf = [0u8; 65536];
                        let mut got = Vec::new();
                        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => got.extend_from_slice(&buf[..n]),
                            }
                        }
                        let _ = stream.write_all(&response);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Answers 200 with `body` as `text/xml`.
    pub fn xml(body: &str) -> Self {
        Self::start(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    pub fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A TLS front on 127.0.0.1 for `upstream` (plain HTTP), with a certificate
/// made for this test for `localhost` and `127.0.0.1`.
pub struct TlsFront {
    pub addr: SocketAddr,
    /// The certificate (DER), to trust in the client.
    pub certificate_der: Vec<u8>,
    /// The certificate (PEM).
    pub certificate_pem: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsFront {
    pub fn start(upstream: SocketAddr) -> Self {
        use tokio_rustls::rustls;
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .unwrap();
        let certificate_der = certified.cert.der().to_vec();
        let certificate_pem = certified.cert.pem();
        let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(
                certificate_der.clone(),
            )],
            key,
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let (client, _) = tokio::select! {
                        accepted = listener.accept() => accepted.unwrap(),
                        _ = &mut stopped => break,
                    };
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(client).await else {
                            return;
                        };
                        let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                    });
                }
            });
        });
        TlsFront {
            addr,
            certificate_der,
            certificate_pem,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("https://localhost:{}/RPC2", self.addr.port())
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One of each XML-RPC type, nested too.
pub fn every_type() -> Vec<Value> {
    use xmlrpc::Struct;
    let mut inner = Struct::new();
    inner.insert("x".into(), Value::Int(1));
    inner.insert("clé €".into(), Value::String("日本".into()));
    let mut outer = Struct::new();
    outer.insert("z first".into(), Value::Bool(false));
    outer.insert("a second".into(), Value::Struct(inner));
    outer.insert(
        "list".into(),
        Value::Array(vec![Value::Double(-0.25), Value::Array(vec![])]),
    );
    outer.insert("empty".into(), Value::Struct(Struct::new()));
    vec![
        Value::Int(0),
        Value::Int(i32::MIN),
        Value::Int(i32::MAX),
        Value::I8(7),
        Value::Bool(true),
        Value::Bool(false),
        Value::String(String::new()),
        Value::String("plain".into()),
        Value::String("<&> \"quotes\" 'single' ]]> tab\there\nnewline".into()),
        Value::String("é € 日本 😀".into()),
        Value::Double(0.5),
        Value::Double(-1.0e300),
        Value::Double(3.0),
        Value::DateTime("20260125T09:30:00".parse().unwrap()),
        Value::Base64(vec![]),
        Value::Base64((0..=255).collect()),
        Value::Array(vec![]),
        Value::Array(vec![Value::Int(1), Value::String("two".into()), Value::Nil]),
        Value::Struct(Struct::new()),
        Value::Struct(outer),
        Value::Nil,
    ]
}
