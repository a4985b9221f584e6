//! A resolver with outstanding queries fed a sequence of datagrams and
//! timeouts cut from the input: no panic, the bounds hold, and every query
//! ends in exactly one event by its timeout.
//!
//! Input: records of `[op, len, bytes…]`. `op & 3`: 0 a datagram from
//! port 5353, 1 from another port, 2 a timeout `len` × 100 ms later, 3 a
//! datagram with the answer to one outstanding name spliced in front of
//! the bytes (so the fuzzer reaches the answer paths).
#![no_main]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_mdns::{
    MdnsResolver, Message, Name, Record, ResolverConfig, ResolverEvent, RESOLVE_TIMEOUT,
};
use sansrtc_proto::{Output, Protocol, Receive};

const NAMES: [&str; 3] = [
    "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local",
    "2e8b4c63-9d2f-4a1e-8c8b-3e2f1d5c6b7a.local",
    "host.local",
];

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let me: SocketAddr = "192.168.1.30:5353".parse().unwrap();
    let mut config = ResolverConfig::new(vec![me, "[fe80::1%1]:5353".parse().unwrap()]);
    config.max_cache_entries = 8;
    let mut r = MdnsResolver::new(config);
    let mut open = BTreeSet::new();
    for n in NAMES {
        open.insert(r.resolve(t0, n).expect("room for three"));
    }
    let mut now = t0;
    let mut rest = data;
    let mut step = 0u8;
    while let [op, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        step = step.wrapping_add(1);
        match op & 3 {
            2 => {
                now += Duration::from_millis(100 * len as u64);
                r.handle_timeout(now);
            }
            kind => {
                let mut datagram = bytes.to_vec();
                if kind == 3 {
                    let name: Name = NAMES[usize::from(step) % 3].parse().unwrap();
                    let ip = std::net::IpAddr::from([10, 0, 0, *op]);
                    let answer =
                        Record::address(name, ip, Duration::from_secs(u64::from(*op)), op & 4 != 0);
                    datagram = Message::response(vec![answer]).to_bytes().unwrap();
                    datagram.extend_from_slice(bytes);
                }
                let port = if kind == 1 { 40000 } else { 5353 };
                let source = SocketAddr::from(([192, 168, 1, 20], port));
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
                Output::Transmit(t) => assert!(t.contents.len() < 600),
                Output::Event(ResolverEvent::Resolved { id, .. }) => {
                    assert!(open.remove(&id), "one event per query");
                }
                Output::Event(_) => {}
                Output::Timeout(at) => {
                    if let Some(at) = at {
                        assert!(at > now && at <= t0 + RESOLVE_TIMEOUT);
                    }
                    break;
                }
            }
        }
        assert!(r.cache_len() <= 8);
        assert_eq!(r.outstanding(), open.len());
    }
    // Past the timeout every query has ended.
    r.handle_timeout(t0 + RESOLVE_TIMEOUT);
    loop {
        match r.poll_output() {
            Output::Event(ResolverEvent::Resolved { id, .. }) => assert!(open.remove(&id)),
            Output::Timeout(at) => {
                assert_eq!(at, None);
                break;
            }
            _ => {}
        }
    }
    assert!(open.is_empty());
});
