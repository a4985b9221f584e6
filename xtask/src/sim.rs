//! `cargo xtask sim`: runs the scenario catalogue (`sansrtc-scenarios`) over
//! many seeds and prints one table (or JSON lines).
//!
//! ```text
//! cargo xtask sim [--scenario NAME|PREFIX] [--seed N | --seeds COUNT]
//!                 [--quick] [--pcap DIR] [--json] [--list] [--jobs N] [--release]
//! ```
//!
//! The catalogue runs in this process, i.e. in the xtask's own (dev)
//! build, where dependencies are optimised (root `Cargo.toml`) and
//! workspace code is not. `--release` re-runs the same command through
//! `cargo run --release -p xtask` for heavy catalogues (one extra release
//! build of the stack, then fast).
//!
//! Seeds are `1..=COUNT` (each scenario's `default_seeds` unless `--seeds`;
//! `--quick` caps it at 3, but runs at least one seed per case a scenario's
//! seed chooses among, e.g. all 25 NAT pairs). A failing seed prints the command that
//! reproduces it; the exit status is non-zero if any seed failed. Runs are
//! spread over `--jobs` threads (default: the machine's cores).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use sansrtc_scenarios::{catalogue, Outcome, Scenario, ScenarioInput};

/// Seeds per scenario under `--quick` (what CI runs).
const QUICK_SEEDS: u64 = 3;

/// Seeds `--quick` runs of `s`: a few, and at least one per case the seed
/// chooses among (all 25 NAT pairs of `ice/nat-matrix`, say).
fn quick_seeds(s: &Scenario) -> u64 {
    s.default_seeds.min(QUICK_SEEDS).max(s.cases)
}

#[derive(Debug, Default)]
struct Options {
    scenario: Option<String>,
    seed: Option<u64>,
    seeds: Option<u64>,
    quick: bool,
    pcap: Option<PathBuf>,
    json: bool,
    list: bool,
    jobs: Option<usize>,
    release: bool,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask sim [--scenario NAME|PREFIX] [--seed N | --seeds COUNT] [--quick] \
         [--pcap DIR] [--json] [--list] [--jobs N] [--release]"
    );
    ExitCode::from(2)
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: `{v}` is not a number"))
        };
        match arg.as_str() {
            "--scenario" => o.scenario = Some(value("--scenario")?),
            "--seed" => o.seed = Some(number("--seed", value("--seed")?)?),
            "--seeds" => o.seeds = Some(number("--seeds", value("--seeds")?)?),
            "--jobs" => o.jobs = Some(number("--jobs", value("--jobs")?)?.max(1) as usize),
            "--pcap" => o.pcap = Some(PathBuf::from(value("--pcap")?)),
            "--quick" => o.quick = true,
            "--json" => o.json = true,
            "--list" => o.list = true,
            "--release" => o.release = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.seed.is_some() && o.seeds.is_some() {
        return Err("--seed and --seeds exclude each other".into());
    }
    Ok(o)
}

/// The scenarios `filter` names: an exact name, else every name it prefixes.
fn select(all: Vec<Scenario>, filter: Option<&str>) -> Vec<Scenario> {
    let Some(f) = filter else {
        return all;
    };
    if all.iter().any(|s| s.name == f) {
        return all.into_iter().filter(|s| s.name == f).collect();
    }
    all.into_iter().filter(|s| s.name.starts_with(f)).collect()
}

/// One run's result.
struct RunResult {
    scenario: usize,
    seed: u64,
    outcome: Result<Outcome, String>,
}

fn run_one(scenario: &Scenario, seed: u64, capture: bool) -> Result<Outcome, String> {
    let input = ScenarioInput { seed, capture };
    match catch_unwind(AssertUnwindSafe(|| (scenario.run)(&input))) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "non-string panic".into());
            Err(format!("panicked: {what}"))
        }
    }
}

/// The `q`-quantile (nearest rank) of sorted values.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn pcap_name(scenario: &str, seed: u64) -> String {
    let safe: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-seed{seed}.pcap")
}

/// What a failing seed prints: the reason and the command reproducing it.
fn failure_report(name: &str, seed: u64, reason: &str) -> String {
    format!("FAIL {name} seed {seed}: {reason}\n  reproduce: cargo xtask sim --scenario {name} --seed {seed}")
}

