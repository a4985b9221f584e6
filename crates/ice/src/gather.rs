//! Gathering (RFC 8445 §5.1.1): host candidates from the application's
//! addresses, server-reflexive ones from STUN servers, relayed ones from
//! the relay source; redundant candidates are pruned (§5.1.3).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_config::{IceHost, IceTransportPolicy};
use sansrtc_proto::Output;
use sansrtc_sdp::CandidateKind;
use sansrtc_stun::attributes::{ErrorCode, MappedAddress, XorMappedAddress};
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};

use crate::agent::{Agent, Resolution, ServerState, Transaction, TxKind};
use crate::candidate::{candidate_priority, local_preference, LocalCandidate};
use crate::config::IceServerEntry;
use crate::event::{IceEvent, IceGatheringState, ResolveId};
use crate::pair::PairState;
use crate::relay::{Relay, RelayEvent, RelayRequest};

/// RFC 8489 §6.2.1: initial RTO of a Binding request to a STUN server.
pub(crate) const SERVER_RTO: Duration = Duration::from_millis(500);

impl Agent {
    pub(crate) fn start_gathering(&mut self, now: Instant) {
        self.now = Some(now);
        self.gathering_started = true;
        self.set_gathering_state(IceGatheringState::Gathering);
        self.locate_servers();
        for b in 0..self.bases.len() {
            if !self.bases[b].removed {
                self.gather_base(now, b);
            }
        }
        self.update_gathering(now);
    }

    /// Server addresses from the configured URLs: literal IPs at once,
    /// names through resolve requests.
    pub(crate) fn locate_servers(&mut self) {
        for i in 0..self.config.servers.len() {
            let entry = &self.config.servers[i];
            let port = entry.port;
            match &entry.host {
                IceHost::Domain(name) => {
                    if self.resolutions.len() >= self.config.max_pending_resolutions {
                        continue;
                    }
                    let id = self.next_resolve_id;
                    self.next_resolve_id += 1;
                    let name = name.clone();
                    self.resolutions.insert(id, Resolution::Server(i));
                    self.servers[i].pending = true;
                    self.outbox.push_back(Output::Event(IceEvent::Resolve {
                        id: ResolveId(id),
                        name,
                    }));
                }
                IceHost::Ipv4(ip) => {
                    self.servers[i].addresses = vec![SocketAddr::new((*ip).into(), port)];
                }
                IceHost::Ipv6(ip) => {
                    self.servers[i].addresses = vec![SocketAddr::new((*ip).into(), port)];
                }
            }
        }
    }

    /// New servers and transport policy (`setConfiguration`): used at once
    /// when gathering has not started, otherwise from the next ICE restart
    /// on, which gathers from them on every local address.
    pub fn set_servers(&mut self, servers: Vec<IceServerEntry>, policy: IceTransportPolicy) {
        self.timers_changed();
        if self.config.servers == servers && self.config.transport_policy == policy {
            self.pending_servers = None;
            return;
        }
        if self.gathering_started {
            self.pending_servers = Some((servers, policy));
        } else {
            self.servers = vec![ServerState::default(); servers.len()];
            self.config.servers = servers;
            self.config.transport_policy = policy;
        }
    }

    /// At an ICE restart: switch to the servers set since gathering started
    /// and gather from them.
    pub(crate) fn apply_pending_servers(&mut self, now: Instant) {
        let Some((servers, policy)) = self.pending_servers.take() else {
            return;
        };
        self.servers = vec![ServerState::default(); servers.len()];
        self.config.servers = servers;
        self.config.transport_policy = policy;
        self.locate_servers();
        for b in 0..self.bases.len() {
            if self.bases[b].gathered && !self.bases[b].removed {
                for s in 0..self.config.servers.len() {
                    self.gather_server(now, b, s);
                }
            }
        }
    }

    pub(crate) fn set_gathering_state(&mut self, state: IceGatheringState) {
        if self.gathering_state != state {
            self.gathering_state = state;
            self.emit(IceEvent::GatheringState(state));
        }
    }

    /// Complete when nothing is pending: resolutions of servers, Binding
    /// requests to servers, allocations.
    pub(crate) fn update_gathering(&mut self, _now: Instant) {
        if !self.gathering_started || self.gathering_state != IceGatheringState::Gathering {
            return;
        }
        let pending = self.servers.iter().any(|s| s.pending)
            || self
                .transactions
                .iter()
                .any(|t| matches!(t.kind, TxKind::ServerBinding { .. }))
            || self.relays.iter().any(|r| r.pending);
        if !pending {
            self.set_gathering_state(IceGatheringState::Complete);
        }
    }

