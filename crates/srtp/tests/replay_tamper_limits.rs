//! sansrtc-srtp on its own: replay windows (default 64, up to 1024 and
//! more), ROC across many wraps, tampering anywhere, every malformed input,
//! the SSRC bound, configuration errors, counters and determinism.

mod common;

use common::{master, rtcp_packet, rtp_packet};
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext, SrtpError, MAX_REPLAY_WINDOW};

fn pair(profile: Profile, config: SrtpConfig) -> (SrtpContext, SrtpContext) {
    let (k, s) = master(profile, 99);
    (
        SrtpContext::new(profile, &k, &s, config).unwrap(),
        SrtpContext::new(profile, &k, &s, config).unwrap(),
    )
}

fn protect(tx: &mut SrtpContext, seq: u16) -> Vec<u8> {
    let mut p = rtp_packet(5, seq, 0, 0, 40, seq as u8);
    tx.protect_rtp(&mut p).unwrap();
    p
}

#[test]
fn replay_window_default_64() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile, SrtpConfig::default());
        let pkts: Vec<Vec<u8>> = (0..200).map(|s| protect(&mut tx, s)).collect();
        let mut p = pkts[100].clone();
        rx.unprotect_rtp(&mut p).unwrap();
        // 37..=99 are inside the 64-packet window below 100, 36 is not.
        let mut p = pkts[37].clone();
        rx.unprotect_rtp(&mut p).unwrap();
        let mut p = pkts[36].clone();
        assert_eq!(
            rx.unprotect_rtp(&mut p),
            Err(SrtpError::TooOld {
                index: 36,
                highest: 100
            })
        );
        for i in [100, 37] {
            let mut p = pkts[i].clone();
            assert_eq!(
                rx.unprotect_rtp(&mut p),
                Err(SrtpError::Replayed { index: i as u64 })
            );
        }
        let s = rx.stats();
        assert_eq!((s.rtp_unprotected, s.too_old, s.replayed), (2, 1, 2));
    }
}

#[test]
fn replay_window_configurable_to_1024_and_beyond() {
    let config = SrtpConfig::default().with_replay_window(1024);
    let (mut tx, mut rx) = pair(Profile::AeadAes128Gcm, config);
    let pkts: Vec<Vec<u8>> = (0..2000).map(|s| protect(&mut tx, s)).collect();
    let mut p = pkts[1500].clone();
    rx.unprotect_rtp(&mut p).unwrap();
    let mut p = pkts[1500 - 1023].clone();
    rx.unprotect_rtp(&mut p).unwrap();
    let mut p = pkts[1500 - 1024].clone();
    assert!(matches!(
        rx.unprotect_rtp(&mut p),
        Err(SrtpError::TooOld { .. })
    ));
    let (k, s) = master(Profile::AeadAes128Gcm, 1);
    let largest = SrtpConfig::default().with_replay_window(MAX_REPLAY_WINDOW);
    SrtpContext::new(Profile::AeadAes128Gcm, &k, &s, largest).unwrap();
    for bad in [0, MAX_REPLAY_WINDOW + 1] {
        let (k, s) = master(Profile::AeadAes128Gcm, 1);
        let c = SrtpConfig::default().with_replay_window(bad);
        assert_eq!(
            SrtpContext::new(Profile::AeadAes128Gcm, &k, &s, c).unwrap_err(),
            SrtpError::InvalidReplayWindow(bad)
        );
    }
}

#[test]
fn srtcp_replay_window() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile, SrtpConfig::default());
        let pkts: Vec<Vec<u8>> = (0..100)
            .map(|i| {
                let mut p = rtcp_packet(7, 1, i as u8);
                tx.protect_rtcp(&mut p).unwrap();
                p
            })
            .collect();
        let mut p = pkts[80].clone();
        rx.unprotect_rtcp(&mut p).unwrap();
        let mut p = pkts[80].clone();
        assert_eq!(
            rx.unprotect_rtcp(&mut p),
            Err(SrtpError::Replayed { index: 80 })
        );
        let mut p = pkts[10].clone();
        assert!(matches!(
            rx.unprotect_rtcp(&mut p),
            Err(SrtpError::TooOld { .. })
        ));
        let mut p = pkts[50].clone();
        rx.unprotect_rtcp(&mut p).unwrap();
    }
}

#[test]
fn rollover_counter_over_many_wraps() {
    // 3.5 wraps with 2 % loss, sender and receiver agree on the ROC.
    let (mut tx, mut rx) = pair(Profile::Aes128CmHmacSha1_32, SrtpConfig::default());
    let mut seq: u16 = 1000;
    for i in 0..(3 * 65_536 + 32_768) {
        let mut p = rtp_packet(9, seq, 0, 0, 8, 0);
        let plain = p.clone();
        tx.protect_rtp(&mut p).unwrap();
        if i % 50 != 7 {
            rx.unprotect_rtp(&mut p).unwrap();
            assert_eq!(p, plain);
        }
        seq = seq.wrapping_add(1);
    }
    assert_eq!(tx.roc(9), Some(3));
    assert_eq!(rx.roc(9), Some(3));
}

