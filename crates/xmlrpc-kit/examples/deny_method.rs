//! Per-method authorisation as per-call middleware: every user who
//! authenticates may read, only those granted `write` may call the
//! methods that change things, and a multicall cannot slip a call past
//! the rule (each of its calls is checked on its own).
//!
//! Run with `cargo run -p xmlrpc-kit --example deny_method`, then call it
//! as `ann` (reads and writes) or `bob` (reads only), password `secret`,
//! on http://127.0.0.1:8000/RPC2.

use std::collections::{HashMap, HashSet};
use std::io::stderr;
use std::sync::Mutex;

use xmlrpc_kit::context::State;
use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::{Authenticator, Fault, Methods, Server, ServerBuilder};

/// Which users may call which methods; methods not named are open to
/// every authenticated user.
#[derive(Debug)]
pub struct Grants {
    /// Method name → the users allowed to call it.
    restricted: HashMap<&'static str, HashSet<&'static str>>,
}

impl Middleware for Grants {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        if let Some(allowed) = self.restricted.get(call.method()) {
            let user = call.request().identity().map(|who| who.name());
            if !user.is_some_and(|user| allowed.contains(user)) {
                let fault = Fault::new(
                    403,
                    format!(
                        "{} may not call {}",
                        user.unwrap_or("an anonymous caller"),
                        call.method()
                    ),
                );
                return Called::ready(Err(fault));
            }
        }
        next.run(call)
    }
}

fn grants() -> Grants {
    Grants {
        restricted: HashMap::from([
            ("notes.add", HashSet::from(["ann"])),
            ("notes.clear", HashSet::from(["ann"])),
        ]),
    }
}

type Notes = std::sync::Arc<Mutex<Vec<String>>>;

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_multicall_functions();
    methods.add_state(Notes::default());
    methods.register_function("notes.list", |State(notes): State<Notes>| {
        notes.lock().unwrap().clone()
    });
    methods.register_function("notes.add", |State(notes): State<Notes>, note: String| {
        let mut notes = notes.lock().unwrap();
        notes.push(note);
        notes.len()
    });
    methods.register_function("notes.clear", |State(notes): State<Notes>| {
        notes.lock().unwrap().clear();
        true
    });
    methods
}

fn server() -> ServerBuilder {
    Server::builder(methods())
        .rpc_paths(["/RPC2"])
        .authenticate(Authenticator::basic(
            "notes",
            [("ann", "secret"), ("bob", "secret")],
        ))
        .layer(grants())
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    server().bind(("127.0.0.1", 8000))?.serve_forever()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_kit::Value;
    use xmlrpc_kit::blocking::Client;
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn a_method_is_denied_to_users_without_the_grant_in_a_multicall_too() {
        let server = TestServer::start(server().log_requests(false));
        let as_user = |user: &str| {
            Client::new(&format!("http://{user}:secret@{}/RPC2", server.addr)).unwrap()
        };
        let (ann, bob) = (as_user("ann"), as_user("bob"));
        assert_eq!(ann.call::<i32>("notes.add", ("first",)).unwrap(), 1);
        let denied = bob.call::<i32>("notes.add", ("second",)).unwrap_err();
        assert_eq!(
            denied.fault(),
            Some(&Fault::new(403, "bob may not call notes.add"))
        );
        let mut batch = bob.batch();
        batch
            .add("notes.list", ())
            .add("notes.clear", ())
            .add("notes.list", ());
        assert_eq!(
            batch.send().unwrap(),
            [
                Ok(Value::Array(vec![Value::String("first".into())])),
                Err(Fault::new(403, "bob may not call notes.clear")),
                Ok(Value::Array(vec![Value::String("first".into())])),
            ]
        );
        assert!(ann.call::<bool>("notes.clear", ()).unwrap());
        assert_eq!(
            ann.call::<Vec<String>>("notes.list", ()).unwrap(),
            Vec::<String>::new()
        );
    }
}
