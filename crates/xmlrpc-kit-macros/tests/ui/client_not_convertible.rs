use xmlrpc_kit::client::Error;

#[xmlrpc_kit::client]
trait Files {
    fn size(&self, file: std::fs::File) -> Result<u64, Error>;

    fn open(&self, path: String) -> Result<std::fs::File, Error>;
}

fn main() {}
