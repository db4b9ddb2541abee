#[xmlrpc_kit::client]
trait Supervisor {
    fn get_state(&self) -> String;
}

fn main() {}
