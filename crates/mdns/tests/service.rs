//! A resolver and a responder on one set of sockets ([`MdnsService`]): two
//! hosts on a link where every multicast datagram reaches both (multicast
//! loopback included), as the adapters' sockets do.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_mdns::*;
use sansrtc_proto::{Machine, Output, Receive, Transmit};

const A: &str = "192.0.2.1:5353";
const B: &str = "192.0.2.2:5353";

struct Link {
    hosts: Vec<(SocketAddr, MdnsService)>,
    events: Vec<Vec<ResolverEvent>>,
    now: Instant,
}

impl Link {
    fn new() -> Link {
        let hosts: Vec<(SocketAddr, MdnsService)> = [A, B]
            .iter()
            .map(|a| {
                let a: SocketAddr = a.parse().unwrap();
                (a, MdnsService::new(vec![a]))
            })
            .collect();
        Link {
            events: vec![Vec::new(); hosts.len()],
            hosts,
            now: Instant::now(),
        }
    }

    /// Drains every host; delivers each transmit to every host (to the
    /// group) or to its unicast destination. Returns the earliest timeout.
    fn step(&mut self) -> Option<Instant> {
        let mut next = None;
        let mut wire: Vec<Transmit> = Vec::new();
        for (i, (_, m)) in self.hosts.iter_mut().enumerate() {
            loop {
                match m.poll_output() {
                    Output::Transmit(t) => wire.push(t),
                    Output::Event(e) => self.events[i].push(e),
                    Output::Timeout(at) => {
                        next = [next, at].into_iter().flatten().min();
                        break;
                    }
                }
            }
        }
        if wire.is_empty() {
            return next;
        }
        for t in wire {
            for (address, m) in &mut self.hosts {
                let to_us = t.destination.ip().is_multicast() || t.destination == *address;
                if to_us {
                    m.handle_receive(
                        self.now,
                        Receive {
                            protocol: t.protocol,
                            source: t.source,
                            destination: *address,
                            contents: &t.contents,
                        },
                    );
                }
            }
        }
        Some(self.now)
    }

    fn run(&mut self, limit: Duration, done: impl Fn(&Link) -> bool) -> bool {
        let end = self.now + limit;
        for _ in 0..10_000 {
            if done(self) {
                return true;
            }
            match self.step() {
                Some(at) if at <= end => {
                    if at > self.now {
                        self.now = at;
                        for (_, m) in &mut self.hosts {
                            m.handle_timeout(at);
                        }
                    }
                }
                _ => return done(self),
            }
        }
        done(self)
    }
}

fn resolved(events: &[ResolverEvent]) -> Vec<(String, Vec<std::net::IpAddr>)> {
    events
        .iter()
        .map(|e| match e {
            ResolverEvent::Resolved {
                name, addresses, ..
            } => (name.to_string(), addresses.clone()),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn one_host_resolves_the_name_the_other_registered() {
    let mut link = Link::new();
    let now = link.now;
    let name = "6c5fe1a8-3b5d-4c4e-9b4d-2a1f0e9d8c7b.local";
    link.hosts[0]
        .1
        .register(now, name, "192.0.2.1".parse().unwrap())
        .unwrap();
    // b asks before the announcement reaches it.
    link.hosts[1].1.resolve(now, name).unwrap();
    assert!(link.run(Duration::from_secs(10), |l| !l.events[1].is_empty()));
    assert_eq!(
        resolved(&link.events[1]),
        vec![(name.to_string(), vec!["192.0.2.1".parse().unwrap()])]
    );
    // a heard its own announcement and b's query and ignored both kinds
    // where they were not for it; nothing was malformed.
    assert!(link.hosts[0].1.responder_stats().queries >= 1);
    assert_eq!(link.hosts[0].1.resolver_stats().malformed, 0);
    assert!(link.events[0].is_empty(), "a asked nothing");
}

#[test]
fn an_unknown_name_ends_empty_after_the_resolver_timeout() {
    let mut link = Link::new();
    let now = link.now;
    link.hosts[1]
        .1
        .resolve(now, "00000000-0000-4000-8000-000000000000.local")
        .unwrap();
    assert!(link.run(Duration::from_secs(30), |l| !l.events[1].is_empty()));
    assert!(resolved(&link.events[1])[0].1.is_empty());
    assert!(link.now - now >= RESOLVE_TIMEOUT);
    assert_eq!(
        link.hosts[1].1.resolver_stats().queries_sent,
        u64::from(QUERY_TRANSMISSIONS)
    );
}

#[test]
fn the_timeout_is_the_earlier_of_the_two_machines() {
    let mut s = MdnsService::new(vec![A.parse().unwrap()]);
    let now = Instant::now();
    // Registration announces now and a second later; the query retransmits
    // after a second too, and gives up later.
    s.register(now, "a.local", "192.0.2.1".parse().unwrap())
        .unwrap();
    s.resolve(now, "b.local").unwrap();
    let mut sent = 0;
    let next = loop {
        match s.poll_output() {
            Output::Transmit(_) => sent += 1,
            Output::Event(e) => panic!("{e:?}"),
            Output::Timeout(at) => break at,
        }
    };
    assert_eq!(sent, 2, "one announcement, one query");
    assert_eq!(next, Some(now + ANNOUNCE_INTERVAL.min(FIRST_RETRANSMIT)));
    // Unregistering says goodbye.
    assert!(s.unregister(&"a.local".parse().unwrap()));
    assert!(matches!(s.poll_output(), Output::Transmit(_)));
}
