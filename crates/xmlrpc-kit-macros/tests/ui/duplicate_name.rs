struct Math;

#[xmlrpc_kit::methods]
impl Math {
    pub fn div(&self, x: i64, y: i64) -> i64 {
        x / y
    }

    #[xmlrpc(name = "div")]
    pub fn divide(&self, x: i64, y: i64) -> i64 {
        x / y
    }
}

fn main() {}
