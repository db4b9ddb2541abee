//! A server running beside a program's other work, on its tokio runtime,
//! started with one call and stopped when dropped: for the calls a service
//! makes back to its client (HomeMatic's `init(url, id)`, ROS 1's slave
//! API), whose URL the client hands to the service.

use std::io;
use std::net::ToSocketAddrs;

use tokio::task::JoinHandle;
use xmlrpc_kit_transport::Address;

use crate::builder::ServerBuilder;
use crate::lifecycle::ShutdownHandle;
use crate::server::Server;
use crate::serves::Target;

/// A server serving on the runtime it was spawned on (see
/// [`Server::spawn`]): its URL to hand to a service, and its stop. Dropped,
/// it stops accepting and lets calls in flight finish, as
/// [`stop`](Self::stop) does without waiting.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use xmlrpc_kit::{Client, Methods, Server};
///
/// // The calls the service makes back: HomeMatic's CCU sends events.
/// let mut callbacks = Methods::new();
/// callbacks.register_function("event", |id: String, address: String, key: String, value: xmlrpc_kit::Value| {
///     println!("{id} {address} {key} {value:?}");
///     "" // not nil: the CCU takes no nil
/// });
/// callbacks.register_multicall_functions();
/// let events = Server::builder(callbacks).spawn("127.0.0.1:0")?;
///
/// let ccu = Client::new("http://127.0.0.1:2001")?;
/// let _: String = ccu.call("init", (events.url(), "my-client")).await?;
/// // … events arrive while the program goes on; at the end:
/// let _: String = ccu.call("init", (events.url(),)).await?;
/// events.stop().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Spawned {
    url: String,
    addresses: Vec<Address>,
    handle: ShutdownHandle,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Serves on the current tokio runtime, on a task of its own, and
    /// returns at once with the server's URL and its stop (see
    /// [`Spawned`]). Fails when not called from within a tokio runtime.
    pub fn spawn(self) -> io::Result<Spawned> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            io::Error::other("Server::spawn: called outside a tokio runtime (use serve_forever)")
        })?;
        let addresses = self.addresses()?;
        let path = match (self.dispatcher("/"), self.dispatcher("/RPC2")) {
            (Some(_), _) | (None, None) => "/",
            (None, Some(_)) => "/RPC2",
        };
        let url = match addresses.first() {
            Some(address @ Address::Http { .. }) => format!("{address}{path}"),
            Some(other) => other.to_string(),
            None => return Err(io::Error::other("the server has no address")),
        };
        let handle = self.shutdown_handle();
        let task = runtime.spawn(self.serve());
        Ok(Spawned {
            url,
            addresses,
            handle,
            task: Some(task),
        })
    }
}

impl<T: Target> ServerBuilder<T> {
    /// Binds to `addr` (`127.0.0.1:0` for a port the OS picks) and serves
    /// on the current tokio runtime: [`bind`](Self::bind) then
    /// [`Server::spawn`], in one call.
    pub fn spawn(self, addr: impl ToSocketAddrs) -> io::Result<Spawned> {
        self.bind(addr)?.spawn()
    }
}

impl Spawned {
    /// The URL to hand to a service: `http://ADDRESS:PORT/` (or `/RPC2`
    /// when the server answers there and not on `/`), with the address
    /// the server is bound to; a server bound to `0.0.0.0` is reached at
    /// an address of the machine the service knows, on
    /// [`addresses`](Self::addresses)' port.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every address the server serves on, ports as the OS picked them.
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// Stops accepting, lets calls in flight finish (within the server's
    /// grace period) and waits until it has stopped.
    pub async fn stop(mut self) -> io::Result<()> {
        self.handle.shutdown();
        match self.task.take() {
            Some(task) => task
                .await
                .map_err(|e| io::Error::other(format!("the server's task failed: {e}")))?,
            None => Ok(()),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}
