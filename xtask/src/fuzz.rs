//! `cargo xtask fuzz`: builds and runs every cargo-fuzz target of the
//! workspace (`crates/*/fuzz/`, see `docs/fuzzing.md`).
//!
//! ```text
//! cargo xtask fuzz --list
//! cargo xtask fuzz --smoke SECONDS      [--crate NAME]… [--target NAME]… [--sanitizer S]
//! cargo xtask fuzz --campaign EXECUTIONS [--max-time SECONDS] [--crate NAME]… [--target NAME]… [--sanitizer S]
//! ```
//!
//! - `--list` prints every target of every fuzz crate (`crate/target`).
//! - `--smoke SECONDS` builds every fuzz crate (`cargo fuzz build`) and
//!   runs each target for SECONDS (`-max_total_time`). This is
//!   what `cargo xtask ci` runs.
//! - `--campaign EXECUTIONS` runs each target for EXECUTIONS inputs
//!   (`-runs`), or until `--max-time` per target, and prints the real
//!   executions, exec/s and time per target as a Markdown table.
//!
//! A build error, a crash (any non-zero exit of a target), a missing
//! toolchain or a missing `cargo-fuzz` fails the command: nothing is skipped
//! silently. Without a sanitizer, targets build with the default (stable)
//! toolchain: cargo-fuzz then needs no unstable flag, and coverage-guided
//! fuzzing works all the same; a sanitizer's `-Zsanitizer` is unstable,
//! so it is unlocked on the same toolchain with `RUSTC_BOOTSTRAP=1` (the
//! stable toolchain ships the sanitizer runtimes for x86_64 Linux).
//! Targets are built without a sanitizer by default (`--sanitizer
//! none`: every crate of ours forbids `unsafe`, so what the fuzzer looks
//! for is panics, overflow checks and broken invariants, which
//! debug assertions catch; uninstrumented builds run several times faster
//! and take a third of the disk); `--sanitizer address` builds with ASan.
//! All fuzz crates share one target directory (`target/fuzz`), so
//! the dependencies they have in common build once. Each target runs on its
//! corpus `crates/C/fuzz/corpus/T` (not committed) plus the committed seeds
//! `crates/C/fuzz/seeds/T` when present; crashing inputs are written to
//! `crates/C/fuzz/artifacts/T/`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// The libFuzzer target triple cargo-fuzz builds for.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// One fuzz crate: its folder (`crates/C/fuzz`) and target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzCrate {
    /// The protocol crate's folder name under `crates/` (`stun`, `dtls`, …).
    pub name: String,
    /// `crates/<name>/fuzz`.
    pub dir: PathBuf,
    /// The `[[bin]]` names, in manifest order.
    pub targets: Vec<String>,
    /// Whether the manifest names the packages that get libFuzzer's
    /// comparison tracing (`cargo-features = ["profile-rustflags"]`, a
    /// `rustflags` entry per package): then the crate is built with
    /// `--no-trace-compares`, so that the crypto crates it pulls in do not
    /// trace theirs (see [`traces_own_compares`]).
    pub traces_own_compares: bool,
}

/// What to do.
#[derive(Debug, Default)]
struct Options {
    list: bool,
    smoke: Option<u64>,
    campaign: Option<u64>,
    max_time: Option<u64>,
    crates: Vec<String>,
    targets: Vec<String>,
    sanitizer: Option<String>,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask fuzz (--list | --smoke SECONDS | --campaign EXECUTIONS [--max-time SECONDS]) \
         [--crate NAME]… [--target NAME]… [--sanitizer none|address]"
    );
    ExitCode::from(2)
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs {what}"))
        };
        match a.as_str() {
            "--list" => o.list = true,
            "--smoke" => o.smoke = Some(number(&value("SECONDS")?)?),
            "--campaign" => o.campaign = Some(number(&value("EXECUTIONS")?)?),
            "--max-time" => o.max_time = Some(number(&value("SECONDS")?)?),
            "--crate" => o.crates.push(value("NAME")?),
            "--target" => o.targets.push(value("NAME")?),
            "--sanitizer" => o.sanitizer = Some(value("none|address|memory|thread|leak")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if u8::from(o.list) + u8::from(o.smoke.is_some()) + u8::from(o.campaign.is_some()) != 1 {
        return Err("give exactly one of --list, --smoke, --campaign".into());
    }
    Ok(o)
}

fn number(s: &str) -> Result<u64, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {s}"))
}

