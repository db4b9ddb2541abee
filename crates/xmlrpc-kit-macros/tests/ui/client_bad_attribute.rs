use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client(namespace = "supervisor.", rename_all = "kebab-case")]
trait Supervisor {
    fn get_state(&self) -> Result<String, Error>;
}

#[xmlrpc_kit::client]
trait Rtorrent {
    #[xmlrpc(rename = "system.client_version")]
    fn client_version(&self) -> Result<String, Error>;
}

fn main() {}
