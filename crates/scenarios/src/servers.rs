//! Scenarios of the simulated STUN and TURN servers.
//!
//! - `network/stun-srflx`: behind each NAT preset, a Binding request to the
//!   STUN server returns the NAT's mapping as XOR-MAPPED-ADDRESS.
//! - `network/turn-relay`: a client behind a symmetric NAT on a lossy,
//!   bandwidth-capped link authenticates with `sansrtc_stun::LongTermAuth`,
//!   allocates on the simulated TURN server, binds a channel to a peer and
//!   streams ChannelData through the relay.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_netsim::{
    Bandwidth, ChaCha20Rng, LinkConfig, Loss, NatConfig, Node, Probe, StunServer, TurnConfig,
    TurnServer,
};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_stun::attributes::{
    ChannelNumber, RequestedTransport, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use sansrtc_stun::{
    AuthStep, ChannelData, Class, LongTermAuth, Message, MessageBuilder, MessageType, Method,
    StunError, TransactionId,
};

use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The server scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "network/stun-srflx",
            description: "behind each NAT preset a STUN Binding request returns the NAT's mapping (server-reflexive address)",
            default_seeds: 10,
            cases: 1,
            run: stun_srflx,
        },
        Scenario {
        name: "network/turn-relay",
        description: "a client behind a symmetric NAT allocates on the TURN server (long-term auth), binds a channel and streams 1 MB to a peer through the relay",
        default_seeds: 10,
        cases: 1,
        run: turn_relay,
    },
    ]
}

const CHANNEL: u16 = 0x4000;
const RETRANSMIT: Duration = Duration::from_millis(250);
const MAX_TRIES: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Allocating,
    Binding,
    Streaming,
    Done,
}

/// The outstanding request: its method, transaction, bytes and timer.
struct Pending {
    method: Method,
    transaction: TransactionId,
    bytes: Vec<u8>,
    retransmit_at: Instant,
    tries: u32,
}

/// A minimal TURN client (enough for the scenario).
struct RelayClient {
    local: SocketAddr,
    server: SocketAddr,
    peer: SocketAddr,
    auth: LongTermAuth,
    rng: ChaCha20Rng,
    phase: Phase,
    start: Instant,
    started: bool,
    pending: Option<Pending>,
    relayed: Option<SocketAddr>,
    chunks: u64,
    chunk_size: usize,
    interval: Duration,
    sent: u64,
    next_send: Option<Instant>,
    outbox: VecDeque<Transmit>,
    failure: Option<String>,
}

impl RelayClient {
    fn send(&mut self, contents: Vec<u8>) {
        self.outbox.push_back(Transmit {
            protocol: Protocol::Udp,
            source: self.local,
            destination: self.server,
            contents,
        });
    }

    fn request(&mut self, now: Instant, method: Method) -> Result<(), StunError> {
        let transaction = TransactionId::random(&mut self.rng);
        let mut bytes = Vec::new();
        let mut b = MessageBuilder::new(
            &mut bytes,
            MessageType::new(method, Class::Request),
            transaction,
        );
        if method == Method::ALLOCATE {
            b.add(&RequestedTransport::UDP)?;
        } else {
            b.add(&ChannelNumber(CHANNEL))?;
            b.add(&XorPeerAddress(self.peer))?;
        }
        if self.auth.is_ready() {
            self.auth.add_credentials(&mut b)?;
            self.auth.add_integrity(&mut b)?;
        }
        b.add_fingerprint()?;
        b.finish();
        self.send(bytes.clone());
        self.pending = Some(Pending {
            method,
            transaction,
            bytes,
            retransmit_at: now + RETRANSMIT,
            tries: 1,
        });
        Ok(())
    }

    fn fail(&mut self, why: String) {
        self.failure.get_or_insert(why);
        self.phase = Phase::Done;
        self.pending = None;
        self.next_send = None;
    }

