//! Arbitrary packets into an established association.
//!
//! The input is a sequence of packets, each `[len_hi, len_lo, flags,
//! bytes...]`. Flag bit 0 puts the association's ports and real verification
//! tag in the header and bit 1 fixes the CRC-32c, so that the fuzzer reaches the
//! chunk handlers instead of stopping at the tag or checksum check; bit 2
//! advances the clock by 100 ms first (timers fire); bit 3 hands the packet
//! over (`handle_receive_owned`, payloads kept as slices) instead of
//! lending it (`handle_receive`). After every packet
//! the association is drained and read, as the Sans-IO contract says.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_proto::Output;
use sansrtc_sctp::{packet_checksum, Association, SctpConfig, SendOptions};

fn drain(a: &mut Association) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match a.poll_output() {
            Output::Transmit(p) => out.push(p),
            Output::Event(_) => {}
            Output::Timeout(_) => {
                while a.read().is_some() {}
                return out;
            }
        }
    }
}

/// An established pair; returns the receiving end, its tag and a clock.
fn established() -> (Association, u32, Instant) {
    let now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let config = SctpConfig {
        zero_checksum: true,
        ..SctpConfig::default()
    };
    let mut a = Association::new(config.clone(), &mut rng, now);
    let mut b = Association::new(config, &mut rng, now);
    a.connect(now).unwrap();
    for _ in 0..6 {
        for p in drain(&mut a) {
            b.handle_receive(now, &p);
        }
        for p in drain(&mut b) {
            a.handle_receive(now, &p);
        }
    }
    assert!(b.is_established());
    // Data in flight from b, so that SACKs and FORWARD-TSNs have work.
    for i in 0..20u16 {
        let _ = b.send(now, i % 3, 53, vec![i as u8; 1500], SendOptions::default());
    }
    drain(&mut b);
    a.send(now, 0, 53, vec![1], SendOptions::default()).unwrap();
    let p = drain(&mut a).pop().unwrap();
    let tag = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
    (b, tag, now)
}

fuzz_target!(|data: &[u8]| {
    let (mut b, tag, mut now) = established();
    let mut rest = data;
    while rest.len() >= 3 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let flags = rest[2];
        rest = &rest[3..];
        let take = len.min(rest.len());
        let mut p = rest[..take].to_vec();
        rest = &rest[take..];
        if flags & 1 != 0 && p.len() >= 8 {
            p[0..2].copy_from_slice(&5000u16.to_be_bytes());
            p[2..4].copy_from_slice(&5000u16.to_be_bytes());
            p[4..8].copy_from_slice(&tag.to_be_bytes());
        }
        if flags & 2 != 0 && p.len() >= 12 {
            let crc = packet_checksum(&p);
            p[8..12].copy_from_slice(&crc.to_le_bytes());
        }
        if flags & 4 != 0 {
            now += Duration::from_millis(100);
            b.handle_timeout(now);
        }
        if flags & 8 != 0 {
            b.handle_receive_owned(now, p);
        } else {
            b.handle_receive(now, &p);
        }
        for out in drain(&mut b) {
            assert!(out.len() <= 1172 + 16, "packet of {} bytes", out.len());
        }
    }
});
