//! SRTP protect and unprotect, every profile, 160 B and 1200 B payloads:
//! sansrtc, libsrtp2 and webrtc-srtp, and the ceiling (the raw `ring`
//! AES-GCM seal/open, or AES-CTR + HMAC-SHA1, of the same bytes), all in
//! one run.
//!
//! Unprotect needs a fresh packet each time (replay windows are on, 64
//! packets, in every implementation): packets are protected in untimed
//! batches of 1024 and each timed call copies one into the work buffer
//! first; the ceiling's open does the same copy.
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::time::{Duration, Instant};

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};
use sansrtc_benches::{rtp_packet, CEILING, LIBSRTP2, OURS, PAYLOAD_SIZES, WEBRTC_SRTP};
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};
use sansrtc_srtp_libsrtp2_ref::{Direction, LibSrtp, RefProfile};
use sha1::Sha1;
use webrtc_srtp::context::Context as WebrtcContext;
use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
use webrtc_srtp::protection_profile::ProtectionProfile;

const SSRC: u32 = 0x1234_5678;
const BATCH: u64 = 1024;

fn name(p: Profile) -> &'static str {
    match p {
        Profile::Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        Profile::Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        Profile::AeadAes128Gcm => "AEAD_AES_128_GCM",
        Profile::AeadAes256Gcm => "AEAD_AES_256_GCM",
        _ => "unknown",
    }
}

fn ref_profile(p: Profile) -> RefProfile {
    match p {
        Profile::Aes128CmHmacSha1_80 => RefProfile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32 => RefProfile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm => RefProfile::AeadAes128Gcm,
        _ => RefProfile::AeadAes256Gcm,
    }
}

fn webrtc_profile(p: Profile) -> ProtectionProfile {
    match p {
        Profile::Aes128CmHmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        _ => ProtectionProfile::AeadAes256Gcm,
    }
}

fn keys(p: Profile) -> (Vec<u8>, Vec<u8>) {
    let key = (0..p.key_len() as u8).map(|i| i.wrapping_mul(7)).collect();
    let salt = (0..p.salt_len() as u8)
        .map(|i| i.wrapping_mul(13))
        .collect();
    (key, salt)
}

fn ours(p: Profile) -> SrtpContext {
    let (k, s) = keys(p);
    SrtpContext::new(p, &k, &s, SrtpConfig::default()).unwrap()
}

fn webrtc(p: Profile) -> WebrtcContext {
    let (k, s) = keys(p);
    WebrtcContext::new(
        &k,
        &s,
        webrtc_profile(p),
        Some(srtp_replay_protection(64)),
        Some(srtcp_replay_protection(64)),
    )
    .unwrap()
}

fn libsrtp(p: Profile, d: Direction) -> LibSrtp {
    let (k, s) = keys(p);
    LibSrtp::new(ref_profile(p), &k, &s, d, 64).unwrap()
}

fn set_seq(buf: &mut [u8], seq: u16) {
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
}

/// The raw primitives of a profile, keyed once, as a ceiling (unboxed,
/// like sansrtc's own transform).
#[allow(clippy::large_enum_variant)]
enum Raw {
    Gcm(LessSafeKey, [u8; 12]),
    Cm(aes::Aes128, Hmac<Sha1>, usize),
}

impl Raw {
    fn new(p: Profile) -> Raw {
        if p.is_aead() {
            let alg = if p.key_len() == 32 {
                &AES_256_GCM
            } else {
                &AES_128_GCM
            };
            Raw::Gcm(
                LessSafeKey::new(UnboundKey::new(alg, &vec![7; p.key_len()]).unwrap()),
                [9; 12],
            )
        } else {
            Raw::Cm(
                aes::Aes128::new(&[7u8; 16].into()),
                <Hmac<Sha1> as Mac>::new_from_slice(&[5; 20]).unwrap(),
                p.rtp_tag_len(),
            )
        }
    }

