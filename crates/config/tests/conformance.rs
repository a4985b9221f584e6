//! Every shipped conformance case runs through the crate's runner.

use std::time::SystemTime;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::conformance::{run_case_file, CaseFileError, CaseOutcome, Summary};

const RTC_CONFIG_CASES: &str = include_str!("data/rtc-config-cases.json");
const ICE_URL_CASES: &str = include_str!("data/ice-url-cases.json");

fn run(text: &str) -> Summary {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut clock = SystemTime::now;
    let reports = run_case_file(text, &mut clock, &mut rng).expect("case file parses");
    for r in &reports {
        if matches!(r.outcome, CaseOutcome::Fail { .. }) {
            eprintln!("{r}");
        }
    }
    Summary::of(&reports)
}

#[test]
fn every_rtc_config_case_passes() {
    let summary = run(RTC_CONFIG_CASES);
    assert_eq!(summary.failed, 0, "{summary}");
    // Only the jsOnly cases may be skipped; count them independently.
    let cases: Vec<serde_json::Value> = serde_json::from_str(RTC_CONFIG_CASES).unwrap();
    let js_only = cases.iter().filter(|c| c["jsOnly"] == true).count();
    assert_eq!(summary.skipped, js_only);
    assert_eq!(summary.passed + summary.skipped, cases.len());
}

#[test]
fn every_ice_url_case_passes() {
    let summary = run(ICE_URL_CASES);
    let cases: Vec<serde_json::Value> = serde_json::from_str(ICE_URL_CASES).unwrap();
    assert_eq!(
        summary,
        Summary {
            passed: cases.len(),
            failed: 0,
            skipped: 0
        }
    );
}

#[test]
fn a_wrong_expectation_is_reported_as_a_failure() {
    let file = r#"[
        {"id":"a","steps":[{"op":"construct","config":{"bundlePolicy":"bogus"}}],"expect":"ok"},
        {"id":"b","steps":[{"op":"construct","config":{}}],"expect":"ok","expectConfig":{"iceServers":[]}},
        {"id":"c","url":"stun:example.net","expect":"ok","parsed":{"scheme":"stun","secure":false,"host":"example.net","port":1,"effectivePort":1,"transport":null}},
        {"id":"d","url":"stun:example.net","expect":"SyntaxError"},
        {"id":"e","url":"bogus","expect":"ok"},
        {"id":"f","steps":[{"op":"setConfiguration","config":{}}],"expect":"ok"},
        {"id":"g","steps":[{"op":"construct","config":{"bundlePolicy":"bogus"}},{"op":"close"}],"expect":"ok"},
        {"id":"h","steps":[{"op":"construct"},{"op":"dance"}],"expect":"ok"},
        {"id":"i","nothing":true},
        {"id":"j","jsOnly":true,"steps":[],"expect":"ok"}
    ]"#;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut clock = SystemTime::now;
    let reports = run_case_file(file, &mut clock, &mut rng).unwrap();
    let summary = Summary::of(&reports);
    assert_eq!(
        summary,
        Summary {
            passed: 0,
            failed: 9,
            skipped: 1
        }
    );
    assert_eq!(summary.to_string(), "0 passed, 9 failed, 1 skipped");
    let first = reports[0].to_string();
    assert!(
        first.starts_with("FAIL a: expected ok, got TypeError"),
        "{first}"
    );
}

#[test]
fn unusable_case_files_are_errors() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut clock = SystemTime::now;
    assert!(matches!(
        run_case_file("{", &mut clock, &mut rng),
        Err(CaseFileError::NotJson { .. })
    ));
    assert_eq!(
        run_case_file("{}", &mut clock, &mut rng),
        Err(CaseFileError::NotAnArray)
    );
}

#[test]
fn shipped_copies_match_the_shared_corpus() {
    // The shared corpus sits beside the repository (`../shared`), in CI as
    // on a developer's machine; without it this test fails rather than
    // passing without comparing anything.
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        shared.is_dir(),
        "the shared corpus is missing: expected {} (clone ../shared beside the repository)",
        shared.display()
    );
    for (name, shipped) in [
        ("rtc-config-cases.json", RTC_CONFIG_CASES),
        ("ice-url-cases.json", ICE_URL_CASES),
    ] {
        let original = std::fs::read_to_string(shared.join(name)).unwrap();
        assert_eq!(original, shipped, "{name} differs from the shared corpus");
    }
}
