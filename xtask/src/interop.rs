//! `cargo xtask interop`: sansrtc's interop peer (the tokio adapter's
//! `whip_peer` example) against Chromium, aiortc and node-datachannel
//! through `../shared/interop/matrix.sh`, data and audio scenarios, every pair with
//! sansrtc on one side, in both roles; then again with Chromium hiding its
//! host addresses behind mDNS names (`CHROMIUM_MDNS=1`).
//!
//! The reference peers must be installed first (`../shared/interop/setup.sh`,
//! which `.ci/run` runs). Without them, or without `../shared/interop`,
//! this step fails: a missing peer is not a pass.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::workspace_root;

/// The peers every matrix run must include: naming them makes matrix.sh
/// fail on a missing one instead of leaving it out of the run.
const PEERS: &str = "sansrtc aiortc chromium ndc";

/// What one matrix run counted (its closing `N passed, N failed` line and
/// the `(R of the passed needed a retry; X expected failures …)` line
/// before it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MatrixCount {
    /// Pairs that passed.
    pub passed: u64,
    /// Pairs that failed.
    pub failed: u64,
    /// Passed pairs that needed a retry.
    pub retried: u64,
    /// Pairs that failed as the matrix README expects (a known limitation
    /// of the peer on the other side): neither passed nor failed.
    pub expected_failures: u64,
}

impl MatrixCount {
    fn add(&mut self, other: MatrixCount) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.retried += other.retried;
        self.expected_failures += other.expected_failures;
    }
}

/// Reads `(R of the passed needed a retry; X expected failures, …)` into
/// `(R, X)`.
pub fn parse_notes(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix('(')?;
    let (retried, rest) = rest.split_once(" of the passed needed a retry; ")?;
    let expected = rest.split_once(" expected failure")?.0;
    Some((retried.trim().parse().ok()?, expected.trim().parse().ok()?))
}

/// Reads `N passed, N failed` (the matrix's last line).
pub fn parse_count(line: &str) -> Option<MatrixCount> {
    let mut words = line
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    let passed = words.next()?.parse().ok()?;
    (words.next()? == "passed").then_some(())?;
    let failed = words.next()?.parse().ok()?;
    (words.next()? == "failed").then_some(())?;
    Some(MatrixCount {
        passed,
        failed,
        ..MatrixCount::default()
    })
}

/// Builds the peer, runs both matrices; `args` go to matrix.sh.
pub fn run(args: &[String]) -> ExitCode {
    match run_counted(args) {
        Ok(count) if count.failed == 0 && count.passed > 0 => ExitCode::SUCCESS,
        Ok(count) => {
            eprintln!(
                "xtask interop: {} passed, {} failed",
                count.passed, count.failed
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("xtask interop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// [`run`], returning the summed counts of both matrices.
pub fn run_counted(args: &[String]) -> Result<MatrixCount, String> {
    let root = workspace_root();
    let matrix = root.join("../shared/interop/matrix.sh");
    if !matrix.exists() {
        return Err(format!("{} is missing", matrix.display()));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "-p",
            "sansrtc-tokio",
            "--example",
            "whip_peer",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the whip_peer example failed".into());
    }
    let peer = root.join("target/release/examples/whip_peer");
    let out = root.join("target/interop");
    let mut total = MatrixCount::default();
    for (label, mdns) in [("data", "0"), ("data, CHROMIUM_MDNS=1", "1")] {
        println!("== xtask interop: matrix ({label})");
        let dir = out.join(if mdns == "1" { "mdns" } else { "plain" });
        let mut count = run_matrix(&matrix, &peer, &dir, mdns, args)?;
        // Issue #20: DTLS 1.3 with Chromium (both roles), 1.2 with the 1.2
        // stacks; a wrong version fails the step like a failed pair.
        match crate::interop_versions::check_dir(&dir) {
            Ok(sides) => println!("interop: DTLS versions as expected on {sides} sides"),
            Err(e) => {
                println!("interop: DTLS version check failed: {e}");
                count.failed += 1;
            }
        }
        total.add(count);
    }
    println!(
        "interop: {} passed ({} after a retry), {} failed, {} expected failures",
        total.passed, total.retried, total.failed, total.expected_failures
    );
    Ok(total)
}

fn run_matrix(
    matrix: &Path,
    peer: &Path,
    out: &Path,
    mdns: &str,
    args: &[String],
) -> Result<MatrixCount, String> {
    let mut child = Command::new("bash")
        .arg(matrix)
        .arg("--sansrtc")
        .arg(peer)
        .args(["--scenarios", "data audio", "--out"])
        .arg(out)
        .args(if args.iter().any(|a| a == "--peers") {
            &[][..]
        } else {
            &["--peers", PEERS][..]
        })
        .args(args)
        .env("CHROMIUM_MDNS", mdns)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", matrix.display()))?;
    let mut count = None;
    let mut notes = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            println!("{line}");
            if let Some(c) = parse_count(&line) {
                count = Some(c);
            }
            if let Some(n) = parse_notes(&line) {
                notes = Some(n);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let mut count = count.ok_or("the matrix printed no `N passed, N failed` line")?;
    let (retried, expected_failures) =
        notes.ok_or("the matrix printed no `(R of the passed needed a retry; …)` line")?;
    count.retried = retried;
    count.expected_failures = expected_failures;
    if !status.success() && count.failed == 0 {
        return Err(format!("the matrix exited with {status}"));
    }
    if mdns == "1" || count.failed > 0 {
        if let Ok(table) = std::fs::read_to_string(out.join("matrix.md")) {
            println!("{table}");
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_closing_line_only() {
        assert_eq!(
            parse_count("8 passed, 0 failed"),
            Some(MatrixCount {
                passed: 8,
                ..MatrixCount::default()
            })
        );
        assert_eq!(
            parse_count("7 passed, 1 failed, 0 skipped"),
            Some(MatrixCount {
                passed: 7,
                failed: 1,
                ..MatrixCount::default()
            })
        );
        assert_eq!(parse_count("peers: sansrtc aiortc"), None);
        assert_eq!(parse_count("passed, failed"), None);
    }

    #[test]
    fn reads_retries_and_expected_failures() {
        assert_eq!(
            parse_notes(
                "(1 of the passed needed a retry; 2 expected failures, see README.md; logs in x)"
            ),
            Some((1, 2))
        );
        assert_eq!(
            parse_notes("(0 of the passed needed a retry; 1 expected failure, see README.md)"),
            Some((0, 1))
        );
        assert_eq!(parse_notes("8 passed, 0 failed"), None);
    }
}
