use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Supervisor {
    fn get_state() -> Result<String, Error>;
}

fn main() {}
