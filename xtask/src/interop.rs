//! `cargo xtask interop`: sansrtc's interop peer (the tokio adapter's
//! `whip_peer` example) against Chromium, aiortc and node-datachannel
//! through `../shared/interop/matrix.sh`, data scenario, every pair with
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

/// What one matrix run counted (its closing `N passed, N failed` line).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MatrixCount {
    /// Pairs that passed.
    pub passed: u64,
    /// Pairs that failed.
    pub failed: u64,
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
    Some(MatrixCount { passed, failed })
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
        let count = run_matrix(&matrix, &peer, &dir, mdns, args)?;
        total.passed += count.passed;
        total.failed += count.failed;
    }
    println!("interop: {} passed, {} failed", total.passed, total.failed);
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
        .args(["--scenarios", "data", "--out"])
        .arg(out)
        .args(args)
        .env("CHROMIUM_MDNS", mdns)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", matrix.display()))?;
    let mut count = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            println!("{line}");
            if let Some(c) = parse_count(&line) {
                count = Some(c);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let count = count.ok_or("the matrix printed no `N passed, N failed` line")?;
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
                failed: 0
            })
        );
        assert_eq!(
            parse_count("7 passed, 1 failed, 0 skipped"),
            Some(MatrixCount {
                passed: 7,
                failed: 1
            })
        );
        assert_eq!(parse_count("peers: sansrtc aiortc"), None);
        assert_eq!(parse_count("passed, failed"), None);
    }
}
