//! SCTP chunk parsing and the association's handshake states: arbitrary
//! packets into a listening association (CLOSED, waiting for INIT) and into
//! a connecting one (COOKIE-WAIT, its INIT sent). Input: a mode byte, then
//! packets `[len_hi, len_lo, flags, bytes…]`; flag bit 0 writes the ports
//! (and, to the connecting side, its INIT's initiate tag as the peer would)
//! into the common header, bit 1 fixes the CRC-32c, bit 2 advances the
//! clock 1 s first. No panic, no message read out of garbage, and nothing
//! sent above the MTU.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_proto::Output;
use sansrtc_sctp::{packet_checksum, Association, SctpConfig};

fn drain(a: &mut Association) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match a.poll_output() {
            Output::Transmit(p) => {
                assert!(p.len() <= 1172 + 16, "packet of {} bytes", p.len());
                out.push(p)
            }
            Output::Event(_) => {}
            Output::Timeout(_) => return out,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let mut now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(mode));
    let config = SctpConfig {
        zero_checksum: mode & 2 != 0,
        ..SctpConfig::default()
    };
    let mut listener = Association::new(config.clone(), &mut rng, now);
    let mut connecting = Association::new(config, &mut rng, now);
    connecting.connect(now).unwrap();
    let init = drain(&mut connecting).pop().expect("an INIT");
    // The INIT's initiate tag (chunk value offset 4 after the 12-byte header).
    let their_tag = u32::from_be_bytes([init[16], init[17], init[18], init[19]]);
    while rest.len() >= 3 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let flags = rest[2];
        rest = &rest[3..];
        let take = len.min(rest.len());
        let packet = &rest[..take];
        rest = &rest[take..];
        if flags & 4 != 0 {
            now += Duration::from_secs(1);
            listener.handle_timeout(now);
            connecting.handle_timeout(now);
        }
        for (target, tag) in [(&mut listener, None), (&mut connecting, Some(their_tag))] {
            let mut p = packet.to_vec();
            if flags & 1 != 0 && p.len() >= 8 {
                p[0..2].copy_from_slice(&5000u16.to_be_bytes());
                p[2..4].copy_from_slice(&5000u16.to_be_bytes());
                if let Some(tag) = tag {
                    p[4..8].copy_from_slice(&tag.to_be_bytes());
                }
            }
            if flags & 2 != 0 && p.len() >= 12 {
                let crc = packet_checksum(&p);
                p[8..12].copy_from_slice(&crc.to_le_bytes());
            }
            target.handle_receive(now, &p);
            drain(target);
            assert!(
                target.read().is_none(),
                "a message out of a handshake with garbage"
            );
        }
    }
});
