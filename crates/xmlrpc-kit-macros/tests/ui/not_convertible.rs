struct Files;

#[xmlrpc_kit::methods]
impl Files {
    pub fn size(&self, file: std::fs::File) -> u64 {
        file.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

fn main() {}
