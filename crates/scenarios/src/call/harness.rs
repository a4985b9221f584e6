//! Two `RtcPeerConnection`s as netsim nodes, and the signaling channel
//! between them modelled in simulated time: the building block of every
//! `call/` scenario.
//!
//! The signaling channel is a FIFO per direction with a one-way delay and
//! a seeded jitter (`net.rng_for(SIGNALING_STREAM)`); it carries
//! descriptions, trickled candidates (with `trickle`) and nothing else.
//! An offer arriving at a peer is answered at once (`setRemoteDescription`,
//! `createAnswer`, `setLocalDescription`); without trickle a description
//! leaves only once its peer's gathering is complete (with the candidates
//! in it), with trickle the description leaves as created and every
//! `icecandidate` follows it. Perfect negotiation decides glare: an offer
//! reaching a peer in `have-local-offer` is ignored by the impolite peer
//! and applied by the polite one (implicit rollback). An identity request
//! is answered by the side's test IdP after `idp_delay`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::rand_core::RngCore;
use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, IceCandidateInit,
    IdentityProvider, IdentityRequest, PeerConnectionState, PeerEvent, RtcConfiguration,
    RtcPeerConnection, RtcSessionDescription, SdpType, SignalingState,
};
use sansrtc_netsim::{ChaCha20Rng, Network, Node, NodeId, RunOutcome};
use sansrtc_proto::{Machine, Output, Receive, Transmit};

use super::identity::TestIdp;

/// The time of day every connection is told it starts at (certificate
/// validity), fixed so that runs do not depend on the host's clock.
pub fn wall_clock() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The RNG stream of the signaling channel's jitter.
pub(crate) const SIGNALING_STREAM: u64 = 3;

/// One of the two peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The caller (creates the first offer unless a scenario says otherwise).
    A,
    /// The callee.
    B,
}

impl Side {
    /// The other peer.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    /// 0 for A, 1 for B.
    pub fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// `A` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }
}

/// A datagram a peer sent, as its node saw it leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Simulated time since the start.
    pub at: Duration,
    /// The source address.
    pub source: SocketAddr,
    /// The destination address.
    pub destination: SocketAddr,
    /// UDP payload size.
    pub size: usize,
    /// Whether it carries DTLS (directly, or inside a TURN ChannelData
    /// message or Send indication): its bytes and handshake sizes depend
    /// on ring's own randomness, not on the seed.
    pub dtls: bool,
    /// Whether it is (S)RTCP (RFC 5761 §4: payload type 192–223).
    pub rtcp: bool,
    /// The USERNAME of a STUN Binding request (a connectivity check):
    /// `remote-ufrag:local-ufrag` (RFC 8445 §7.2.2).
    pub check_username: Option<String>,
}

/// Whether a datagram is RTCP by RFC 5761's rule (version 2, packet type
/// 192–223).
fn is_rtcp(contents: &[u8]) -> bool {
    matches!(contents, [128..=191, 192..=223, ..])
}