    fn on_response(&mut self, now: Instant, m: &Message<'_>) -> Result<(), String> {
        let Some(p) = self.pending.as_ref() else {
            return Ok(());
        };
        if m.transaction_id() != p.transaction {
            return Ok(());
        }
        let method = p.method;
        match self
            .auth
            .handle_response(m)
            .map_err(|e| format!("{method:?}: {e}"))?
        {
            AuthStep::Retry => self.request(now, method).map_err(|e| e.to_string()),
            AuthStep::Error(code) => Err(format!("{method:?} failed with {code}")),
            AuthStep::Accepted => {
                self.pending = None;
                if method == Method::ALLOCATE {
                    let relayed = m
                        .require::<XorRelayedAddress>()
                        .map_err(|e| format!("Allocate success: {e}"))?;
                    self.relayed = Some(relayed.0);
                    self.phase = Phase::Binding;
                    self.request(now, Method::CHANNEL_BIND)
                        .map_err(|e| e.to_string())
                } else {
                    self.phase = Phase::Streaming;
                    self.next_send = Some(now);
                    Ok(())
                }
            }
        }
    }
}

impl Node for RelayClient {
    type Event = ();

    fn handle_receive(&mut self, now: Instant, d: Receive<'_>) {
        if d.source != self.server || ChannelData::looks_like_channel_data(d.contents) {
            return;
        }
        let Ok(m) = Message::parse(d.contents) else {
            return;
        };
        if let Err(why) = self.on_response(now, &m) {
            self.fail(why);
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if !self.started && now >= self.start {
            self.started = true;
            if let Err(e) = self.request(now, Method::ALLOCATE) {
                self.fail(e.to_string());
            }
        }
        if let Some(p) = self.pending.as_mut() {
            if p.retransmit_at <= now {
                if p.tries >= MAX_TRIES {
                    let method = p.method;
                    return self.fail(format!("{method:?}: no answer after {MAX_TRIES} tries"));
                }
                p.tries += 1;
                p.retransmit_at = now + RETRANSMIT * p.tries;
                let bytes = p.bytes.clone();
                self.send(bytes);
            }
        }
        while self.phase == Phase::Streaming && self.next_send.is_some_and(|t| t <= now) {
            let mut chunk = vec![0u8; self.chunk_size];
            chunk[..8].copy_from_slice(&self.sent.to_be_bytes());
            let mut bytes = Vec::with_capacity(self.chunk_size + 4);
            let framed = ChannelData {
                channel: CHANNEL,
                data: &chunk,
            }
            .encode(&mut bytes, false);
            if framed.is_err() {
                return self.fail("cannot frame ChannelData".into());
            }
            self.send(bytes);
            self.sent += 1;
            if self.sent == self.chunks {
                self.phase = Phase::Done;
                self.next_send = None;
            } else {
                self.next_send = self.next_send.map(|t| t + self.interval);
            }
        }
    }

    fn poll_output(&mut self) -> Output<Transmit, ()> {
        if let Some(t) = self.outbox.pop_front() {
            return Output::Transmit(t);
        }
        let start = (!self.started).then_some(self.start);
        let retransmit = self.pending.as_ref().map(|p| p.retransmit_at);
        Output::Timeout(
            [start, retransmit, self.next_send]
                .into_iter()
                .flatten()
                .min(),
        )
    }
}

fn addr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
}

