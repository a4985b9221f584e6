//! `cargo xtask bench [--quick]`: runs the criterion benches of
//! `sansrtc-benches` and prints one table: each of our figures, and our
//! figure as a ratio of every reference measured in the same run
//! (libsrtp2, webrtc-srtp, the `rtp` crate, the raw-crypto or bare-`match`
//! ceiling; for the scale rows, the same figure at 1,000 connections total:
//! [`bench_scale`]), with the issue's targets checked.
//!
//! Criterion's own files are the source: every `new/benchmark.json` (ids,
//! throughput) with its `new/estimates.json` (median) written by this run.
//! A ratio is `reference time / our time`, so 2.0 means twice as fast.
//!
//! Figures that are not times come from `<target>/sansrtc-bench/*.json`
//! written by this run (`memory.json` of the `memory` bench, `scale.json`
//! of the `scale` bench:
//! `{"rows":[{"group":…,"function":…,"param":…,"bytes":N},…]}`, bytes per
//! peer connection, or in total with `"unit":"total"`); their ratio is
//! `reference bytes / our bytes`, so 2.0 there means half the memory.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

use serde_json::Value;

use crate::bench_scale;
use crate::workspace_root;

/// The function name of our implementation in every group.
const OURS: &str = "sansrtc";
/// Reference columns, in table order.
const REFERENCES: &[&str] = &[
    "libsrtp2",
    "webrtc-srtp",
    "rtp-crate",
    "str0m",
    "ceiling",
    bench_scale::REFERENCE,
];

/// One criterion measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The group (one operation), e.g. `srtp protect AEAD_AES_128_GCM`.
    pub group: String,
    /// The implementation: `sansrtc` or a reference.
    pub function: String,
    /// The parameter: payload size or packet shape.
    pub param: String,
    /// Median time per iteration in nanoseconds (for [`Throughput::Heap`]:
    /// bytes, lower is better as for a time).
    pub median_ns: f64,
    /// Bytes or elements per iteration.
    pub throughput: Throughput,
}

/// Criterion's throughput per iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Throughput {
    /// Payload bytes.
    Bytes(u64),
    /// Packets, classifications or connections.
    Elements(u64),
    /// Not a time: the figure is heap bytes per peer connection (the
    /// memory bench's `sansrtc-bench/memory.json`).
    Heap,
    /// Not a time: the figure is heap bytes in total (a row of
    /// `"unit":"total"`, e.g. the scale bench's whole fleet).
    HeapTotal,
    /// Not given.
    None,
}

/// One row of the table: our figure for a group and parameter, and the
/// ratios to the references present.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The group.
    pub group: String,
    /// The parameter.
    pub param: String,
    /// Our median.
    pub ours: Measurement,
    /// `reference time / our time`, by reference name.
    pub ratios: BTreeMap<String, f64>,
    /// Targets that apply: (reference, minimum ratio).
    pub targets: Vec<(&'static str, f64)>,
}

impl Row {
    /// The targets this row misses: (reference, minimum, measured); a
    /// missing reference counts as missed with ratio 0.
    pub fn missed(&self) -> Vec<(&'static str, f64, f64)> {
        self.targets
            .iter()
            .filter_map(|&(r, min)| {
                let got = self.ratios.get(r).copied().unwrap_or(0.0);
                (got < min).then_some((r, min, got))
            })
            .collect()
    }
}