    pub(crate) fn gather_base(&mut self, now: Instant, b: usize) {
        self.bases[b].gathered = true;
        let base = self.bases[b];
        let ip = base.address.ip();
        let index = self
            .bases
            .iter()
            .filter(|x| x.component == base.component)
            .count();
        let lp = local_preference(ip, index.saturating_sub(1) + b);
        let foundation = self.foundations.get(CandidateKind::Host, ip, None);
        let host = LocalCandidate {
            kind: CandidateKind::Host,
            component: base.component,
            address: base.address,
            base: base.address,
            priority: candidate_priority(CandidateKind::Host, lp, base.component),
            foundation,
            related: None,
            relay: None,
        };
        self.push_local(now, host);
        if self.config.lite {
            return;
        }
        for s in 0..self.config.servers.len() {
            self.gather_server(now, b, s);
        }
    }

    /// Adds a local candidate: signals it (trickle) and pairs it.
    pub(crate) fn push_local(&mut self, now: Instant, candidate: LocalCandidate) {
        let signalled = self.signalled(&candidate);
        let sdp = candidate.to_sdp(&self.local.ufrag);
        self.locals.push(candidate);
        if signalled {
            self.emit(IceEvent::LocalCandidate(sdp));
        }
        self.pair_local(self.locals.len() - 1);
        self.schedule_checks(now);
    }

    /// Starts what server `s` gives base `b`: a Binding request (STUN) or an
    /// allocation (TURN), to each resolved address of the base's family.
    pub(crate) fn gather_server(&mut self, now: Instant, b: usize, s: usize) {
        let base = self.bases[b];
        let addresses: Vec<SocketAddr> = self.servers[s]
            .addresses
            .iter()
            .copied()
            .filter(|a| a.is_ipv4() == base.address.is_ipv4())
            .collect();
        for server in addresses {
            let entry = self.config.servers[s].clone();
            match entry.turn {
                None => {
                    if self.config.transport_policy == IceTransportPolicy::Relay {
                        continue;
                    }
                    if self.transactions.len() >= self.config.max_transactions {
                        self.stats.transactions_dropped += 1;
                        continue;
                    }
                    let id = TransactionId::random(&mut *self.rng);
                    let mut request = Vec::with_capacity(28);
                    let mut builder =
                        MessageBuilder::new(&mut request, MessageType::BINDING_REQUEST, id);
                    if builder.add_fingerprint().is_err() {
                        continue;
                    }
                    builder.finish();
                    self.transactions.push(Transaction {
                        id,
                        kind: TxKind::ServerBinding { server: s },
                        source: base.address,
                        destination: server,
                        relay: None,
                        request: request.clone(),
                        key: None,
                        controlling: self.controlling,
                        priority: 0,
                        sent: 1,
                        max_sends: self.config.stun_max_transmissions,
                        rto: SERVER_RTO,
                        next: now + SERVER_RTO,
                        cancelled: false,
                    });
                    self.transmit(now, base.address, server, None, &request);
                }
                Some(turn) => {
                    let taken = self.relays.iter().any(|r| {
                        r.base == base.address && r.server == server && r.protocol == turn.protocol
                    });
                    if taken {
                        // One 5-tuple holds one allocation (RFC 8656 §2.2).
                        self.emit(IceEvent::CandidateError {
                            url: entry.url.clone(),
                            address: Some(base.address),
                            code: 437,
                            text: "another TURN server entry already allocates on this 5-tuple"
                                .into(),
                        });
                        continue;
                    }
                    let Some(factory) = self.relay_factory.as_mut() else {
                        self.emit(IceEvent::CandidateError {
                            url: entry.url.clone(),
                            address: Some(base.address),
                            code: 701,
                            text: "no TURN client installed".into(),
                        });
                        continue;
                    };
                    let seed = self.rng.next_u64();
                    let client = factory.create(
                        &RelayRequest {
                            server,
                            protocol: turn.protocol,
                            local: base.address,
                            username: &entry.username,
                            password: &entry.credential,
                            url: &entry.url,
                        },
                        seed,
                    );
                    self.relays.push(Relay {
                        server_entry: s,
                        component: base.component,
                        base: base.address,
                        server,
                        protocol: turn.protocol,
                        client,
                        relayed: None,
                        pending: true,
                        next_timeout: None,
                    });
                    let i = self.relays.len() - 1;
                    self.relays[i].client.start(now);
                    self.drain_relay(now, i);
                }
            }
        }
    }