    /// Encrypt + tag `buf[12..len]`, header as AAD / in the MAC; the tag
    /// goes to `buf[len..]`. Returns the tag length.
    fn seal(&self, buf: &mut [u8], len: usize, seq: u16) -> usize {
        match self {
            Raw::Gcm(key, iv) => {
                let mut n = *iv;
                n[11] ^= seq as u8;
                let (h, rest) = buf.split_at_mut(12);
                let (payload, tail) = rest.split_at_mut(len - 12);
                let tag = key
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(n),
                        Aad::from(&*h),
                        payload,
                    )
                    .unwrap();
                tail[..16].copy_from_slice(tag.as_ref());
                16
            }
            Raw::Cm(aes, mac, tag_len) => {
                let mut iv = [3u8; 16];
                iv[13] = seq as u8;
                let core = ctr::CtrCore::<aes::Aes128, ctr::flavors::Ctr128BE>::inner_iv_init(
                    aes.clone(),
                    &iv.into(),
                );
                ctr::Ctr128BE::from_core(core).apply_keystream(&mut buf[12..len]);
                let mut m = mac.clone();
                m.update(&buf[..len]);
                m.update(&[0, 0, 0, 0]);
                let t = m.finalize().into_bytes();
                buf[len..len + tag_len].copy_from_slice(&t[..*tag_len]);
                *tag_len
            }
        }
    }

    /// Verify + decrypt what `seal` made (`buf` = packet and tag).
    fn open(&self, buf: &mut [u8], seq: u16) -> bool {
        match self {
            Raw::Gcm(key, iv) => {
                let mut n = *iv;
                n[11] ^= seq as u8;
                let (h, rest) = buf.split_at_mut(12);
                key.open_in_place(Nonce::assume_unique_for_key(n), Aad::from(&*h), rest)
                    .is_ok()
            }
            Raw::Cm(aes, mac, tag_len) => {
                let len = buf.len() - tag_len;
                let mut m = mac.clone();
                m.update(&buf[..len]);
                m.update(&[0, 0, 0, 0]);
                if m.verify_truncated_left(&buf[len..]).is_err() {
                    return false;
                }
                let mut iv = [3u8; 16];
                iv[13] = seq as u8;
                let core = ctr::CtrCore::<aes::Aes128, ctr::flavors::Ctr128BE>::inner_iv_init(
                    aes.clone(),
                    &iv.into(),
                );
                ctr::Ctr128BE::from_core(core).apply_keystream(&mut buf[12..len]);
                true
            }
        }
    }
}

fn protect(c: &mut Criterion) {
    for p in Profile::ALL {
        let mut g = c.benchmark_group(format!("srtp protect {}", name(p)));
        for size in PAYLOAD_SIZES {
            g.throughput(Throughput::Bytes(size as u64));
            let plain = rtp_packet(SSRC, 0, size);
            let len = plain.len();

            let mut ctx = ours(p);
            let mut buf = plain.clone();
            buf.resize(len + 64, 0);
            let mut seq = 0u16;
            g.bench_function(BenchmarkId::new(OURS, size), |b| {
                b.iter(|| {
                    seq = seq.wrapping_add(1);
                    set_seq(&mut buf, seq);
                    black_box(ctx.protect_rtp_in_place(&mut buf, len).unwrap())
                })
            });

            let mut lib = libsrtp(p, Direction::Outbound);
            let mut buf = plain.clone();
            buf.resize(len + LibSrtp::PROTECT_HEADROOM, 0);
            let mut seq = 0u16;
            g.bench_function(BenchmarkId::new(LIBSRTP2, size), |b| {
                b.iter(|| {
                    seq = seq.wrapping_add(1);
                    set_seq(&mut buf, seq);
                    black_box(lib.protect_rtp(&mut buf, len).unwrap())
                })
            });

            let mut w = webrtc(p);
            let mut pkt = plain.clone();
            let mut seq = 0u16;
            g.bench_function(BenchmarkId::new(WEBRTC_SRTP, size), |b| {
                b.iter(|| {
                    seq = seq.wrapping_add(1);
                    set_seq(&mut pkt, seq);
                    black_box(w.encrypt_rtp(&pkt).unwrap())
                })
            });

            let raw = Raw::new(p);
            let mut buf = plain.clone();
            buf.resize(len + 64, 0);
            let mut seq = 0u16;
            g.bench_function(BenchmarkId::new(CEILING, size), |b| {
                b.iter(|| {
                    seq = seq.wrapping_add(1);
                    black_box(raw.seal(&mut buf, len, seq))
                })
            });
        }
        g.finish();
    }
}

