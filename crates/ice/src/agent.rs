//! The agent: its state, the application's commands, and `poll_output`.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_core::{CryptoRng, RngCore};
use sansrtc_config::IceTransportPolicy;
use sansrtc_proto::{Output, Transmit};
use sansrtc_sdp::{Candidate, CandidateAddress, CandidateKind, CandidateTransport};
use sansrtc_stun::TransactionId;

use crate::candidate::{Foundations, LocalCandidate, RemoteCandidate};
use crate::config::AgentConfig;
use crate::credentials::Credentials;
use crate::error::IceError;
use crate::event::{IceConnectionState, IceEvent, IceGatheringState, ResolveId, SelectedPair};
use crate::pair::Pair;
use crate::relay::{Relay, RelayFactory};
use crate::stats::IceStats;

/// The RNG the agent is given (and, as `sansrtc::PeerRng`, a peer
/// connection): any seedable cryptographic RNG.
#[cfg(not(feature = "snapshot"))]
pub trait IceRng: RngCore + CryptoRng + Send {}
#[cfg(not(feature = "snapshot"))]
impl<T: RngCore + CryptoRng + Send> IceRng for T {}

/// The RNG the agent is given: any seedable cryptographic RNG that is
/// `Clone` (without the `snapshot` feature `Clone` is not required).
#[cfg(feature = "snapshot")]
pub trait IceRng: RngCore + CryptoRng + Send {
    /// A boxed copy in the same state: it draws what `self` would draw.
    fn clone_box(&self) -> Box<dyn IceRng>;
}
#[cfg(feature = "snapshot")]
impl<T: RngCore + CryptoRng + Send + Clone + 'static> IceRng for T {
    fn clone_box(&self) -> Box<dyn IceRng> {
        Box::new(self.clone())
    }
}
#[cfg(feature = "snapshot")]
impl Clone for Box<dyn IceRng> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// A local address the application added (a socket it bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Base {
    pub(crate) address: SocketAddr,
    pub(crate) component: u16,
    pub(crate) removed: bool,
    pub(crate) gathered: bool,
}

/// What a STUN transaction of ours is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// A connectivity check on a pair, nominating or not.
    Check { pair: usize, nominate: bool },
    /// A consent check on the selected pair of a component.
    Consent { component: u16 },
    /// A Binding request to a STUN server (server entry index).
    ServerBinding { server: usize },
}

/// A STUN request in flight, retransmitted on its own RTO schedule.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) id: TransactionId,
    pub(crate) kind: TxKind,
    pub(crate) source: SocketAddr,
    pub(crate) destination: SocketAddr,
    pub(crate) relay: Option<usize>,
    pub(crate) request: Vec<u8>,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) controlling: bool,
    pub(crate) priority: u32,
    pub(crate) sent: u32,
    pub(crate) max_sends: u32,
    pub(crate) rto: Duration,
    pub(crate) next: Instant,
    /// Cancelled (RFC 8445 §7.3.1.4): no more retransmissions, a response
    /// is still welcome, running out is not a failure.
    pub(crate) cancelled: bool,
}

/// The selected path of a component, kept by value so that it survives an
/// ICE restart (when the check list is rebuilt).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path {
    pub(crate) pair: Option<usize>,
    /// The PRIORITY its checks carry.
    pub(crate) prflx_priority: u32,
    pub(crate) info: SelectedPair,
    pub(crate) relay: Option<usize>,
    pub(crate) last_response: Instant,
    pub(crate) consent_next: Instant,
    pub(crate) lost: bool,
    /// The peer nominated the pair; false for a pair a controlled agent
    /// selected itself after `unnominated_wait`.
    pub(crate) nominated: bool,
}

/// A resolution the application was asked for.
#[derive(Debug, Clone)]
pub(crate) enum Resolution {
    Server(usize),
    Remote(Candidate),
}

/// A STUN/TURN server with its resolved addresses.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerState {
    pub(crate) addresses: Vec<SocketAddr>,
    pub(crate) pending: bool,
}

