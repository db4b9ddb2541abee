//! The demo's instance, written with `#[xmlrpc_kit::methods]`, answers
//! introspection exactly as the hand-written one it replaced, and its
//! documentation page differs only by the parameter names it adds.

use std::sync::Arc;

use xmlrpc_kit::{Exports, Methods};
use xmlrpc_kit_test_support::demo::MyFuncs;

/// The demo's methods with the instance as it was written by hand before
/// the macro (the reference).
fn hand_written() -> Methods {
    let mut methods = xmlrpc_kit_test_support::demo::methods();
    let funcs = Arc::new(MyFuncs);
    let mut exports = Exports::new();
    let me = funcs.clone();
    exports
        .register_function("div", move |x: i64, y: i64| me.div(x, y))
        .help("div(x, y): x divided by y, rounded down (Python's x // y). Dividing by zero is a fault.");
    let me = funcs;
    exports
        .register_function("mul", move |x: i64, y: i64| me.mul(x, y))
        .help("mul(x, y): x times y.");
    methods.register_instance(exports);
    methods
}

#[test]
fn the_macro_instance_introspects_as_the_hand_written_one() {
    let with_macro = xmlrpc_kit_test_support::demo::methods();
    let by_hand = hand_written();
    assert_eq!(with_macro.list_methods(), by_hand.list_methods());
    for name in by_hand.list_methods() {
        assert_eq!(
            with_macro.method_help(&name),
            by_hand.method_help(&name),
            "{name}"
        );
        assert_eq!(
            with_macro.method_signatures(&name),
            by_hand.method_signatures(&name),
            "{name}"
        );
    }
    assert_eq!(with_macro.method_param_names("div").unwrap(), ["x", "y"]);

    let documentation = xmlrpc_kit_test_support::demo::documentation();
    let page_with_macro = documentation.render(&with_macro);
    let page_by_hand = documentation.render(&by_hand);
    assert!(page_with_macro.contains("div</span>(x: i8, y: i8)"));
    assert_eq!(
        page_with_macro
            .replace("div</span>(x: i8, y: i8)", "div</span>(i8, i8)")
            .replace("mul</span>(x: i8, y: i8)", "mul</span>(i8, i8)"),
        page_by_hand
    );
}
