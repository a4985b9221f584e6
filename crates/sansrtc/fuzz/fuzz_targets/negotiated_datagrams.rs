//! A negotiated pair (offer/answer done, nothing carried yet) where the
//! fuzzer plays the network: it lets real datagrams through (a step of the
//! harness), advances time, or delivers its own datagram to either side
//! from the peer's address, with a first byte it chooses from each branch
//! of the RFC 7983 demultiplexer (STUN, DTLS, TURN ChannelData, RTP, RTCP,
//! other). ICE, DTLS, SCTP and the data channels all see it before and
//! during the handshake. No panic. The two connections use
//! [`sansrtc_fuzz::pair_certificates`], generated once per process.
//!
//! The pair is built, its channel created and the offer/answer applied
//! once per process, before any input, and cloned for every input: that
//! part never read the input. The handshakes run per input, since the
//! fuzzer's datagrams are there to meet them.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansrtc::*;

#[derive(Debug, Arbitrary)]
enum Op {
    Step,
    Inject {
        to_b: bool,
        first: u8,
        bytes: Vec<u8>,
    },
    Send {
        len: u8,
    },
}

const FIRST_BYTES: [u8; 12] = [0, 1, 3, 17, 20, 21, 22, 23, 64, 128, 200, 255];

thread_local! {
    /// The test harness's pair with certificates generated once per
    /// process, a's channel created and the offer/answer applied: built
    /// once per process (libFuzzer runs the inputs on one thread).
    static NEGOTIATED: (common::Pair, ChannelId) = {
        let (ca, cb) = sansrtc_fuzz::pair_configurations();
        let mut p = common::Pair::with_configs(ca, cb);
        let now = p.now;
        let chat =
            p.a.create_data_channel(now, DataChannelInit::new("chat"))
                .unwrap();
        p.negotiate();
        (p, chat)
    };
}

fuzz_target!(|ops: Vec<Op>| {
    let (mut p, chat) = NEGOTIATED.with(|(p, chat)| (p.clone(), *chat));
    let addr_a = common::ADDR_A.parse().unwrap();
    let addr_b = common::ADDR_B.parse().unwrap();
    for op in ops.into_iter().take(48) {
        match op {
            Op::Step => {
                p.step();
            }
            Op::Inject {
                to_b,
                first,
                mut bytes,
            } => {
                if let Some(b) = bytes.first_mut() {
                    *b = FIRST_BYTES[usize::from(first) % FIRST_BYTES.len()];
                }
                let (pc, source, destination) = if to_b {
                    (&mut p.b, addr_a, addr_b)
                } else {
                    (&mut p.a, addr_b, addr_a)
                };
                pc.handle_receive(
                    p.now,
                    Receive {
                        protocol: Protocol::Udp,
                        source,
                        destination,
                        contents: &bytes,
                    },
                );
            }
            Op::Send { len } => {
                let _ = p.a.send(
                    p.now,
                    chat,
                    DataChannelMessage::Binary(vec![len; usize::from(len)].into()),
                );
            }
        }
    }
    for _ in 0..64 {
        if !p.step() {
            break;
        }
    }
});
