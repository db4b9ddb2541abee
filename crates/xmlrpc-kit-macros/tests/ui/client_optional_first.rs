use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
trait Supervisor {
    fn read_log(&self, #[xmlrpc(optional)] offset: Option<i32>, length: i32) -> Result<String, Error>;
}

fn main() {}
