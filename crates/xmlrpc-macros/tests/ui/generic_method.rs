struct Echo;

#[xmlrpc::methods]
impl Echo {
    pub fn echo<T: xmlrpc::FromValue + xmlrpc::IntoValue>(&self, x: T) -> T {
        x
    }
}

fn main() {}
