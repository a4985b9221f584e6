//! The run loop and routing edge cases: timers, commands, bad transmits,
//! runaway machines, the adapters.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::addr;
use sansrtc_netsim::{
    Echo, Fate, FixedPeerNode, LinkConfig, MachineNode, Network, Node, Probe, RunOutcome,
};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};

/// Wants a timeout every `period`; counts them and the `now` it saw.
struct Ticker {
    period: Duration,
    next: Option<Instant>,
    seen: Vec<Instant>,
}

impl Node for Ticker {
    type Event = ();
    fn handle_receive(&mut self, _: Instant, _: Receive<'_>) {}
    fn handle_timeout(&mut self, now: Instant) {
        self.seen.push(now);
        self.next = Some(now + self.period);
    }
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        Output::Timeout(self.next)
    }
}

#[test]
fn timeouts_fire_at_the_requested_simulated_instants() {
    let start = Instant::now();
    let mut net = Network::new(start, 1);
    let zone = net.internet();
    let ticker = Ticker {
        period: Duration::from_millis(250),
        next: Some(start + Duration::from_millis(100)),
        seen: Vec::new(),
    };
    let id = net
        .add_host(
            zone,
            &[addr("192.0.2.1:0").ip()],
            LinkConfig::default(),
            ticker,
        )
        .unwrap();
    assert_eq!(
        net.run_for(Duration::from_secs(1)),
        RunOutcome::DeadlineReached
    );
    let offsets: Vec<u128> = net
        .node(&id)
        .seen
        .iter()
        .map(|t| (*t - start).as_millis())
        .collect();
    assert_eq!(offsets, vec![100, 350, 600, 850]);
    assert_eq!(net.elapsed(), Duration::from_secs(1));
}

#[test]
fn run_until_stops_at_the_goal_with_the_clock_there() {
    let start = Instant::now();
    let mut net = Network::new(start, 1);
    let zone = net.internet();
    let server = addr("192.0.2.1:7");
    net.add_host(zone, &[server.ip()], LinkConfig::default(), Echo::new())
        .unwrap();
    let me = addr("192.0.2.2:1");
    let probe = net
        .add_host(zone, &[me.ip()], LinkConfig::default(), Probe::new(me))
        .unwrap();
    net.node_mut(&probe).send(server, b"ping".to_vec());
    let outcome = net.run_until(start + Duration::from_secs(5), |n| {
        n.events(&probe).count() == 1
    });
    assert_eq!(
        outcome,
        RunOutcome::GoalReached(start + Duration::from_millis(20))
    );
    assert_eq!(net.now(), start + Duration::from_millis(20));
}