fn turn_relay(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let internet = net.internet();
    let listen = addr("192.0.2.100:3478");
    let relay_ip = addr("192.0.2.101:0").ip();
    let server_link = LinkConfig::with_delay(Duration::from_millis(10));
    let config = TurnConfig::new(listen, relay_ip, "alice", "secret");
    net.add_host(
        internet,
        &[listen.ip(), relay_ip],
        server_link.clone(),
        TurnServer::new(config, net.rng_for(1)),
    )
    .map_err(|e| e.to_string())?;
    let peer_addr = addr("198.51.100.7:7000");
    let peer = net
        .add_host(
            internet,
            &[peer_addr.ip()],
            server_link,
            Probe::new(peer_addr),
        )
        .map_err(|e| e.to_string())?;
    let nat = net
        .add_nat(
            internet,
            NatConfig::symmetric(addr("203.0.113.1:0").ip()),
            LinkConfig::default(),
        )
        .map_err(|e| e.to_string())?;
    let local = addr("10.0.0.2:5000");
    let chunks = 1000;
    let chunk_size = 1000;
    let client = RelayClient {
        local,
        server: listen,
        peer: peer_addr,
        auth: LongTermAuth::new("alice", "secret"),
        rng: net.rng_for(2),
        phase: Phase::Allocating,
        start,
        started: false,
        pending: None,
        relayed: None,
        chunks,
        chunk_size,
        interval: Duration::from_millis(5),
        sent: 0,
        next_send: None,
        outbox: VecDeque::new(),
        failure: None,
    };
    let access = LinkConfig {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(5),
        loss: Loss::Independent(0.01),
        bandwidth: Some(Bandwidth {
            bits_per_second: 2_000_000,
            queue_bytes: 50_000,
        }),
        ..LinkConfig::default()
    };
    let client = net
        .add_host(nat.inside(), &[local.ip()], access, client)
        .map_err(|e| e.to_string())?;
    net.run_until(start + Duration::from_secs(30), |n| {
        n.node(&client).phase == Phase::Done
    });
    net.run_for(Duration::from_millis(500));
    let c = net.node(&client);
    if let Some(why) = &c.failure {
        return Err(why.clone());
    }
    if c.phase != Phase::Done {
        return Err(format!("client stuck in {:?} after 30 s", c.phase));
    }
    let relayed = c.relayed.ok_or("no relayed address")?;
    let received = net.take_events(&peer);
    if let Some(bad) = received.iter().find(|r| r.source != relayed) {
        return Err(format!(
            "peer got data from {} instead of the relayed {relayed}",
            bad.source
        ));
    }
    // 1% loss on the client's uplink only: at least 97% must arrive.
    let fraction = received.len() as f64 / chunks as f64;
    if fraction < 0.97 {
        return Err(format!(
            "only {:.1}% of the chunks arrived",
            fraction * 100.0
        ));
    }
    let (Some(first), Some(last)) = (received.first(), received.last()) else {
        return Err("nothing arrived".into());
    };
    let bytes: usize = received.iter().map(|r| r.contents.len()).sum();
    let span = (last.at - first.at).as_secs_f64().max(1e-9);
    Ok(Outcome {
        time_to_goal: last.at - start,
        throughput_bytes_per_sec: Some(bytes as f64 / span),
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

fn stun_srflx(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let internet = net.internet();
    let server = addr("192.0.2.50:3478");
    net.add_host(
        internet,
        &[server.ip()],
        LinkConfig::default(),
        StunServer::new(),
    )
    .map_err(|e| e.to_string())?;
    let presets: [fn(std::net::IpAddr) -> NatConfig; 4] = [
        NatConfig::full_cone,
        NatConfig::restricted_cone,
        NatConfig::port_restricted_cone,
        NatConfig::symmetric,
    ];
    let mut rng = net.rng_for(1);
    for (i, preset) in presets.iter().enumerate() {
        let public = addr(&format!("203.0.113.{}:0", i + 1)).ip();
        let nat = net
            .add_nat(internet, preset(public), LinkConfig::default())
            .map_err(|e| e.to_string())?;
        let local = addr("10.0.0.2:5000");
        let client = net
            .add_host(
                nat.inside(),
                &[local.ip()],
                LinkConfig::default(),
                Probe::new(local),
            )
            .map_err(|e| e.to_string())?;
        let tid = TransactionId::random(&mut rng);
        let mut request = Vec::new();
        let mut b = MessageBuilder::new(&mut request, MessageType::BINDING_REQUEST, tid);
        b.add_fingerprint().map_err(|e| e.to_string())?;
        b.finish();
        net.node_mut(&client).send(server, request);
        net.run_until(start + Duration::from_secs(10), |n| {
            n.events(&client).count() > 0
        });
        let answers = net.take_events(&client);
        let answer = answers.first().ok_or("no Binding response")?;
        let m = Message::parse(&answer.contents).map_err(|e| e.to_string())?;
        if m.transaction_id() != tid || m.message_type() != MessageType::BINDING_SUCCESS {
            return Err(format!("unexpected answer {:?}", m.message_type()));
        }
        let mapped = m
            .require::<XorMappedAddress>()
            .map_err(|e| e.to_string())?
            .0;
        let mappings = net.nat_mappings(nat);
        if mappings != vec![(local, mapped)] {
            return Err(format!("server saw {mapped}, NAT mappings {mappings:?}"));
        }
    }
    Ok(Outcome {
        time_to_goal: net.elapsed(),
        throughput_bytes_per_sec: None,
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}
