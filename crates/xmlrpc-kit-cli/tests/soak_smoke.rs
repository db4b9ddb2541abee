//! A short run of the soak harness (examples/soak.rs runs it for minutes):
//! every valid call answered correctly while hostile inputs are mixed in.

use std::time::Duration;

use xmlrpc_kit_test_support::soak::{SoakConfig, run};

#[test]
fn a_short_soak_has_no_errors_and_flat_memory() {
    let report = run(&SoakConfig {
        server_bin: env!("CARGO_BIN_EXE_xmlrpc-kit").into(),
        duration: Duration::from_secs(5),
        connections: 16,
        hostile_interval: Duration::from_millis(50),
    })
    .unwrap();
    assert_eq!(report.valid_errors, 0, "{:?}", report.error_samples);
    assert!(
        report.valid_ok > 100,
        "only {} calls in 5 s",
        report.valid_ok
    );
    assert!(
        report.hostile_sent >= 10 && report.hostile_answered == report.hostile_sent,
        "{report:?}"
    );
    let (start, _, end) = report.rss_start_middle_end_mib();
    assert!(
        end < start * 2.0 + 64.0,
        "RSS grew from {start:.1} to {end:.1} MiB"
    );
}