/// Asks for a timeout at its `now` forever.
struct Spinner;
impl Node for Spinner {
    type Event = ();
    fn handle_receive(&mut self, _: Instant, _: Receive<'_>) {}
    fn handle_timeout(&mut self, _: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        Output::Timeout(Some(Instant::now() - Duration::from_secs(3600)))
    }
}

#[test]
fn a_machine_stuck_in_the_past_hits_the_event_limit() {
    let start = Instant::now();
    let mut net = Network::new(start, 1);
    net.set_event_limit(10_000);
    let zone = net.internet();
    net.add_host(
        zone,
        &[addr("192.0.2.1:0").ip()],
        LinkConfig::default(),
        Spinner,
    )
    .unwrap();
    assert_eq!(net.run_for(Duration::from_secs(1)), RunOutcome::EventLimit);
    assert_eq!(net.now(), start, "its timeouts are clamped to now");
}

/// Never stops transmitting.
struct Firehose(SocketAddr);
impl Node for Firehose {
    type Event = ();
    fn handle_receive(&mut self, _: Instant, _: Receive<'_>) {}
    fn handle_timeout(&mut self, _: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        Output::Transmit(Transmit {
            protocol: Protocol::Udp,
            source: self.0,
            destination: addr("192.0.2.99:1"),
            contents: vec![],
        })
    }
}

#[test]
fn a_drain_that_never_ends_is_cut_off_and_counted() {
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let me = addr("192.0.2.1:1");
    net.add_host(zone, &[me.ip()], LinkConfig::default(), Firehose(me))
        .unwrap();
    net.step();
    assert_eq!(net.counters().runaway_drains, 1);
    assert_eq!(net.counters().sent, sansrtc_netsim::DRAIN_LIMIT as u64);
}

#[test]
fn bad_transmits_are_dropped_with_their_reason() {
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let me = addr("192.0.2.1:1");
    let probe = net
        .add_host(zone, &[me.ip()], LinkConfig::default(), Probe::new(me))
        .unwrap();
    let cases = [
        (
            Protocol::Udp,
            addr("192.0.2.77:1"),
            addr("192.0.2.2:1"),
            Fate::BadSource,
        ),
        (
            Protocol::Tcp,
            me,
            addr("192.0.2.2:1"),
            Fate::UnsupportedProtocol,
        ),
        (Protocol::Udp, me, addr("[2001:db8::1]:1"), Fate::NoRoute),
        (Protocol::Udp, me, addr("198.18.0.1:1"), Fate::NoRoute),
    ];
    for (protocol, source, destination, _) in cases {
        net.inject(
            probe.host(),
            Transmit {
                protocol,
                source,
                destination,
                contents: vec![1],
            },
        );
    }
    net.run_for(Duration::from_millis(100));
    let fates: Vec<Fate> = net.trace().records().iter().map(|r| r.fate).collect();
    assert_eq!(fates, cases.map(|c| c.3).to_vec());
    assert_eq!(net.counters().unroutable, 4);
}

#[test]
fn topology_misuse_is_a_typed_error() {
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let ip = addr("192.0.2.1:0").ip();
    net.add_host(zone, &[ip], LinkConfig::default(), Echo::new())
        .unwrap();
    assert_eq!(
        net.add_host(zone, &[ip], LinkConfig::default(), Echo::new())
            .unwrap_err(),
        sansrtc_netsim::NetsimError::AddressInUse(ip)
    );
    assert_eq!(
        net.add_host(zone, &[], LinkConfig::default(), Echo::new())
            .unwrap_err(),
        sansrtc_netsim::NetsimError::NoAddresses
    );
}

/// A byte machine that echoes "pong" to "ping" and reports what it got.
#[derive(Default)]
struct PingPong {
    out: Vec<Vec<u8>>,
    got: Vec<Vec<u8>>,
}
impl PingPong {
    fn input(&mut self, _: Instant, bytes: &[u8]) {
        self.got.push(bytes.to_vec());
        if bytes == b"ping" {
            self.out.push(b"pong".to_vec());
        }
    }
    fn poll(&mut self) -> Output<Vec<u8>, usize> {
        match self.out.pop() {
            Some(b) => Output::Transmit(b),
            None => Output::Timeout(None),
        }
    }
}

#[test]
fn fixed_peer_node_talks_only_to_its_peer() {
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let (a, b) = (addr("10.1.0.1:5000"), addr("10.1.0.2:5000"));
    let node = |me, peer| {
        FixedPeerNode::new(
            PingPong::default(),
            me,
            peer,
            PingPong::input,
            |_, _| {},
            PingPong::poll,
        )
    };
    let left = net
        .add_host(zone, &[a.ip()], LinkConfig::default(), node(a, b))
        .unwrap();
    let right = net
        .add_host(zone, &[b.ip()], LinkConfig::default(), node(b, a))
        .unwrap();
    let stranger = addr("10.1.0.3:5000");
    let other = net
        .add_host(
            zone,
            &[stranger.ip()],
            LinkConfig::default(),
            Probe::new(stranger),
        )
        .unwrap();
    net.node_mut(&left).machine_mut().out.push(b"ping".to_vec());
    net.node_mut(&other).send(b, b"ping".to_vec());
    net.node_mut(&other)
        .send(addr("10.1.0.2:5001"), b"ping".to_vec());
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.node(&right).machine().got, vec![b"ping".to_vec()]);
    assert_eq!(net.node(&left).machine().got, vec![b"pong".to_vec()]);
    assert_eq!(net.node(&right).ignored_datagrams(), 2);
    assert_eq!((net.node(&left).local(), net.node(&left).peer()), (a, b));
}

#[test]
fn machine_node_forwards_all_three_calls_and_events() {
    struct Counter {
        received: usize,
        pending: Option<usize>,
    }
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let me = addr("192.0.2.5:1");
    let node = MachineNode::new(
        Counter {
            received: 0,
            pending: None,
        },
        |c, _, d| {
            c.received += d.contents.len();
            c.pending = Some(c.received);
        },
        |_, _| {},
        |c| match c.pending.take() {
            Some(n) => Output::Event(n),
            None => Output::Timeout(None),
        },
    );
    let id = net
        .add_host(zone, &[me.ip()], LinkConfig::default(), node)
        .unwrap();
    let src = addr("192.0.2.6:1");
    let sender = net
        .add_host(zone, &[src.ip()], LinkConfig::default(), Probe::new(src))
        .unwrap();
    net.node_mut(&sender).send(me, vec![0; 10]);
    net.node_mut(&sender).send(me, vec![0; 5]);
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.take_events(&id), vec![10, 15]);
    assert_eq!(net.node(&id).machine().received, 15);
    assert_eq!(net.host_counters(id.host()).received_bytes, 15);
}

