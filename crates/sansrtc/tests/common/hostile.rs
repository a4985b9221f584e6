//! A hostile sequence against a connected pair: the bytes of `data` choose
//! datagrams at every layer, mangled descriptions, odd candidates, sends
//! and the passing of time. Shared by the `hostile_sequences` test and the
//! `connected_pair` fuzz target; it panics only if the stack does.

use std::time::Duration;

use sansrtc::*;

use super::{Pair, ADDR_A, ADDR_B};

/// The first bytes that pick each demultiplexer branch (RFC 7983).
const FIRST_BYTES: [u8; 12] = [0, 1, 3, 17, 20, 21, 22, 23, 64, 128, 200, 255];

/// Runs `data` against a freshly connected pair. Returns how many
/// operations ran.
pub fn run(data: &[u8]) -> usize {
    let (mut p, chat) = Pair::connected("chat");
    run_on(&mut p, chat, data, |_| {})
}

/// Runs `data` against `p`, a connected pair whose `a` opened `chat`,
/// handing `observe` every output of b drained after each operation (the
/// outputs of steps land in `p` as usual). Returns how many operations
/// ran.
pub fn run_on(
    p: &mut Pair,
    chat: ChannelId,
    data: &[u8],
    mut observe: impl FnMut(Output<Transmit, PeerEvent>),
) -> usize {
    let offer = p.a.local_description().unwrap().sdp;
    let mut bytes = data.iter().copied();
    let mut ops = 0;
    while let Some(op) = bytes.next() {
        ops += 1;
        let arg = bytes.next().unwrap_or(0);
        let now = p.now;
        match op % 8 {
            0 | 1 => {
                let len = usize::from(arg) * 7 % 1400;
                let mut d: Vec<u8> = bytes.by_ref().take(len).collect();
                if let Some(first) = d.first_mut() {
                    *first = FIRST_BYTES[usize::from(*first) % FIRST_BYTES.len()];
                }
                let source = if op % 8 == 0 {
                    ADDR_A
                } else {
                    "127.0.0.1:7777"
                };
                p.b.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source: source.parse().unwrap(),
                        destination: ADDR_B.parse().unwrap(),
                        contents: &d,
                    },
                );
            }
            2 => {
                let mut sdp = offer.clone().into_bytes();
                for _ in 0..(arg % 8) {
                    let (Some(at), Some(value)) = (bytes.next(), bytes.next()) else {
                        break;
                    };
                    let at = usize::from(at) * sdp.len() / 256;
                    if at < sdp.len() {
                        sdp[at] = value;
                    }
                }
                let sdp = String::from_utf8_lossy(&sdp).into_owned();
                let kind = if arg & 0x80 == 0 {
                    SdpType::Offer
                } else {
                    SdpType::Answer
                };
                let _ = p.b.set_remote_description(
                    now,
                    RtcSessionDescription {
                        sdp_type: kind,
                        sdp,
                    },
                );
            }
            3 => {
                let text: String = bytes
                    .by_ref()
                    .take(usize::from(arg) % 120)
                    .map(char::from)
                    .collect();
                let _ = p.b.add_ice_candidate(
                    now,
                    &IceCandidateInit::new(format!("candidate:{text}"), "0"),
                );
            }
            4 => {
                for _ in 0..(arg % 16) {
                    p.step();
                }
            }
            5 => {
                let message = DataChannelMessage::Binary(vec![arg; usize::from(arg) * 64].into());
                let _ = p.a.send(now, chat, message);
            }
            6 => {
                p.now += Duration::from_millis(u64::from(arg) * 40);
                let later = p.now;
                p.a.handle_timeout(later);
                p.b.handle_timeout(later);
            }
            _ => {
                let _ = p.b.create_offer(now);
                let _ =
                    p.b.set_local_description(now, RtcSessionDescription::rollback());
            }
        }
        // Outputs stay bounded: a drain ends.
        let mut drained = 0;
        loop {
            let output = p.b.poll_output();
            let done = matches!(output, Output::Timeout(_));
            observe(output);
            if done {
                break;
            }
            drained += 1;
            assert!(drained < 100_000, "runaway drain");
        }
    }
    ops
}