/// Runs `cargo xtask fuzz ARGS`.
pub fn run(args: &[String]) -> ExitCode {
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask fuzz: {e}");
            return usage();
        }
    };
    let root = workspace_root();
    let crates = match discover(&root) {
        Ok(c) => select(c, &options.crates, &options.targets),
        Err(e) => {
            eprintln!("xtask fuzz: {e}");
            return ExitCode::FAILURE;
        }
    };
    if crates.iter().all(|c| c.targets.is_empty()) {
        eprintln!("xtask fuzz: no fuzz target matches");
        return ExitCode::FAILURE;
    }
    if options.list {
        let mut n = 0;
        for c in &crates {
            for t in &c.targets {
                println!("{}/{}", c.name, t);
                n += 1;
            }
        }
        println!("{n} targets in {} fuzz crates", crates.len());
        return ExitCode::SUCCESS;
    }
    let sanitizer = options.sanitizer.as_deref().unwrap_or("none");
    if let Err(e) = preflight(sanitizer) {
        eprintln!("xtask fuzz: {e}");
        return ExitCode::FAILURE;
    }
    let target_dir = root.join("target").join("fuzz");
    let limit = match (options.smoke, options.campaign) {
        (Some(seconds), _) => Limit::Time(seconds),
        (None, Some(runs)) => Limit::Runs(runs, options.max_time),
        _ => unreachable!("checked by parse_args"),
    };
    let started = Instant::now();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for c in &crates {
        println!(
            "== xtask fuzz: build {} ({} targets)",
            c.name,
            c.targets.len()
        );
        let t0 = Instant::now();
        if let Err(e) = build(c, &target_dir, sanitizer) {
            eprintln!("xtask fuzz: {e}");
            failures.push(format!("{}: build failed", c.name));
            continue;
        }
        println!("   built in {:.0} s", t0.elapsed().as_secs_f64());
        for t in &c.targets {
            let r = run_target(c, t, &target_dir, limit);
            match &r {
                Ok(r) => {
                    println!(
                        "   {}/{}: {} runs, {} exec/s, {:.0} s{}",
                        c.name,
                        t,
                        r.runs,
                        r.exec_per_sec,
                        r.time.as_secs_f64(),
                        if r.ok { "" } else { "  FAILED" }
                    );
                    if !r.ok {
                        failures.push(format!("{}/{}: {}", c.name, t, r.detail));
                    }
                }
                Err(e) => {
                    eprintln!("   {}/{}: {e}", c.name, t);
                    failures.push(format!("{}/{}: {e}", c.name, t));
                }
            }
            if let Ok(r) = r {
                results.push((format!("{}/{}", c.name, t), r));
            }
        }
    }
    if let Limit::Runs(..) = limit {
        println!();
        println!("| target | executions | exec/s | time (s) | result |");
        println!("| --- | ---: | ---: | ---: | --- |");
        for (name, r) in &results {
            println!(
                "| {name} | {} | {} | {:.0} | {} |",
                r.runs,
                r.exec_per_sec,
                r.time.as_secs_f64(),
                if r.ok { "ok" } else { "CRASH" }
            );
        }
    }
    let total: u64 = results.iter().map(|(_, r)| r.runs).sum();
    println!(
        "== xtask fuzz: {} targets ran, {} executions, {:.0} s in all",
        results.len(),
        total,
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("xtask fuzz: {} failure(s):", failures.len());
        for f in &failures {
            eprintln!("  {f}");
        }
        ExitCode::FAILURE
    }
}