#[test]
fn tampering_any_byte_is_refused_and_harmless() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile, SrtpConfig::default());
        let mut good = rtp_packet(3, 10, 2, 1, 30, 1);
        let plain = good.clone();
        tx.protect_rtp(&mut good).unwrap();
        for at in 0..good.len() {
            for bit in [0x01, 0x80] {
                let mut bad = good.clone();
                bad[at] ^= bit;
                assert!(rx.unprotect_rtp(&mut bad).is_err(), "{profile:?} byte {at}");
            }
        }
        assert_eq!(
            rx.receive_streams(),
            0,
            "no state for unauthenticated packets"
        );
        // Truncated and extended packets are refused too.
        for cut in 1..good.len() {
            let mut short = good[..good.len() - cut].to_vec();
            assert!(rx.unprotect_rtp(&mut short).is_err());
        }
        let mut long = good.clone();
        long.push(0);
        assert!(rx.unprotect_rtp(&mut long).is_err());
        let mut p = good.clone();
        rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p, plain);
        assert!(rx.stats().auth_failures > 0);

        // SRTCP: every byte, including the E-bit and index trailer.
        let mut good = rtcp_packet(3, 2, 9);
        let plain = good.clone();
        tx.protect_rtcp(&mut good).unwrap();
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            assert!(
                rx.unprotect_rtcp(&mut bad).is_err(),
                "{profile:?} SRTCP byte {at}"
            );
        }
        let mut p = good.clone();
        rx.unprotect_rtcp(&mut p).unwrap();
        assert_eq!(p, plain);
    }
}

#[test]
fn header_csrcs_and_extension_are_authenticated_not_encrypted() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile, SrtpConfig::default());
        let plain = rtp_packet(0xabcd, 77, 3, 2, 64, 0x55);
        let header_len = 12 + 3 * 4 + 4 + 2 * 4;
        let mut p = plain.clone();
        tx.protect_rtp(&mut p).unwrap();
        assert_eq!(p.len(), plain.len() + profile.rtp_tag_len());
        assert_eq!(
            p[..header_len],
            plain[..header_len],
            "{profile:?}: header in clear"
        );
        assert_ne!(
            p[header_len..plain.len()],
            plain[header_len..],
            "{profile:?}: payload encrypted"
        );
        // A changed CSRC or extension byte fails authentication.
        for at in [13, 12 + 12 + 5] {
            let mut bad = p.clone();
            bad[at] ^= 1;
            assert_eq!(
                rx.unprotect_rtp(&mut bad),
                Err(SrtpError::AuthenticationFailed)
            );
        }
        rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p, plain);
    }
}

#[test]
fn malformed_inputs_get_their_errors() {
    let (mut tx, mut rx) = pair(Profile::Aes128CmHmacSha1_80, SrtpConfig::default());
    let mut buf = [0u8; 64];
    // Protect: too short, wrong version, header overrun, no room for the tag.
    assert_eq!(
        tx.protect_rtp_in_place(&mut buf, 11),
        Err(SrtpError::TooShort { len: 11, min: 12 })
    );
    buf[0] = 0x40;
    assert_eq!(
        tx.protect_rtp_in_place(&mut buf, 20),
        Err(SrtpError::BadVersion(1))
    );
    buf[0] = 0x8f; // 15 CSRCs = 72 bytes of header
    assert!(matches!(
        tx.protect_rtp_in_place(&mut buf, 40),
        Err(SrtpError::HeaderOverrun {
            header_len: 72,
            len: 40
        })
    ));
    buf[0] = 0x90; // extension header missing
    assert!(matches!(
        tx.protect_rtp_in_place(&mut buf, 14),
        Err(SrtpError::HeaderOverrun { .. })
    ));
    buf[0] = 0x80;
    assert_eq!(
        tx.protect_rtp_in_place(&mut buf, 60),
        Err(SrtpError::BufferTooSmall {
            needed: 70,
            available: 64
        })
    );
    assert_eq!(
        tx.protect_rtcp_in_place(&mut buf, 60),
        Err(SrtpError::BufferTooSmall {
            needed: 74,
            available: 64
        })
    );
    assert_eq!(tx.stats().protect_errors, 6);
    // Unprotect: shorter than header + tag, SRTCP shorter than 8 + 4 + tag.
    assert_eq!(
        rx.unprotect_rtp_in_place(&mut buf[..21]),
        Err(SrtpError::TooShort { len: 21, min: 22 })
    );
    assert_eq!(
        rx.unprotect_rtcp_in_place(&mut buf[..21]),
        Err(SrtpError::TooShort { len: 21, min: 22 })
    );
    buf[0] = 0x00;
    assert_eq!(
        rx.unprotect_rtp_in_place(&mut buf[..40]),
        Err(SrtpError::BadVersion(0))
    );
    assert_eq!(
        rx.unprotect_rtcp_in_place(&mut buf[..40]),
        Err(SrtpError::BadVersion(0))
    );
    assert_eq!(rx.stats().malformed, 4);
    // Keys of the wrong size.
    let p = Profile::AeadAes256Gcm;
    assert!(matches!(
        SrtpContext::new(p, &[0; 16], &[0; 12], SrtpConfig::default()),
        Err(SrtpError::MasterKeyLength {
            expected: 32,
            got: 16,
            ..
        })
    ));
    assert!(matches!(
        SrtpContext::new(p, &[0; 32], &[0; 14], SrtpConfig::default()),
        Err(SrtpError::MasterSaltLength {
            expected: 12,
            got: 14,
            ..
        })
    ));
    assert_eq!(
        SrtpContext::new(
            p,
            &[0; 32],
            &[0; 12],
            SrtpConfig::default().with_max_streams(0)
        )
        .unwrap_err(),
        SrtpError::InvalidStreamLimit
    );
    assert!(matches!(
        SrtpContext::pair_from_keying_material(p, &[0; 10], true, SrtpConfig::default()),
        Err(SrtpError::KeyingMaterialLength {
            expected: 88,
            got: 10
        })
    ));
}