/// The issue's targets (issue 4) for a row.
pub fn targets_for(group: &str, param: &str) -> Vec<(&'static str, f64)> {
    let mut t = Vec::new();
    if group.starts_with("srtp ") {
        t.push(("webrtc-srtp", 1.2));
        if group.ends_with("AEAD_AES_128_GCM") {
            t.push(("ceiling", if param == "160" { 0.5 } else { 0.7 }));
        }
        if group.ends_with("AES_CM_128_HMAC_SHA1_80") {
            t.push(("ceiling", 0.85));
        }
    } else if group.starts_with("demux") {
        t.push(("ceiling", 0.9));
    } else if group.starts_with("rtp header parse") {
        t.push(("rtp-crate", 5.0));
    } else if group.starts_with("media path") {
        // Issue #17: payload to frame through two connections, 3x str0m.
        t.push(("str0m", 3.0));
    } else if group.starts_with("datachannel stack") {
        // Issue #19 row 1: data-channel throughput, 5x str0m, with either
        // DTLS version (`datachannel stack dtls1.2` / `dtls1.3`).
        t.push(("str0m", 5.0));
    } else if group == "handshake dtls1.2" {
        // Issue #19 row 3: full connections per second, 2x str0m, on the
        // same protocol as str0m's (DTLS 1.2, ECDHE). `handshake dtls1.3`
        // (sansrtc's default, with the ML-KEM hybrid key exchange str0m
        // does not do) is shown beside it without a target.
        t.push(("str0m", 2.0));
    } else if group.starts_with("scale ") {
        // Issue #19 row 5: the polling round at 10,000 connections total
        // costs at most 1.5x the round at 1,000 (xtask/src/bench_scale.rs).
        t.extend(bench_scale::targets_for(group, param));
    } else if group == "memory per connection" && param == "rss" {
        // Issue #19 row 4: at most half str0m's memory per connection (the
        // ratio is str0m's bytes / ours). Checked on the resident set, the
        // figure that counts both whole: the `rust-heap` row's counting
        // allocator does not see str0m's OpenSSL allocations (benches/
        // benches/memory.rs).
        t.push(("str0m", 2.0));
    }
    t
}

/// Reads a measurement from the text of criterion's `benchmark.json` and
/// `estimates.json`.
pub fn parse_measurement(
    benchmark_json: &str,
    estimates_json: &str,
) -> Result<Measurement, String> {
    let b: Value = serde_json::from_str(benchmark_json).map_err(|e| e.to_string())?;
    let e: Value = serde_json::from_str(estimates_json).map_err(|e| e.to_string())?;
    let text = |v: &Value, k: &str| -> Result<String, String> {
        Ok(v.get(k)
            .and_then(Value::as_str)
            .ok_or(format!("no {k}"))?
            .to_string())
    };
    let throughput = match b.get("throughput") {
        Some(t) if t.get("Bytes").is_some() => Throughput::Bytes(t["Bytes"].as_u64().unwrap_or(0)),
        Some(t) if t.get("Elements").is_some() => {
            Throughput::Elements(t["Elements"].as_u64().unwrap_or(0))
        }
        _ => Throughput::None,
    };
    Ok(Measurement {
        group: text(&b, "group_id")?,
        function: text(&b, "function_id")?,
        param: b
            .get("value_str")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        median_ns: e["median"]["point_estimate"].as_f64().ok_or("no median")?,
        throughput,
    })
}

/// Groups measurements into rows, one per (group, parameter) that has ours.
pub fn build_rows(ms: &[Measurement]) -> Vec<Row> {
    let mut by_key: BTreeMap<(String, String), Vec<&Measurement>> = BTreeMap::new();
    for m in ms {
        by_key
            .entry((m.group.clone(), m.param.clone()))
            .or_default()
            .push(m);
    }
    let mut rows = Vec::new();
    for ((group, param), list) in by_key {
        let Some(ours) = list.iter().find(|m| m.function == OURS) else {
            continue;
        };
        let ratios = list
            .iter()
            .filter(|m| m.function != OURS && ours.median_ns > 0.0)
            .map(|m| (m.function.clone(), m.median_ns / ours.median_ns))
            .collect();
        rows.push(Row {
            targets: targets_for(&group, &param),
            group,
            param,
            ours: (*ours).clone(),
            ratios,
        });
    }
    bench_scale::add_ratios(&mut rows);
    rows.sort_by_key(|r| {
        (
            r.group.clone(),
            r.param.parse::<u64>().unwrap_or(u64::MAX),
            r.param.clone(),
        )
    });
    rows
}

fn figure(m: &Measurement) -> String {
    match m.throughput {
        // One packet of `param` bytes per iteration: packets and bits.
        Throughput::Bytes(n) if m.param.parse::<u64>() == Ok(n) => format!(
            "{:6.2} Mpkt/s {:6.2} Gbit/s",
            1e3 / m.median_ns,
            n as f64 * 8.0 / m.median_ns
        ),
        // A batch of messages: bytes and bits.
        Throughput::Bytes(n) => format!(
            "{:7.1} MB/s {:6.2} Gbit/s",
            n as f64 * 1e3 / m.median_ns,
            n as f64 * 8.0 / m.median_ns
        ),
        Throughput::Elements(n) => {
            let per_second = n as f64 * 1e9 / m.median_ns;
            if per_second >= 1e6 {
                format!("{:8.1} M/s {:>13}", per_second / 1e6, "")
            } else {
                format!("{:10.1} /s {:>13}", per_second, "")
            }
        }
        Throughput::Heap => format!("{:8.1} KiB/pc {:>10}", m.median_ns / 1024.0, ""),
        Throughput::HeapTotal => format!("{:8.1} MiB {:>13}", m.median_ns / (1 << 20) as f64, ""),
        Throughput::None => format!("{:10.1} ns {:>12}", m.median_ns, ""),
    }
}

