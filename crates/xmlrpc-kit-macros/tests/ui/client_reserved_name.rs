use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Factory {
    fn new(&self, kind: String) -> Result<i32, Error>;
}

fn main() {}