/// The USERNAME attribute (0x0006) of a STUN Binding request (0x0001).
fn check_username(contents: &[u8]) -> Option<String> {
    if contents.len() < 20 || contents[..2] != [0, 1] {
        return None;
    }
    let mut at = 20;
    while at + 4 <= contents.len() {
        let kind = u16::from_be_bytes([contents[at], contents[at + 1]]);
        let len = usize::from(u16::from_be_bytes([contents[at + 2], contents[at + 3]]));
        let value = contents.get(at + 4..at + 4 + len)?;
        if kind == 0x0006 {
            return String::from_utf8(value.to_vec()).ok();
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

/// Whether a datagram carries DTLS (RFC 7983 first-byte ranges), looking
/// inside TURN ChannelData; a TURN Send indication counts as possibly DTLS.
fn carries_dtls(contents: &[u8]) -> bool {
    match contents.first() {
        Some(20..=63) => true,
        Some(64..=79) => matches!(contents.get(4), Some(20..=63)),
        // STUN Send indication (0x0016): relayed application data.
        Some(0) => contents.get(1) == Some(&0x16),
        _ => false,
    }
}

/// An `RtcPeerConnection` as a netsim node, recording what it sent.
pub struct PeerNode {
    /// The connection.
    pub pc: RtcPeerConnection,
    /// Every datagram it sent, in order.
    pub sent: Vec<Sent>,
    start: Instant,
    now: Instant,
}

impl PeerNode {
    /// A connection with `config`, seeded from the network (`stream`),
    /// created at the network's now with the fixed wall clock, bound to
    /// `local`.
    pub fn new(
        net: &Network,
        stream: u64,
        config: RtcConfiguration,
        local: SocketAddr,
    ) -> Result<PeerNode, String> {
        let now = net.now();
        let mut pc = RtcPeerConnection::new(config, net.rng_for(stream), now, wall_clock())
            .map_err(|e| format!("RTCPeerConnection(): {e}"))?;
        pc.add_local_address(now, local)
            .map_err(|e| format!("add_local_address: {e}"))?;
        Ok(PeerNode {
            pc,
            sent: Vec::new(),
            start: net.start(),
            now,
        })
    }
}

impl Node for PeerNode {
    type Event = PeerEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.now = now;
        self.pc.handle_receive(now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.pc.handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, PeerEvent> {
        let output = self.pc.poll_output();
        if let Output::Transmit(t) = &output {
            self.sent.push(Sent {
                at: self.now - self.start,
                source: t.source,
                destination: t.destination,
                size: t.contents.len(),
                dtls: carries_dtls(&t.contents),
                rtcp: is_rtcp(&t.contents),
                check_username: check_username(&t.contents),
            });
        }
        output
    }
}

/// What the signaling channel carries.
#[derive(Debug, Clone)]
enum Signal {
    Description(RtcSessionDescription),
    Candidate(IceCandidateInit),
    /// Not on the wire: the side's IdP answers this request.
    Identity(IdentityRequest),
}

#[derive(Debug, Clone)]
struct InFlight {
    at: Instant,
    seq: u64,
    to: Side,
    signal: Signal,
}

/// How the signaling behaves.
#[derive(Debug, Clone)]
pub struct SignalingOptions {
    /// Trickle ICE: descriptions leave as created, candidates follow.
    pub trickle: bool,
    /// One-way delay of the signaling channel.
    pub delay: Duration,
    /// Extra uniform `0..=jitter` per message (FIFO kept per direction).
    pub jitter: Duration,
    /// Extra delay on answers only (a late answer).
    pub answer_delay: Duration,
    /// Which side is polite in glare (perfect negotiation); `B` by default.
    pub polite: Side,
    /// How long an IdP takes to answer a request.
    pub idp_delay: Duration,
    /// Changes a description on its way to the given side (a peer that
    /// does not multiplex RTCP, say, by the offer it receives).
    pub rewrite: Option<fn(Side, &mut RtcSessionDescription)>,
}

impl Default for SignalingOptions {
    fn default() -> Self {
        SignalingOptions {
            trickle: false,
            delay: Duration::from_millis(50),
            jitter: Duration::from_millis(20),
            answer_delay: Duration::ZERO,
            polite: Side::B,
            idp_delay: Duration::ZERO,
            rewrite: None,
        }
    }
}

/// A message received on a channel, with when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Simulated time since the start.
    pub at: Duration,
    /// The message.
    pub message: DataChannelMessage,
}

/// A signaling message as sent, for the event trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalRecord {
    /// When it was sent.
    pub sent: Duration,
    /// When it arrives.
    pub arrives: Duration,
    /// Its sender.
    pub from: Side,
    /// What it was (type and ufrag of a description, a candidate line).
    pub what: String,
}

/// Two connections, their nodes, the signaling channel and what happened.
pub struct Call {
    /// The network.
    pub net: Network,
    /// Peer A's node.
    pub a: NodeId<PeerNode>,
    /// Peer B's node.
    pub b: NodeId<PeerNode>,
    /// The signaling behaviour.
    pub options: SignalingOptions,
    /// Each side's identity provider, if it has one.
    pub idp: [Option<TestIdp>; 2],
    /// Every event but messages, per side, with when.
    pub events: [Vec<(Duration, PeerEvent)>; 2],
    /// Messages received, per side and channel.
    pub received: BTreeMap<(Side, ChannelId), Vec<Delivered>>,
    /// Signaling messages sent.
    pub signals: Vec<SignalRecord>,
    /// One line per event and signal, in order: the event trace.
    pub trace: Vec<String>,
    /// Signaling steps that failed (they fail the scenario unless it
    /// expects them).
    pub errors: Vec<String>,
    /// Candidates refused by `add_ice_candidate`, per side.
    pub candidate_errors: [Vec<String>; 2],
    /// Offers ignored in glare, per side.
    pub ignored_offers: [u32; 2],
    /// Identity answers: side, when, and what the connection said.
    pub identity_results: Vec<(Side, Duration, Result<(), String>)>,
    in_flight: Vec<InFlight>,
    last_arrival: [Instant; 2],
    next_seq: u64,
    /// Non-trickle: the side's description leaves when gathering completes.
    waiting: [Option<SdpType>; 2],
    rng: ChaCha20Rng,
}

impl Call {
    /// Wraps two placed nodes.
    pub fn new(
        net: Network,
        a: NodeId<PeerNode>,
        b: NodeId<PeerNode>,
        options: SignalingOptions,
    ) -> Call {
        let rng = net.rng_for(SIGNALING_STREAM);
        let now = net.now();
        Call {
            net,
            a,
            b,
            options,
            idp: [None, None],
            events: [Vec::new(), Vec::new()],
            received: BTreeMap::new(),
            signals: Vec::new(),
            trace: Vec::new(),
            errors: Vec::new(),
            candidate_errors: [Vec::new(), Vec::new()],
            ignored_offers: [0, 0],
            identity_results: Vec::new(),
            in_flight: Vec::new(),
            last_arrival: [now, now],
            next_seq: 0,
            waiting: [None, None],
            rng,
        }
    }

    fn id(&self, side: Side) -> NodeId<PeerNode> {
        match side {
            Side::A => self.a,
            Side::B => self.b,
        }
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.net.elapsed()
    }

    /// The side's connection, to read.
    pub fn peer(&self, side: Side) -> &RtcPeerConnection {
        &self.net.node(&self.id(side)).pc
    }

    /// The side's node (its sent datagrams).
    pub fn node(&self, side: Side) -> &PeerNode {
        self.net.node(&self.id(side))
    }

    /// The side's connection, to call (the network drains it afterwards).
    pub fn pc(&mut self, side: Side) -> &mut RtcPeerConnection {
        let now = self.net.now();
        let id = self.id(side);
        let node = self.net.node_mut(&id);
        node.now = now;
        &mut node.pc
    }

    fn note(&mut self, line: String) {
        let at = self.net.elapsed();
        self.trace.push(format!("{:>12} {line}", at.as_micros()));
    }

    fn send_signal(&mut self, from: Side, signal: Signal, what: String) {
        let to = from.other();
        let now = self.net.now();
        let mut delay = self.options.delay;
        let jitter = self.options.jitter.as_micros() as u64;
        if jitter > 0 {
            delay += Duration::from_micros(self.rng.next_u64() % (jitter + 1));
        }
        if matches!(&signal, Signal::Description(d) if d.sdp_type == SdpType::Answer) {
            delay += self.options.answer_delay;
        }
        // FIFO per direction: nothing overtakes what was sent before it.
        let at = (now + delay).max(self.last_arrival[to.index()]);
        self.last_arrival[to.index()] = at;
        self.push(at, to, signal);
        let start = self.net.start();
        self.note(format!("signal {}->{} {what}", from.name(), to.name()));
        self.signals.push(SignalRecord {
            sent: now - start,
            arrives: at - start,
            from,
            what,
        });
    }

    fn push(&mut self, at: Instant, to: Side, signal: Signal) {
        self.in_flight.push(InFlight {
            at,
            seq: self.next_seq,
            to,
            signal,
        });
        self.next_seq += 1;
    }

    fn describe(description: &RtcSessionDescription) -> String {
        let ufrag = description
            .sdp
            .lines()
            .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
            .unwrap_or("-");
        let candidates = description
            .sdp
            .lines()
            .filter(|l| l.starts_with("a=candidate:"))
            .count();
        format!(
            "{} ufrag {ufrag} candidates {candidates}",
            description.sdp_type
        )
    }

    /// Sends the side's local description now (trickle) or once its
    /// gathering is complete.
    fn send_description(&mut self, side: Side, created: RtcSessionDescription) {
        if self.options.trickle {
            let what = Self::describe(&created);
            self.send_signal(side, Signal::Description(created), what);
        } else {
            self.waiting[side.index()] = Some(created.sdp_type);
        }
    }

    /// `createOffer` + `setLocalDescription` on `side`, and the offer goes
    /// out (now with trickle, with its candidates once gathered without).
    pub fn offer(&mut self, side: Side) -> Result<(), String> {
        let now = self.net.now();
        let pc = self.pc(side);
        let offer = pc
            .create_offer(now)
            .map_err(|e| format!("{} createOffer: {e}", side.name()))?;
        pc.set_local_description(now, offer.clone())
            .map_err(|e| format!("{} setLocalDescription(offer): {e}", side.name()))?;
        self.note(format!("{} offers", side.name()));
        self.send_description(side, offer);
        Ok(())
    }

    /// `restartIce()` then a new offer from `side`.
    pub fn restart_ice(&mut self, side: Side) -> Result<(), String> {
        self.pc(side).restart_ice();
        self.note(format!("{} restartIce", side.name()));
        self.offer(side)
    }

    /// `createDataChannel` on `side`.
    pub fn create_channel(
        &mut self,
        side: Side,
        init: DataChannelInit,
    ) -> Result<ChannelId, String> {
        let now = self.net.now();
        self.pc(side)
            .create_data_channel(now, init)
            .map_err(|e| format!("{} createDataChannel: {e}", side.name()))
    }

    /// `send` on `side`'s channel.
    pub fn send(
        &mut self,
        side: Side,
        channel: ChannelId,
        message: DataChannelMessage,
    ) -> Result<(), String> {
        let now = self.net.now();
        self.pc(side)
            .send(now, channel, message)
            .map_err(|e| format!("{} send: {e}", side.name()))
    }

    fn deliver(&mut self, flight: InFlight) {
        let side = flight.to;
        let now = self.net.now();
        match flight.signal {
            Signal::Description(mut d) => {
                if let Some(rewrite) = self.options.rewrite {
                    rewrite(side, &mut d);
                }
                self.apply_description(side, d)
            }
            Signal::Candidate(c) => {
                if let Err(e) = self.pc(side).add_ice_candidate(now, &c) {
                    let line = format!("{:?}: {e}", c.candidate);
                    self.note(format!("{} addIceCandidate refused {line}", side.name()));
                    self.candidate_errors[side.index()].push(line);
                }
            }
            Signal::Identity(request) => {
                let Some(mut idp) = self.idp[side.index()].take() else {
                    return;
                };
                let result = idp
                    .answer(now, self.pc(side), &request)
                    .map_err(|e| format!("{}: {e}", e.dom_name()));
                self.idp[side.index()] = Some(idp);
                let at = self.net.elapsed();
                self.note(format!(
                    "{} identity answer {}",
                    side.name(),
                    if result.is_ok() { "ok" } else { "refused" }
                ));
                self.identity_results.push((side, at, result));
            }
        }
    }

    fn apply_description(&mut self, side: Side, description: RtcSessionDescription) {
        let now = self.net.now();
        let name = side.name();
        self.note(format!("{name} receives {}", Self::describe(&description)));
        if description.sdp_type == SdpType::Offer
            && self.peer(side).signaling_state() == SignalingState::HaveLocalOffer
            && self.options.polite != side
        {
            // Perfect negotiation: the impolite peer ignores the colliding offer.
            self.ignored_offers[side.index()] += 1;
            self.note(format!("{name} ignores the colliding offer"));
            return;
        }
        let is_offer = description.sdp_type == SdpType::Offer;
        if let Err(e) = self.pc(side).set_remote_description(now, description) {
            self.errors.push(format!(
                "{name} setRemoteDescription: {e} ({})",
                e.dom_name()
            ));
            return;
        }
        if !is_offer {
            return;
        }
        let answer = match self.pc(side).create_answer() {
            Ok(a) => a,
            Err(e) => {
                self.errors.push(format!("{name} createAnswer: {e}"));
                return;
            }
        };
        if let Err(e) = self.pc(side).set_local_description(now, answer.clone()) {
            self.errors
                .push(format!("{name} setLocalDescription(answer): {e}"));
            return;
        }
        self.note(format!("{name} answers"));
        self.send_description(side, answer);
    }

    fn on_event(&mut self, side: Side, event: PeerEvent) {
        let at = self.net.elapsed();
        let name = side.name();
        match &event {
            PeerEvent::DataChannel(DataChannelEvent::Message { channel, message }) => {
                let size = match message {
                    DataChannelMessage::Text(t) => t.len(),
                    DataChannelMessage::Binary(b) => b.len(),
                };
                self.note(format!("{name} message on {channel:?}: {size} B"));
                self.received
                    .entry((side, *channel))
                    .or_default()
                    .push(Delivered {
                        at,
                        message: message.clone(),
                    });
                return;
            }
            PeerEvent::IceCandidate(candidate) if self.options.trickle => {
                let init = candidate
                    .clone()
                    .unwrap_or_else(IceCandidateInit::end_of_candidates);
                let what = if init.candidate.is_empty() {
                    "end-of-candidates".to_owned()
                } else {
                    init.candidate.clone()
                };
                self.send_signal(side, Signal::Candidate(init), what);
            }
            PeerEvent::Identity(request) if self.idp[side.index()].is_some() => {
                let at = self.net.now() + self.options.idp_delay;
                self.push(at, side, Signal::Identity(request.clone()));
            }
            _ => {}
        }
        let mut line = format!("{name} ");
        match &event {
            // The assertion binds the fingerprints (ring's keys): shorten.
            PeerEvent::Identity(IdentityRequest::Generate { id, .. }) => {
                let _ = write!(line, "identity generate #{id}");
            }
            PeerEvent::Identity(IdentityRequest::Validate { id, .. }) => {
                let _ = write!(line, "identity validate #{id}");
            }
            other => {
                let _ = write!(line, "{other:?}");
            }
        }
        self.note(line);
        self.events[side.index()].push((at, event));
    }

    /// Takes both nodes' events, reacts, sends what gathering released and
    /// delivers the signals due now, until nothing more happens at this
    /// instant.
    fn process(&mut self) -> Result<(), String> {
        loop {
            // Drain the nodes touched by the calls made since (no time passes).
            let now = self.net.now();
            self.net.run_until(now, |_| true);
            let mut progress = false;
            for side in [Side::A, Side::B] {
                let id = self.id(side);
                let events = self.net.take_events(&id);
                progress |= !events.is_empty();
                for e in events {
                    self.on_event(side, e);
                }
            }
            for side in [Side::A, Side::B] {
                if self.waiting[side.index()].is_some()
                    && self.peer(side).ice_gathering_state() == sansrtc::IceGatheringState::Complete
                {
                    self.waiting[side.index()] = None;
                    let description = self
                        .peer(side)
                        .local_description()
                        .ok_or_else(|| format!("{}: no local description", side.name()))?;
                    let what = Self::describe(&description);
                    self.send_signal(side, Signal::Description(description), what);
                    progress = true;
                }
            }
            while let Some(i) = self.next_due(now) {
                let flight = self.in_flight.remove(i);
                self.deliver(flight);
                progress = true;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    fn next_due(&self, now: Instant) -> Option<usize> {
        self.in_flight
            .iter()
            .enumerate()
            .filter(|(_, f)| f.at <= now)
            .min_by_key(|(_, f)| (f.at, f.seq))
            .map(|(i, _)| i)
    }

    /// Runs until `goal` holds or `limit` of simulated time (since the
    /// start of the call) passes; returns the time since the start.
    pub fn run_until(
        &mut self,
        limit: Duration,
        what: &str,
        mut goal: impl FnMut(&Call) -> bool,
    ) -> Result<Duration, String> {
        let end = self.net.start() + limit;
        let (a, b) = (self.a, self.b);
        loop {
            self.process()?;
            if goal(self) {
                return Ok(self.net.elapsed());
            }
            if self.net.now() >= end {
                return Err(format!(
                    "{what}: not reached after {:?}; {}",
                    self.net.elapsed(),
                    self.status()
                ));
            }
            let next_signal = self.in_flight.iter().map(|f| f.at).min();
            let until = next_signal.map_or(end, |t| t.min(end));
            let outcome = self.net.run_until(until, |n| {
                n.events(&a).next().is_some() || n.events(&b).next().is_some()
            });
            if outcome == RunOutcome::EventLimit {
                return Err(format!("{what}: the simulator's event limit was hit"));
            }
        }
    }

    /// Runs for `duration` more, reacting to everything.
    pub fn run_for(&mut self, duration: Duration) -> Result<(), String> {
        let limit = self.net.elapsed() + duration;
        self.run_until(limit, "", |c| c.net.elapsed() >= limit)?;
        Ok(())
    }

    /// Both sides' states, for a failure message.
    pub fn status(&self) -> String {
        let mut out = String::new();
        for side in [Side::A, Side::B] {
            let pc = self.peer(side);
            let _ = write!(
                out,
                "{}: signaling {} ice {} gathering {:?} dtls {} connection {} pair {:?}; ",
                side.name(),
                pc.signaling_state(),
                pc.ice_connection_state().as_str(),
                pc.ice_gathering_state(),
                pc.dtls_state().as_str(),
                pc.connection_state(),
                pc.selected_candidate_pair().map(|p| (p.local, p.remote)),
            );
        }
        if !self.errors.is_empty() {
            let _ = write!(out, "signaling errors {:?}", self.errors);
        }
        out
    }

    /// When `side`'s channel fired `open`, if it did.
    pub fn opened_at(&self, side: Side, channel: ChannelId) -> Option<Duration> {
        self.events[side.index()]
            .iter()
            .find_map(|(at, e)| match e {
                PeerEvent::DataChannel(DataChannelEvent::Open(c)) if *c == channel => Some(*at),
                _ => None,
            })
    }

    /// Every channel that opened on `side`.
    pub fn opened(&self, side: Side) -> Vec<ChannelId> {
        self.events[side.index()]
            .iter()
            .filter_map(|(_, e)| match e {
                PeerEvent::DataChannel(DataChannelEvent::Open(c)) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// `side`'s channel labelled `label` that the remote opened (the
    /// `datachannel` event), if announced.
    pub fn announced(&self, side: Side, label: &str) -> Option<ChannelId> {
        self.events[side.index()].iter().find_map(|(_, e)| match e {
            PeerEvent::DataChannel(DataChannelEvent::DataChannel(c))
                if self.peer(side).data_channel(*c).map(|i| i.label.as_str()) == Some(label) =>
            {
                Some(*c)
            }
            _ => None,
        })
    }

    /// The messages `side` received on `channel`.
    pub fn messages(&self, side: Side, channel: ChannelId) -> &[Delivered] {
        self.received
            .get(&(side, channel))
            .map_or(&[], Vec::as_slice)
    }

    /// Runs until `side`'s channel `channel` and the remote's end of it
    /// (labelled `label`) are both open; returns the later `open`.
    pub fn until_open(
        &mut self,
        side: Side,
        channel: ChannelId,
        label: &str,
        limit: Duration,
    ) -> Result<(Duration, ChannelId), String> {
        let remote = side.other();
        self.run_until(limit, &format!("channel {label} opens on both ends"), |c| {
            c.opened_at(side, channel).is_some()
                && c.announced(remote, label)
                    .is_some_and(|r| c.opened_at(remote, r).is_some())
        })?;
        let theirs = self
            .announced(remote, label)
            .ok_or("the remote end vanished")?;
        let at = self
            .opened_at(side, channel)
            .max(self.opened_at(remote, theirs))
            .ok_or("no open")?;
        Ok((at, theirs))
    }

    /// Runs until both connections are `connected` (ICE connected or
    /// completed, DTLS connected).
    pub fn until_connected(&mut self, limit: Duration) -> Result<Duration, String> {
        let limit = self.net.elapsed() + limit;
        self.run_until(limit, "both connections connected", |c| {
            [Side::A, Side::B]
                .iter()
                .all(|s| c.peer(*s).connection_state() == PeerConnectionState::Connected)
        })
    }

    /// The error list as a failure, if any.
    pub fn check_errors(&self) -> Result<(), String> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(format!("signaling failed: {:?}", self.errors))
        }
    }
}
