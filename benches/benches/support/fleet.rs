//! Many connected peer connections in one thread, the way a server runs
//! them (issue #19, row 5): `N` server-side `RtcPeerConnection`s that all
//! share one address (one UDP socket, 10.0.0.1:443) and one certificate,
//! each connected to its own client peer connection (address
//! `11.x.y.z:5000`, one per pair). The datagrams go over in-memory wires
//! on a simulated clock; no sockets.
//!
//! The loop is the mio server's (`sansrtc-mio`'s `Server`) without its
//! sockets: a datagram goes to the peer connection its addresses route to
//! (one hash lookup, by the client's address), one [`TimerHeap`] holds
//! every machine's deadline with lazy invalidation, and a turn touches only
//! the machines that received a datagram or whose deadline passed. So an
//! idle connection costs nothing per turn, only its own timers when they
//! come due. Both sides of every pair are machines of the same loop (the
//! clients are driven the same way as the servers).
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, Machine, Output, PeerEvent,
    RtcCertificate, RtcConfiguration, RtcPeerConnection, Transmit,
};

#[path = "timer_heap.rs"]
mod timer_heap;
use timer_heap::TimerHeap;

/// The one address of every server-side peer connection.
pub const SERVER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 443);
/// The label of each pair's channel.
const LABEL: &str = "scale";
/// Most timers fired at one instant before the loop is declared stuck.
const SPIN_LIMIT: u64 = 10_000_000;

/// The address of client `pair`.
fn client_addr(pair: usize) -> SocketAddr {
    let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(11, 0, 0, 0)) + pair as u32);
    SocketAddr::new(ip.into(), 5000)
}

/// What the loop has done since the fleet was built.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FleetCounts {
    /// Timers fired (`handle_timeout` calls), both sides.
    pub timers_fired: u64,
    /// Datagrams carried, both ways.
    pub datagrams: u64,
    /// Channels open at both ends.
    pub open_pairs: u64,
    /// Messages the servers received (and echoed).
    pub server_messages: u64,
    /// Echoes the clients received.
    pub client_messages: u64,
}

/// One peer connection of the fleet and its place in the timer heap.
struct Node {
    pc: RtcPeerConnection,
    /// The deadline the machine reported last.
    deadline: Option<Instant>,
    /// The heap entry it counts on.
    scheduled: Option<Instant>,
    /// Its end of the pair's channel, once known.
    channel: Option<ChannelId>,
    /// Whether its `open` event came.
    open: bool,
}

/// `N` pairs over in-memory wires, driven by one loop: node `2p` is pair
/// `p`'s server side, node `2p + 1` its client. Clients open one channel
/// each; servers echo every message they receive.
pub struct Fleet {
    nodes: Vec<Node>,
    /// Client address → pair.
    routes: HashMap<SocketAddr, u32>,
    /// Datagrams in flight (delivered in order, no loss, no delay).
    wire: VecDeque<Transmit>,
    timers: TimerHeap,
    /// Scratch space for the entries due in one turn.
    due: Vec<(Instant, u32)>,
    now: Instant,
    counts: FleetCounts,
}

/// A peer connection with the given certificate (none is generated) on
/// `addr`.
fn peer(
    seed: u64,
    addr: SocketAddr,
    now: Instant,
    cert: &Arc<RtcCertificate>,
) -> RtcPeerConnection {
    let mut config = RtcConfiguration::default();
    config.certificates.push(cert.clone());
    let mut pc = RtcPeerConnection::new(
        config,
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(), // sansio-allow: bench anchor of the certificate's validity
    )
    .expect("peer connection");
    pc.add_local_address(now, addr).expect("address");
    pc
}

impl Fleet {
    /// An empty fleet at simulated time `now`.
    pub fn new(now: Instant) -> Fleet {
        Fleet {
            nodes: Vec::new(),
            routes: HashMap::new(),
            wire: VecDeque::new(),
            timers: TimerHeap::default(),
            due: Vec::new(),
            now,
            counts: FleetCounts::default(),
        }
    }

