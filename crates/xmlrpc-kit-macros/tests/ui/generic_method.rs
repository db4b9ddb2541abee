struct Echo;

#[xmlrpc_kit::methods]
impl Echo {
    pub fn echo<T: xmlrpc_kit::FromValue + xmlrpc_kit::IntoValue>(&self, x: T) -> T {
        x
    }
}

fn main() {}
