//! An instance written with `#[xmlrpc_kit::methods]`: sync and async methods,
//! `&self` and `Arc<Self>`, a renamed method, a skipped one, a child
//! instance under `rates.`, errors that become faults, help from doc
//! comments.
//!
//! Run with `cargo run -p xmlrpc-kit --example instance_macro`.

use std::io::stderr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use xmlrpc_kit::{Fault, Methods, Server};

/// The application's own error.
#[derive(Debug)]
pub enum BankError {
    /// A withdrawal would leave the balance below zero by this much.
    Overdrawn(i64),
}

impl From<BankError> for Fault {
    fn from(e: BankError) -> Fault {
        match e {
            BankError::Overdrawn(by) => Fault::new(10, format!("overdrawn by {by}")),
        }
    }
}

/// An account; its methods are what clients call.
#[derive(Debug, Default)]
pub struct Account {
    balance: AtomicI64,
}

/// The bank's rates, exported as a child.
#[derive(Debug)]
pub struct Rates;

#[xmlrpc_kit::methods]
impl Rates {
    /// The interest `amount` earns in a year, at 2%.
    pub fn interest(&self, amount: i64) -> i64 {
        amount * 2 / 100
    }
}

#[xmlrpc_kit::methods]
impl Account {
    /// The balance.
    pub fn balance(&self) -> i64 {
        self.balance.load(Ordering::SeqCst)
    }

    /// Takes `amount` out; a fault past zero.
    pub fn withdraw(&self, amount: i64) -> Result<i64, BankError> {
        // Checked and taken in one atomic step: two withdrawals at once
        // cannot both pass the check.
        let take = |balance: i64| (balance >= amount).then_some(balance - amount);
        match self
            .balance
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, take)
        {
            Ok(before) => Ok(before - amount),
            Err(balance) => Err(BankError::Overdrawn(amount - balance)),
        }
    }

    /// Puts `amount` in, after checking with a slow ledger.
    pub async fn deposit(self: Arc<Self>, amount: i64) -> i64 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        self.balance.fetch_add(amount, Ordering::SeqCst) + amount
    }

    /// The bank's name.
    #[xmlrpc(name = "bank.name")]
    pub fn name() -> &'static str {
        "Example Bank"
    }

    /// The `rates.*` methods.
    #[xmlrpc(child = "rates")]
    pub fn rates(&self) -> Rates {
        Rates
    }

    /// Not for clients.
    #[xmlrpc(skip)]
    pub fn audit(&self) -> i64 {
        self.balance()
    }
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_instance(Account::default());
    methods
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let server = Server::builder(methods()).bind(("127.0.0.1", 8000))?;
    println!(
        "the account (audited: {}) at http://{}/RPC2",
        Account::default().audit(),
        server.local_addr()?
    );
    server.serve_forever()
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn the_instance_answers_and_describes_itself() {
        let server =
            TestServer::start(xmlrpc_kit::Server::builder(super::methods()).log_requests(false));
        let c = xmlrpc_kit::blocking::Client::new(&server.url()).unwrap();
        assert_eq!(c.call::<i64>("deposit", (100,)).unwrap(), 100);
        assert_eq!(c.call::<i64>("withdraw", (30,)).unwrap(), 70);
        let e = c.call::<i64>("withdraw", (100,)).unwrap_err();
        assert_eq!(
            e.fault(),
            Some(&xmlrpc_kit::Fault::new(10, "overdrawn by 30"))
        );
        assert_eq!(c.call::<i64>("rates.interest", (1000,)).unwrap(), 20);
        assert_eq!(c.call::<String>("bank.name", ()).unwrap(), "Example Bank");
        assert_eq!(
            c.method_help("withdraw").unwrap(),
            "Takes `amount` out; a fault past zero."
        );
        // Not exported: not a method.
        let e = c.call::<i64>("audit", ()).unwrap_err();
        assert_eq!(
            e.fault(),
            Some(&xmlrpc_kit::Fault::new(
                -32601,
                "method \"audit\" is not supported"
            ))
        );
    }
}
