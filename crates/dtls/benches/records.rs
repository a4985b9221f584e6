//! Per-record cost of application data through two connected endpoints
//! (protect, frame, parse, replay check, unprotect), beside its ceiling
//! measured in the same run: ring's AES-128-GCM seal + open of the same
//! bytes, which any implementation must compute.
//!
//! `cargo bench -p sansrtc-dtls --bench records`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand_chacha::rand_core::SeedableRng;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, HashAlgorithm, Identity, Output, Role};

fn identity() -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["bench".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

fn pump(from: &mut DtlsEndpoint, to: &mut DtlsEndpoint, now: Instant) -> usize {
    let mut delivered = 0;
    loop {
        match from.poll_output() {
            Output::Transmit(d) => to.handle_receive(now, &d),
            Output::Event(DtlsEvent::ApplicationData(d)) => delivered += d.len(),
            Output::Event(_) => {}
            Output::Timeout(_) => return delivered,
        }
    }
}

fn connected_pair(ids: &(Arc<Identity>, Arc<Identity>)) -> (DtlsEndpoint, DtlsEndpoint, Instant) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let expecting = |me: &Arc<Identity>, peer: &Identity| {
        let mut config = DtlsConfig::new(me.clone());
        config.expected_fingerprints = vec![peer.fingerprint(HashAlgorithm::Sha256).unwrap()];
        config
    };
    let mut c = DtlsEndpoint::new(Role::Client, expecting(&ids.0, &ids.1), &mut rng).unwrap();
    let mut s = DtlsEndpoint::new(Role::Server, expecting(&ids.1, &ids.0), &mut rng).unwrap();
    let now = Instant::now();
    c.start(now);
    for _ in 0..4 {
        pump(&mut c, &mut s, now);
        pump(&mut s, &mut c, now);
    }
    assert!(c.is_connected() && s.is_connected());
    (c, s, now)
}

fn bench(c: &mut Criterion) {
    let payload = vec![0x5au8; 1100];
    let mut group = c.benchmark_group("dtls");
    let ids = (identity(), identity());
    let (mut client, mut server, now) = connected_pair(&ids);
    group.bench_function("1100-byte record: send + receive (AES-128-GCM)", |b| {
        b.iter(|| {
            client.send_application_data(black_box(&payload)).unwrap();
            let Output::Transmit(d) = client.poll_output() else {
                panic!()
            };
            server.handle_receive(now, &d);
            let Output::Event(DtlsEvent::ApplicationData(got)) = server.poll_output() else {
                panic!()
            };
            black_box(got);
        })
    });
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &[7; 16]).unwrap());
    let mut seq = 0u64;
    group.bench_function("ceiling: ring AES-128-GCM seal + open of 1100 bytes", |b| {
        b.iter(|| {
            seq += 1;
            let mut n = [0u8; 12];
            n[4..].copy_from_slice(&seq.to_be_bytes());
            let mut buf = black_box(&payload).clone();
            key.seal_in_place_append_tag(
                Nonce::assume_unique_for_key(n),
                Aad::from([0u8; 13]),
                &mut buf,
            )
            .unwrap();
            let plain = key
                .open_in_place(
                    Nonce::assume_unique_for_key(n),
                    Aad::from([0u8; 13]),
                    &mut buf,
                )
                .unwrap();
            black_box(plain.len());
        })
    });
    group.sample_size(20);
    group.bench_function(
        "full handshake in memory (HVR, mutual ECDSA, X25519)",
        |b| b.iter(|| black_box(connected_pair(&ids))),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
