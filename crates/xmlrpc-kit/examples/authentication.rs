//! Authentication before dispatch, and what an API that takes credentials
//! as parameters must do itself.
//!
//! - `/RPC2` asks for HTTP basic authentication: a wrong password is a
//!   401 before any handler runs, and every call of a multicall runs under
//!   the request's identity (checked once, not per call).
//! - `/legacy` is a WordPress-style API whose methods take a user and a
//!   password as parameters. A multicall could try a thousand passwords in
//!   one request; `PerRequest<LoginFailures>` counts the failures of one
//!   request and refuses every login after three.
//!
//! Run with `cargo run -p xmlrpc-kit --example authentication`.

use std::io::stderr;
use std::sync::atomic::{AtomicU32, Ordering};

use xmlrpc_kit::context::{Caller, PerRequest};
use xmlrpc_kit::{Authenticator, Dispatcher, Fault, Methods, MultiPathServer};

/// Failed logins in one request.
#[derive(Debug, Default)]
pub struct LoginFailures(AtomicU32);

/// Most failed logins one request may make.
const MAX_FAILURES: u32 = 3;

fn check_password(user: &str, password: &str) -> bool {
    user == "ann" && password == "correct horse"
}

fn legacy() -> Methods {
    let mut methods = Methods::new();
    methods.register_multicall_functions();
    methods.register_function(
        "blogs.list",
        |PerRequest(failures): PerRequest<LoginFailures>, user: String, password: String| {
            if failures.0.load(Ordering::SeqCst) >= MAX_FAILURES {
                return Err(Fault::new(429, "too many failed logins in this request"));
            }
            if !check_password(&user, &password) {
                failures.0.fetch_add(1, Ordering::SeqCst);
                return Err(Fault::new(403, "incorrect user name or password"));
            }
            Ok(vec![format!("{user}'s blog")])
        },
    );
    methods
}

fn protected() -> Methods {
    let mut methods = Methods::new();
    methods.register_multicall_functions();
    methods.register_function("whoami", |Caller(who): Caller| {
        who.map(|w| w.name().to_owned()).unwrap_or_default()
    });
    methods
}

fn server() -> xmlrpc_kit::ServerBuilder<xmlrpc_kit::serves::ByPath> {
    MultiPathServer::builder()
        .add_dispatcher("/legacy", Dispatcher::new(legacy()))
        .add_dispatcher("/RPC2", Dispatcher::new(protected()))
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    // In production, one server per authentication policy (or a custom
    // Authenticator that looks at the path): here /RPC2 and /legacy are
    // served apart to keep the example short.
    let legacy = server().bind(("127.0.0.1", 8001))?;
    std::thread::spawn(move || legacy.serve_forever());
    server()
        .authenticate(Authenticator::basic("example", [("ann", "correct horse")]))
        .bind(("127.0.0.1", 8000))?
        .serve_forever()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_kit::Value;
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn basic_authentication_runs_once_per_request() {
        let server = TestServer::start(
            server()
                .authenticate(Authenticator::basic("example", [("ann", "correct horse")]))
                .log_requests(false),
        );
        let url = |credentials: &str| format!("http://{credentials}@{}/RPC2", server.addr);
        let wrong = xmlrpc_kit::blocking::Client::new(&url("ann:guess")).unwrap();
        let e = wrong.call::<String>("whoami", ()).unwrap_err();
        assert_eq!(e.transport().and_then(|t| t.status()), Some(401));
        assert_eq!(
            e.to_string(),
            format!(
                "{} answered HTTP 401 Unauthorized: authentication required",
                server.addr
            )
        );
        let ann = xmlrpc_kit::blocking::Client::new(&url("ann:correct%20horse")).unwrap();
        let mut batch = ann.batch();
        batch.add("whoami", ()).add("whoami", ());
        assert_eq!(
            batch.send().unwrap(),
            vec![
                Ok(Value::String("ann".into())),
                Ok(Value::String("ann".into()))
            ]
        );
    }

    #[test]
    fn a_multicall_cannot_guess_passwords() {
        let server = TestServer::start(server().log_requests(false));
        let client =
            xmlrpc_kit::blocking::Client::new(&format!("http://{}/legacy", server.addr)).unwrap();
        let mut batch = client.batch();
        for guess in ["a", "b", "c", "d", "correct horse"] {
            batch.add("blogs.list", ("ann", guess));
        }
        // Three failures, then even the right password is refused.
        let refused = || {
            Err(xmlrpc_kit::Fault::new(
                403,
                "incorrect user name or password",
            ))
        };
        let locked = || {
            Err(xmlrpc_kit::Fault::new(
                429,
                "too many failed logins in this request",
            ))
        };
        assert_eq!(
            batch.send().unwrap(),
            [refused(), refused(), refused(), locked(), locked()]
        );
        // A new request starts afresh.
        assert_eq!(
            client
                .call::<Vec<String>>("blogs.list", ("ann", "correct horse"))
                .unwrap(),
            ["ann's blog"]
        );
    }
}
