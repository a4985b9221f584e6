//! Per-message cost of the STUN codec, beside its ceiling measured in the
//! same run: the HMAC-SHA1 and CRC-32 over the same bytes, which any
//! implementation must compute.
//!
//! `cargo bench -p sansrtc-stun --bench codec`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use sansrtc_stun::attributes::{
    IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use sansrtc_stun::{Message, MessageBuilder, MessageType, TransactionId};
use sha1::Sha1;

/// RFC 5769 §2.1: an ICE connectivity check with MESSAGE-INTEGRITY and FINGERPRINT.
const REQUEST: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";
const PASSWORD: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";

fn bench(c: &mut Criterion) {
    let wire = hex::decode(REQUEST).unwrap();
    let mut group = c.benchmark_group("stun");

    group.bench_function("parse+verify MI+FP (RFC 5769 2.1)", |b| {
        b.iter(|| {
            let msg = Message::parse(black_box(&wire)).unwrap();
            msg.verify_fingerprint().unwrap();
            msg.verify_integrity(PASSWORD).unwrap();
            black_box(msg.get::<Username<'_>>().unwrap());
        })
    });
    group.bench_function("ceiling: HMAC-SHA1 + CRC-32 over the same bytes", |b| {
        b.iter(|| {
            let w = black_box(&wire);
            let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(PASSWORD).unwrap();
            mac.update(&w[..w.len() - 32]);
            black_box(mac.finalize());
            black_box(crc32fast::hash(&w[..w.len() - 8]));
        })
    });
    group.bench_function("parse only (no crypto)", |b| {
        b.iter(|| black_box(Message::parse(black_box(&wire)).unwrap()))
    });

    let mut buf = Vec::with_capacity(256);
    group.bench_function("build ICE check with MI+FP", |b| {
        b.iter(|| {
            buf.clear();
            let mut m = MessageBuilder::new(
                &mut buf,
                MessageType::BINDING_REQUEST,
                TransactionId([7; 12]),
            );
            m.add(&Username("evtj:h6vY")).unwrap();
            m.add(&Priority(0x6e0001ff)).unwrap();
            m.add(&IceControlling(0x932ff9b151263b36)).unwrap();
            m.add(&UseCandidate).unwrap();
            m.add_message_integrity(PASSWORD).unwrap();
            m.add_fingerprint().unwrap();
            black_box(m.finish());
        })
    });
    let mut resp = Vec::with_capacity(128);
    group.bench_function("build Binding success (XOR-MAPPED-ADDRESS, MI, FP)", |b| {
        b.iter(|| {
            resp.clear();
            let mut m = MessageBuilder::new(
                &mut resp,
                MessageType::BINDING_SUCCESS,
                TransactionId([7; 12]),
            );
            m.add(&XorMappedAddress("192.0.2.1:32853".parse().unwrap()))
                .unwrap();
            m.add_message_integrity(PASSWORD).unwrap();
            m.add_fingerprint().unwrap();
            black_box(m.finish());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
