//! Scale (issue #19, row 5): 1,000 and 10,000 connected, idle peer
//! connections in one process, then 1 % of 10,000 active: the CPU cost of
//! a polling round, shown to grow with the active connections and not
//! with all of them, and the total heap.
//!
//! The harness (`support/fleet.rs`): `N` server-side `RtcPeerConnection`s
//! sharing one address and one certificate, each connected to its own
//! client peer connection over in-memory wires on a simulated clock,
//! driven by the loop of `sansrtc-mio`'s server without its sockets (one
//! timer heap with lazy invalidation, routing by address, a turn touches
//! only machines with a datagram or a due timer). Built once per `N`
//! before measuring (outside the timing): one pair added every
//! [`SETUP_SPAN`]` / N` of simulated time with given certificates, then
//! [`IDLE`] of simulated time idle (ICE consent checks, every 5 s ± 20 %
//! per peer connection, are the idle timers).
//!
//! Four figures per `N`:
//!
//! - `scale round` (criterion): one polling round: the same [`ACTIVE`]
//!   pairs (spread over the fleet) each have their client send one
//!   [`MESSAGE_LEN`]-byte message, which the server receives and echoes and
//!   the client receives; then [`SLICE`] of simulated time passes and
//!   whatever timers of any connection fall due in it fire. Both sides'
//!   work is in the figure. `cargo xtask bench` checks the round at 10,000
//!   total against the round at 1,000 (at most 1.5×).
//! - `scale messages` (criterion): the same round with the clock held
//!   still, so no timer falls due: the active connections' work alone,
//!   with `N` idle ones beside them.
//! - `scale idle` (criterion): [`IDLE_SLICE`] of simulated time with no
//!   message: the timer work of idle connections alone, which does grow
//!   with `N` (every connection checks consent); its throughput is
//!   connection-seconds of idle, so equal figures at both `N` mean a
//!   constant cost per idle connection.
//! - heap: live bytes (the `cap` crate's counting `#[global_allocator]`)
//!   grown while building and idling the fleet, in total and per peer
//!   connection (both sides and the loop's tables, over `2 N`), written to
//!   `<target>/sansrtc-bench/scale.json` for `cargo xtask bench`.
//!
//! `--test` (criterion's test mode) uses small fleets ([`TEST_TOTALS`]).
//! `SANSRTC_BENCH_CPU_TIME=1` measures the bench thread's CPU time.
#![allow(missing_docs)]

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/fleet.rs"]
mod fleet;
#[path = "support/stack.rs"]
mod stack;

use std::time::{Duration, Instant};

use cap::Cap;
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use fleet::Fleet;
use stack::our_certificate;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// Total pairs of the two fleets.
const TOTALS: [usize; 2] = [1_000, 10_000];
/// Total pairs in criterion's test mode.
const TEST_TOTALS: [usize; 2] = [20, 200];
/// Active pairs per round (1 % of 10,000; the same count at 1,000).
const ACTIVE: usize = 100;
/// Active pairs per round in test mode.
const TEST_ACTIVE: usize = 10;
/// Simulated time over which the pairs of a fleet are added.
const SETUP_SPAN: Duration = Duration::from_secs(5);
/// Simulated idle time after every channel is open.
const IDLE: Duration = Duration::from_secs(10);
/// Simulated time one polling round covers.
const SLICE: Duration = Duration::from_millis(1);
/// Simulated time of one `scale idle` iteration.
const IDLE_SLICE: Duration = Duration::from_secs(1);
/// Bytes of each round's message.
const MESSAGE_LEN: usize = 256;

/// Whether criterion runs in test mode (each bench once).
fn test_mode() -> bool {
    std::env::args().any(|a| a == "--test" || a == "--list")
}

/// One heap figure for `scale.json`.
fn heap_row(group: &str, param: usize, bytes: u64, unit: &str) -> String {
    format!(
        r#"{{"group":"{group}","function":"sansrtc","param":"{param}","bytes":{bytes},"unit":"{unit}"}}"#
    )
}