/// Summary of one scenario over its seeds.
struct Summary {
    name: &'static str,
    seeds: u64,
    passed: u64,
    failed: u64,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    max_ms: Option<f64>,
    throughput_p50: Option<f64>,
    throughput_p95: Option<f64>,
}

fn summarise(scenario: &Scenario, results: &[&RunResult]) -> Summary {
    let mut times: Vec<f64> = Vec::new();
    let mut rates: Vec<f64> = Vec::new();
    for r in results {
        if let Ok(o) = &r.outcome {
            times.push(o.time_to_goal.as_secs_f64() * 1e3);
            rates.extend(o.throughput_bytes_per_sec);
        }
    }
    times.sort_by(f64::total_cmp);
    rates.sort_by(f64::total_cmp);
    let passed = times.len() as u64;
    Summary {
        name: scenario.name,
        seeds: results.len() as u64,
        passed,
        failed: results.len() as u64 - passed,
        p50_ms: quantile(&times, 0.5),
        p95_ms: quantile(&times, 0.95),
        max_ms: times.last().copied(),
        // The throughput a slow run gets matters: report the median and the
        // 5th percentile (the rate 95% of runs reach).
        throughput_p50: quantile(&rates, 0.5),
        throughput_p95: quantile(&rates, 0.05),
    }
}

fn human_rate(bytes_per_sec: Option<f64>) -> String {
    match bytes_per_sec {
        None => "-".into(),
        Some(r) if r >= 1e6 => format!("{:.2} MB/s", r / 1e6),
        Some(r) if r >= 1e3 => format!("{:.1} kB/s", r / 1e3),
        Some(r) => format!("{r:.0} B/s"),
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

fn print_table(summaries: &[Summary]) {
    let width = summaries
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<width$}  {:>5}  {:>6}  {:>6}  {:>10}  {:>10}  {:>10}  {:>12}  {:>12}",
        "scenario",
        "seeds",
        "passed",
        "failed",
        "p50 ms",
        "p95 ms",
        "max ms",
        "tput p50",
        "tput p5"
    );
    for s in summaries {
        println!(
            "{:<width$}  {:>5}  {:>6}  {:>6}  {:>10}  {:>10}  {:>10}  {:>12}  {:>12}",
            s.name,
            s.seeds,
            s.passed,
            s.failed,
            ms(s.p50_ms),
            ms(s.p95_ms),
            ms(s.max_ms),
            human_rate(s.throughput_p50),
            human_rate(s.throughput_p95),
        );
    }
}

fn print_json(summaries: &[Summary]) {
    for s in summaries {
        let value = serde_json::json!({
            "name": s.name,
            "seeds": s.seeds,
            "passed": s.passed,
            "failed": s.failed,
            "p50_ms": s.p50_ms,
            "p95_ms": s.p95_ms,
            "max_ms": s.max_ms,
            "throughput_p50_bytes_per_sec": s.throughput_p50,
            "throughput_p5_bytes_per_sec": s.throughput_p95,
        });
        println!("{value}");
    }
}

/// Runs `cargo run --release -p xtask -- sim ARGS` (the release build
/// ignores `--release`).
fn rerun_in_release(args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "xtask",
            "--",
            "sim",
        ])
        .args(args)
        .current_dir(crate::workspace_root())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask sim: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `cargo xtask sim ARGS`.
