//! SCTP reassembly under adversarial fragment orders, beside the same
//! fragments in order, in one run: one of our associations receives one
//! ordered message as 16 000 one-byte DATA fragments (as many as the
//! default 1 MiB receive window holds), packed 58 to a packet, from a
//! hand-built peer (`crates/sctp/tests/common/raw_peer.rs`):
//!
//! - `in-order`;
//! - `end-first-backwards`: END first, then the rest backwards (a
//!   reassembly that walks to the END on every insert is quadratic here);
//! - `both-ends-inwards`: first, last, second, second to last…;
//! - `every-16th-then-backwards`: 1000 pieces first (the receiver keeps at
//!   most 1024 disjoint TSN ranges), then the rest backwards, each joining
//!   two pieces — and its baseline `every-16th-then-in-order`, the same
//!   holes filled forwards.
//!
//! `crates/sctp/tests/reassembly_cost.rs` asserts the ratios (at most 3×
//! their baseline) in the test build; `docs/sctp.md` has this bench's.
//!
//! `cargo bench -p sansrtc-benches --bench sctp_reassembly`; with
//! `SANSRTC_BENCH_CPU_TIME=1` the samples are the bench thread's CPU time
//! (`support/cpu_time.rs`).
#![allow(missing_docs)]

use criterion::measurement::Measurement;
use criterion::{BatchSize, Criterion, Throughput};
use sansrtc_sctp::SctpConfig;

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[allow(dead_code)]
#[path = "../../crates/sctp/tests/common/raw_peer.rs"]
mod raw_peer;

use raw_peer::{data, PeerShape, RawPeer, INITIAL_TSN};

const FRAGMENTS: u32 = 16_000;

/// The DATA chunks of one ordered message of `FRAGMENTS` one-byte
/// fragments, by index.
fn message() -> Vec<Vec<u8>> {
    (0..FRAGMENTS)
        .map(|i| {
            let mut flags = 0;
            if i == 0 {
                flags |= 2; // BEGIN
            }
            if i == FRAGMENTS - 1 {
                flags |= 1; // END
            }
            data(INITIAL_TSN + i, 1, 0, flags, &[i as u8])
        })
        .collect()
}

/// The orders, by name.
fn orders() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let chunks = message();
    let n = chunks.len();
    let reverse = chunks.iter().rev().cloned().collect();
    let outside_in = (0..n)
        .map(|i| if i % 2 == 0 { i / 2 } else { n - 1 - i / 2 })
        .map(|i| chunks[i].clone())
        .collect();
    let anchors = chunks.iter().step_by(16).cloned();
    let rest = || chunks.iter().enumerate().filter(|(i, _)| i % 16 != 0);
    let forwards = anchors.clone().chain(rest().map(|(_, c)| c.clone()));
    let backwards = anchors.chain(rest().rev().map(|(_, c)| c.clone()));
    vec![
        ("in-order", chunks.clone()),
        ("end-first-backwards", reverse),
        ("both-ends-inwards", outside_in),
        ("every-16th-then-in-order", forwards.collect()),
        ("every-16th-then-backwards", backwards.collect()),
    ]
}

fn reassembly<M: Measurement>(c: &mut Criterion<M>) {
    let mut group = c.benchmark_group("sctp_reassembly");
    group.sample_size(30);
    group.throughput(Throughput::Elements(u64::from(FRAGMENTS)));
    for (name, chunks) in orders() {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let peer = RawPeer::establish(SctpConfig::default(), PeerShape::default());
                    let packets = peer.packets(&chunks);
                    (peer, packets)
                },
                |(mut peer, packets)| {
                    for p in &packets {
                        peer.feed(p);
                    }
                    let read = peer.read();
                    assert!(read.len() == 1 && read[0].data.len() == FRAGMENTS as usize);
                    peer
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

cpu_time::main_with_cpu_time!(reassembly);
