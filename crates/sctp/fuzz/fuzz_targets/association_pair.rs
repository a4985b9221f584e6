//! Two associations talking over a wire the fuzzer controls: it connects,
//! sends (ordered or not, reliable or partially), resets streams, shuts
//! down or aborts, advances time, and drops, duplicates, reorders, corrupts
//! (then re-checksums) or forges packets in flight. No panic; packets stay
//! within the MTU; as long as no packet with a recomputed checksum was
//! altered or forged (SCTP has no integrity beyond its CRC: DTLS provides
//! it underneath), every message read is one the peer sent (stream, PPID
//! and bytes).
#![no_main]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_proto::Output;
use sansrtc_sctp::{packet_checksum, Association, Reliability, SctpConfig, SendOptions};

#[derive(Debug, Arbitrary)]
enum Op {
    Send {
        from_b: bool,
        stream: u8,
        len: u16,
        unordered: bool,
        partial: Option<u8>,
    },
    Reset {
        from_b: bool,
        streams: Vec<u8>,
    },
    Shutdown {
        from_b: bool,
    },
    Abort {
        from_b: bool,
    },
    Advance {
        ms: u16,
    },
    /// Deliver what is in flight, applying the next fates in order.
    Deliver,
    Forge {
        to_b: bool,
        fix_crc: bool,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary, Clone, Copy)]
enum Fate {
    Deliver,
    Drop,
    Duplicate,
    Delay,
    Corrupt { at: u16, xor: u8, fix_crc: bool },
}

#[derive(Debug, Arbitrary)]
struct Input {
    zero_checksum: bool,
    ops: Vec<Op>,
    fates: Vec<Fate>,
}

fuzz_target!(|input: Input| {
    let mut now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let config = SctpConfig {
        zero_checksum: input.zero_checksum,
        ..SctpConfig::default()
    };
    let mut a = Association::new(config.clone(), &mut rng, now);
    let mut b = Association::new(config, &mut rng, now);
    a.connect(now).unwrap();
    // Every (stream, ppid, bytes) sent by each side.
    let mut sent: [HashSet<(u16, u32, Vec<u8>)>; 2] = [HashSet::new(), HashSet::new()];
    let mut fates = input.fates.into_iter().cycle();
    let mut delayed: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut tampered = false;
    let mut ops: Vec<Op> = input.ops.into_iter().take(64).collect();
    ops.extend((0..8).map(|_| Op::Deliver));
    for op in ops {
        match op {
            Op::Send {
                from_b,
                stream,
                len,
                unordered,
                partial,
            } => {
                let (s, i) = if from_b { (&mut b, 1) } else { (&mut a, 0) };
                let stream = u16::from(stream % 8);
                let data = vec![stream as u8 ^ (len as u8); usize::from(len % 4096) + 1];
                let reliability = match partial {
                    None => Reliability::Reliable,
                    Some(n) if n % 2 == 0 => Reliability::MaxRetransmits(u32::from(n / 2)),
                    Some(n) => Reliability::MaxLifetime(Duration::from_millis(u64::from(n) * 10)),
                };
                let ppid = 51 + u32::from(stream % 3);
                if s.send(
                    now,
                    stream,
                    ppid,
                    data.clone(),
                    SendOptions {
                        unordered,
                        reliability,
                    },
                )
                .is_ok()
                {
                    sent[i].insert((stream, ppid, data));
                }
            }
            Op::Reset { from_b, streams } => {
                let s = if from_b { &mut b } else { &mut a };
                let streams: Vec<u16> = streams.iter().map(|x| u16::from(x % 8)).collect();
                let _ = s.reset_streams(now, &streams);
            }
            Op::Shutdown { from_b } => {
                let _ = if from_b {
                    b.shutdown(now)
                } else {
                    a.shutdown(now)
                };
            }
            Op::Abort { from_b } => {
                if from_b {
                    b.abort(now)
                } else {
                    a.abort(now)
                }
            }
            Op::Advance { ms } => {
                now += Duration::from_millis(u64::from(ms));
                a.handle_timeout(now);
                b.handle_timeout(now);
            }
            Op::Forge {
                to_b,
                fix_crc,
                mut bytes,
            } => {
                tampered |= fix_crc || input.zero_checksum;
                if fix_crc && bytes.len() >= 12 {
                    let crc = packet_checksum(&bytes);
                    bytes[8..12].copy_from_slice(&crc.to_le_bytes());
                }
                if to_b {
                    b.handle_receive(now, &bytes)
                } else {
                    a.handle_receive(now, &bytes)
                }
            }
            Op::Deliver => {}
        }
        // Collect what both sides transmit, then deliver with fates.
        let mut wire: Vec<(bool, Vec<u8>)> = std::mem::take(&mut delayed);
        for (to_b, s) in [(true, &mut a), (false, &mut b)] {
            loop {
                match s.poll_output() {
                    Output::Transmit(p) => {
                        assert!(p.len() <= 1172 + 16, "packet of {} bytes", p.len());
                        wire.push((to_b, p));
                    }
                    Output::Event(_) => {}
                    Output::Timeout(_) => break,
                }
            }
        }
        for (to_b, mut p) in wire {
            let fate = fates.next().unwrap_or(Fate::Deliver);
            let target = if to_b { &mut b } else { &mut a };
            match fate {
                Fate::Deliver => target.handle_receive(now, &p),
                Fate::Drop => {}
                Fate::Duplicate => {
                    target.handle_receive(now, &p);
                    target.handle_receive(now, &p);
                }
                Fate::Delay => delayed.push((to_b, p)),
                Fate::Corrupt { at, xor, fix_crc } => {
                    let i = usize::from(at) % p.len().max(1);
                    if let Some(x) = p.get_mut(i) {
                        *x ^= xor.max(1);
                    }
                    tampered |= fix_crc || input.zero_checksum;
                    if fix_crc && p.len() >= 12 {
                        let crc = packet_checksum(&p);
                        p[8..12].copy_from_slice(&crc.to_le_bytes());
                    }
                    target.handle_receive(now, &p);
                }
            }
        }
        for (reader, from) in [(&mut a, 1usize), (&mut b, 0usize)] {
            while let Some(m) = reader.read() {
                if !tampered {
                    let key = (m.stream_id, m.ppid, m.data.to_vec());
                    assert!(
                        sent[from].contains(&key),
                        "read a message never sent: {:?}",
                        (m.stream_id, m.ppid, m.data.len())
                    );
                }
            }
        }
    }
});
