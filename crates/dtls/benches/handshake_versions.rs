//! CPU cost of one full handshake between two `DtlsEndpoint`s in memory,
//! DTLS 1.3 beside DTLS 1.2 in the same run: two fresh endpoints per
//! iteration (ECDSA P-256 identities made once, outside the timing loop),
//! mutual authentication, driven until both report `Connected`.
//!
//! - `dtls12`: `max_version` DTLS 1.2 (HelloVerifyRequest, ECDHE x25519);
//! - `dtls13-hybrid`: `min_version` DTLS 1.3, the default groups
//!   (X25519MLKEM768 chosen; the client also sends an x25519 share);
//! - `dtls13-x25519`: the same with `dtls13_groups` = [x25519] on both
//!   sides.
//!
//! `cargo bench -p sansrtc-dtls --bench handshake_versions`;
//! `SANSRTC_BENCH_CPU_TIME=1` measures the bench thread's CPU time
//! instead of wall-clock time (this machine is shared).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

#[path = "../../../benches/benches/support/cpu_time.rs"]
mod cpu_time;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::measurement::Measurement;
use criterion::Criterion;
use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{
    DtlsConfig, DtlsEndpoint, DtlsVersion, HashAlgorithm, Identity, KeyShareGroup, Output, Role,
};

fn identity() -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["bench".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

/// Moves every datagram `from` has to `to`.
fn pump(from: &mut DtlsEndpoint, to: &mut DtlsEndpoint, now: Instant) {
    loop {
        match from.poll_output() {
            Output::Transmit(d) => to.handle_receive(now, &d),
            Output::Event(_) => {}
            Output::Timeout(_) => return,
        }
    }
}

/// One handshake: two new endpoints configured by `tune`, run to `Connected`.
fn handshake(
    ids: &(Arc<Identity>, Arc<Identity>),
    seed: u64,
    tune: fn(&mut DtlsConfig),
) -> DtlsVersion {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let config = |me: &Arc<Identity>, peer: &Identity| {
        let mut c = DtlsConfig::new(me.clone());
        c.expected_fingerprints = vec![peer.fingerprint(HashAlgorithm::Sha256).unwrap()];
        tune(&mut c);
        c
    };
    let mut c = DtlsEndpoint::new(Role::Client, config(&ids.0, &ids.1), &mut rng).unwrap();
    let mut s = DtlsEndpoint::new(Role::Server, config(&ids.1, &ids.0), &mut rng).unwrap();
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    c.start(now);
    for _ in 0..8 {
        pump(&mut c, &mut s, now);
        pump(&mut s, &mut c, now);
        if c.is_connected() && s.is_connected() {
            return c.version().unwrap();
        }
    }
    panic!("no connection after 8 round trips");
}

/// A case: its name, how it configures both sides, the version it gets.
type Case = (&'static str, fn(&mut DtlsConfig), DtlsVersion);

fn dtls12(c: &mut DtlsConfig) {
    c.max_version = DtlsVersion::Dtls12;
}
fn dtls13_hybrid(c: &mut DtlsConfig) {
    c.min_version = DtlsVersion::Dtls13;
}
fn dtls13_x25519(c: &mut DtlsConfig) {
    c.min_version = DtlsVersion::Dtls13;
    c.dtls13_groups = vec![KeyShareGroup::X25519];
}

fn bench<M: Measurement>(c: &mut Criterion<M>) {
    let ids = (identity(), identity());
    let mut group = c.benchmark_group("dtls handshake");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    let cases: [Case; 3] = [
        ("dtls12", dtls12, DtlsVersion::Dtls12),
        ("dtls13-hybrid", dtls13_hybrid, DtlsVersion::Dtls13),
        ("dtls13-x25519", dtls13_x25519, DtlsVersion::Dtls13),
    ];
    for (name, tune, version) in cases {
        assert_eq!(handshake(&ids, 1, tune), version, "{name}");
        let mut seed = 1;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                black_box(handshake(&ids, seed, tune))
            })
        });
    }
    group.finish();
}

cpu_time::main_with_cpu_time!(bench);
