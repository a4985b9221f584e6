//! `xtask/sansio-allow.toml`: one forbidden path in one item, with a reason.

use super::support::Planted;
use crate::guard::allow;

const LIB: &str = "pub fn anchor() -> std::time::Instant { std::time::Instant::now() }\n\
                   pub fn other() -> std::time::Instant { std::time::Instant::now() }\n\
                   pub mod nested { pub struct Clock; impl Clock { pub fn read(&self) { let _ = std::time::SystemTime::now(); } } }\n";

fn entry(file: &str, item: &str, forbidden: &str) -> String {
    format!(
        "[[allow]]\nfile = \"{file}\"\nitem = \"{item}\"\nforbidden = \"{forbidden}\"\nreason = \"a test\"\n"
    )
}

#[test]
fn an_allow_exempts_only_its_one_item_and_path() {
    let p = Planted::new("", &[("src/lib.rs", LIB)]);
    let file = "crates/victim/src/lib.rs";
    p.write(
        allow::ALLOW_FILE,
        &(entry(file, "anchor", "std::time::Instant::now")
            + &entry(file, "nested::Clock::read", "std::time::SystemTime::now")),
    );
    let report = p.report();
    let lines: Vec<usize> = report.violations.iter().map(|v| v.line).collect();
    assert_eq!(lines, [2], "{report:?}");
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn an_allow_for_another_path_or_file_does_not_exempt() {
    let p = Planted::new("", &[("src/lib.rs", LIB)]);
    p.write(
        allow::ALLOW_FILE,
        &(entry(
            "crates/victim/src/lib.rs",
            "anchor",
            "std::time::SystemTime::now",
        ) + &entry(
            "crates/victim/src/other.rs",
            "anchor",
            "std::time::Instant::now",
        )),
    );
    let report = p.report();
    assert_eq!(report.violations.len(), 3, "{report:?}");
    // Both entries matched nothing: they are stale, which is only a note.
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
    assert!(report.notes.iter().all(|n| n.starts_with("stale allow")));
    assert!(
        report.notes[1].contains("no longer exists"),
        "{:?}",
        report.notes
    );
}

#[test]
fn a_stale_allow_does_not_fail_the_guard() {
    let p = Planted::new("", &[("src/lib.rs", "pub fn clean() {}\n")]);
    p.write(
        allow::ALLOW_FILE,
        &(entry(
            "crates/victim/src/lib.rs",
            "gone",
            "ring::rand::SystemRandom",
        ) + &entry(
            "crates/victim/src/system_random.rs",
            "rng",
            "ring::rand::SystemRandom",
        )),
    );
    let report = p.report();
    assert!(report.violations.is_empty());
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
}

#[test]
fn an_allow_needs_a_reason() {
    let text =
        "[[allow]]\nfile = \"a.rs\"\nitem = \"f\"\nforbidden = \"std::fs\"\nreason = \" \"\n";
    let err = allow::parse(text).unwrap_err();
    assert!(err.contains("reason"), "{err}");
    let p = Planted::new("", &[("src/lib.rs", "")]);
    p.write(allow::ALLOW_FILE, text);
    assert!(crate::guard::check_workspace(&p.root).is_err());
}

#[test]
fn the_real_allow_list_parses_and_every_entry_has_a_reason() {
    let root = crate::workspace_root();
    let allows = allow::load(&root).unwrap();
    assert!(allows.iter().all(|a| a.reason.len() > 10), "{allows:#?}");
}
