//! `#[xmlrpc_kit::methods]` and `#[xmlrpc_kit::method]` through the public API:
//! every receiver, sync and async; names, skips and children; help from
//! doc comments, signatures from types, parameter names on the page and
//! in faults; errors that convert to faults.

// Exported methods are `pub` by design; this test crate exports nothing.
#![allow(unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use xmlrpc_kit::{Dispatcher, Documentation, Fault, Methods, Value};

/// An application error, answered as a fault.
#[derive(Debug)]
struct Overdrawn(i64);

impl From<Overdrawn> for Fault {
    fn from(e: Overdrawn) -> Fault {
        Fault::new(4, format!("overdrawn by {}", e.0))
    }
}

#[derive(Default)]
struct Account {
    balance: AtomicI64,
}

struct Math;

#[xmlrpc_kit::methods]
impl Math {
    /// Squares.
    pub fn square(&self, x: i64) -> i64 {
        x * x
    }
}

#[xmlrpc_kit::methods]
impl Account {
    /// The balance.
    pub fn balance(&self) -> i64 {
        self.balance.load(Ordering::SeqCst)
    }

    /// Adds `amount`; fails past zero.
    ///
    /// Second paragraph.
    pub fn withdraw(&self, amount: i64) -> Result<i64, Overdrawn> {
        let now = self.balance.load(Ordering::SeqCst) - amount;
        if now < 0 {
            return Err(Overdrawn(-now));
        }
        self.balance.store(now, Ordering::SeqCst);
        Ok(now)
    }

    /// Deposits after a pause.
    pub async fn deposit(&self, amount: i64) -> i64 {
        tokio::task::yield_now().await;
        self.balance.fetch_add(amount, Ordering::SeqCst) + amount
    }

    /// Doubles, through an Arc.
    pub fn double(self: Arc<Self>, x: i64) -> i64 {
        2 * x
    }

    /// Triples, later.
    pub async fn triple(self: Arc<Self>, x: i64) -> i64 {
        3 * x
    }

    /// No receiver.
    #[xmlrpc(name = "util.version")]
    pub fn version() -> &'static str {
        "1.0"
    }

    #[xmlrpc(child = "math")]
    pub fn math(&self) -> Math {
        Math
    }

    #[xmlrpc(skip)]
    #[allow(dead_code)]
    pub fn skipped(&self) -> i64 {
        0
    }

    #[allow(dead_code)]
    fn private(&self) -> i64 {
        0
    }
}

/// Adds two integers.
#[xmlrpc_kit::method]
pub fn add(x: i64, y: i64) -> i64 {
    x + y
}

/// Concatenates, registered under another name.
#[xmlrpc_kit::method(name = "text.join")]
pub fn join(a: String, b: String) -> String {
    a + &b
}

fn dispatcher() -> Dispatcher {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_instance(Account::default());
    add::register(&mut methods);
    join::register(&mut methods);
    Dispatcher::new(methods)
}

async fn call(d: &Dispatcher, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
    d.call(method, params).await
}

#[tokio::test]
async fn every_receiver_answers() {
    let d = dispatcher();
    let s = |text: &str| Value::String(text.into());
    // In order: each call sees the account as the one before left it.
    let calls = [
        ("deposit", vec![Value::I8(10)], Value::Int(10)),
        ("withdraw", vec![Value::Int(3)], Value::Int(7)),
        ("balance", vec![], Value::Int(7)),
        ("double", vec![Value::Int(4)], Value::Int(8)),
        ("triple", vec![Value::Int(4)], Value::Int(12)),
        ("util.version", vec![], s("1.0")),
        ("math.square", vec![Value::Int(5)], Value::Int(25)),
        ("add", vec![Value::Int(2), Value::Int(3)], Value::Int(5)),
        ("text.join", vec![s("a"), s("b")], s("ab")),
    ];
    for (method, params, answer) in calls {
        assert_eq!(call(&d, method, params).await, Ok(answer), "{method}");
    }
    // Errors convert to faults.
    assert_eq!(
        call(&d, "withdraw", vec![Value::Int(100)]).await,
        Err(Fault::new(4, "overdrawn by 93"))
    );
    // Skipped, private and unknown names are not there.
    for name in ["skipped", "private", "version", "math"] {
        assert_eq!(
            call(&d, name, vec![]).await,
            Err(Fault::new(
                -32601,
                format!("method \"{name}\" is not supported")
            ))
        );
    }
}

#[tokio::test]
async fn introspection_and_faults_come_from_the_code() {
    let d = dispatcher();
    let methods = d.methods();
    assert_eq!(
        methods.list_methods(),
        [
            "add",
            "balance",
            "deposit",
            "double",
            "math.square",
            "system.getCapabilities",
            "system.listMethods",
            "system.methodHelp",
            "system.methodSignature",
            "text.join",
            "triple",
            "util.version",
            "withdraw",
        ]
    );
    assert_eq!(
        methods.method_help("withdraw").unwrap(),
        "Adds `amount`; fails past zero.\n\nSecond paragraph."
    );
    assert_eq!(methods.method_help("math.square").unwrap(), "Squares.");
    assert_eq!(methods.method_help("add").unwrap(), "Adds two integers.");
    assert_eq!(
        methods.method_signatures("withdraw").unwrap(),
        [["i8", "i8"]]
    );
    assert_eq!(methods.method_param_names("add").unwrap(), ["x", "y"]);
    // A wrong type names the parameter.
    let fault = call(&d, "add", vec![Value::Int(1), Value::String("two".into())])
        .await
        .unwrap_err();
    assert_eq!(fault.code, -32602);
    assert_eq!(fault.string, "add: parameter y: expected i8, got string");
    assert_eq!(
        call(&d, "withdraw", vec![]).await,
        Err(Fault::new(
            -32602,
            "withdraw takes 1 parameter (amount: i8), got 0"
        ))
    );
    // The documentation page shows the names.
    let page = Documentation::default().render(methods);
    let signatures: Vec<&str> = page
        .split(r#"<code class="sig">"#)
        .skip(1)
        .map(|rest| rest.split("</code>").next().unwrap())
        .collect();
    assert_eq!(
        signatures,
        [
            r#"<span class="name">add</span>(x: i8, y: i8) → <span class="type">i8</span>"#,
            r#"<span class="name">balance</span>() → <span class="type">i8</span>"#,
            r#"<span class="name">deposit</span>(amount: i8) → <span class="type">i8</span>"#,
            r#"<span class="name">double</span>(x: i8) → <span class="type">i8</span>"#,
            r#"<span class="name">math.square</span>(x: i8) → <span class="type">i8</span>"#,
            r#"<span class="name">system.getCapabilities</span>() → <span class="type">struct</span>"#,
            r#"<span class="name">system.listMethods</span>() → <span class="type">array</span>"#,
            r#"<span class="name">system.methodHelp</span>(string) → <span class="type">string</span>"#,
            r#"<span class="name">system.methodSignature</span>(string) → <span class="type">array</span>"#,
            r#"<span class="name">text.join</span>(a: string, b: string) → <span class="type">string</span>"#,
            r#"<span class="name">triple</span>(x: i8) → <span class="type">i8</span>"#,
            r#"<span class="name">util.version</span>() → <span class="type">string</span>"#,
            r#"<span class="name">withdraw</span>(amount: i8) → <span class="type">i8</span>"#,
        ]
    );
}
