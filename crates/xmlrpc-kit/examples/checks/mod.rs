//! What the real-service examples share: a check's outcome compared and
//! reported as the interoperability suite reads it (`NAME<TAB>ok`, or
//! what was wrong, on one line). Each example uses some of these.
#![allow(dead_code)]

use xmlrpc_kit::client::Error;

/// The fault `code`/`string` was raised, and nothing else.
pub(crate) fn expect_fault<T: std::fmt::Debug>(
    outcome: Result<T, Error>,
    code: i32,
    string: &str,
) -> Result<(), String> {
    match outcome {
        Err(Error::Fault(f)) if f.code == code && f.string == string => Ok(()),
        Err(Error::Fault(f)) => Err(format!(
            "expected fault {code} {string:?}, got fault {} {:?}",
            f.code, f.string
        )),
        other => Err(format!("expected fault {code} {string:?}, got {other:?}")),
    }
}

/// `got` is `expected`, or says what it was.
pub(crate) fn same<T: PartialEq + std::fmt::Debug>(got: T, expected: T) -> Result<(), String> {
    (got == expected)
        .then_some(())
        .ok_or_else(|| format!("expected {expected:?}, got {got:?}"))
}

/// Prints one check's line: its name, a tab, and `ok` or what was wrong
/// (on one line).
pub(crate) fn report(name: &str, outcome: Result<(), String>) {
    let result = match outcome {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    println!("{name}\t{result}");
}