pub fn run(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask sim: {e}");
            return usage();
        }
    };
    if options.release && cfg!(debug_assertions) {
        return rerun_in_release(args);
    }
    let scenarios = select(catalogue(), options.scenario.as_deref());
    if options.list {
        for s in &scenarios {
            println!("{}", s.name);
        }
        return ExitCode::SUCCESS;
    }
    if scenarios.is_empty() {
        eprintln!(
            "xtask sim: no scenario matches `{}` (see cargo xtask sim --list)",
            options.scenario.as_deref().unwrap_or("")
        );
        return ExitCode::from(2);
    }
    if let Some(dir) = &options.pcap {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("xtask sim: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let mut jobs: Vec<(usize, u64)> = Vec::new();
    for (index, s) in scenarios.iter().enumerate() {
        let seeds: Vec<u64> = match (options.seed, options.seeds) {
            (Some(seed), _) => vec![seed],
            (None, Some(count)) => (1..=count).collect(),
            (None, None) if options.quick => (1..=quick_seeds(s)).collect(),
            (None, None) => (1..=s.default_seeds).collect(),
        };
        jobs.extend(seeds.into_iter().map(|seed| (index, seed)));
    }
    let threads = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let capture = options.pcap.is_some();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<RunResult>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()).max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(scenario, seed)) = jobs.get(i) else {
                    break;
                };
                let outcome = run_one(&scenarios[scenario], seed, capture);
                results
                    .lock()
                    .expect("a worker panicked while holding the results")
                    .push(RunResult {
                        scenario,
                        seed,
                        outcome,
                    });
            });
        }
    });
    let mut results = results.into_inner().expect("workers finished");
    results.sort_by_key(|r| (r.scenario, r.seed));
    let mut by_scenario: BTreeMap<usize, Vec<&RunResult>> = BTreeMap::new();
    let mut any_failed = false;
    for r in &results {
        by_scenario.entry(r.scenario).or_default().push(r);
        let name = scenarios[r.scenario].name;
        match &r.outcome {
            Err(e) => {
                any_failed = true;
                eprintln!("{}", failure_report(name, r.seed, e));
            }
            Ok(o) => {
                if let (Some(dir), Some(pcap)) = (&options.pcap, &o.pcap) {
                    let path = dir.join(pcap_name(name, r.seed));
                    if let Err(e) = std::fs::write(&path, pcap) {
                        eprintln!("xtask sim: cannot write {}: {e}", path.display());
                        any_failed = true;
                    }
                }
            }
        }
    }
    let summaries: Vec<Summary> = by_scenario
        .iter()
        .map(|(&i, runs)| summarise(&scenarios[i], runs))
        .collect();
    if options.json {
        print_json(&summaries);
    } else {
        print_table(&summaries);
        let elapsed: Duration = started.elapsed();
        println!(
            "{} runs of {} scenarios in {:.1} s wall time{}",
            results.len(),
            summaries.len(),
            elapsed.as_secs_f64(),
            if any_failed { "; FAILURES above" } else { "" }
        );
    }
    if any_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(10.0));
        assert_eq!(quantile(&v, 0.95), Some(19.0));
        assert_eq!(quantile(&v, 0.05), Some(1.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn selection_prefers_an_exact_name_then_prefixes() {
        let all = catalogue();
        let exact = select(all.clone(), Some("network/delivery"));
        assert_eq!(exact.len(), 1);
        let prefix = select(all.clone(), Some("network/"));
        assert!(prefix.len() > 1);
        assert!(select(all, Some("no-such")).is_empty());
    }

    #[test]
    fn arguments_parse_and_conflicts_are_refused() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let o = parse(&args("--scenario net --seeds 5 --json --pcap /x")).unwrap();
        assert_eq!(o.scenario.as_deref(), Some("net"));
        assert_eq!(o.seeds, Some(5));
        assert!(o.json && o.pcap.is_some());
        assert!(parse(&args("--seed 1 --seeds 2")).is_err());
        assert!(parse(&args("--seed x")).is_err());
        assert!(parse(&args("--bogus")).is_err());
    }

    #[test]
    fn a_failure_names_the_command_that_reproduces_it() {
        let report = failure_report("network/x", 17, "lost");
        assert_eq!(
            report.lines().last(),
            Some("  reproduce: cargo xtask sim --scenario network/x --seed 17")
        );
    }

    #[test]
    fn panicking_scenarios_are_failures() {
        fn boom(_: &ScenarioInput) -> Result<Outcome, String> {
            panic!("kaboom")
        }
        let s = Scenario {
            name: "test/boom",
            description: "panics",
            default_seeds: 1,
            cases: 1,
            run: boom,
        };
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = run_one(&s, 1, false);
        std::panic::set_hook(hook);
        assert_eq!(result.unwrap_err(), "panicked: kaboom");
    }

    #[test]
    fn quick_runs_every_case_of_the_catalogue() {
        let all = sansrtc_scenarios::catalogue();
        let quick = |name: &str| quick_seeds(all.iter().find(|s| s.name == name).unwrap());
        assert_eq!(quick("ice/nat-matrix"), 25);
        assert_eq!(quick("call/nat-matrix"), 36);
        assert_eq!(quick("turn/relay-through-nats"), 4);
        for s in &all {
            assert!(quick_seeds(s) >= s.cases, "{}", s.name);
            assert!(quick_seeds(s) <= s.default_seeds.max(s.cases), "{}", s.name);
        }
    }

    #[test]
    fn pcap_names_are_file_safe() {
        assert_eq!(pcap_name("network/nat-x", 3), "network_nat-x-seed3.pcap");
    }
}