#[test]
fn derived_rngs_are_reproducible_and_independent_of_the_network() {
    use rand_core::RngCore;
    let net = Network::new(Instant::now(), 9);
    let (mut a, mut b, mut c) = (net.rng_for(1), net.rng_for(1), net.rng_for(2));
    let x = a.next_u64();
    assert_eq!(x, b.next_u64());
    assert_ne!(x, c.next_u64());
}

#[test]
fn host_addresses_come_and_go() {
    let mut net = Network::new(Instant::now(), 1);
    let zone = net.internet();
    let (a, b) = (addr("192.0.2.1:1"), addr("192.0.2.2:1"));
    let extra = addr("192.0.2.3:1");
    let sink = net
        .add_host(zone, &[b.ip()], LinkConfig::default(), Probe::new(b))
        .unwrap();
    let src = net
        .add_host(zone, &[a.ip()], LinkConfig::default(), Probe::new(a))
        .unwrap();
    // Not yet the host's: bad source; the sink's new address: no route.
    net.node_mut(&src).send_from(extra, b, vec![1]);
    net.node_mut(&src).send(addr("192.0.2.4:1"), vec![2]);
    net.run_for(Duration::from_millis(50));
    net.add_host_address(src.host(), extra.ip()).unwrap();
    net.add_host_address(sink.host(), addr("192.0.2.4:1").ip())
        .unwrap();
    assert_eq!(
        net.add_host_address(sink.host(), extra.ip()).unwrap_err(),
        sansrtc_netsim::NetsimError::AddressInUse(extra.ip())
    );
    net.node_mut(&src).send_from(extra, b, vec![3]);
    net.node_mut(&src).send(addr("192.0.2.4:1"), vec![4]);
    net.run_for(Duration::from_millis(50));
    assert!(net.remove_host_address(src.host(), extra.ip()));
    assert!(!net.remove_host_address(src.host(), extra.ip()));
    net.node_mut(&src).send_from(extra, b, vec![5]);
    net.run_for(Duration::from_millis(50));
    let got: Vec<u8> = net
        .take_events(&sink)
        .iter()
        .map(|r| r.contents[0])
        .collect();
    assert_eq!(got, vec![3, 4]);
    let fates: Vec<Fate> = net.trace().records().iter().map(|r| r.fate).collect();
    assert_eq!(
        fates,
        vec![
            Fate::BadSource,
            Fate::NoRoute,
            Fate::Delivered,
            Fate::Delivered,
            Fate::BadSource
        ]
    );
    assert_eq!(net.host_addresses(src.host()), &[a.ip()]);
}
