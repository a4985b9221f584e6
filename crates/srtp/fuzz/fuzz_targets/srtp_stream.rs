//! A sender and a receiver of one profile exchanging a stream the fuzzer
//! shapes: packets of up to four SSRCs with any sequence number jumps,
//! delivered, replayed, dropped or tampered with. Authentic packets
//! unprotect to what was protected; a replay of an accepted packet and a
//! tampered packet are refused.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};

#[derive(Debug, Arbitrary)]
enum Op {
    Rtp {
        ssrc: u8,
        seq_step: i16,
        payload: Vec<u8>,
        tamper: Option<(u16, u8)>,
    },
    Rtcp {
        ssrc: u8,
        body: Vec<u8>,
        tamper: Option<(u16, u8)>,
    },
    ReplayLast,
}

#[derive(Debug, Arbitrary)]
struct Input {
    profile: u8,
    window: u8,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let profile = Profile::ALL[usize::from(input.profile) % Profile::ALL.len()];
    let key = vec![0x55; profile.key_len()];
    let salt = vec![0x66; profile.salt_len()];
    let config = SrtpConfig::default().with_replay_window(64 + usize::from(input.window));
    let mut tx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    let mut rx = SrtpContext::new(profile, &key, &salt, config).unwrap();
    let mut seqs = [0u16; 4];
    let mut last_accepted: Option<(bool, Vec<u8>)> = None;
    for op in input.ops.into_iter().take(256) {
        match op {
            Op::Rtp {
                ssrc,
                seq_step,
                payload,
                tamper,
            } => {
                let s = usize::from(ssrc % 4);
                seqs[s] = seqs[s].wrapping_add(seq_step as u16);
                let mut p = vec![0x80, 96];
                p.extend_from_slice(&seqs[s].to_be_bytes());
                p.extend_from_slice(&[0, 0, 0, 0, 0xA0, 0, 0, s as u8]);
                p.extend_from_slice(&payload);
                let clear = p.clone();
                if tx.protect_rtp(&mut p).is_err() {
                    continue;
                }
                let wire = p.clone();
                if let Some((at, xor)) = tamper {
                    let i = usize::from(at) % p.len();
                    p[i] ^= xor.max(1);
                    assert!(rx.unprotect_rtp(&mut p).is_err(), "tampered SRTP accepted");
                } else if rx.unprotect_rtp(&mut p).is_ok() {
                    assert_eq!(p, clear);
                    last_accepted = Some((false, wire));
                }
            }
            Op::Rtcp { ssrc, body, tamper } => {
                let mut p = vec![0x80, 200, 0, 0, 0xB0, 0, 0, ssrc % 4];
                p.extend_from_slice(&body);
                while p.len() % 4 != 0 {
                    p.push(0);
                }
                let words = ((p.len() / 4 - 1).min(0xFFFF)) as u16;
                p[2..4].copy_from_slice(&words.to_be_bytes());
                let clear = p.clone();
                if tx.protect_rtcp(&mut p).is_err() {
                    continue;
                }
                let wire = p.clone();
                if let Some((at, xor)) = tamper {
                    let i = usize::from(at) % p.len();
                    p[i] ^= xor.max(1);
                    assert!(
                        rx.unprotect_rtcp(&mut p).is_err(),
                        "tampered SRTCP accepted"
                    );
                } else {
                    rx.unprotect_rtcp(&mut p).expect("fresh SRTCP packet");
                    assert_eq!(p, clear);
                    last_accepted = Some((true, wire));
                }
            }
            Op::ReplayLast => {
                if let Some((rtcp, wire)) = &last_accepted {
                    let mut p = wire.clone();
                    let replayed = if *rtcp {
                        rx.unprotect_rtcp(&mut p)
                    } else {
                        rx.unprotect_rtp(&mut p)
                    };
                    assert!(replayed.is_err(), "replay accepted");
                }
            }
        }
    }
});