/// Reads the rows of a `sansrtc-bench/*.json` file (figures that are not
/// times: `{"rows":[{"group","function","param","bytes"}]}`, bytes per
/// peer connection; with `"unit":"total"`, bytes in total).
pub fn parse_heap_rows(json: &str) -> Result<Vec<Measurement>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let rows = v.get("rows").and_then(Value::as_array).ok_or("no rows")?;
    rows.iter()
        .map(|r| {
            let text = |k: &str| -> Result<String, String> {
                Ok(r.get(k)
                    .and_then(Value::as_str)
                    .ok_or(format!("no {k}"))?
                    .to_string())
            };
            Ok(Measurement {
                group: text("group")?,
                function: text("function")?,
                param: text("param")?,
                median_ns: r.get("bytes").and_then(Value::as_f64).ok_or("no bytes")?,
                throughput: match r.get("unit").and_then(Value::as_str) {
                    Some("total") => Throughput::HeapTotal,
                    _ => Throughput::Heap,
                },
            })
        })
        .collect()
}

/// The fresh `*.json` files of `dir` (written since `since`).
fn collect_heap(dir: &Path, since: SystemTime, out: &mut Vec<Measurement>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let fresh = fs::metadata(&path)
            .and_then(|m| m.modified())
            .map(|t| t >= since)
            .unwrap_or(false);
        if !fresh || path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        match fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| parse_heap_rows(&t))
        {
            Ok(ms) => out.extend(ms),
            Err(err) => eprintln!("xtask bench: {}: {err}", path.display()),
        }
    }
}

/// The table as text.
pub fn render(rows: &[Row]) -> String {
    let columns: Vec<&str> = REFERENCES
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|r| r.ratios.contains_key(*c)))
        .collect();
    let mut out = format!(
        "{:<42} {:>12} {:>29}",
        "benchmark", "param", "sansrtc (median)"
    );
    for c in &columns {
        out += &format!(" {:>12}", format!("vs {c}"));
    }
    out += "  targets\n";
    for r in rows {
        out += &format!("{:<42} {:>12} {:>29}", r.group, r.param, figure(&r.ours));
        for c in &columns {
            match r.ratios.get(*c) {
                Some(x) => out += &format!(" {:>11.2}x", x),
                None => out += &format!(" {:>12}", "-"),
            }
        }
        let missed = r.missed();
        if r.targets.is_empty() {
            out += "  -";
        } else if missed.is_empty() {
            let t: Vec<String> = r.targets.iter().map(|(c, m)| format!("{c}>={m}")).collect();
            out += &format!("  met ({})", t.join(", "));
        } else {
            let t: Vec<String> = missed
                .iter()
                .map(|(c, min, got)| format!("{c} {got:.2} < {min}"))
                .collect();
            out += &format!("  MISSED: {}", t.join(", "));
        }
        out += "\n";
    }
    out
}

fn collect(dir: &Path, since: SystemTime, out: &mut Vec<Measurement>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, since, out);
            continue;
        }
        if path.file_name().and_then(|n| n.to_str()) != Some("benchmark.json")
            || path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                != Some("new")
        {
            continue;
        }
        let estimates = path.with_file_name("estimates.json");
        let fresh = fs::metadata(&estimates)
            .and_then(|m| m.modified())
            .map(|t| t >= since)
            .unwrap_or(false);
        if !fresh {
            continue;
        }
        if let (Ok(b), Ok(e)) = (fs::read_to_string(&path), fs::read_to_string(&estimates)) {
            match parse_measurement(&b, &e) {
                Ok(m) => out.push(m),
                Err(err) => eprintln!("xtask bench: {}: {err}", path.display()),
            }
        }
    }
}

/// The bench target names: the file stems of `dir/*.rs`, sorted.
fn bench_targets(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "rs").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The command line: `--quick`, and `--bench NAME` (repeatable) to run
/// only those bench targets.
fn parse_args(args: &[String]) -> Result<(bool, Vec<String>), String> {
    let (mut quick, mut only) = (false, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--bench" => only.push(it.next().ok_or("--bench needs a name")?.clone()),
            bad => return Err(format!("unknown argument {bad}")),
        }
    }
    Ok((quick, only))
}

