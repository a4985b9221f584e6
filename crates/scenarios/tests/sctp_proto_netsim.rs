//! Differential interop through netsim: our SCTP association and an
//! `sctp-proto` association (an independent implementation, dev-dependency
//! only) on two hosts of the simulated network, both directions, both
//! opening roles, at 0 % and 10 % loss with reordering and duplication.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sansrtc_netsim::{FixedPeerNode, LinkConfig, Loss, Network, NodeId};
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SctpEvent, SendOptions};
use sansrtc_testkit::sctp_proto_peer::{PeerEvent, SctpProtoPeer};
use sctp_proto as proto;

/// What the sctp-proto machine reports.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TheirEvent {
    Connected,
    Message(u16, Vec<u8>),
}

/// sctp-proto behind the Sans-IO shape netsim drives: bytes in,
/// `poll_output` out.
struct Theirs {
    peer: SctpProtoPeer,
    now: Instant,
    out: std::collections::VecDeque<Output<Vec<u8>, TheirEvent>>,
}

impl Theirs {
    /// An active (client, sends INIT) or passive (server) endpoint.
    fn new(active: bool, now: Instant) -> Self {
        Self {
            peer: if active {
                SctpProtoPeer::active()
            } else {
                SctpProtoPeer::passive()
            },
            now,
            out: Default::default(),
        }
    }

    fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.now = now;
        let second = self.peer.handle_receive(now, packet);
        assert!(!second, "a second sctp-proto association");
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.peer.handle_timeout(now);
    }

    fn send(&mut self, now: Instant, stream: u16, data: &[u8]) -> bool {
        self.now = now;
        let ppi = proto::PayloadProtocolIdentifier::Binary;
        let mut s = match self.peer.stream(stream, ppi) {
            Some(Ok(s)) => s,
            None | Some(Err(_)) => return false,
        };
        if s.buffered_amount().unwrap_or(usize::MAX) > 1 << 20 {
            return false;
        }
        s.write_sctp(&Bytes::copy_from_slice(data), ppi).is_ok()
    }

    /// Fills `out` from everything sctp-proto has to say.
    fn fill(&mut self) {
        let mut packets = Vec::new();
        let events = self.peer.poll_events(&mut packets);
        self.out.extend(packets.drain(..).map(Output::Transmit));
        for ev in events {
            match ev {
                PeerEvent::Connected => self.out.push_back(Output::Event(TheirEvent::Connected)),
                PeerEvent::Message { stream, data, .. } => self
                    .out
                    .push_back(Output::Event(TheirEvent::Message(stream, data))),
                PeerEvent::Lost => {}
            }
        }
        self.peer.poll_transmits(self.now, &mut packets);
        self.out.extend(packets.into_iter().map(Output::Transmit));
    }

    fn poll_output(&mut self) -> Output<Vec<u8>, TheirEvent> {
        if self.out.is_empty() {
            self.fill();
        }
        match self.out.pop_front() {
            Some(o) => o,
            None => Output::Timeout(self.peer.poll_timeout()),
        }
    }
}

type OurNode = FixedPeerNode<Association, SctpEvent>;
type TheirNode = FixedPeerNode<Theirs, TheirEvent>;

struct Run {
    net: Network,
    ours: NodeId<OurNode>,
    theirs: NodeId<TheirNode>,
    our_messages: Vec<(u16, Vec<u8>)>,
    their_messages: Vec<(u16, Vec<u8>)>,
    their_connected: bool,
}

fn link(loss: f64) -> LinkConfig {
    let per_link = 1.0 - (1.0 - loss).sqrt();
    LinkConfig {
        delay: Duration::from_millis(10),
        jitter: Duration::from_millis(if loss > 0.0 { 3 } else { 0 }),
        loss: if loss > 0.0 {
            Loss::Independent(per_link)
        } else {
            Loss::None
        },
        reorder: if loss > 0.0 { 0.02 } else { 0.0 },
        duplicate: if loss > 0.0 { 0.01 } else { 0.0 },
        ..LinkConfig::default()
    }
}

