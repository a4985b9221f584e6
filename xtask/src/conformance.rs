//! `cargo xtask conformance [FILE…]`: runs W3C configuration and ICE URL
//! case files through `sansrtc-config` (the runner lives in
//! `sansrtc_config::conformance`; this is the command line around it).
//!
//! With no FILE it runs the copies the project ships in
//! `crates/config/tests/data/`. Prints `PASS id` / `FAIL id: expected …, got …`
//! per case and last `N passed, M failed, K skipped`; exits non-zero on any
//! failure or unreadable file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_config::conformance::{run_case_file, Summary};

/// The case files the project ships.
pub const SHIPPED: &[&str] = &[
    "crates/config/tests/data/rtc-config-cases.json",
    "crates/config/tests/data/ice-url-cases.json",
];

/// Seed of the RNG that names generated certificates (runs are repeatable).
const SEED: u64 = 0x5a45_5254;

pub fn run(root: &Path, args: &[String]) -> ExitCode {
    let files: Vec<PathBuf> = if args.is_empty() {
        SHIPPED.iter().map(|f| root.join(f)).collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    // Steps without `now` use the real clock; the crate itself never reads it.
    let mut clock = SystemTime::now;
    let mut total = Summary::default();
    let mut unreadable = 0usize;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("ERROR {}: {e}", file.display());
                unreadable += 1;
                continue;
            }
        };
        match run_case_file(&text, &mut clock, &mut rng) {
            Ok(reports) => {
                for report in &reports {
                    println!("{report}");
                }
                let s = Summary::of(&reports);
                total.passed += s.passed;
                total.failed += s.failed;
                total.skipped += s.skipped;
            }
            Err(e) => {
                eprintln!("ERROR {}: {e}", file.display());
                unreadable += 1;
            }
        }
    }
    println!("{total}");
    if unreadable > 0 {
        eprintln!("{unreadable} file(s) could not be read");
    }
    if total.failed == 0 && unreadable == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_cases_pass() {
        assert_eq!(run(&crate::workspace_root(), &[]), ExitCode::SUCCESS);
    }

    #[test]
    fn unreadable_or_failing_files_fail_the_run() {
        let root = crate::workspace_root();
        let missing = root.join("crates/config/tests/data/no-such-file.json");
        assert_eq!(
            run(&root, &[missing.display().to_string()]),
            ExitCode::FAILURE
        );

        let dir =
            std::env::temp_dir().join(format!("sansrtc-xtask-conformance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_json = dir.join("not-json.json");
        std::fs::write(&not_json, "{").unwrap();
        assert_eq!(
            run(&root, &[not_json.display().to_string()]),
            ExitCode::FAILURE
        );
        let failing = dir.join("failing.json");
        std::fs::write(
            &failing,
            r#"[{"id":"x","url":"stun:a.example","expect":"SyntaxError"}]"#,
        )
        .unwrap();
        assert_eq!(
            run(&root, &[failing.display().to_string()]),
            ExitCode::FAILURE
        );
        let passing = dir.join("passing.json");
        std::fs::write(
            &passing,
            r#"[{"id":"x","url":"stun:a.example","expect":"ok"}]"#,
        )
        .unwrap();
        assert_eq!(
            run(&root, &[passing.display().to_string()]),
            ExitCode::SUCCESS
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
