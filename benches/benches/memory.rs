//! Heap per connected, idle peer connection (issue #19, row 4): [`PAIRS`]
//! pairs are connected in memory (`support/stack.rs`: offer/answer, ICE,
//! DTLS with a freshly generated ECDSA P-256 certificate each, as both do
//! by default, SCTP, one data channel open), each then left idle for
//! [`IDLE`] of simulated time, and all are kept alive; the live heap grown
//! meanwhile, over `2 × PAIRS`, is the figure. sansrtc's
//! `RtcPeerConnection` beside str0m 0.9's `Rtc`, each measured in a fresh
//! child process of this binary (`--measure sansrtc|str0m`), one after
//! the other, in the same run. sansrtc's pairs keep their default DTLS
//! versions, so they negotiate DTLS 1.3 (str0m 0.9: 1.2).
//!
//! Two figures per implementation:
//!
//! - `rust-heap`: live bytes counted by the `cap` crate's
//!   `#[global_allocator]` (every allocation made through Rust's
//!   allocator). str0m's OpenSSL state (SSL objects, keys, certificates,
//!   record buffers) is allocated by OpenSSL's own `malloc` calls, which
//!   this counter does not see: str0m's true heap is larger, so the ratio
//!   of this row is a lower bound on ours.
//! - `rss`: the process's resident set (`VmRSS` of `/proc/self/status`)
//!   grown meanwhile, which does include OpenSSL's memory, and also
//!   allocator slack and memory freed during the handshakes but not given
//!   back to the system.
//!
//! `cargo xtask bench` checks the issue's target (at most half str0m's
//! memory) on the `rss` row, the one that counts both whole.
//!
//! Not a timing, so not criterion: the figures are printed (one line each)
//! and written to `<target dir>/sansrtc-bench/memory.json`, which
//! `cargo xtask bench` reads beside criterion's files (its `Throughput::Heap`
//! rows: bytes per peer connection, ratio = str0m's bytes / ours). Any
//! positional argument is a filter like criterion's: the bench runs only
//! if `memory per connection` contains it.
#![allow(missing_docs)]

#[path = "support/stack.rs"]
mod stack;

use std::process::Command;
use std::time::Duration;

use cap::Cap;
use stack::{OurDtls, Ours, StackPair, Theirs};

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// Pairs kept connected at once.
const PAIRS: usize = 100;
/// Simulated idle time of each pair after its channel opened.
const IDLE: Duration = Duration::from_secs(5);
/// The group name in the table.
const GROUP: &str = "memory per connection";
/// Criterion options that take a value (so their value is no filter).
const VALUED: &[&str] = &[
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--profile-time",
    "--save-baseline",
    "--baseline",
    "--load-baseline",
    "--output-format",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--nresamples",
    "--color",
    "--plotting-backend",
];

/// The resident set in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS in kB")
        * 1024
}

/// Connects [`PAIRS`] pairs of `which` and prints `heap=<bytes> rss=<bytes>`
/// per peer connection.
fn measure(which: &str) {
    let connect = |i: usize| -> Box<dyn StackPair> {
        let mut pair: Box<dyn StackPair> = match which {
            "sansrtc" => Box::new(Ours::connected(2 * i as u64 + 1, OurDtls::Dtls13)),
            "str0m" => Box::new(Theirs::connected()),
            other => panic!("unknown implementation {other}"),
        };
        pair.idle(IDLE);
        pair
    };
    // One pair first, dropped: lazily initialised statics (OpenSSL's
    // tables, ring's CPU features) are not per connection.
    drop(connect(0));
    let mut pairs = Vec::with_capacity(PAIRS);
    let (heap0, rss0) = (ALLOCATOR.allocated(), rss());
    for i in 0..PAIRS {
        pairs.push(connect(i + 1));
    }
    let (heap1, rss1) = (ALLOCATOR.allocated(), rss());
    let per = |before: u64, after: u64| after.saturating_sub(before) / (2 * PAIRS as u64);
    println!(
        "heap={} rss={}",
        per(heap0 as u64, heap1 as u64),
        per(rss0, rss1)
    );
    drop(pairs);
}

fn wanted(args: &[String]) -> bool {
    let mut filters = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if VALUED.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            filters.push(a);
        }
    }
    filters.is_empty() || filters.iter().any(|f| GROUP.contains(f.as_str()))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, which] = args.as_slice() {
        if flag == "--measure" {
            measure(which);
            return;
        }
    }
    if args.iter().any(|a| a == "--profile-time" || a == "--list") || !wanted(&args) {
        return;
    }
    let exe = std::env::current_exe().expect("this binary");
    let mut rows = Vec::new();
    for which in ["sansrtc", "str0m"] {
        let out = Command::new(&exe)
            .args(["--measure", which])
            .output()
            .expect("the measuring child");
        assert!(out.status.success(), "{which}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |k: &str| -> u64 {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(k))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{which}: no {k} in {text:?}"))
        };
        let (heap, rss) = (field("heap="), field("rss="));
        println!(
            "{GROUP}/{which}: rust-heap {heap} B, rss {rss} B per peer connection \
             ({PAIRS} connected idle pairs)"
        );
        rows.push(format!(
            r#"{{"group":"{GROUP}","function":"{which}","param":"rust-heap","bytes":{heap}}}"#
        ));
        rows.push(format!(
            r#"{{"group":"{GROUP}","function":"{which}","param":"rss","bytes":{rss}}}"#
        ));
    }
    // <target>/<profile>/deps/memory-<hash>: the target dir is three up.
    let target = exe.ancestors().nth(3).expect("a target dir");
    let dir = target.join("sansrtc-bench");
    std::fs::create_dir_all(&dir).expect("the results dir");
    let json = format!("{{\"rows\":[\n{}\n]}}\n", rows.join(",\n"));
    std::fs::write(dir.join("memory.json"), json).expect("memory.json");
}
