//! A responder with registered names fed datagrams and timeouts cut from
//! the input: no panic, every response parses and fits an mDNS message,
//! and answers go only to the querier or the group.
//!
//! Input: records of `[op, len, bytes…]`. `op & 3`: 0 a datagram from port
//! 5353, 1 from another port, 2 a timeout `len` × 100 ms later, 3 a query
//! for one registered name (type from the next byte) with the bytes
//! appended.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_mdns::{
    group_for, MdnsResponder, Message, Name, Question, RecordType, ResponderConfig, MAX_MESSAGE_LEN,
};
use sansrtc_proto::{Output, Protocol, Receive};

const NAMES: [&str; 2] = [
    "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local",
    "2e8b4c63-9d2f-4a1e-8c8b-3e2f1d5c6b7a.local",
];

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let me: SocketAddr = "192.168.1.20:5353".parse().unwrap();
    let mut r = MdnsResponder::new(ResponderConfig::new(vec![me]));
    r.register(t0, NAMES[0], "192.168.1.20".parse().unwrap())
        .unwrap();
    r.register(t0, NAMES[0], "fe80::20".parse().unwrap())
        .unwrap();
    r.register(t0, NAMES[1], "fe80::21".parse().unwrap())
        .unwrap();
    let mut now = t0;
    let mut rest = data;
    while let [op, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        let source = SocketAddr::from(([192, 168, 1, 30], if op & 3 == 1 { 40000 } else { 5353 }));
        match op & 3 {
            2 => {
                now += Duration::from_millis(100 * len as u64);
                r.handle_timeout(now);
            }
            kind => {
                let mut datagram = bytes.to_vec();
                if kind == 3 {
                    let name: Name = NAMES[usize::from(op >> 7)].parse().unwrap();
                    let qtype = RecordType(u16::from(bytes.first().copied().unwrap_or(1)));
                    let q = Question::new(name, qtype, op & 4 != 0);
                    datagram = Message::query(vec![q]).to_bytes().unwrap();
                    datagram.extend_from_slice(bytes);
                }
                r.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source,
                        destination: me,
                        contents: &datagram,
                    },
                );
            }
        }
        loop {
            match r.poll_output() {
                Output::Transmit(t) => {
                    assert!(t.contents.len() <= MAX_MESSAGE_LEN);
                    assert_eq!(t.source, me);
                    assert!(t.destination == source || t.destination == group_for(me));
                    let m = Message::parse(&t.contents).expect("our responses parse");
                    assert!(m.flags.is_response());
                }
                Output::Event(e) => match e {},
                Output::Timeout(at) => {
                    assert!(at.map_or(true, |at| at > now));
                    break;
                }
            }
        }
    }
});