/// Times `open(packet, work_buffer)` over fresh packets from `next()`,
/// produced in untimed batches.
fn timed_batches(
    iters: u64,
    mut next: impl FnMut() -> Vec<u8>,
    mut open: impl FnMut(&[u8], &mut [u8]),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    let mut work = vec![0u8; 2048];
    while done < iters {
        let n = BATCH.min(iters - done);
        let batch: Vec<Vec<u8>> = (0..n).map(|_| next()).collect();
        let start = Instant::now();
        for pkt in &batch {
            open(pkt, &mut work);
        }
        total += start.elapsed();
        done += n;
    }
    total
}

fn unprotect(c: &mut Criterion) {
    for p in Profile::ALL {
        let mut g = c.benchmark_group(format!("srtp unprotect {}", name(p)));
        for size in PAYLOAD_SIZES {
            g.throughput(Throughput::Bytes(size as u64));
            let plain = rtp_packet(SSRC, 0, size);
            let len = plain.len();

            // One sender per implementation, so each receiver sees a
            // stream in order with its own sequence.
            let mut tx = ours(p);
            let mut rx = ours(p);
            let mut seq = 0u16;
            let mut src = plain.clone();
            g.bench_function(BenchmarkId::new(OURS, size), |b| {
                b.iter_custom(|iters| {
                    timed_batches(
                        iters,
                        || {
                            seq = seq.wrapping_add(1);
                            set_seq(&mut src, seq);
                            let mut q = src.clone();
                            tx.protect_rtp(&mut q).unwrap();
                            q
                        },
                        |pkt, work| {
                            let w = &mut work[..pkt.len()];
                            w.copy_from_slice(pkt);
                            black_box(rx.unprotect_rtp_in_place(w).unwrap());
                        },
                    )
                })
            });

            let mut ltx = libsrtp(p, Direction::Outbound);
            let mut lrx = libsrtp(p, Direction::Inbound);
            let mut seq = 0u16;
            let mut src = plain.clone();
            src.resize(len + LibSrtp::PROTECT_HEADROOM, 0);
            g.bench_function(BenchmarkId::new(LIBSRTP2, size), |b| {
                b.iter_custom(|iters| {
                    timed_batches(
                        iters,
                        || {
                            seq = seq.wrapping_add(1);
                            let mut q = src.clone();
                            set_seq(&mut q, seq);
                            let n = ltx.protect_rtp(&mut q, len).unwrap();
                            q.truncate(n);
                            q
                        },
                        |pkt, work| {
                            let w = &mut work[..pkt.len()];
                            w.copy_from_slice(pkt);
                            black_box(lrx.unprotect_rtp(w).unwrap());
                        },
                    )
                })
            });

            let mut wtx = webrtc(p);
            let mut wrx = webrtc(p);
            let mut seq = 0u16;
            let mut src = plain.clone();
            g.bench_function(BenchmarkId::new(WEBRTC_SRTP, size), |b| {
                b.iter_custom(|iters| {
                    timed_batches(
                        iters,
                        || {
                            seq = seq.wrapping_add(1);
                            set_seq(&mut src, seq);
                            wtx.encrypt_rtp(&src).unwrap().to_vec()
                        },
                        |pkt, work| {
                            // webrtc-srtp's API takes a slice and returns
                            // new Bytes; the copy keeps the work the same.
                            let w = &mut work[..pkt.len()];
                            w.copy_from_slice(pkt);
                            black_box(wrx.decrypt_rtp(w).unwrap());
                        },
                    )
                })
            });

            let raw = Raw::new(p);
            let mut seq = 0u16;
            g.bench_function(BenchmarkId::new(CEILING, size), |b| {
                b.iter_custom(|iters| {
                    timed_batches(
                        iters,
                        || {
                            seq = seq.wrapping_add(1);
                            let mut q = plain.clone();
                            set_seq(&mut q, seq);
                            q.resize(len + 64, 0);
                            let t = raw.seal(&mut q, len, seq);
                            q.truncate(len + t);
                            q
                        },
                        |pkt, work| {
                            let w = &mut work[..pkt.len()];
                            w.copy_from_slice(pkt);
                            let s = u16::from_be_bytes([w[2], w[3]]);
                            assert!(black_box(raw.open(w, s)));
                        },
                    )
                })
            });
        }
        g.finish();
    }
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
    targets = protect, unprotect
}
criterion_main!(benches);
