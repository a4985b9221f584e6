//! Cross-checks with libsrtp2, the reference implementation (the system
//! library, Debian `libsrtp2-dev`): for every profile and both directions,
//! a stream long enough to roll the 16-bit sequence number over, with loss
//! and reordering inside the replay window, two SSRCs, CSRCs and header
//! extensions; SRTCP likewise. Replays and tampered packets must be refused
//! by both implementations, and refusing them must not disturb the stream.

mod common;

use common::{lossy_reordered, master, rtcp_packet, rtp_packet, Prng};
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext, SrtpError};
use sansrtc_srtp_libsrtp2_ref::{Direction, LibSrtp, RefProfile};

const HEADROOM: usize = LibSrtp::PROTECT_HEADROOM;
/// Starting close to the wrap so that every stream rolls the sequence over.
const FIRST_SEQ: u16 = 63_500;
const PACKETS: usize = 4_000;

fn reference(p: Profile) -> RefProfile {
    match p {
        Profile::Aes128CmHmacSha1_80 => RefProfile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32 => RefProfile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm => RefProfile::AeadAes128Gcm,
        Profile::AeadAes256Gcm => RefProfile::AeadAes256Gcm,
        other => panic!("no libsrtp2 policy for {other:?}"),
    }
}

/// The plaintext stream: two SSRCs interleaved, varied header shapes and
/// payload sizes (0 to 1200 bytes).
fn rtp_stream(seed: u64) -> Vec<Vec<u8>> {
    let mut r = Prng(seed | 1);
    (0..PACKETS)
        .map(|i| {
            let ssrc = if i % 3 == 0 { 0x1111_2222 } else { 0xcafe_babe };
            let seq = FIRST_SEQ.wrapping_add((i / 3 * 3 + i % 3) as u16);
            let csrcs = (r.below(4) == 0) as u8 * r.below(3) as u8;
            let ext = (r.below(3) == 0) as u16 * (1 + r.below(3) as u16);
            let len = [0, 1, 160, 1200][r.below(4) as usize];
            rtp_packet(ssrc, seq, csrcs, ext, len, i as u8)
        })
        .collect()
}

fn ours(profile: Profile, key: &[u8], salt: &[u8]) -> SrtpContext {
    SrtpContext::new(profile, key, salt, SrtpConfig::default()).unwrap()
}

#[test]
fn sansrtc_protects_libsrtp2_unprotects_srtp() {
    for (n, profile) in Profile::ALL.into_iter().enumerate() {
        let (key, salt) = master(profile, 10 + n as u64);
        let mut tx = ours(profile, &key, &salt);
        let mut rx = LibSrtp::new(reference(profile), &key, &salt, Direction::Inbound, 64).unwrap();
        let plain = rtp_stream(n as u64);
        let protected: Vec<Vec<u8>> = plain
            .iter()
            .map(|p| {
                let mut q = p.clone();
                tx.protect_rtp(&mut q).unwrap();
                assert_eq!(q.len(), p.len() + profile.rtp_tag_len());
                q
            })
            .collect();
        assert!(
            tx.roc(0xcafe_babe) == Some(1),
            "{profile:?}: the stream rolled over"
        );
        let order = lossy_reordered(PACKETS, 5, 20, 7 + n as u64);
        let mut delivered = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            // Every 50th packet first arrives tampered (header, payload or
            // tag), which libsrtp2 must refuse without losing the stream.
            if k % 50 == 0 {
                let mut bad = protected[i].clone();
                let at = [1, 9, bad.len() / 2, bad.len() - 1][k / 50 % 4];
                bad[at] ^= 0x20;
                let e = rx.unprotect_rtp(&mut bad).unwrap_err();
                // A flipped tag bit is an authentication failure; elsewhere
                // the header may also stop parsing (extension length).
                if at == bad.len() - 1 {
                    assert!(e.is_auth_fail(), "{profile:?} packet {i} byte {at}: {e:?}");
                }
            }
            let mut q = protected[i].clone();
            let len = rx
                .unprotect_rtp(&mut q)
                .unwrap_or_else(|e| panic!("{profile:?}: libsrtp2 refused packet {i}: {e:?}"));
            assert_eq!(q[..len], plain[i][..], "{profile:?} packet {i}");
            delivered.push(i);
        }
        // Replays of recent packets are refused.
        for &i in delivered.iter().rev().take(30) {
            let mut q = protected[i].clone();
            let e = rx.unprotect_rtp(&mut q).unwrap_err();
            assert!(e.is_replay(), "{profile:?}: replay of {i} gave {e:?}");
        }
    }
}