/// A full or lite ICE agent for one data stream with one or two components.
///
/// Contract: after every `&mut self` call, drain [`Agent::poll_output`]
/// until it returns [`Output::Timeout`], and call
/// [`Agent::handle_timeout`] at that instant.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Agent {
    pub(crate) config: AgentConfig,
    pub(crate) rng: Box<dyn IceRng>,
    pub(crate) controlling: bool,
    pub(crate) tie_breaker: u64,
    pub(crate) local: Credentials,
    pub(crate) previous_local: Option<Credentials>,
    pub(crate) remote: Option<Credentials>,
    pub(crate) previous_remote: Option<Credentials>,
    pub(crate) remote_lite: bool,
    pub(crate) bases: Vec<Base>,
    pub(crate) locals: Vec<LocalCandidate>,
    pub(crate) remotes: Vec<RemoteCandidate>,
    pub(crate) remote_end_of_candidates: bool,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) triggered: VecDeque<(usize, bool)>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) servers: Vec<ServerState>,
    /// Servers and policy from `setConfiguration`, for the next restart.
    pub(crate) pending_servers: Option<(
        Vec<crate::config::IceServerEntry>,
        sansrtc_config::IceTransportPolicy,
    )>,
    pub(crate) relays: Vec<Relay>,
    pub(crate) relay_factory: Option<Box<dyn RelayFactory>>,
    pub(crate) resolutions: BTreeMap<u64, Resolution>,
    pub(crate) next_resolve_id: u64,
    pub(crate) foundations: Foundations,
    pub(crate) prflx_count: u64,
    pub(crate) selected: Vec<Option<Path>>,
    pub(crate) previous: Vec<Option<Path>>,
    /// Per component, the path application data last arrived on: the reply
    /// path before a pair is selected (a peer may start DTLS as soon as its
    /// own check succeeds, before we nominate).
    pub(crate) reply_path: Vec<Option<(SocketAddr, SocketAddr, Option<usize>)>>,
    pub(crate) first_valid_at: Vec<Option<Instant>>,
    pub(crate) next_check_at: Option<Instant>,
    pub(crate) last_check_at: Option<Instant>,
    pub(crate) outbox: crate::outbox::Outbox,
    pub(crate) held: Option<Vec<IceEvent>>,
    pub(crate) gathering_started: bool,
    pub(crate) gathering_state: IceGatheringState,
    pub(crate) state: IceConnectionState,
    pub(crate) failed: bool,
    pub(crate) closed: bool,
    pub(crate) rtcp_muxed: bool,
    pub(crate) now: Option<Instant>,
    pub(crate) last_request_at: Option<Instant>,
    pub(crate) stats: IceStats,
    /// [`Agent::poll_output`]'s timeout as last computed, `None` once
    /// something that may move a timer happened. Only the data paths
    /// (application data sent or received on a direct path) keep it.
    pub(crate) timeout_cache: Option<Option<Instant>>,
}

impl Agent {
    /// A new agent. `rng` makes the credentials, tie-breaker and transaction
    /// ids: the same seed and inputs give the same outputs.
    pub fn new(config: AgentConfig, rng: impl IceRng + 'static) -> Result<Self, IceError> {
        if config.lite && config.controlling {
            return Err(IceError::LiteCannotControl);
        }
        let mut rng: Box<dyn IceRng> = Box::new(rng);
        let local = Credentials::random(&mut *rng);
        let tie_breaker = rng.next_u64();
        let components = usize::from(config.components.clamp(1, 2));
        let servers = vec![ServerState::default(); config.servers.len()];
        Ok(Agent {
            controlling: config.controlling,
            config,
            rng,
            tie_breaker,
            local,
            previous_local: None,
            remote: None,
            previous_remote: None,
            remote_lite: false,
            bases: Vec::new(),
            locals: Vec::new(),
            remotes: Vec::new(),
            remote_end_of_candidates: false,
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            transactions: Vec::new(),
            servers,
            pending_servers: None,
            relays: Vec::new(),
            relay_factory: Some(Box::new(crate::turn_relay::TurnRelayFactory)),
            resolutions: BTreeMap::new(),
            next_resolve_id: 1,
            foundations: Foundations::default(),
            prflx_count: 0,
            selected: vec![None; components],
            previous: vec![None; components],
            reply_path: vec![None; components],
            first_valid_at: vec![None; components],
            next_check_at: None,
            last_check_at: None,
            outbox: crate::outbox::Outbox::default(),
            held: None,
            gathering_started: false,
            gathering_state: IceGatheringState::New,
            state: IceConnectionState::New,
            failed: false,
            closed: false,
            rtcp_muxed: false,
            now: None,
            last_request_at: None,
            stats: IceStats::default(),
            timeout_cache: None,
        })
    }

