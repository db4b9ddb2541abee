use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Supervisor {
    fn get_state(&self) -> Result<String, Error>;

    fn get_pid(&mut self) -> Result<i32, Error>;
}

fn main() {}