    /// Builds `pairs` connected pairs: one is added every `spacing` of
    /// simulated time (so their timers do not all fall due together, as
    /// connections of a server arrive over time), then the loop runs until
    /// every channel is open at both ends. `certs`: the clients' and the
    /// servers' certificate.
    pub fn connected(
        pairs: usize,
        spacing: Duration,
        certs: &[Arc<RtcCertificate>; 2],
        now: Instant,
    ) -> Fleet {
        let mut fleet = Fleet::new(now);
        fleet.nodes.reserve(2 * pairs);
        fleet.routes.reserve(pairs);
        for _ in 0..pairs {
            fleet.add_pair(certs);
            let until = fleet.now + spacing;
            fleet.run_until(until);
        }
        let limit = fleet.now + Duration::from_secs(30);
        while fleet.counts.open_pairs < pairs as u64 {
            assert!(
                fleet.now < limit,
                "not every channel opened: {:?}",
                fleet.counts
            );
            let until = fleet.now + Duration::from_millis(10);
            fleet.run_until(until);
        }
        fleet
    }

    /// Adds one pair after offer/answer (the client offers, with its
    /// channel); both are drained at once.
    pub fn add_pair(&mut self, certs: &[Arc<RtcCertificate>; 2]) {
        let pair = self.nodes.len() / 2;
        let now = self.now;
        let addr = client_addr(pair);
        let mut client = peer(2 * pair as u64 + 1, addr, now, &certs[0]);
        let mut server = peer(2 * pair as u64 + 2, SERVER, now, &certs[1]);
        let channel = client
            .create_data_channel(now, DataChannelInit::new(LABEL))
            .expect("channel");
        let offer = client.create_offer(now).expect("offer");
        client
            .set_local_description(now, offer)
            .expect("offer applied");
        server
            .set_remote_description(now, client.local_description().expect("offer"))
            .expect("remote offer");
        let answer = server.create_answer().expect("answer");
        server
            .set_local_description(now, answer)
            .expect("answer applied");
        client
            .set_remote_description(now, server.local_description().expect("answer"))
            .expect("remote answer");
        let node = |pc, channel| Node {
            pc,
            deadline: None,
            scheduled: None,
            channel,
            open: false,
        };
        self.nodes.push(node(server, None));
        self.nodes.push(node(client, Some(channel)));
        self.routes.insert(addr, pair as u32);
        self.drain(2 * pair);
        self.drain(2 * pair + 1);
    }

    /// Pairs in the fleet.
    pub fn pairs(&self) -> usize {
        self.nodes.len() / 2
    }

    /// The simulated clock.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// What the loop has done so far.
    pub fn counts(&self) -> FleetCounts {
        self.counts
    }