/// Runs the benches and prints the table.
pub fn run(args: &[String]) -> ExitCode {
    let (quick, only) = match parse_args(args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("usage: cargo xtask bench [--quick] [--bench NAME]...   ({e})");
            return ExitCode::from(2);
        }
    };
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = SystemTime::now();
    let mut cmd = Command::new(&cargo);
    cmd.args(["bench", "-p", "sansrtc-benches"]);
    // Only the criterion targets (the library's libtest harness would
    // refuse criterion's options): one `--bench` per benches/benches/*.rs.
    let targets = bench_targets(&root.join("benches/benches"));
    if let Some(unknown) = only.iter().find(|n| !targets.contains(n)) {
        eprintln!(
            "xtask bench: no bench target {unknown} (have: {})",
            targets.join(", ")
        );
        return ExitCode::from(2);
    }
    for name in targets
        .iter()
        .filter(|n| only.is_empty() || only.contains(n))
    {
        cmd.args(["--bench", name]);
    }
    cmd.arg("--");
    if quick {
        cmd.args([
            "--warm-up-time",
            "0.3",
            "--measurement-time",
            "0.6",
            "--sample-size",
            "30",
        ]);
    }
    println!(
        "== xtask bench: cargo bench -p sansrtc-benches{}",
        if quick { " (quick)" } else { "" }
    );
    match cmd.current_dir(&root).status() {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("xtask bench: cargo bench failed ({s})");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("xtask bench: cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    }
    let mut ms = Vec::new();
    collect(&target_dir(&root).join("criterion"), started, &mut ms);
    collect_heap(&target_dir(&root).join("sansrtc-bench"), started, &mut ms);
    let rows = build_rows(&ms);
    if rows.is_empty() {
        eprintln!("xtask bench: no criterion results from this run");
        return ExitCode::FAILURE;
    }
    println!();
    println!("== xtask bench: medians of this run; ratio = reference time / sansrtc time");
    print!("{}", render(&rows));
    let missed = rows.iter().filter(|r| !r.missed().is_empty()).count();
    println!(
        "== xtask bench: {} rows, {} with every target met, {} missing a target",
        rows.len(),
        rows.len() - missed,
        missed
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(group: &str, function: &str, param: &str, ns: f64) -> Measurement {
        Measurement {
            group: group.into(),
            function: function.into(),
            param: param.into(),
            median_ns: ns,
            throughput: Throughput::Bytes(param.parse().unwrap_or(1)),
        }
    }

    #[test]
    fn parses_criterion_files() {
        let b = r#"{"group_id":"srtp protect AEAD_AES_128_GCM","function_id":"sansrtc","value_str":"160","throughput":{"Bytes":160},"full_id":"x","directory_name":"x","title":"x"}"#;
        let e = r#"{"mean":{"point_estimate":161.0},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":88.3,"upper_bound":168.7},"point_estimate":90.5,"standard_error":20.0}}"#;
        let got = parse_measurement(b, e).unwrap();
        assert_eq!(
            got,
            m("srtp protect AEAD_AES_128_GCM", "sansrtc", "160", 90.5)
        );
        let b = r#"{"group_id":"demux rfc7983","function_id":"ceiling","value_str":"mixed-1024","throughput":{"Elements":1024}}"#;
        let got = parse_measurement(b, e).unwrap();
        assert_eq!(got.throughput, Throughput::Elements(1024));
        assert!(parse_measurement("{}", e).is_err());
        assert!(parse_measurement(b, "{}").is_err());
    }

    #[test]
    fn rows_ratios_and_targets() {
        let g = "srtp protect AEAD_AES_128_GCM";
        let ms = vec![
            m(g, "sansrtc", "1200", 100.0),
            m(g, "libsrtp2", "1200", 400.0),
            m(g, "webrtc-srtp", "1200", 300.0),
            m(g, "ceiling", "1200", 60.0),
            m(g, "sansrtc", "160", 50.0),
            m(g, "webrtc-srtp", "160", 55.0),
            m(g, "ceiling", "160", 40.0),
            m("demux rfc7983", "ceiling", "mixed", 10.0), // no row without ours
        ];
        let rows = build_rows(&ms);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].param, "160", "numeric order of sizes");
        let big = &rows[1];
        assert_eq!(big.ratios["libsrtp2"], 4.0);
        assert_eq!(big.ratios["webrtc-srtp"], 3.0);
        assert_eq!(big.ratios["ceiling"], 0.6);
        assert_eq!(big.missed(), vec![("ceiling", 0.7, 0.6)]);
        let small = &rows[0];
        assert_eq!(small.missed(), vec![("webrtc-srtp", 1.2, 1.1)]);
        let text = render(&rows);
        assert!(text.contains("MISSED: ceiling 0.60 < 0.7"), "{text}");
        assert!(text.contains("4.00x"), "{text}");
        assert!(text.contains("vs libsrtp2"));
        assert!(
            !text.contains("vs rtp-crate"),
            "absent columns are left out"
        );
        // 1200 B in 100 ns = 96 Gbit/s, 10 Mpkt/s.
        assert!(text.contains("10.00 Mpkt/s  96.00 Gbit/s"), "{text}");
    }

    #[test]
    fn finds_the_bench_targets() {
        let names = bench_targets(&crate::workspace_root().join("benches/benches"));
        assert!(names.contains(&"srtp".to_string()), "{names:?}");
        assert!(names.contains(&"demux_rtp".to_string()), "{names:?}");
    }

    #[test]
    fn targets_follow_the_issue() {
        assert_eq!(
            targets_for("srtp unprotect AES_CM_128_HMAC_SHA1_80", "160"),
            vec![("webrtc-srtp", 1.2), ("ceiling", 0.85)]
        );
        assert_eq!(
            targets_for("srtp protect AEAD_AES_256_GCM", "160"),
            vec![("webrtc-srtp", 1.2)]
        );
        assert_eq!(
            targets_for("demux rfc7983", "mixed-1024"),
            vec![("ceiling", 0.9)]
        );
        assert_eq!(
            targets_for("rtp header parse", "fixed"),
            vec![("rtp-crate", 5.0)]
        );
        assert!(targets_for("sctp throughput", "x").is_empty());
        for version in ["dtls1.2", "dtls1.3"] {
            assert_eq!(
                targets_for(&format!("datachannel stack {version}"), "16384"),
                vec![("str0m", 5.0)]
            );
        }
        assert_eq!(
            targets_for("handshake dtls1.2", "new-certs"),
            vec![("str0m", 2.0)]
        );
        assert!(targets_for("handshake dtls1.3", "new-certs").is_empty());
        assert_eq!(
            targets_for("memory per connection", "rss"),
            vec![("str0m", 2.0)]
        );
        assert!(targets_for("memory per connection", "rust-heap").is_empty());
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(args(&[]), Ok((false, vec![])));
        assert_eq!(
            args(&["--quick", "--bench", "memory", "--bench", "handshake"]),
            Ok((true, vec!["memory".into(), "handshake".into()]))
        );
        assert!(args(&["--bench"]).is_err());
        assert!(args(&["--slow"]).is_err());
    }

    #[test]
    fn heap_rows_and_batch_figures() {
        let json = r#"{"rows":[
{"group":"memory per connection","function":"sansrtc","param":"rss","bytes":20480},
{"group":"memory per connection","function":"str0m","param":"rss","bytes":51200}
]}"#;
        let ms = parse_heap_rows(json).unwrap();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].throughput, Throughput::Heap);
        let rows = build_rows(&ms);
        assert_eq!(rows[0].ratios["str0m"], 2.5);
        assert!(rows[0].missed().is_empty());
        let text = render(&rows);
        assert!(text.contains("20.0 KiB/pc"), "{text}");
        assert!(text.contains("met (str0m>=2)"), "{text}");
        assert!(parse_heap_rows("{}").is_err());
        // A batch of 8 MiB in 10 ms: 838.9 MB/s; one connection in 2 ms: 500/s.
        let batch = Measurement {
            group: "datachannel stack".into(),
            function: "sansrtc".into(),
            param: "1200".into(),
            median_ns: 1e7,
            throughput: Throughput::Bytes(8 << 20),
        };
        assert!(figure(&batch).contains("838.9 MB/s"), "{}", figure(&batch));
        let connect = Measurement {
            throughput: Throughput::Elements(1),
            median_ns: 2e6,
            ..batch
        };
        assert!(
            figure(&connect).contains("500.0 /s"),
            "{}",
            figure(&connect)
        );
    }
}