impl Run {
    /// `we_open`: our end sends INIT and sctp-proto answers; otherwise
    /// sctp-proto sends INIT and our end answers.
    fn new(seed: u64, loss: f64, we_open: bool) -> Run {
        let start = Instant::now(); // test-side anchor of simulated time
        let mut net = Network::new(start, seed);
        net.set_trace_limit(0);
        let ours_at = SocketAddr::from(([198, 51, 100, 1], 5000));
        let theirs_at = SocketAddr::from(([198, 51, 100, 2], 5000));
        let mut rng = net.rng_for(1);
        let mut ours = Association::new(SctpConfig::default(), &mut rng, start);
        if we_open {
            ours.connect(start).unwrap();
        }
        let theirs = Theirs::new(!we_open, start);
        let zone = net.internet();
        let ours = net
            .add_host(
                zone,
                &[ours_at.ip()],
                link(loss),
                FixedPeerNode::new(
                    ours,
                    ours_at,
                    theirs_at,
                    |m: &mut Association, now, b| m.handle_receive(now, b),
                    |m: &mut Association, now| m.handle_timeout(now),
                    |m: &mut Association| m.poll_output(),
                ),
            )
            .unwrap();
        let theirs = net
            .add_host(
                zone,
                &[theirs_at.ip()],
                link(loss),
                FixedPeerNode::new(
                    theirs,
                    theirs_at,
                    ours_at,
                    |m: &mut Theirs, now, b| m.handle_receive(now, b),
                    |m: &mut Theirs, now| m.handle_timeout(now),
                    |m: &mut Theirs| m.poll_output(),
                ),
            )
            .unwrap();
        let mut run = Run {
            net,
            ours,
            theirs,
            our_messages: Vec::new(),
            their_messages: Vec::new(),
            their_connected: false,
        };
        assert!(
            run.run_until(Duration::from_secs(60), |r| r.their_connected
                && r.net.node(&r.ours).machine().is_established()),
            "no association (we_open {we_open}, loss {loss})"
        );
        run
    }

    fn collect(&mut self) {
        let events = self.net.take_events(&self.ours);
        if events.contains(&SctpEvent::Readable) {
            let a = self.net.node_mut(&self.ours).machine_mut();
            while let Some(m) = a.read() {
                self.our_messages.push((m.stream_id, m.data.to_vec()));
            }
        }
        for e in self.net.take_events(&self.theirs) {
            match e {
                TheirEvent::Connected => self.their_connected = true,
                TheirEvent::Message(s, d) => self.their_messages.push((s, d)),
            }
        }
    }

    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Run) -> bool) -> bool {
        let deadline = self.net.now() + limit;
        loop {
            self.collect();
            if done(self) {
                return true;
            }
            if self.net.now() >= deadline || !self.net.step() {
                return false;
            }
        }
    }
}

fn payload(stream: u16, i: usize, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len)
        .map(|j| (i * 7 + j * 13 + stream as usize) as u8)
        .collect();
    v[..4].copy_from_slice(&(i as u32).to_be_bytes());
    v
}

fn exchange(seed: u64, loss: f64, we_open: bool) {
    let mut run = Run::new(seed, loss, we_open);
    const COUNT: usize = 150;
    let size = |i: usize| 100 + (i * 389) % 5000;
    let (mut ours_sent, mut theirs_sent) = (0, 0);
    let ok = run.run_until(Duration::from_secs(300), |r| {
        let now = r.net.now();
        let a = r.net.node_mut(&r.ours).machine_mut();
        while ours_sent < COUNT
            && a.send(
                now,
                1,
                53,
                payload(1, ours_sent, size(ours_sent)),
                SendOptions::default(),
            )
            .is_ok()
        {
            ours_sent += 1;
        }
        let b = r.net.node_mut(&r.theirs).machine_mut();
        while theirs_sent < COUNT && b.send(now, 2, &payload(2, theirs_sent, size(theirs_sent))) {
            theirs_sent += 1;
        }
        r.our_messages.len() >= COUNT && r.their_messages.len() >= COUNT
    });
    assert!(
        ok,
        "we_open {we_open}, loss {loss}: ours got {}, theirs got {} of {COUNT}",
        run.our_messages.len(),
        run.their_messages.len()
    );
    let want = |stream| {
        (0..COUNT)
            .map(|i| (stream, payload(stream, i, size(i))))
            .collect::<Vec<_>>()
    };
    assert_eq!(run.their_messages, want(1), "ours → sctp-proto");
    assert_eq!(run.our_messages, want(2), "sctp-proto → ours");
}

#[test]
fn we_open_lossless() {
    exchange(1, 0.0, true);
}

#[test]
fn they_open_lossless() {
    exchange(2, 0.0, false);
}

#[test]
fn we_open_ten_percent_loss() {
    exchange(3, 0.10, true);
}

#[test]
fn they_open_ten_percent_loss() {
    exchange(4, 0.10, false);
}