    /// Drops the client side of every pair (for the heap of the server
    /// side alone); the fleet cannot run afterwards.
    pub fn drop_clients(&mut self) -> Vec<RtcPeerConnection> {
        let mut servers = Vec::with_capacity(self.pairs());
        for (i, node) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if i % 2 == 0 {
                servers.push(node.pc);
            }
        }
        servers
    }

    /// One polling round: each pair of `active` has its client send
    /// `message`, which its server receives and echoes; then the loop runs
    /// through `slice` of simulated time, firing whatever timers of any
    /// connection fall due in it.
    pub fn round(&mut self, active: &[usize], message: &[u8], slice: Duration) {
        let now = self.now;
        for &pair in active {
            let k = 2 * pair + 1;
            let node = &mut self.nodes[k];
            let channel = node.channel.expect("the client's channel");
            let message = DataChannelMessage::Binary(message.to_vec().into());
            node.pc.send(now, channel, message).expect("send");
            self.drain(k);
        }
        let until = self.now + slice;
        self.run_until(until);
    }

    /// Runs the loop until the clock reaches `until`: carries every
    /// datagram, fires the due timers at their time, repeats.
    pub fn run_until(&mut self, until: Instant) {
        let mut fired_here = 0u64;
        loop {
            self.carry();
            let fired = self.fire_due();
            if fired > 0 {
                fired_here += fired;
                assert!(fired_here < SPIN_LIMIT, "timers keep firing at one instant");
                continue;
            }
            match self.timers.next() {
                Some(at) if at <= until => {
                    if at > self.now {
                        self.now = at;
                        fired_here = 0;
                    }
                }
                _ => {
                    self.now = self.now.max(until);
                    self.carry();
                    if self.fire_due() == 0 {
                        return;
                    }
                }
            }
        }
    }

    /// Delivers every datagram in flight (and those they cause) to the
    /// peer connection its addresses route to, draining each at once.
    fn carry(&mut self) {
        while let Some(t) = self.wire.pop_front() {
            self.counts.datagrams += 1;
            let (pair, to_server) = if t.destination == SERVER {
                (self.routes.get(&t.source), true)
            } else {
                (self.routes.get(&t.destination), false)
            };
            let Some(&pair) = pair else {
                panic!("no route for {} -> {}", t.source, t.destination);
            };
            let k = 2 * pair as usize + usize::from(!to_server);
            self.nodes[k]
                .pc
                .handle_receive_owned(self.now, t.into_received());
            self.drain(k);
        }
    }

    /// Fires the timers due now; returns how many fired. Outdated heap
    /// entries are skipped, early ones pushed again for the real deadline.
    fn fire_due(&mut self) -> u64 {
        let mut due = std::mem::take(&mut self.due);
        self.timers.pop_due(self.now, &mut due);
        let mut fired = 0;
        for (at, k) in due.drain(..) {
            let node = &mut self.nodes[k as usize];
            if node.scheduled != Some(at) {
                continue;
            }
            node.scheduled = None;
            match node.deadline {
                Some(deadline) if deadline <= self.now => {
                    node.pc.handle_timeout(self.now);
                    fired += 1;
                    self.drain(k as usize);
                }
                later => node.scheduled = self.timers.schedule(k, later, None),
            }
        }
        self.due = due;
        self.counts.timers_fired += fired;
        if self.timers.needs_rebuild(self.nodes.len()) {
            let entries: Vec<(Instant, u32)> = self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(k, n)| Some((n.scheduled?, k as u32)))
                .collect();
            self.timers.rebuild(entries.into_iter());
        }
        fired
    }

    /// Takes everything node `k` has to say: transmits onto the wire,
    /// events handled (a server echoes each message), its next deadline
    /// into the heap.
    fn drain(&mut self, k: usize) {
        let now = self.now;
        let server = k % 2 == 0;
        loop {
            let node = &mut self.nodes[k];
            match node.pc.poll_output() {
                Output::Transmit(t) => self.wire.push_back(t),
                Output::Event(PeerEvent::DataChannel(e)) => match e {
                    DataChannelEvent::DataChannel(c) => node.channel = Some(c),
                    DataChannelEvent::Open(c) => {
                        node.channel = Some(c);
                        node.open = true;
                        let peer = &self.nodes[k ^ 1];
                        if peer.open {
                            self.counts.open_pairs += 1;
                        }
                    }
                    DataChannelEvent::Message { channel, message } if server => {
                        self.counts.server_messages += 1;
                        node.pc.send(now, channel, message).expect("echo");
                    }
                    DataChannelEvent::Message { message, .. } => {
                        self.counts.client_messages += 1;
                        black_box(&message);
                    }
                    e => {
                        black_box(&e);
                    }
                },
                Output::Event(e) => {
                    black_box(&e);
                }
                Output::Timeout(at) => {
                    node.deadline = at;
                    node.scheduled = self.timers.schedule(k as u32, at, node.scheduled);
                    return;
                }
            }
        }
    }
}
