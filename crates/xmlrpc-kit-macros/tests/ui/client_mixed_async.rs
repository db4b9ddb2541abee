use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Rtorrent {
    fn client_version(&self) -> Result<String, Error>;

    async fn library_version(&self) -> Result<String, Error>;
}

fn main() {}
