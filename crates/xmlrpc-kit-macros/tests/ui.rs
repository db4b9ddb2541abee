//! Misuse of the macros is a compile error that says what is wrong
//! (trybuild; the expected messages are in tests/ui/*.stderr).

#[test]
fn misuse_is_a_clear_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
