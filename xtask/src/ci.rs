//! `cargo xtask ci`: everything CI checks, in the order a developer wants to
//! see failures (cheap first): the guard, format, clippy, tests, the
//! `snapshot` feature's lints and test, docs,
//! `cargo xtask sim --quick`, `cargo xtask fuzz --smoke 5`, then the
//! interop matrix (`cargo xtask interop`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};

use crate::{guard, workspace_root};

/// One step: a program with arguments and extra environment variables.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// Passed, failed and ignored tests summed over `cargo test`'s
/// `test result:` lines, plus the interop matrix's pairs.
///
/// Nothing else is skipped: a test whose tool or file is missing fails
/// (it never returns early), and the matrix is told every peer by name, so
/// a missing one fails the step instead of shrinking the matrix.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
    /// Interop pairs that failed as the matrix README expects.
    expected_failures: u64,
    /// Interop pairs that passed only on a retry (counted in `passed`).
    retried: u64,
}

impl Tally {
    /// The closing line: skipped counts ignored tests (`#[ignore]`, doc
    /// tests marked `ignore`) and interop pairs that failed as expected.
    fn summary(&self) -> String {
        format!(
            "tests: {} passed, {} failed, {} skipped ({} ignored, {} expected interop failures); \
             {} interop pairs passed on a retry",
            self.passed,
            self.failed,
            self.ignored + self.expected_failures,
            self.ignored,
            self.expected_failures,
            self.retried
        )
    }

    /// Adds the counts of one `test result: ok. 3 passed; 0 failed; 1 ignored; …`
    /// line; other lines are ignored.
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(what), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = count.parse::<u64>() else {
                continue;
            };
            match what {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests",
        args: &["test", "--workspace", "--no-fail-fast"],
        env: &[],
    },
    // The `snapshot` feature (`Clone` on the machines, for the fuzz
    // harnesses) is off in the steps above: its code is linted and its
    // test run here.
    Step {
        name: "clippy (snapshot feature)",
        args: &[
            "clippy",
            "-p",
            "sansrtc",
            "-p",
            "sansrtc-ice",
            "-p",
            "sansrtc-turn",
            "-p",
            "sansrtc-dtls",
            "-p",
            "sansrtc-srtp",
            "-p",
            "sansrtc-sctp",
            "-p",
            "sansrtc-datachannel",
            "-p",
            "sansrtc-rtp",
            "--lib",
            "--features",
            "sansrtc/snapshot",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests (snapshot feature)",
        args: &[
            "test",
            "-p",
            "sansrtc",
            "--features",
            "snapshot",
            "--test",
            "snapshot_clone",
        ],
        env: &[],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

/// Seconds each fuzz target runs in the `fuzz smoke` step.
const FUZZ_SMOKE_SECONDS: u64 = 5;

/// Runs every step; stops at the first failure.
pub fn run(_args: &[String]) -> ExitCode {
    let root = workspace_root();
    println!("== xtask ci: sans-io guard");
    if guard::run(&root) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut tally = Tally::default();
    for step in STEPS {
        println!("== xtask ci: {} (cargo {})", step.name, step.args.join(" "));
        let status = run_echoing(&cargo, step, &root, &mut tally);
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("xtask ci: step `{}` failed ({s})", step.name);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("xtask ci: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("== xtask ci: sim --quick (a few seeds of every scenario)");
    if crate::sim::run(&["--quick".to_string()]) != ExitCode::SUCCESS {
        eprintln!("xtask ci: step `sim --quick` failed");
        return ExitCode::FAILURE;
    }
    println!("== xtask ci: fuzz smoke (every fuzz target for a few seconds; docs/fuzzing.md)");
    if crate::fuzz::run(&["--smoke".to_string(), FUZZ_SMOKE_SECONDS.to_string()])
        != ExitCode::SUCCESS
    {
        eprintln!("xtask ci: step `fuzz --smoke` failed");
        return ExitCode::FAILURE;
    }
    println!(
        "== xtask ci: interop (the peer connection against Chromium, aiortc, node-datachannel)"
    );
    match crate::interop::run_counted(&[]) {
        Ok(count) => {
            tally.passed += count.passed;
            tally.failed += count.failed;
            tally.expected_failures += count.expected_failures;
            tally.retried += count.retried;
            if count.failed > 0 || count.passed == 0 {
                eprintln!("xtask ci: step `interop` failed");
                println!("{}", tally.summary());
                return ExitCode::FAILURE;
            }
        }
        Err(e) => {
            eprintln!("xtask ci: step `interop` failed: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("== xtask ci: all steps passed");
    println!("{}", tally.summary());
    ExitCode::SUCCESS
}

/// Runs one step, echoing its standard output line by line while adding its
/// `test result:` lines to `tally`.
fn run_echoing(
    cargo: &str,
    step: &Step,
    root: &std::path::Path,
    tally: &mut Tally,
) -> std::io::Result<std::process::ExitStatus> {
    let mut child = Command::new(cargo)
        .args(step.args)
        .envs(step.env.iter().copied())
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()?;
    if let Some(out) = child.stdout.take() {
        let mut stdout = std::io::stdout().lock();
        for line in BufReader::new(out).lines() {
            let line = line?;
            tally.add_line(&line);
            writeln!(stdout, "{line}")?;
        }
    }
    child.wait()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_sums_test_result_lines_only() {
        let mut t = Tally::default();
        t.add_line("test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        t.add_line(
            "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        t.add_line("running 5 tests");
        t.add_line("test a::b ... ok");
        assert_eq!(
            t,
            Tally {
                passed: 15,
                failed: 1,
                ignored: 2,
                ..Tally::default()
            }
        );
    }

    #[test]
    fn summary_counts_ignored_tests_and_expected_failures_as_skipped() {
        let t = Tally {
            passed: 10,
            failed: 0,
            ignored: 2,
            expected_failures: 1,
            retried: 3,
        };
        assert_eq!(
            t.summary(),
            "tests: 10 passed, 0 failed, 3 skipped (2 ignored, 1 expected interop failures); \
             3 interop pairs passed on a retry"
        );
    }
}