/// Every `crates/*/fuzz/Cargo.toml` that is a cargo-fuzz crate, by name.
pub fn discover(root: &Path) -> Result<Vec<FuzzCrate>, String> {
    let mut out = Vec::new();
    let crates = root.join("crates");
    let entries = std::fs::read_dir(&crates).map_err(|e| format!("{}: {e}", crates.display()))?;
    for entry in entries.flatten() {
        let dir = entry.path().join("fuzz");
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let targets = targets_of(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
        out.push(FuzzCrate {
            name: entry.file_name().to_string_lossy().into_owned(),
            dir,
            targets,
            traces_own_compares: traces_own_compares(&text),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The `[[bin]]` names of a cargo-fuzz manifest (an error if it is not one).
fn targets_of(manifest: &str) -> Result<Vec<String>, String> {
    let value: toml::Value = manifest.parse().map_err(|e| format!("{e}"))?;
    let is_fuzz = value
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("cargo-fuzz"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    if !is_fuzz {
        return Err("not a cargo-fuzz crate (package.metadata.cargo-fuzz)".into());
    }
    let bins = value
        .get("bin")
        .and_then(toml::Value::as_array)
        .ok_or("no [[bin]] targets")?;
    bins.iter()
        .map(|b| {
            b.get("name")
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| "a [[bin]] without a name".to_string())
        })
        .collect()
}

/// Whether a fuzz manifest chooses, package by package, which crates get
/// comparison tracing (`-sanitizer-coverage-trace-compares`): it enables
/// the unstable `profile-rustflags` cargo feature. cargo-fuzz puts the
/// flag in `RUSTFLAGS`, which cargo passes after a package's profile
/// `rustflags`, so it cannot be taken back per package; a crate that opts
/// in is built with `--no-trace-compares` and adds the flag to the
/// packages it lists. Why: in the targets that run handshakes, the
/// tracing inside the instrumented X25519, P-256 and ML-KEM arithmetic
/// was over half of the time (docs/fuzzing.md).
fn traces_own_compares(manifest: &str) -> bool {
    let Ok(value) = manifest.parse::<toml::Value>() else {
        return false;
    };
    value
        .get("cargo-features")
        .and_then(toml::Value::as_array)
        .is_some_and(|f| f.iter().any(|f| f.as_str() == Some("profile-rustflags")))
}

/// Keeps the crates and targets named (all when the lists are empty).
fn select(crates: Vec<FuzzCrate>, names: &[String], targets: &[String]) -> Vec<FuzzCrate> {
    crates
        .into_iter()
        .filter(|c| names.is_empty() || names.contains(&c.name))
        .map(|mut c| {
            if !targets.is_empty() {
                let name = c.name.clone();
                c.targets.retain(|t| {
                    targets
                        .iter()
                        .any(|x| x == t || *x == format!("{name}/{t}"))
                });
            }
            c
        })
        .filter(|c| !c.targets.is_empty())
        .collect()
}

/// Whether `sanitizer` needs an unstable flag (`-Zsanitizer`).
fn needs_unstable(sanitizer: &str) -> bool {
    sanitizer != "none"
}

/// `cargo` on the default toolchain; with a sanitizer, or for a crate
/// whose manifest uses `profile-rustflags` ([`traces_own_compares`]),
/// unstable features unlocked by `RUSTC_BOOTSTRAP=1` (no nightly toolchain
/// is needed: the machine may have none, and the stable one ships the
/// ASan runtime).
fn cargo(sanitizer: &str, unstable_manifest: bool) -> Command {
    let mut c = Command::new("cargo");
    if needs_unstable(sanitizer) || unstable_manifest {
        c.env("RUSTC_BOOTSTRAP", "1");
    }
    c
}

/// The toolchain and cargo-fuzz must both be there.
fn preflight(sanitizer: &str) -> Result<(), String> {
    let rust = cargo(sanitizer, false)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(rust, Ok(s) if s.success()) {
        return Err("the Rust toolchain is missing (cargo --version failed)".into());
    }
    let fuzz = cargo(sanitizer, false)
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(fuzz, Ok(s) if s.success()) {
        return Err("cargo-fuzz is missing (cargo install cargo-fuzz --locked)".into());
    }
    Ok(())
}

fn build(c: &FuzzCrate, target_dir: &Path, sanitizer: &str) -> Result<(), String> {
    let mut cmd = cargo(sanitizer, c.traces_own_compares);
    cmd.args(["fuzz", "build", "--sanitizer", sanitizer]);
    if c.traces_own_compares {
        cmd.arg("--no-trace-compares");
    }
    let status = cmd
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(&c.dir)
        // The sanitizer build must not inherit the outer cargo's settings.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo fuzz build of {} failed ({status})", c.name))
    }
}

#[derive(Debug, Clone, Copy)]
enum Limit {
    /// Seconds per target.
    Time(u64),
    /// Executions per target, and an optional cap in seconds.
    Runs(u64, Option<u64>),
}

/// What one target run did.
#[derive(Debug)]
struct RunResult {
    ok: bool,
    runs: u64,
    exec_per_sec: u64,
    time: Duration,
    detail: String,
}

fn run_target(
    c: &FuzzCrate,
    target: &str,
    target_dir: &Path,
    limit: Limit,
) -> Result<RunResult, String> {
    let binary = target_dir.join(TRIPLE).join("release").join(target);
    if !binary.exists() {
        return Err(format!("{} was not built", binary.display()));
    }
    let corpus = c.dir.join("corpus").join(target);
    let artifacts = c.dir.join("artifacts").join(target);
    for d in [&corpus, &artifacts] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut cmd = Command::new(&binary);
    cmd.arg(&corpus);
    let seeds = c.dir.join("seeds").join(target);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .arg("-rss_limit_mb=2560")
        .arg("-timeout=20")
        .arg("-max_len=8192");
    match limit {
        Limit::Time(s) => {
            cmd.arg(format!("-max_total_time={s}"));
        }
        Limit::Runs(n, cap) => {
            cmd.arg(format!("-runs={n}"));
            if let Some(s) = cap {
                cmd.arg(format!("-max_total_time={s}"));
            }
        }
    }
    cmd.env("ASAN_OPTIONS", "detect_odr_violation=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let t0 = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let time = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (runs, exec_per_sec) = final_stats(&stderr);
    let ok = out.status.success();
    let detail = if ok {
        String::new()
    } else {
        // The crash report: libFuzzer's summary and the artifact line.
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| {
                l.contains("panicked")
                    || l.contains("ERROR:")
                    || l.contains("SUMMARY")
                    || l.contains("Test unit written")
            })
            .collect();
        eprintln!("{stderr}");
        format!("exit {}; {}", out.status, lines.join(" | "))
    };
    Ok(RunResult {
        ok,
        runs,
        exec_per_sec,
        time,
        detail,
    })
}

/// `stat::number_of_executed_units` and `stat::average_exec_per_sec` from
/// libFuzzer's `-print_final_stats=1` output (0 when absent).
fn final_stats(stderr: &str) -> (u64, u64) {
    let stat = |name: &str| {
        stderr
            .lines()
            .rev()
            .filter_map(|l| l.strip_prefix(name))
            .filter_map(|v| v.trim().trim_start_matches(':').trim().parse().ok())
            .next()
            .unwrap_or(0)
    };
    (
        stat("stat::number_of_executed_units"),
        stat("stat::average_exec_per_sec"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sanitizer_or_a_profile_rustflags_manifest_unlocks_unstable_flags() {
        assert!(!needs_unstable("none"));
        assert!(needs_unstable("address"));
        let bootstrap = |s, manifest| {
            cargo(s, manifest)
                .get_envs()
                .any(|(k, v)| k == "RUSTC_BOOTSTRAP" && v.is_some_and(|v| v == "1"))
        };
        assert!(bootstrap("address", false) && !bootstrap("none", false));
        assert!(bootstrap("none", true), "profile-rustflags is unstable");
    }

    #[test]
    fn a_manifest_opts_into_its_own_comparison_tracing_with_profile_rustflags() {
        let opted = "cargo-features = [\"profile-rustflags\"]\n[package]\nname = \"x\"\n";
        assert!(traces_own_compares(opted));
        assert!(!traces_own_compares("[package]\nname = \"x\"\n"));
        assert!(!traces_own_compares("cargo-features = [\"other\"]\n"));
        assert!(!traces_own_compares("not toml ["));
    }

    #[test]
    fn targets_come_from_bins_of_cargo_fuzz_manifests() {
        let manifest = r#"
            [package]
            name = "x-fuzz"
            [package.metadata]
            cargo-fuzz = true
            [[bin]]
            name = "a"
            path = "fuzz_targets/a.rs"
            [[bin]]
            name = "b"
            path = "fuzz_targets/b.rs"
        "#;
        assert_eq!(targets_of(manifest).unwrap(), vec!["a", "b"]);
        assert!(targets_of("[package]\nname = \"y\"\n").is_err());
    }

    #[test]
    fn final_stats_are_read() {
        let out = "INFO: seed\nDone 1234 runs in 5 second(s)\nstat::number_of_executed_units: 1234\nstat::average_exec_per_sec:     246\nstat::new_units_added:          7\n";
        assert_eq!(final_stats(out), (1234, 246));
        assert_eq!(final_stats("crashed"), (0, 0));
    }

    #[test]
    fn every_fuzz_crate_has_targets_and_there_are_at_least_thirty() {
        let crates = discover(&workspace_root()).unwrap();
        assert!(crates.iter().all(|c| !c.targets.is_empty()));
        let total: usize = crates.iter().map(|c| c.targets.len()).sum();
        assert!(total >= 30, "only {total} fuzz targets");
        // Every [[bin]] has its source file.
        for c in &crates {
            for t in &c.targets {
                let src = c.dir.join("fuzz_targets").join(format!("{t}.rs"));
                assert!(src.exists(), "{} is missing", src.display());
            }
        }
    }

    #[test]
    fn arguments_need_exactly_one_mode() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert!(parse_args(&args("--list")).is_ok());
        assert_eq!(parse_args(&args("--smoke 5")).unwrap().smoke, Some(5));
        let o = parse_args(&args("--campaign 10_000_000 --max-time 120 --crate stun")).unwrap();
        assert_eq!((o.campaign, o.max_time), (Some(10_000_000), Some(120)));
        assert!(parse_args(&args("")).is_err());
        assert!(parse_args(&args("--list --smoke 5")).is_err());
        assert!(parse_args(&args("--smoke")).is_err());
    }
}
