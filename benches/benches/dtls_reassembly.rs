//! DTLS handshake reassembly under an adversarial fragment order, beside
//! the same fragments in order, in one run: a server receives a
//! 16,000-byte ClientHello as 16,000 one-byte fragments, each twice, either
//! in order (each repeated at once) or reversed and interleaved (the odd
//! offsets from the end, again, then the even ones, twice). All of it
//! arrives before any cookie, so anyone can send it; the two should cost
//! about the same. `crates/dtls/tests/reassembly_cost.rs` asserts it.
//!
//! `cargo bench -p sansrtc-benches --bench dtls_reassembly`
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, HashAlgorithm, Identity, Output, Role};

/// The ClientHello body length.
const LEN: usize = 16_000;
/// One-byte fragments per datagram (13-byte record header + 13 bytes each).
const PER_DATAGRAM: usize = 91;

fn identity() -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["bench".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

/// A well-formed ClientHello body of `len` bytes (one suite,
/// extended_master_secret, and padding for the rest).
fn client_hello(len: usize) -> Vec<u8> {
    let mut b = vec![0xfe, 0xfd];
    b.extend_from_slice(&[7; 32]);
    b.extend_from_slice(&[0, 0, 0, 2, 0xc0, 0x2b, 1, 0]);
    let pad = len - b.len() - 2 - 4 - 4;
    b.extend_from_slice(&((8 + pad) as u16).to_be_bytes());
    b.extend_from_slice(&[0, 23, 0, 0, 0, 21]);
    b.extend_from_slice(&(pad as u16).to_be_bytes());
    b.resize(len, 0);
    b
}

/// Epoch-0 handshake records, one per datagram, carrying `body`'s bytes at
/// `offsets` as one-byte fragments of message_seq 0.
fn datagrams(body: &[u8], offsets: &[usize]) -> Vec<Vec<u8>> {
    let len = (body.len() as u32).to_be_bytes();
    offsets
        .chunks(PER_DATAGRAM)
        .enumerate()
        .map(|(seq, chunk)| {
            let mut d = vec![22, 0xfe, 0xfd, 0, 0, 0, 0];
            d.extend_from_slice(&(seq as u32).to_be_bytes());
            d.extend_from_slice(&((chunk.len() * 13) as u16).to_be_bytes());
            for &i in chunk {
                d.push(1);
                d.extend_from_slice(&len[1..]);
                d.extend_from_slice(&[0, 0]);
                d.extend_from_slice(&(i as u32).to_be_bytes()[1..]);
                d.extend_from_slice(&[0, 0, 1, body[i]]);
            }
            d
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (ours, peer) = (identity(), identity());
    let mut config = DtlsConfig::new(ours);
    config.expected_fingerprints = vec![peer.fingerprint(HashAlgorithm::Sha256).unwrap()];
    let body = client_hello(LEN);
    let in_order: Vec<usize> = (0..LEN).flat_map(|i| [i, i]).collect();
    let odd = (0..LEN).rev().filter(|i| i % 2 == 1);
    let even = (0..LEN).rev().filter(|i| i % 2 == 0);
    let adversarial: Vec<usize> = odd
        .clone()
        .chain(odd)
        .chain(even.clone())
        .chain(even)
        .collect();
    let mut group = c.benchmark_group("dtls_reassembly");
    group.sample_size(20);
    group.throughput(Throughput::Elements(2 * LEN as u64));
    for (name, order) in [("in-order", &in_order), ("adversarial", &adversarial)] {
        let wire = datagrams(&body, order);
        group.bench_function(format!("{} one-byte fragments, {name}", 2 * LEN), |b| {
            b.iter_batched(
                || {
                    let mut rng = ChaCha20Rng::seed_from_u64(1);
                    DtlsEndpoint::new(Role::Server, config.clone(), &mut rng).unwrap()
                },
                |mut server| {
                    let now = Instant::now();
                    for d in &wire {
                        server.handle_receive(now, d);
                        while !matches!(server.poll_output(), Output::Timeout(_)) {}
                    }
                    assert_eq!(server.stats().hello_verify_requests, 1);
                    server
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
