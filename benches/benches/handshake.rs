//! Full connections (issue #19, row 3): per iteration two new peer
//! connections, a creates one data channel, offer/answer, then ICE
//! (host candidates, in memory), DTLS with ECDSA P-256 certificates,
//! SCTP and DCEP until the channel is open at both ends; then both are
//! dropped. sansrtc's `RtcPeerConnection` pair beside str0m 0.9's `Rtc`
//! pair (its OpenSSL backend, the features benches/Cargo.toml enables),
//! the same shape in the same run (`support/stack.rs`).
//!
//! Two groups: `handshake dtls1.2`, both sansrtc peers pinned to DTLS 1.2
//! (ECDHE x25519), the version str0m 0.9 negotiates, so the same protocol
//! work on both sides; and `handshake dtls1.3`, sansrtc's default (DTLS
//! 1.3 with X25519MLKEM768 key shares, about 1.5x the CPU of a 1.2
//! handshake: docs/dtls.md) against the same str0m DTLS 1.2 handshake,
//! measured again in that group.
//!
//! Two parameters, the same for both implementations:
//!
//! - `new-certs`: each peer connection generates its certificate, as both
//!   do by default (sansrtc: P-256 key and self-signed certificate with the
//!   `p256` and `rcgen` crates; str0m: OpenSSL's EC P-256);
//! - `given-certs`: certificates generated once before measuring and given
//!   to every peer connection (`RtcConfiguration::certificates`,
//!   `DtlsCertConfig::PregeneratedCert`): the connection alone.
//!
//! Throughput is one connection per iteration; the ratio is str0m's median
//! time over sansrtc's. `SANSRTC_BENCH_CPU_TIME=1` measures the bench
//! thread's CPU time ("connections per second of CPU").
#![allow(missing_docs)]

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/stack.rs"]
mod stack;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use stack::{our_certificate, their_certificate, OurDtls, Ours, StackPair, Theirs};

fn handshake<M: Measurement>(c: &mut Criterion<M>) {
    for dtls in OurDtls::ALL {
        handshake_group(c, dtls);
    }
}

/// One group: sansrtc negotiating `dtls`, str0m (always DTLS 1.2) beside it.
fn handshake_group<M: Measurement>(c: &mut Criterion<M>, dtls: OurDtls) {
    let mut group = c.benchmark_group(format!("handshake {}", dtls.group_suffix()));
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    for param in ["new-certs", "given-certs"] {
        let given = param == "given-certs";
        let ours_certs = [our_certificate(101), our_certificate(102)];
        let mut seed = 1000u64;
        // The version is the one asked for (checked once, untimed).
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut pair = Ours::new(seed, Some(ours_certs.clone()), now, dtls);
        pair.open("sansrtc");
        pair.assert_version(dtls);
        group.bench_function(BenchmarkId::new("sansrtc", param), |b| {
            b.iter(|| {
                seed += 2;
                let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
                let mut pair = Ours::new(seed, given.then(|| ours_certs.clone()), now, dtls);
                pair.open("sansrtc");
                black_box(pair.counts())
            })
        });
        let their_certs = [their_certificate(), their_certificate()];
        group.bench_function(BenchmarkId::new("str0m", param), |b| {
            b.iter(|| {
                let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
                let mut pair = Theirs::new(given.then(|| their_certs.clone()), now);
                pair.open("str0m");
                black_box(pair.counts())
            })
        });
    }
    group.finish();
}

cpu_time::main_with_cpu_time!(handshake);
