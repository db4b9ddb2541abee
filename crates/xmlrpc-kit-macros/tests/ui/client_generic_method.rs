use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Echo {
    fn echo<T: xmlrpc_kit::IntoValue + xmlrpc_kit::FromValue>(&self, value: T) -> Result<T, Error>;
}

fn main() {}