#[test]
fn ssrc_bound_refuses_new_streams_without_state() {
    let config = SrtpConfig::default().with_max_streams(4);
    let (mut tx, mut rx) = pair(Profile::AeadAes128Gcm, config);
    let mut pkts = Vec::new();
    for ssrc in 0..6u32 {
        let mut p = rtp_packet(ssrc, 1, 0, 0, 10, 0);
        let r = tx.protect_rtp(&mut p);
        if ssrc < 4 {
            r.unwrap();
            pkts.push(p);
        } else {
            assert_eq!(r, Err(SrtpError::StreamLimit { limit: 4 }));
        }
    }
    for p in &pkts {
        rx.unprotect_rtp(&mut p.clone()).unwrap();
    }
    // A fifth SSRC is refused before any crypto, and counted.
    let mut other = SrtpContext::new(
        Profile::AeadAes128Gcm,
        &master(Profile::AeadAes128Gcm, 99).0,
        &master(Profile::AeadAes128Gcm, 99).1,
        SrtpConfig::default(),
    )
    .unwrap();
    let mut p = rtp_packet(77, 1, 0, 0, 10, 0);
    other.protect_rtp(&mut p).unwrap();
    assert_eq!(
        rx.unprotect_rtp(&mut p),
        Err(SrtpError::StreamLimit { limit: 4 })
    );
    assert_eq!(rx.stats().stream_limit_drops, 1);
    assert_eq!(rx.receive_streams(), 4);
    // Forgetting one SSRC makes room.
    assert!(rx.remove_ssrc(0));
    rx.unprotect_rtp(&mut p).unwrap();
    assert_eq!(rx.receive_streams(), 4);
}

#[test]
fn keying_material_split_matches_rfc5764_order() {
    let p = Profile::Aes128CmHmacSha1_80;
    let material: Vec<u8> = (0..p.keying_material_len() as u8).collect();
    let (mut client_tx, mut client_rx) =
        SrtpContext::pair_from_keying_material(p, &material, true, SrtpConfig::default()).unwrap();
    let (mut server_tx, mut server_rx) =
        SrtpContext::pair_from_keying_material(p, &material, false, SrtpConfig::default()).unwrap();
    // client write key = bytes 0..16, client salt = bytes 32..46
    let mut direct =
        SrtpContext::new(p, &material[..16], &material[32..46], SrtpConfig::default()).unwrap();
    let mut a = rtp_packet(1, 1, 0, 0, 20, 0);
    let mut b = a.clone();
    client_tx.protect_rtp(&mut a).unwrap();
    direct.protect_rtp(&mut b).unwrap();
    assert_eq!(a, b);
    server_rx.unprotect_rtp(&mut a).unwrap();
    let mut c = rtp_packet(2, 1, 0, 0, 20, 0);
    server_tx.protect_rtp(&mut c).unwrap();
    client_rx.unprotect_rtp(&mut c).unwrap();
}

#[test]
fn deterministic_outputs() {
    for profile in Profile::ALL {
        let run = || {
            let (mut tx, _) = pair(profile, SrtpConfig::default());
            let mut out = Vec::new();
            for seq in 65_530..=65_535u16 {
                out.push(protect(&mut tx, seq));
            }
            out.push(protect(&mut tx, 3));
            let mut r = rtcp_packet(5, 1, 0);
            tx.protect_rtcp(&mut r).unwrap();
            out.push(r);
            out
        };
        assert_eq!(run(), run());
    }
}