/// Builds the fleet of `n` pairs and lets it idle; returns it with the
/// heap it grew.
fn build(n: usize, certs: &[std::sync::Arc<sansrtc::RtcCertificate>; 2]) -> (Fleet, u64) {
    let before = ALLOCATOR.allocated();
    let wall = Instant::now(); // sansio-allow: bench progress line
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    let mut fleet = Fleet::connected(n, SETUP_SPAN / n as u32, certs, now);
    let until = fleet.now() + IDLE;
    fleet.run_until(until);
    let heap = ALLOCATOR.allocated().saturating_sub(before) as u64;
    let c = fleet.counts();
    println!(
        "scale: {n} pairs connected and idle in {:.1} s: heap {:.1} MiB, {} B per peer \
         connection; {} timers fired, {} datagrams",
        wall.elapsed().as_secs_f64(),
        heap as f64 / (1 << 20) as f64,
        heap / (2 * n as u64),
        c.timers_fired,
        c.datagrams
    );
    (fleet, heap)
}

fn scale<M: Measurement>(c: &mut Criterion<M>) {
    let test = test_mode();
    let (totals, active_count) = if test {
        (TEST_TOTALS, TEST_ACTIVE)
    } else {
        (TOTALS, ACTIVE)
    };
    let certs = [our_certificate(1), our_certificate(2)];
    let message = vec![0x5a; MESSAGE_LEN];
    // Lazily initialised statics (ring's CPU features, tables) are not per
    // connection: one pair first, dropped.
    drop(build(1, &certs));
    let mut rows = Vec::new();
    for n in totals {
        let (mut fleet, heap) = build(n, &certs);
        rows.push(heap_row("scale heap", n, heap, "total"));
        rows.push(heap_row(
            "scale heap per connection",
            n,
            heap / (2 * n as u64),
            "per-pc",
        ));
        let active: Vec<usize> = (0..active_count).map(|i| i * (n / active_count)).collect();

        let start = fleet.counts();
        let mut group = c.benchmark_group("scale round");
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(20);
        group.throughput(Throughput::Elements(active_count as u64));
        group.bench_function(BenchmarkId::new("sansrtc", n), |b| {
            b.iter(|| fleet.round(&active, &message, SLICE))
        });
        group.finish();
        let end = fleet.counts();
        let rounds = (end.client_messages - start.client_messages) / active_count as u64;
        assert_eq!(
            end.server_messages - start.server_messages,
            rounds * active_count as u64,
            "every message echoed"
        );
        if rounds > 0 {
            println!(
                "scale: {n} pairs: {rounds} rounds, {:.2} timers fired and {:.1} datagrams per round",
                (end.timers_fired - start.timers_fired) as f64 / rounds as f64,
                (end.datagrams - start.datagrams) as f64 / rounds as f64
            );
        }

        let start = fleet.counts();
        let heap_before = ALLOCATOR.allocated();
        let mut group = c.benchmark_group("scale messages");
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(20);
        group.throughput(Throughput::Elements(active_count as u64));
        group.bench_function(BenchmarkId::new("sansrtc", n), |b| {
            b.iter(|| fleet.round(&active, &message, Duration::ZERO))
        });
        group.finish();
        let end = fleet.counts();
        let rounds = (end.client_messages - start.client_messages) / active_count as u64;
        if rounds > 0 {
            println!(
                "scale: {n} pairs, clock held: {rounds} rounds, {:.2} timers fired and {:.1} \
                 datagrams per round, heap {:+} B",
                (end.timers_fired - start.timers_fired) as f64 / rounds as f64,
                (end.datagrams - start.datagrams) as f64 / rounds as f64,
                ALLOCATOR.allocated() as i64 - heap_before as i64
            );
        }

        let start = fleet.counts();
        let mut group = c.benchmark_group("scale idle");
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(10);
        // Connection-seconds of idle per iteration.
        group.throughput(Throughput::Elements(n as u64 * IDLE_SLICE.as_secs()));
        group.bench_function(BenchmarkId::new("sansrtc", n), |b| {
            b.iter(|| {
                let until = fleet.now() + IDLE_SLICE;
                fleet.run_until(until)
            })
        });
        group.finish();
        let end = fleet.counts();
        println!(
            "scale: {n} pairs idle: {} timers fired, {} datagrams",
            end.timers_fired - start.timers_fired,
            end.datagrams - start.datagrams
        );
        drop(fleet);
    }
    if test {
        return;
    }
    // <target>/<profile>/deps/scale-<hash>: the target dir is three up.
    let exe = std::env::current_exe().expect("this binary");
    let dir = exe
        .ancestors()
        .nth(3)
        .expect("a target dir")
        .join("sansrtc-bench");
    std::fs::create_dir_all(&dir).expect("the results dir");
    let json = format!("{{\"rows\":[\n{}\n]}}\n", rows.join(",\n"));
    std::fs::write(dir.join("scale.json"), json).expect("scale.json");
}

cpu_time::main_with_cpu_time!(scale);
