//! The data channel transport (DataChannels over an SCTP association) of a
//! connected pair with an open channel, fed hostile packets and operations:
//! raw packets to either side (with the real ports, verification tag and
//! checksum filled in when asked), a byte of the next real packet changed,
//! packets dropped, application sends and closes, time. No panic; what a
//! side transmits stays within the MTU.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_datachannel::{
    DataChannelConfig, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsRole,
    SctpTransport,
};
use sansrtc_proto::Output;
use sansrtc_sctp::{packet_checksum, SctpConfig};

#[derive(Debug, Arbitrary)]
enum Op {
    Inject {
        to_b: bool,
        fix_header: bool,
        fix_crc: bool,
        bytes: Vec<u8>,
    },
    CorruptNext {
        at: u16,
        xor: u8,
    },
    DropNext,
    Send {
        from_b: bool,
        text: bool,
        len: u16,
    },
    Create {
        from_b: bool,
        label: String,
        ordered: bool,
        retransmits: Option<u16>,
    },
    CloseChannel {
        from_b: bool,
        which: u8,
    },
    Advance {
        ms: u16,
    },
    Close {
        from_b: bool,
    },
    Abort {
        from_b: bool,
    },
}

struct Side {
    t: SctpTransport,
    channels: Vec<sansrtc_datachannel::ChannelId>,
    tag: Option<u32>,
}

fn drain(side: &mut Side) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match side.t.poll_output() {
            Output::Transmit(p) => {
                assert!(p.len() <= 1200, "packet of {} bytes", p.len());
                out.push(p)
            }
            Output::Event(DataChannelEvent::DataChannel(channel)) => side.channels.push(channel),
            Output::Event(_) => {}
            Output::Timeout(_) => return out,
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let config = SctpConfig {
        mtu: 1200,
        ..SctpConfig::default()
    };
    let mut a = Side {
        t: SctpTransport::new(DataChannelConfig::default(), config.clone(), &mut rng, now),
        channels: Vec::new(),
        tag: None,
    };
    let mut b = Side {
        t: SctpTransport::new(DataChannelConfig::default(), config, &mut rng, now),
        channels: Vec::new(),
        tag: None,
    };
    a.t.set_dtls_role(DtlsRole::Client);
    b.t.set_dtls_role(DtlsRole::Server);
    if let Ok(id) = a.t.create_data_channel(DataChannelInit::new("fuzz")) {
        a.channels.push(id);
    }
    let _ = a.t.connect(now);
    let mut corrupt: Option<(usize, u8)> = None;
    let mut drop_next = false;
    let exchange = |a: &mut Side,
                        b: &mut Side,
                        now: Instant,
                        corrupt: &mut Option<(usize, u8)>,
                        drop_next: &mut bool| {
        for _ in 0..16 {
            let from_a = drain(a);
            let from_b = drain(b);
            if from_a.is_empty() && from_b.is_empty() {
                return;
            }
            for (packets, to) in [(from_a, &mut *b), (from_b, &mut *a)] {
                for mut p in packets {
                    if p.len() >= 8 {
                        // The tag the receiver expects is the one in packets sent to it.
                        to.tag
                            .get_or_insert(u32::from_be_bytes([p[4], p[5], p[6], p[7]]));
                    }
                    if std::mem::take(drop_next) {
                        continue;
                    }
                    if let Some((at, xor)) = corrupt.take() {
                        let i = at % p.len().max(1);
                        if let Some(byte) = p.get_mut(i) {
                            *byte ^= xor.max(1);
                        }
                    }
                    to.t.handle_receive(now, &p);
                }
            }
        }
    };
    exchange(&mut a, &mut b, now, &mut corrupt, &mut drop_next);
    for op in ops.into_iter().take(64) {
        match op {
            Op::Inject {
                to_b,
                fix_header,
                fix_crc,
                mut bytes,
            } => {
                let side = if to_b { &mut b } else { &mut a };
                if fix_header && bytes.len() >= 12 {
                    bytes[0..2].copy_from_slice(&5000u16.to_be_bytes());
                    bytes[2..4].copy_from_slice(&5000u16.to_be_bytes());
                    if let Some(tag) = side.tag {
                        bytes[4..8].copy_from_slice(&tag.to_be_bytes());
                    }
                }
                if fix_crc && bytes.len() >= 12 {
                    let crc = packet_checksum(&bytes);
                    bytes[8..12].copy_from_slice(&crc.to_le_bytes());
                }
                side.t.handle_receive(now, &bytes);
            }
            Op::CorruptNext { at, xor } => corrupt = Some((usize::from(at), xor)),
            Op::DropNext => drop_next = true,
            Op::Send { from_b, text, len } => {
                let side = if from_b { &mut b } else { &mut a };
                if let Some(&id) = side.channels.first() {
                    let message = if text {
                        DataChannelMessage::Text("x".repeat(usize::from(len)))
                    } else {
                        DataChannelMessage::Binary(vec![7; usize::from(len)].into())
                    };
                    let _ = side.t.send(now, id, message);
                }
            }
            Op::Create {
                from_b,
                label,
                ordered,
                retransmits,
            } => {
                let side = if from_b { &mut b } else { &mut a };
                let mut init = DataChannelInit::new(label);
                init.ordered = ordered;
                init.max_retransmits = retransmits;
                if let Ok(id) = side.t.create_data_channel(init) {
                    side.channels.push(id);
                }
            }
            Op::CloseChannel { from_b, which } => {
                let side = if from_b { &mut b } else { &mut a };
                if !side.channels.is_empty() {
                    let id = side.channels[usize::from(which) % side.channels.len()];
                    let _ = side.t.close_channel(now, id);
                }
            }
            Op::Advance { ms } => {
                now += Duration::from_millis(u64::from(ms));
                a.t.handle_timeout(now);
                b.t.handle_timeout(now);
            }
            Op::Close { from_b } => {
                if from_b {
                    b.t.close(now)
                } else {
                    a.t.close(now)
                }
            }
            Op::Abort { from_b } => {
                if from_b {
                    b.t.abort(now)
                } else {
                    a.t.abort(now)
                }
            }
        }
        exchange(&mut a, &mut b, now, &mut corrupt, &mut drop_next);
    }
});
