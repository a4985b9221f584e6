//! RFC 7983 demultiplexing of a realistic mixed batch against a bare
//! first-byte `match` (the ceiling), and RTP header parsing (fixed header,
//! CSRCs, one- and two-byte extensions) against the `rtp` crate's
//! `Header::unmarshal`, in one run.
//!
//! Both parsers are asked for the same things: the fixed fields, every
//! CSRC and every extension element.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sansrtc_benches::{rtp_packet, CEILING, OURS, RTP_CRATE};
use sansrtc_rtp::{classify, PacketKind, RtpHeader};
use webrtc_util::marshal::Unmarshal;

/// 1024 datagrams as a media-heavy call sees them: 80 % RTP, 8 % RTCP,
/// 6 % STUN, 4 % DTLS, 1 % TURN ChannelData, 1 % garbage, in a fixed
/// pseudo-random order.
fn mixed_batch() -> Vec<Vec<u8>> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..1024)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let r = x % 100;
            let mut d = match r {
                0..=79 => rtp_packet(1, i as u16, 160 + (x % 1000) as usize),
                80..=87 => vec![0x81, 201, 0, 7],
                88..=93 => vec![0x00, 0x01, 0x00, 0x50],
                94..=97 => vec![23, 0xfe, 0xfd, 0],
                98 => vec![0x40, 0x00, 0x00, 0x10],
                _ => vec![0xc3, 0x00],
            };
            d.resize(d.len().max(20), 0);
            d
        })
        .collect()
}

/// The ceiling: the bare `match` on the first byte (and, for 128–191, the
/// second), inlined, with no function boundary.
#[inline(always)]
fn bare_match(d: &[u8]) -> PacketKind {
    match d[0] {
        0..=3 => PacketKind::Stun,
        16..=19 => PacketKind::Zrtp,
        20..=63 => PacketKind::Dtls,
        64..=79 => PacketKind::TurnChannelData,
        128..=191 => match d[1] & 0x7f {
            64..=95 => PacketKind::Rtcp,
            _ => PacketKind::Rtp,
        },
        _ => PacketKind::Unknown,
    }
}

fn demux(c: &mut Criterion) {
    let batch = mixed_batch();
    let mut g = c.benchmark_group("demux rfc7983");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function(BenchmarkId::new(OURS, "mixed-1024"), |b| {
        b.iter(|| {
            let mut counts = [0u32; 7];
            for d in black_box(&batch) {
                counts[classify(d) as usize] += 1;
            }
            counts
        })
    });
    g.bench_function(BenchmarkId::new(CEILING, "mixed-1024"), |b| {
        b.iter(|| {
            let mut counts = [0u32; 7];
            for d in black_box(&batch) {
                counts[bare_match(d) as usize] += 1;
            }
            counts
        })
    });
    g.finish();
}

/// Packet shapes: fixed header; 2 CSRCs; one-byte extensions (3
/// elements); two-byte extensions (2 elements). 160-byte payloads.
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let fixed = rtp_packet(7, 1, 160);
    let mut csrc = vec![0x82];
    csrc.extend_from_slice(&fixed[1..12]);
    csrc.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]);
    csrc.extend_from_slice(&fixed[12..]);
    let mut one = vec![0x90];
    one.extend_from_slice(&fixed[1..12]);
    one.extend_from_slice(&[
        0xbe, 0xde, 0, 3, 0x10, 0x2a, 0x21, 1, 2, 0x33, 1, 2, 3, 4, 0, 0,
    ]);
    one.extend_from_slice(&fixed[12..]);
    let mut two = vec![0x90];
    two.extend_from_slice(&fixed[1..12]);
    two.extend_from_slice(&[0x10, 0x00, 0, 2, 1, 2, 0xaa, 0xbb, 2, 1, 0xcc, 0]);
    two.extend_from_slice(&fixed[12..]);
    vec![
        ("fixed", fixed),
        ("csrc-2", csrc),
        ("ext-one-byte", one),
        ("ext-two-byte", two),
    ]
}

fn rtp_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("rtp header parse");
    g.throughput(Throughput::Elements(1));
    for (shape, pkt) in shapes() {
        g.bench_function(BenchmarkId::new(OURS, shape), |b| {
            b.iter(|| {
                let h = RtpHeader::parse(black_box(&pkt)).unwrap();
                let mut acc = u64::from(h.ssrc()) ^ u64::from(h.timestamp());
                acc ^= u64::from(h.sequence_number())
                    ^ u64::from(h.payload_type())
                    ^ u64::from(h.marker());
                for c in h.csrcs() {
                    acc ^= u64::from(c);
                }
                for e in h.extensions() {
                    let e = e.unwrap();
                    acc ^= u64::from(e.id) ^ e.data.len() as u64;
                }
                acc ^ h.payload().len() as u64
            })
        });
        g.bench_function(BenchmarkId::new(RTP_CRATE, shape), |b| {
            b.iter(|| {
                let mut buf: &[u8] = black_box(&pkt);
                let h = rtp::header::Header::unmarshal(&mut buf).unwrap();
                let mut acc = u64::from(h.ssrc) ^ u64::from(h.timestamp);
                acc ^=
                    u64::from(h.sequence_number) ^ u64::from(h.payload_type) ^ u64::from(h.marker);
                for c in &h.csrc {
                    acc ^= u64::from(*c);
                }
                for e in &h.extensions {
                    acc ^= u64::from(e.id) ^ e.payload.len() as u64;
                }
                acc ^ buf.len() as u64
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = demux, rtp_parse
}
criterion_main!(benches);
