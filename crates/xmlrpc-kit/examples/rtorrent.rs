//! A typed async client of rTorrent's XML-RPC API from a trait
//! (`#[xmlrpc_kit::client]`): its version, and its downloads through
//! `d.multicall2`, each row a tuple read by serde.
//!
//! Run with `cargo run -p xmlrpc-kit --example rtorrent --features serde -- URL`,
//! the URL of rTorrent's `network.scgi.open_local` socket (`scgi:///home/me/.rtorrent/rpc.sock`),
//! its `network.scgi.open_port` (`scgi://127.0.0.1:5000`), or a web server
//! in front of it (`http://127.0.0.1/RPC2`). Its test answers as rTorrent
//! does, from our own server.

use xmlrpc_kit::Client;
use xmlrpc_kit::client::Error;

/// One download: `d.hash=`, `d.name=`, `d.size_bytes=`, `d.complete=`.
type Row = (String, String, i64, i64);

/// rTorrent's API, the calls used here. Its names are snake_case in
/// several namespaces (`system.`, `d.`), so each is written in full.
#[xmlrpc_kit::client]
trait Rtorrent {
    /// rTorrent's version.
    #[xmlrpc(name = "system.client_version")]
    async fn client_version(&self) -> Result<String, Error>;

    /// libtorrent's version.
    #[xmlrpc(name = "system.library_version")]
    async fn library_version(&self) -> Result<String, Error>;

    /// The hashes of a view's downloads (`""` is the target, unused).
    #[xmlrpc(name = "download_list")]
    async fn download_list(&self, target: &str, view: &str) -> Result<Vec<String>, Error>;

    /// Four commands for each download of `view`: one row each.
    #[xmlrpc(name = "d.multicall2")]
    async fn downloads(
        &self,
        target: &str,
        view: &str,
        hash: &str,
        name: &str,
        size: &str,
        complete: &str,
    ) -> Result<Vec<Row>, Error>;
}

async fn report(url: &str) -> Result<Vec<String>, Error> {
    let rtorrent = RtorrentClient::new(Client::new(url)?);
    let mut lines = vec![format!(
        "rTorrent {} (libtorrent {}), {} downloads",
        rtorrent.client_version().await?,
        rtorrent.library_version().await?,
        rtorrent.download_list("", "main").await?.len()
    )];
    let rows = rtorrent
        .downloads(
            "",
            "main",
            "d.hash=",
            "d.name=",
            "d.size_bytes=",
            "d.complete=",
        )
        .await?;
    for (hash, name, size, complete) in rows {
        let done = if complete == 1 { "done" } else { "incomplete" };
        lines.push(format!("{hash} {name} {size} bytes {done}"));
    }
    Ok(lines)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scgi://127.0.0.1:5000".into());
    match report(&url).await {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit::{Fault, Methods, Server, Value};
    use xmlrpc_kit_test_support::server::TestServer;

    const DOWNLOADS: [(&str, &str, i64, i64); 2] = [
        ("5A8E4B3C", "debian-13.iso", 4_000_000_000, 1),
        ("09F1D2E3", "notes.txt", 12, 0),
    ];

    /// rTorrent's answers, from our server.
    fn rtorrent() -> Methods {
        let mut methods = Methods::new();
        methods.register_function("system.client_version", || "0.9.8");
        methods.register_function("system.library_version", || "0.13.8");
        methods.register_function("download_list", |_target: String, view: String| {
            if view != "main" {
                return Err(Fault::new(-501, "Could not find view"));
            }
            Ok(DOWNLOADS.map(|d| d.0.to_owned()).to_vec())
        });
        methods.register_function(
            "d.multicall2",
            |_target: String,
             view: String,
             hash: String,
             name: String,
             size: String,
             complete: String| {
                if view != "main"
                    || [hash, name, size, complete]
                        != ["d.hash=", "d.name=", "d.size_bytes=", "d.complete="]
                {
                    return Err(Fault::invalid_params("unexpected d.multicall2 call"));
                }
                // size_bytes is 64 bits: rTorrent answers <i8>.
                Ok(DOWNLOADS
                    .map(|(hash, name, size, complete)| {
                        vec![
                            Value::String(hash.into()),
                            Value::String(name.into()),
                            Value::I8(size),
                            Value::I8(complete),
                        ]
                    })
                    .to_vec())
            },
        );
        methods
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn it_reports_rtorrents_downloads() {
        let server = TestServer::start(Server::builder(rtorrent()).log_requests(false));
        let lines = super::report(&server.url()).await.unwrap();
        assert_eq!(
            lines,
            [
                "rTorrent 0.9.8 (libtorrent 0.13.8), 2 downloads",
                "5A8E4B3C debian-13.iso 4000000000 bytes done",
                "09F1D2E3 notes.txt 12 bytes incomplete",
            ]
        );
    }
}