#[test]
fn libsrtp2_protects_sansrtc_unprotects_srtp() {
    for (n, profile) in Profile::ALL.into_iter().enumerate() {
        let (key, salt) = master(profile, 20 + n as u64);
        let mut tx =
            LibSrtp::new(reference(profile), &key, &salt, Direction::Outbound, 64).unwrap();
        let mut rx = ours(profile, &key, &salt);
        let plain = rtp_stream(100 + n as u64);
        let protected: Vec<Vec<u8>> = plain
            .iter()
            .map(|p| {
                let mut q = p.clone();
                q.resize(p.len() + HEADROOM, 0);
                let len = tx.protect_rtp(&mut q, p.len()).unwrap();
                q.truncate(len);
                assert_eq!(len, p.len() + profile.rtp_tag_len());
                q
            })
            .collect();
        let order = lossy_reordered(PACKETS, 5, 20, 17 + n as u64);
        let mut delivered = Vec::new();
        let mut tampered = 0;
        for (k, &i) in order.iter().enumerate() {
            if k % 50 == 0 {
                let mut bad = protected[i].clone();
                let at = [1, 9, bad.len() / 2, bad.len() - 1][k / 50 % 4];
                bad[at] ^= 0x20;
                let e = rx.unprotect_rtp(&mut bad).unwrap_err();
                // A flipped tag bit is an authentication failure; elsewhere
                // the header may also stop parsing (extension length) or
                // the guessed index fall outside the window.
                if at == bad.len() - 1 {
                    assert_eq!(e, SrtpError::AuthenticationFailed, "{profile:?} packet {i}");
                }
                tampered += 1;
            }
            let mut q = protected[i].clone();
            rx.unprotect_rtp(&mut q)
                .unwrap_or_else(|e| panic!("{profile:?}: sansrtc refused packet {i}: {e:?}"));
            assert_eq!(q, plain[i], "{profile:?} packet {i}");
            delivered.push(i);
        }
        assert_eq!(
            rx.roc(0xcafe_babe),
            Some(1),
            "{profile:?}: ROC followed the wrap"
        );
        for &i in delivered.iter().rev().take(30) {
            let mut q = protected[i].clone();
            let e = rx.unprotect_rtp(&mut q).unwrap_err();
            assert!(
                matches!(e, SrtpError::Replayed { .. } | SrtpError::TooOld { .. }),
                "{profile:?}: replay of {i} gave {e:?}"
            );
        }
        let s = rx.stats();
        assert_eq!(s.rtp_unprotected, order.len() as u64);
        let rejected =
            s.auth_failures + s.too_old + s.replayed + s.malformed + s.stream_limit_drops;
        assert_eq!(
            rejected,
            tampered + 30,
            "{profile:?}: every refusal counted once"
        );
        assert!(s.replayed >= 1 && s.auth_failures >= tampered / 4);
    }
}

fn rtcp_stream(seed: u64) -> Vec<Vec<u8>> {
    let mut r = Prng(seed | 1);
    (0..600)
        .map(|i| {
            let ssrc = if i % 2 == 0 { 0x1111_2222 } else { 0xcafe_babe };
            rtcp_packet(ssrc, r.below(4) as u8, i as u8)
        })
        .collect()
}

#[test]
fn srtcp_both_directions() {
    for (n, profile) in Profile::ALL.into_iter().enumerate() {
        let (key, salt) = master(profile, 30 + n as u64);
        let plain = rtcp_stream(n as u64);
        let order = lossy_reordered(plain.len(), 5, 20, 27 + n as u64);

        // sansrtc -> libsrtp2
        let mut tx = ours(profile, &key, &salt);
        let mut rx = LibSrtp::new(reference(profile), &key, &salt, Direction::Inbound, 64).unwrap();
        let protected: Vec<Vec<u8>> = plain
            .iter()
            .map(|p| {
                let mut q = p.clone();
                tx.protect_rtcp(&mut q).unwrap();
                q
            })
            .collect();
        for (k, &i) in order.iter().enumerate() {
            if k % 25 == 0 {
                let mut bad = protected[i].clone();
                let at = [1, 9, bad.len() / 2, bad.len() - 1][k / 25 % 4];
                bad[at] ^= 0x04;
                assert!(
                    rx.unprotect_rtcp(&mut bad).is_err(),
                    "{profile:?} tampered {i}"
                );
            }
            let mut q = protected[i].clone();
            let len = rx
                .unprotect_rtcp(&mut q)
                .unwrap_or_else(|e| panic!("{profile:?}: libsrtp2 refused SRTCP {i}: {e:?}"));
            assert_eq!(q[..len], plain[i][..]);
        }
        let last = *order.last().unwrap();
        let mut q = protected[last].clone();
        assert!(rx.unprotect_rtcp(&mut q).unwrap_err().is_replay());

        // libsrtp2 -> sansrtc
        let mut tx =
            LibSrtp::new(reference(profile), &key, &salt, Direction::Outbound, 64).unwrap();
        let mut rx = ours(profile, &key, &salt);
        let protected: Vec<Vec<u8>> = plain
            .iter()
            .map(|p| {
                let mut q = p.clone();
                q.resize(p.len() + HEADROOM, 0);
                let len = tx.protect_rtcp(&mut q, p.len()).unwrap();
                q.truncate(len);
                assert_eq!(len, p.len() + profile.rtcp_overhead());
                q
            })
            .collect();
        for (k, &i) in order.iter().enumerate() {
            if k % 25 == 0 {
                let mut bad = protected[i].clone();
                let at = [1, 9, bad.len() / 2, bad.len() - 1][k / 25 % 4];
                bad[at] ^= 0x04;
                assert!(
                    rx.unprotect_rtcp(&mut bad).is_err(),
                    "{profile:?} tampered {i}"
                );
            }
            let mut q = protected[i].clone();
            rx.unprotect_rtcp(&mut q)
                .unwrap_or_else(|e| panic!("{profile:?}: sansrtc refused SRTCP {i}: {e:?}"));
            assert_eq!(q, plain[i]);
        }
        let mut q = protected[last].clone();
        assert!(matches!(
            rx.unprotect_rtcp(&mut q),
            Err(SrtpError::Replayed { .. })
        ));
    }
}