    /// A STUN server answered a Binding request.
    pub(crate) fn handle_server_response(
        &mut self,
        now: Instant,
        index: usize,
        response: &Message<'_>,
    ) {
        let t = self.transactions.remove(index);
        let TxKind::ServerBinding { server } = t.kind else {
            return;
        };
        if response.class() == Class::ErrorResponse {
            let (code, text) = match response.get::<ErrorCode<'_>>() {
                Ok(Some(e)) => (e.code, e.reason.to_owned()),
                _ => (500, "error response".to_owned()),
            };
            let url = self.config.servers[server].url.clone();
            self.emit(IceEvent::CandidateError {
                url,
                address: Some(t.source),
                code,
                text,
            });
            return;
        }
        let mapped = match response.get::<XorMappedAddress>() {
            Ok(Some(XorMappedAddress(a))) => Some(a),
            _ => match response.get::<MappedAddress>() {
                Ok(Some(MappedAddress(a))) => Some(a),
                _ => None,
            },
        };
        let Some(mapped) = mapped else {
            self.stats.malformed_dropped += 1;
            return;
        };
        self.add_server_reflexive(now, t.source, mapped, t.destination);
    }

    /// A server-reflexive candidate, unless redundant (equal to its base or
    /// to another one: RFC 8445 §5.1.3).
    pub(crate) fn add_server_reflexive(
        &mut self,
        now: Instant,
        base: SocketAddr,
        mapped: SocketAddr,
        server: SocketAddr,
    ) {
        let Some(b) = self.bases.iter().position(|x| x.address == base) else {
            return;
        };
        let component = self.bases[b].component;
        let redundant = self
            .locals
            .iter()
            .any(|c| c.component == component && c.address == mapped && c.base == base);
        if redundant || mapped == base {
            self.stats.redundant_pruned += 1;
            return;
        }
        let lp = local_preference(base.ip(), b);
        let foundation =
            self.foundations
                .get(CandidateKind::ServerReflexive, base.ip(), Some(server));
        self.push_local(
            now,
            LocalCandidate {
                kind: CandidateKind::ServerReflexive,
                component,
                address: mapped,
                base,
                priority: candidate_priority(CandidateKind::ServerReflexive, lp, component),
                foundation,
                related: Some(base),
                relay: None,
            },
        );
    }

    pub(crate) fn server_binding_failed(&mut self, _now: Instant, t: &Transaction, server: usize) {
        let url = self.config.servers[server].url.clone();
        self.emit(IceEvent::CandidateError {
            url,
            address: Some(t.source),
            code: 701,
            text: "STUN binding request timed out".into(),
        });
    }

    /// Drains relay `i`: transmits out, events handled, its timeout kept.
    pub(crate) fn drain_relay(&mut self, now: Instant, i: usize) {
        loop {
            match self.relays[i].client.poll_output() {
                Output::Transmit(t) => self.outbox.push_back(Output::Transmit(t)),
                Output::Event(e) => self.handle_relay_event(now, i, e),
                Output::Timeout(at) => {
                    self.relays[i].next_timeout = at;
                    break;
                }
            }
        }
    }

    fn handle_relay_event(&mut self, now: Instant, i: usize, event: RelayEvent) {
        match event {
            RelayEvent::Allocated { relayed, mapped } => {
                let relay = &mut self.relays[i];
                relay.pending = false;
                if relay.relayed.is_some() {
                    return;
                }
                relay.relayed = Some(relayed);
                let (component, base, server, protocol) =
                    (relay.component, relay.base, relay.server, relay.protocol);
                let b = self
                    .bases
                    .iter()
                    .position(|x| x.address == base)
                    .unwrap_or(0);
                let lp = local_preference(base.ip(), b);
                let foundation = self.foundations.get_via(
                    CandidateKind::Relay,
                    base.ip(),
                    Some(server),
                    protocol,
                );
                self.push_local(
                    now,
                    LocalCandidate {
                        kind: CandidateKind::Relay,
                        component,
                        address: relayed,
                        base: relayed,
                        priority: candidate_priority(CandidateKind::Relay, lp, component),
                        foundation,
                        related: Some(mapped),
                        relay: Some(i),
                    },
                );
            }
            RelayEvent::Failed { code, text } => {
                let relay = &mut self.relays[i];
                relay.pending = false;
                if relay.relayed.take().is_some() {
                    // The allocation is lost: its pairs cannot work any more.
                    for p in 0..self.pairs.len() {
                        if self.locals[self.pairs[p].local].relay == Some(i) {
                            self.pairs[p].state = PairState::Failed;
                        }
                    }
                }
                let relay = &self.relays[i];
                let (url, base) = (
                    self.config.servers[relay.server_entry].url.clone(),
                    relay.base,
                );
                self.emit(IceEvent::CandidateError {
                    url,
                    address: Some(base),
                    code,
                    text,
                });
            }
            RelayEvent::Data { peer, data } => {
                let Some(relayed) = self.relays[i].relayed else {
                    return;
                };
                if self.closed {
                    return;
                }
                if Message::looks_like_stun(&data) {
                    match Message::parse(&data) {
                        Ok(message) => {
                            self.handle_stun(now, &message, peer, relayed, Some(i));
                        }
                        Err(_) => self.stats.malformed_dropped += 1,
                    }
                    return;
                }
                match self.data_component(relayed, peer, Some(i)) {
                    Some(component) => {
                        self.note_reply_path(component, relayed, peer, Some(i));
                        self.emit(IceEvent::Data { component, data })
                    }
                    None => self.stats.unknown_source_dropped += 1,
                }
            }
            RelayEvent::Redirected { to } => self.relays[i].server = to,
            RelayEvent::Closed => {
                let relay = &mut self.relays[i];
                relay.pending = false;
                relay.relayed = None;
                for p in 0..self.pairs.len() {
                    if self.locals[self.pairs[p].local].relay == Some(i) {
                        self.pairs[p].state = PairState::Failed;
                    }
                }
            }
        }
    }
}
