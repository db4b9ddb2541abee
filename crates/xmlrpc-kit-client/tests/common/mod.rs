//! Peers for the client's tests, all on 127.0.0.1 with OS-picked ports and
//! stopped on drop: our server in a background thread, Python's
//! `SimpleXMLRPCServer` (tests/python/reference_server.py), a proxy that
//! counts connections and records what passes, a TLS front, and a fake
//! server that answers one fixed response.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xmlrpc_kit::{Client, Exports, Fault, Methods, Server, Value};
pub use xmlrpc_kit_test_support::ports::ClosedPort;
pub use xmlrpc_kit_test_support::python::PythonServer;
pub use xmlrpc_kit_test_support::server::TestServer;
pub use xmlrpc_kit_test_support::values::every_type;

/// Our server, serving [`methods`] with `allow_none`, on a background thread.
pub fn our_server() -> TestServer {
    TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .log_requests(false),
    )
}

/// Calls `echo` with one value of each type on `url` and checks each comes
/// back as `as_returned` says the server returns it.
pub async fn assert_echoes_every_type(url: &str, as_returned: fn(Value) -> Value) {
    let client = Client::builder(url).allow_none(true).build().unwrap();
    for value in every_type() {
        let echoed = client
            .call_value("echo", vec![value.clone()])
            .await
            .unwrap();
        assert_eq!(echoed, as_returned(value));
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

/// What `system.listMethods` answers on a server with the `own` methods
/// (in order) and every built-in one ([`Methods`]' introspection and
/// multicall, or Python's `SimpleXMLRPCServer` with both registered).
pub fn listed_with_builtins(own: &[&str]) -> Vec<String> {
    use xmlrpc_kit::wire::names;
    let builtins = [
        names::GET_CAPABILITIES,
        names::LIST_METHODS,
        names::METHOD_HELP,
        names::METHOD_SIGNATURE,
        names::MULTICALL,
    ];
    own.iter()
        .chain(&builtins)
        .map(|name| (*name).to_owned())
        .collect()
}

/// What `system.listMethods` answers for [`methods`].
pub fn our_listed_methods() -> Vec<String> {
    listed_with_builtins(&[
        "add", "div", "echo", "mul", "nothing", "pow", "repeat", "sleep",
    ])
}

/// What Python prints running `script` with `p`, a `ServerProxy` for
/// `url` made with `allow_none=True` and the further `options` (such as
/// `", use_builtin_types=True"`), after `import xmlrpc.client, datetime`;
/// run on a blocking thread, beside the test's runtime.
pub async fn python_prints(url: &str, options: &str, script: &str) -> String {
    let code = format!(
        "import xmlrpc.client, datetime\n\
         p = xmlrpc.client.ServerProxy({url:?}, allow_none=True{options})\n\
         {script}"
    );
    tokio::task::spawn_blocking(move || xmlrpc_kit_test_support::python::run_ok(&["-c", &code]))
        .await
        .unwrap()
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

/// A listener on 127.0.0.1 with an OS-picked port whose connections are
/// handed to `serve` on a background current-thread runtime; stopped (and
/// its thread joined) when dropped.
pub struct AcceptLoop {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl AcceptLoop {
    pub fn start<F, Fut>(serve: F) -> Self
    where
        F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
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
                    tokio::spawn(serve(client));
                }
            });
        });
        AcceptLoop {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for AcceptLoop {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A TCP proxy in front of `upstream` that counts connections and bytes and
/// records what clients send (their request headers, in plain text).
pub struct Proxy {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    _accept: AcceptLoop,
}

/// Copies `from` to `to` until either ends, counting the bytes in
/// `counter` and keeping the first MiB in `log` if given.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counter: &AtomicUsize,
    log: Option<&Mutex<Vec<u8>>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        counter.fetch_add(n, Ordering::SeqCst);
        if let Some(log) = log {
            let mut log = log.lock().unwrap();
            let room = (1usize << 20).saturating_sub(log.len());
            log.extend_from_slice(&buf[..n.min(room)]);
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

impl Proxy {
    pub fn start(upstream: SocketAddr) -> Self {
        let seen = Arc::new(Seen::default());
        let shared = seen.clone();
        let accept = AcceptLoop::start(move |client| {
            let seen = shared.clone();
            async move {
                seen.connections.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::join!(
                    pump(
                        client_read,
                        server_write,
                        &seen.upstream_bytes,
                        Some(&seen.upstream)
                    ),
                    pump(server_read, client_write, &seen.downstream_bytes, None),
                );
            }
        });
        Proxy {
            addr: accept.addr,
            seen,
            _accept: accept,
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
    _accept: AcceptLoop,
}

/// A client identity for mutual TLS: the client's certificate and key
/// (PEM), and the CA that signed it (DER), which a server trusts.
pub struct ClientIdentity {
    pub certificate_pem: String,
    pub key_pem: String,
    pub ca_der: Vec<u8>,
}

impl ClientIdentity {
    /// A CA made for this test, and a client certificate it signed.
    pub fn new() -> Self {
        use rcgen::{
            BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_der = ca_params.self_signed(&ca_key).unwrap().der().to_vec();
        let issuer = Issuer::new(ca_params, ca_key);
        let client_key = KeyPair::generate().unwrap();
        let mut client_params = CertificateParams::new(vec!["client".to_owned()]).unwrap();
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let certificate = client_params.signed_by(&client_key, &issuer).unwrap();
        ClientIdentity {
            certificate_pem: certificate.pem(),
            key_pem: client_key.serialize_pem(),
            ca_der,
        }
    }
}

impl TlsFront {
    pub fn start(upstream: SocketAddr) -> Self {
        Self::start_with(upstream, None)
    }

    /// A TLS front that requires a client certificate signed by `client_ca` (DER).
    pub fn start_mutual(upstream: SocketAddr, client_ca: &[u8]) -> Self {
        Self::start_with(upstream, Some(client_ca))
    }

    fn start_with(upstream: SocketAddr, client_ca: Option<&[u8]>) -> Self {
        use tokio_rustls::rustls;
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .unwrap();
        let certificate_der = certified.cert.der().to_vec();
        let certificate_pem = certified.cert.pem();
        let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let config = match client_ca {
            None => config.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(rustls::pki_types::CertificateDer::from(ca.to_vec()))
                    .unwrap();
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .unwrap();
                config.with_client_cert_verifier(verifier)
            }
        };
        let config = config
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(
                    certificate_der.clone(),
                )],
                key,
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let accept = AcceptLoop::start(move |client| {
            let acceptor = acceptor.clone();
            async move {
                let Ok(mut tls) = acceptor.accept(client).await else {
                    return;
                };
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
            }
        });
        TlsFront {
            addr: accept.addr,
            certificate_der,
            certificate_pem,
            _accept: accept,
        }
    }

    pub fn url(&self) -> String {
        format!("https://localhost:{}/RPC2", self.addr.port())
    }
}