    /// Replaces the source of relay candidates (by default
    /// [`crate::TurnRelayFactory`], the `sansrtc-turn` client).
    pub fn set_relay_factory(&mut self, factory: Box<dyn RelayFactory>) {
        self.timers_changed();
        self.relay_factory = Some(factory);
    }

    /// Our ufrag and password, for the SDP (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_credentials(&self) -> &Credentials {
        &self.local
    }

    /// Whether this agent is controlling now.
    pub fn is_controlling(&self) -> bool {
        self.controlling
    }

    /// The connection state.
    pub fn connection_state(&self) -> IceConnectionState {
        self.state
    }

    /// The gathering state.
    pub fn gathering_state(&self) -> IceGatheringState {
        self.gathering_state
    }

    /// The counters.
    pub fn stats(&self) -> IceStats {
        self.stats
    }

    /// The selected pair of `component`, if any.
    pub fn selected_pair(&self, component: u16) -> Option<SelectedPair> {
        let i = usize::from(component).checked_sub(1)?;
        self.selected
            .get(i)
            .copied()
            .flatten()
            .or(self.previous.get(i).copied().flatten())
            .filter(|p| !p.lost)
            .map(|p| p.info)
    }

    /// The local candidates gathered so far, as SDP candidates.
    pub fn local_candidates(&self) -> Vec<Candidate> {
        self.locals
            .iter()
            .filter(|c| self.signalled(c))
            .map(|c| c.to_sdp(&self.local.ufrag))
            .collect()
    }

    /// The number of candidate pairs in the check list.
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// The number of remote candidates (signalled and peer-reflexive).
    pub fn remote_candidate_count(&self) -> usize {
        self.remotes.len()
    }

    /// The number of entries in the triggered-check queue.
    pub fn triggered_queue_len(&self) -> usize {
        self.triggered.len()
    }

    /// The number of STUN transactions in flight.
    pub fn transactions_in_flight(&self) -> usize {
        self.transactions.len()
    }

    /// Whether a local candidate is one we signal (not prflx, not on a
    /// removed base, only relay under the relay policy).
    pub(crate) fn signalled(&self, c: &LocalCandidate) -> bool {
        c.kind != CandidateKind::PeerReflexive
            && (self.config.transport_policy != IceTransportPolicy::Relay
                || c.kind == CandidateKind::Relay)
            && !self.base_removed(c.base)
            && self.component_active(c.component)
    }

    pub(crate) fn base_removed(&self, address: SocketAddr) -> bool {
        self.bases.iter().any(|b| b.address == address && b.removed)
    }

    pub(crate) fn component_active(&self, component: u16) -> bool {
        component >= 1
            && component <= self.config.components.clamp(1, 2)
            && !(component == 2 && self.rtcp_muxed)
    }

    pub(crate) fn active_components(&self) -> impl Iterator<Item = u16> + '_ {
        (1..=self.config.components.clamp(1, 2)).filter(|&c| self.component_active(c))
    }

    /// Sets the peer's ufrag and password (from its SDP). Checks start.
    pub fn set_remote_credentials(
        &mut self,
        now: Instant,
        ufrag: &str,
        pwd: &str,
    ) -> Result<(), IceError> {
        self.timers_changed();
        self.ensure_open()?;
        if !Credentials::is_valid(ufrag, pwd) {
            return Err(IceError::BadCredentials);
        }
        self.now = Some(now);
        self.remote = Some(Credentials {
            ufrag: ufrag.into(),
            pwd: pwd.into(),
        });
        self.schedule_checks(now);
        self.update_state(now);
        Ok(())
    }

    /// The peer is an ICE-lite agent (`a=ice-lite`): we take the controlling
    /// role (RFC 8445 §6.1.1).
    pub fn set_remote_lite(&mut self, lite: bool) {
        self.timers_changed();
        self.remote_lite = lite;
        if lite && !self.config.lite && !self.controlling {
            self.set_role(true);
        }
    }

    /// The remote description says RTCP is multiplexed (`a=rtcp-mux`):
    /// component 2 is dropped.
    pub fn set_rtcp_mux(&mut self, now: Instant, muxed: bool) {
        self.timers_changed();
        self.rtcp_muxed = muxed;
        if muxed {
            if let Some(s) = self.selected.get_mut(1) {
                *s = None;
            }
            for p in self.pairs.iter_mut().filter(|p| p.component == 2) {
                p.state = crate::pair::PairState::Failed;
            }
        }
        self.update_state(now);
    }

    /// Adds a local address for component 1 (a UDP socket the application
    /// bound; the agent never enumerates interfaces).
    pub fn add_local_address(&mut self, now: Instant, address: SocketAddr) -> Result<(), IceError> {
        self.timers_changed();
        self.add_component_address(now, 1, address)
    }

    /// Adds a local address for `component` (2 = RTCP with `rtcpMuxPolicy:
    /// negotiate`). If gathering has started, it is gathered at once.
    pub fn add_component_address(
        &mut self,
        now: Instant,
        component: u16,
        address: SocketAddr,
    ) -> Result<(), IceError> {
        self.timers_changed();
        self.ensure_open()?;
        if !(1..=self.config.components.clamp(1, 2)).contains(&component) {
            return Err(IceError::NoSuchComponent(component));
        }
        if self
            .bases
            .iter()
            .any(|b| b.address == address && !b.removed)
        {
            return Err(IceError::DuplicateLocalAddress(address));
        }
        if self.bases.iter().filter(|b| !b.removed).count() >= self.config.max_local_addresses {
            return Err(IceError::TooManyLocalAddresses(
                self.config.max_local_addresses,
            ));
        }
        self.now = Some(now);
        self.bases.push(Base {
            address,
            component,
            removed: false,
            gathered: false,
        });
        if self.gathering_started {
            if self.gathering_state == IceGatheringState::Complete {
                self.set_gathering_state(IceGatheringState::Gathering);
            }
            self.gather_base(now, self.bases.len() - 1);
            self.update_gathering(now);
        }
        self.update_state(now);
        Ok(())
    }

    /// Removes a local address (an interface went away): its candidates
    /// and pairs are no longer used.
    pub fn remove_local_address(&mut self, now: Instant, address: SocketAddr) {
        self.timers_changed();
        for b in self.bases.iter_mut().filter(|b| b.address == address) {
            b.removed = true;
        }
        let dead: Vec<usize> = (0..self.locals.len())
            .filter(|&i| self.locals[i].base == address)
            .collect();
        for p in self.pairs.iter_mut().filter(|p| dead.contains(&p.local)) {
            p.state = crate::pair::PairState::Failed;
        }
        self.transactions.retain(|t| t.source != address);
        self.update_state(now);
    }

    /// `iceCandidatePoolSize` > 0: start gathering now, before the first
    /// offer; the candidates are held and come out at once from
    /// [`Agent::gather`]. Does nothing with a pool size of 0.
    pub fn prepare(&mut self, now: Instant) {
        self.timers_changed();
        if self.config.candidate_pool_size == 0 || self.gathering_started || self.closed {
            return;
        }
        self.held = Some(Vec::new());
        self.start_gathering(now);
    }

    /// Starts gathering (what `setLocalDescription` does), or releases the
    /// candidates pre-gathered by [`Agent::prepare`].
    pub fn gather(&mut self, now: Instant) {
        self.timers_changed();
        if self.closed {
            return;
        }
        self.now = Some(now);
        if let Some(held) = self.held.take() {
            for e in held {
                self.outbox.push_back(Output::Event(e));
            }
            self.update_gathering(now);
            return;
        }
        if !self.gathering_started {
            self.start_gathering(now);
        }
    }

    /// Adds a remote candidate (from SDP or trickled, RFC 8838). A `.local`
    /// (mDNS) or other host name becomes an [`IceEvent::Resolve`].
    pub fn add_remote_candidate(
        &mut self,
        now: Instant,
        candidate: &Candidate,
    ) -> Result<(), IceError> {
        self.timers_changed();
        self.ensure_open()?;
        self.now = Some(now);
        if candidate.transport != CandidateTransport::Udp {
            return Err(IceError::UnsupportedTransport);
        }
        if let (Some(ufrag), Some(remote)) = (&candidate.ufrag, &self.remote) {
            if *ufrag != remote.ufrag {
                return Err(IceError::UfragMismatch);
            }
        }
        if !self.component_active(candidate.component) {
            return Err(IceError::NoSuchComponent(candidate.component));
        }
        match &candidate.address {
            CandidateAddress::Ip(ip) => {
                let address = SocketAddr::new(*ip, candidate.port);
                self.add_remote(now, candidate, address)?;
            }
            CandidateAddress::Fqdn(name) => {
                if self.resolutions.len() >= self.config.max_pending_resolutions {
                    return Err(IceError::TooManyPendingResolutions(
                        self.config.max_pending_resolutions,
                    ));
                }
                let id = self.next_resolve_id;
                self.next_resolve_id += 1;
                self.resolutions
                    .insert(id, Resolution::Remote(candidate.clone()));
                self.outbox.push_back(Output::Event(IceEvent::Resolve {
                    id: ResolveId(id),
                    name: name.clone(),
                }));
            }
        }
        self.update_state(now);
        Ok(())
    }

    /// Parses and adds an `a=candidate` line or its value (trickle).
    pub fn add_remote_candidate_str(&mut self, now: Instant, line: &str) -> Result<(), IceError> {
        self.timers_changed();
        let line = line.trim().trim_start_matches("a=");
        let candidate: Candidate = line.parse()?;
        self.add_remote_candidate(now, &candidate)
    }

    /// The peer signalled end-of-candidates.
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        self.timers_changed();
        self.remote_end_of_candidates = true;
        self.update_state(now);
    }

    /// The answer to an [`IceEvent::Resolve`]: the addresses (empty: the
    /// name did not resolve).
    pub fn resolved(
        &mut self,
        now: Instant,
        id: ResolveId,
        addresses: &[IpAddr],
    ) -> Result<(), IceError> {
        self.timers_changed();
        self.ensure_open()?;
        self.now = Some(now);
        let resolution = self
            .resolutions
            .remove(&id.0)
            .ok_or(IceError::UnknownResolution(id.0))?;
        match resolution {
            Resolution::Server(index) => {
                let port = self.config.servers[index].port;
                let server = &mut self.servers[index];
                server.pending = false;
                server.addresses = addresses
                    .iter()
                    .take(4)
                    .map(|ip| SocketAddr::new(*ip, port))
                    .collect();
                if addresses.is_empty() {
                    let url = self.config.servers[index].url.clone();
                    self.emit(IceEvent::CandidateError {
                        url,
                        address: None,
                        code: 701,
                        text: "server name did not resolve".into(),
                    });
                }
                for b in 0..self.bases.len() {
                    if self.bases[b].gathered && !self.bases[b].removed {
                        self.gather_server(now, b, index);
                    }
                }
                self.update_gathering(now);
            }
            Resolution::Remote(candidate) => {
                if let Some(ip) = addresses.first() {
                    let address = SocketAddr::new(*ip, candidate.port);
                    self.add_remote(now, &candidate, address)?;
                }
            }
        }
        self.update_state(now);
        Ok(())
    }

    /// Sends application data (DTLS records) on the selected pair of
    /// `component`. During an ICE restart the old pair is used until a new
    /// one is selected.
    pub fn send(&mut self, now: Instant, component: u16, data: &[u8]) -> Result<(), IceError> {
        let (local, remote, relay) = self.data_path(component)?;
        self.transmit(now, local, remote, relay, data);
        Ok(())
    }

    /// [`Agent::send`] taking the datagram by value: on a direct path it
    /// becomes the transmit without a copy (SRTP packets, sent once).
    pub fn send_owned(
        &mut self,
        now: Instant,
        component: u16,
        data: Vec<u8>,
    ) -> Result<(), IceError> {
        if let Some(transmit) = self.send_owned_direct(now, component, data)? {
            self.outbox.push_back(Output::Transmit(transmit));
        }
        Ok(())
    }

    /// [`Agent::send_owned`] for a caller with its own queue of
    /// transmits: on a direct path the transmit is returned, for the
    /// caller to send, instead of going through the agent's outputs (one
    /// queue less for every datagram); a relayed one is framed for the
    /// relay and queued as before (`None`).
    pub fn send_owned_direct(
        &mut self,
        now: Instant,
        component: u16,
        data: Vec<u8>,
    ) -> Result<Option<Transmit>, IceError> {
        let (local, remote, relay) = self.data_path(component)?;
        match relay {
            Some(_) => {
                self.transmit(now, local, remote, relay, &data);
                Ok(None)
            }
            None => Ok(Some(Transmit {
                protocol: sansrtc_proto::Protocol::Udp,
                source: local,
                destination: remote,
                contents: data,
            })),
        }
    }

    /// Where application data of `component` goes: the selected pair (the
    /// old one during a restart), else the best valid pair (RFC 8445 §12.1
    /// lets data flow on a valid pair), else the path the peer's data came
    /// on.
    fn data_path(
        &mut self,
        component: u16,
    ) -> Result<(SocketAddr, SocketAddr, Option<usize>), IceError> {
        self.ensure_open()?;
        let i = usize::from(component)
            .checked_sub(1)
            .filter(|&i| i < self.selected.len())
            .ok_or(IceError::NoSuchComponent(component))?;
        let Some(path) = self.selected[i].or(self.previous[i]) else {
            return self
                .best_valid_path(component)
                .or(self.reply_path[i])
                .ok_or(IceError::NotConnected(component));
        };
        if path.lost {
            self.stats.data_refused += 1;
            return Err(IceError::ConsentLost(component));
        }
        Ok((path.info.local_base, path.info.remote, path.relay))
    }

    /// ICE restart (RFC 8445 §9): new ufrag and password, a new check list;
    /// the old selected pair keeps carrying data until a new one is
    /// selected. Set the peer's new credentials and candidates afterwards.
    pub fn restart(&mut self, now: Instant) {
        self.timers_changed();
        if self.closed {
            return;
        }
        self.now = Some(now);
        let fresh = Credentials::random(&mut *self.rng);
        self.previous_local = Some(std::mem::replace(&mut self.local, fresh));
        // Consent on the old pair continues with the old credentials.
        if let Some(remote) = self.remote.take() {
            self.previous_remote = Some(remote);
        }
        self.remotes.clear();
        self.pairs.clear();
        self.triggered.clear();
        self.transactions
            .retain(|t| matches!(t.kind, TxKind::ServerBinding { .. }));
        self.remote_end_of_candidates = false;
        self.failed = false;
        for i in 0..self.selected.len() {
            if let Some(mut p) = self.selected[i].take() {
                p.pair = None;
                if !p.lost {
                    self.previous[i] = Some(p);
                }
            }
            self.first_valid_at[i] = None;
        }
        self.next_check_at = None;
        // Re-signal the candidates we keep, under the new ufrag.
        if self.gathering_started {
            self.set_gathering_state(IceGatheringState::Gathering);
            self.apply_pending_servers(now);
            let lines: Vec<Candidate> = self.local_candidates();
            for c in lines {
                self.emit(IceEvent::LocalCandidate(c));
            }
            self.update_gathering(now);
        }
        self.update_state(now);
    }

    /// The adapter's TCP/TLS stream from `local` to the TURN server `server`
    /// closed or failed: that relay is lost (a candidate error follows).
    pub fn handle_stream_closed(&mut self, now: Instant, local: SocketAddr, server: SocketAddr) {
        self.timers_changed();
        self.now = Some(now);
        for i in 0..self.relays.len() {
            let r = &self.relays[i];
            if r.base == local && r.server == server && r.protocol != sansrtc_proto::Protocol::Udp {
                self.relays[i].client.stream_closed(now);
                self.drain_relay(now, i);
            }
        }
        self.update_gathering(now);
        self.update_state(now);
    }

    /// Closes the agent: relays are deallocated, nothing more is sent.
    pub fn close(&mut self, now: Instant) {
        self.timers_changed();
        if self.closed {
            return;
        }
        for i in 0..self.relays.len() {
            self.relays[i].client.close(now);
            self.drain_relay(now, i);
        }
        self.closed = true;
        self.transactions.clear();
        self.triggered.clear();
        self.update_state(now);
    }

    /// Whether `component` has a valid pair (a check on it succeeded), on
    /// which [`Agent::send`] can carry data before a pair is selected.
    pub fn has_valid_pair(&self, component: u16) -> bool {
        self.best_valid_path(component).is_some()
    }

    /// (local base, remote, relay) of the best valid pair of `component`.
    pub(crate) fn best_valid_path(
        &self,
        component: u16,
    ) -> Option<(SocketAddr, SocketAddr, Option<usize>)> {
        let pair = &self.pairs[self.best_valid(component)?];
        let local = self.locals.get(pair.local)?;
        let remote = self.remotes.get(pair.remote)?;
        Some((local.base, remote.address, local.relay))
    }

    /// Sets the role after construction (the peer connection learns it
    /// when a description is applied: the offerer controls, RFC 8445
    /// §6.1.1). Unlike a role conflict, this emits no event. An ICE-lite
    /// agent stays controlled.
    pub fn set_controlling(&mut self, controlling: bool) {
        self.timers_changed();
        if self.controlling == controlling || (controlling && self.config.lite) {
            return;
        }
        self.controlling = controlling;
        self.recompute_priorities();
    }

    /// Changes role and recomputes pair priorities.
    pub(crate) fn set_role(&mut self, controlling: bool) {
        if self.controlling == controlling || (controlling && self.config.lite) {
            return;
        }
        self.controlling = controlling;
        self.recompute_priorities();
        self.emit(IceEvent::RoleChanged { controlling });
    }

    pub(crate) fn ensure_open(&self) -> Result<(), IceError> {
        if self.closed {
            Err(IceError::Closed)
        } else {
            Ok(())
        }
    }

    /// Queues an event (held while pre-gathering for the pool).
    pub(crate) fn emit(&mut self, event: IceEvent) {
        let holdable = matches!(
            event,
            IceEvent::LocalCandidate(_) | IceEvent::GatheringState(_)
        );
        match &mut self.held {
            Some(held) if holdable => held.push(event),
            _ => self.outbox.push_back(Output::Event(event)),
        }
    }

    /// Sends `data` from `source` to `destination`, directly or through relay `relay`.
    pub(crate) fn transmit(
        &mut self,
        now: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        relay: Option<usize>,
        data: &[u8],
    ) {
        match relay {
            Some(r) if r < self.relays.len() => {
                // The relay client's timers (refreshes, permissions) move.
                self.timers_changed();
                self.relays[r].client.send_to(now, destination, data);
                self.drain_relay(now, r);
            }
            _ => self.outbox.push_back(Output::Transmit(Transmit {
                protocol: sansrtc_proto::Protocol::Udp,
                source,
                destination,
                contents: data.to_vec(),
            })),
        }
    }

    /// What to do next: transmits and events in order, then the timeout.
    pub fn poll_output(&mut self) -> Output<Transmit, IceEvent> {
        if let Some(o) = self.outbox.pop_front() {
            return o;
        }
        Output::Timeout(self.cached_timeout())
    }

    /// Forgets the cached timeout: called by every entry point that may
    /// move a timer (all but application data on a direct path).
    pub(crate) fn timers_changed(&mut self) {
        self.timeout_cache = None;
    }

    /// [`Self::next_timeout`], recomputed only when a timer may have moved
    /// or the clock reached the cached instant (from there on a deadline
    /// that has passed is left out, which changes the answer). The scan
    /// over transactions, relays and pairs otherwise ran after every
    /// datagram.
    fn cached_timeout(&mut self) -> Option<Instant> {
        let reached = |at: Instant| self.now.is_some_and(|now| now >= at);
        match self.timeout_cache {
            Some(cached) if !cached.is_some_and(reached) => {
                debug_assert_eq!(cached, self.next_timeout(), "stale ICE timeout");
                cached
            }
            _ => {
                let timeout = self.next_timeout();
                self.timeout_cache = Some(timeout);
                timeout
            }
        }
    }

    fn next_timeout(&self) -> Option<Instant> {
        if self.closed {
            return self.relays.iter().filter_map(|r| r.next_timeout).min();
        }
        let now = self.now;
        let future = |at: Instant| now.map_or(true, |n| at > n);
        // The earliest of every timer, without collecting them (this runs
        // on every poll).
        let mut earliest: Option<Instant> = None;
        let mut at = |t: Instant| earliest = Some(earliest.map_or(t, |e| e.min(t)));
        self.next_check_at.into_iter().for_each(&mut at);
        self.transactions.iter().for_each(|t| at(t.next));
        self.relays
            .iter()
            .filter_map(|r| r.next_timeout)
            .for_each(&mut at);
        // Once every component has its pair (the connected state, where
        // this runs on every poll), no nomination is pending: skip making
        // the empty list of their deadlines.
        let all_selected = self.all_selected();
        if !all_selected {
            self.nomination_deadlines().for_each(&mut at);
        }
        if let Some(t) = self.last_request_at {
            if !self.failed && !all_selected {
                let t = t + self.config.disconnected_timeout;
                if future(t) {
                    at(t);
                }
            }
        }
        for p in self.selected.iter().chain(self.previous.iter()).flatten() {
            if p.lost {
                continue;
            }
            if !self.config.lite {
                at(p.consent_next);
            }
            for t in [
                p.last_response + self.config.disconnected_timeout,
                p.last_response + self.config.consent_timeout,
            ] {
                if future(t) {
                    at(t);
                }
            }
        }
        earliest
    }

    /// Timers: retransmissions, pacing, nomination, consent.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.timers_changed();
        if self.closed {
            for i in 0..self.relays.len() {
                if self.relays[i].next_timeout.is_some_and(|t| t <= now) {
                    self.relays[i].client.handle_timeout(now);
                    self.drain_relay(now, i);
                }
            }
            return;
        }
        self.now = Some(now);
        for i in 0..self.relays.len() {
            if self.relays[i].next_timeout.is_some_and(|t| t <= now) {
                self.relays[i].client.handle_timeout(now);
                self.drain_relay(now, i);
            }
        }
        self.retransmit(now);
        if self.next_check_at.is_some_and(|t| t <= now) {
            self.next_check_at = None;
            self.run_one_check(now);
            self.schedule_checks(now);
        }
        self.nominate(now);
        self.consent(now);
        self.update_gathering(now);
        self.update_state(now);
    }
}
