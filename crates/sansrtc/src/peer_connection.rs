//! `RtcPeerConnection`: construction, the [`Machine`] implementation, the
//! drain of the transport's outputs into W3C events, and the states.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, RngCore, SeedableRng};
use sansrtc_config::{CertificateOptions, RtcCertificate, RtcConfiguration, RtcConfigurationState};
use sansrtc_datachannel::{DataChannelConfig, SctpTransport};
use sansrtc_dtls::{Connected, Identity};
use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, IceGatheringState, ResolveId};
use sansrtc_proto::{Machine, Output, Receive, ReceiveOwned, Transmit};
use sansrtc_sctp::SctpConfig;
use sansrtc_sdp::attributes::Fingerprint;
use sansrtc_sdp::SessionDescription;

use crate::error::RtcError;
use crate::event::{IceCandidateErrorEvent, IceCandidateInit, PeerConnectionState, PeerEvent};
use crate::identity::IdentityRequest;
use crate::remote::RemoteParams;
use crate::signaling::{SdpType, SignalingState};
use crate::transport::{Transport, TransportEvent, TransportStats};
use crate::PeerRng;

/// One applied description.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub sdp_type: SdpType,
    pub description: SessionDescription,
}

/// A remote description with what was read from it.
#[derive(Debug, Clone)]
pub(crate) struct AppliedRemote {
    pub applied: Applied,
    pub params: RemoteParams,
}

/// The state of the DTLS transport (`RTCDtlsTransportState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsTransportState {
    /// No handshake yet.
    New,
    /// Handshaking.
    Connecting,
    /// Up and authenticated.
    Connected,
    /// Closed by either side.
    Closed,
    /// Failed.
    Failed,
}

impl DtlsTransportState {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsTransportState::New => "new",
            DtlsTransportState::Connecting => "connecting",
            DtlsTransportState::Connected => "connected",
            DtlsTransportState::Closed => "closed",
            DtlsTransportState::Failed => "failed",
        }
    }
}

/// An `RTCPeerConnection` as one Sans-IO machine.
///
/// The contract is the workspace's: after every `&mut self` call (a
/// datagram, a timeout, any API method), drain [`Machine::poll_output`]
/// until it returns [`Output::Timeout`]; send each transmit from its
/// `source`, hand each event to the application, and call
/// [`Machine::handle_timeout`] at the returned instant.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct RtcPeerConnection {
    pub(crate) config: RtcConfigurationState,
    pub(crate) certificates: Vec<Arc<RtcCertificate>>,
    pub(crate) identities: Vec<Arc<Identity>>,
    pub(crate) rng: Box<dyn PeerRng>,
    pub(crate) started_at: Instant,
    pub(crate) wall_clock_at_start: SystemTime,
    /// The transports: one per BUNDLE group or unbundled section (one in
    /// all once a BUNDLE group is negotiated); the first exists from the
    /// start (it gathers the candidate pool).
    pub(crate) transports: Vec<Transport>,
    /// For each section of the latest description (created, or applied),
    /// the index of its transport.
    pub(crate) section_transports: Vec<usize>,
    /// The map of the offer last created, applied with it.
    pub(crate) offer_transports: Option<Vec<usize>>,
    /// The map of the last applied answer (what a rollback returns to).
    pub(crate) negotiated_transports: Vec<usize>,
    /// The mid of the negotiated BUNDLE group's tagged section.
    pub(crate) bundle_tag: Option<String>,
    /// Resolve requests handed out: our id → (transport, the agent's id).
    pub(crate) resolve_ids: Vec<(ResolveId, usize, ResolveId)>,
    pub(crate) next_resolve_id: u64,
    pub(crate) signaling: SignalingState,
    pub(crate) pending_local: Option<Applied>,
    pub(crate) current_local: Option<Applied>,
    pub(crate) pending_remote: Option<AppliedRemote>,
    pub(crate) current_remote: Option<AppliedRemote>,
    pub(crate) last_offer: Option<String>,
    pub(crate) last_answer: Option<String>,
    pub(crate) session_id: u64,
    pub(crate) session_version: u64,
    /// The mid of the data section once one was offered or answered.
    pub(crate) data_mid: Option<String>,
    /// Its index in the descriptions.
    pub(crate) data_index: usize,
    pub(crate) negotiation_needed: bool,
    pub(crate) ice_restart_pending: bool,
    pub(crate) ice_restart_done: bool,
    pub(crate) ice_state: IceConnectionState,
    pub(crate) gathering_state: IceGatheringState,
    pub(crate) connection_state: PeerConnectionState,
    pub(crate) local_addresses: Vec<SocketAddr>,
    /// Sockets for RTCP on its own component (`rtcpMuxPolicy: negotiate`).
    pub(crate) rtcp_addresses: Vec<SocketAddr>,
    pub(crate) identity_provider: Option<(String, String)>,
    pub(crate) identity_assertion: Option<String>,
    pub(crate) identity_requests: Vec<(u64, IdentityRequest)>,
    pub(crate) next_identity_request: u64,
    pub(crate) validated_assertion: Option<String>,
    pub(crate) peer_identity: Option<String>,
    pub(crate) identity_failed: bool,
    pub(crate) skipped_remote_candidates: u64,
    pub(crate) outbox: VecDeque<Output<Transmit, PeerEvent>>,
    pub(crate) closed: bool,
    pub(crate) media: crate::media::Media,
    pub(crate) host_names: crate::host_names::HostNames,
    /// The DTLS versions new transports offer and accept.
    pub(crate) dtls_versions: std::ops::RangeInclusive<sansrtc_dtls::DtlsVersion>,
    /// Data-channel messages were sent, or a received datagram left a SACK
    /// held, at this instant and the transports not pumped since: the
    /// next `poll_output` that finds nothing queued pumps them.
    pub(crate) deferred_pump: Option<Instant>,
}

impl RtcPeerConnection {
    /// `new RTCPeerConnection(configuration)`.
    ///
    /// `rng` is the only source of randomness (ICE credentials, session
    /// ids, DTLS randoms, SCTP tags); `now` is the driver's clock and
    /// `wall_clock` the time of day at `now`, for certificate validity (a
    /// Sans-IO machine reads no clock). With no certificate in the
    /// configuration a fresh ECDSA P-256 one is generated; an expired one is
    /// an `InvalidAccessError`.
    pub fn new(
        configuration: RtcConfiguration,
        rng: impl PeerRng + 'static,
        now: Instant,
        wall_clock: SystemTime,
    ) -> Result<Self, RtcError> {
        let mut rng: Box<dyn PeerRng> = Box::new(rng);
        let mut certificates = configuration.certificates.clone();
        let config = RtcConfigurationState::construct(configuration, wall_clock)?;
        if certificates.is_empty() {
            let generated =
                RtcCertificate::generate(&CertificateOptions::default(), wall_clock, &mut rng)?;
            certificates.push(Arc::new(generated));
        }
        // Built once per certificate (generation or import), shared here.
        let identities = certificates
            .iter()
            .map(|c| c.identity().clone())
            .collect::<Vec<_>>();
        let agent = new_agent(&config, &mut rng, true)?;
        let sctp = SctpTransport::new(
            DataChannelConfig::default(),
            SctpConfig::default(),
            &mut rng,
            now,
        );
        let transport_rng = ChaCha20Rng::from_rng(&mut rng).map_err(rng_error)?;
        let session_id = rng.next_u64() >> 2;
        let gated = config.target_peer_identity().is_some();
        let mut pc = RtcPeerConnection {
            config,
            certificates,
            identities,
            rng,
            started_at: now,
            wall_clock_at_start: wall_clock,
            transports: vec![Transport::new(agent, Some(sctp), transport_rng)],
            section_transports: Vec::new(),
            offer_transports: None,
            negotiated_transports: Vec::new(),
            bundle_tag: None,
            resolve_ids: Vec::new(),
            next_resolve_id: 1,
            signaling: SignalingState::Stable,
            pending_local: None,
            current_local: None,
            pending_remote: None,
            current_remote: None,
            last_offer: None,
            last_answer: None,
            session_id,
            session_version: 0,
            data_mid: None,
            data_index: 0,
            negotiation_needed: false,
            ice_restart_pending: false,
            ice_restart_done: false,
            ice_state: IceConnectionState::New,
            gathering_state: IceGatheringState::New,
            connection_state: PeerConnectionState::New,
            local_addresses: Vec::new(),
            rtcp_addresses: Vec::new(),
            identity_provider: None,
            identity_assertion: None,
            identity_requests: Vec::new(),
            next_identity_request: 1,
            validated_assertion: None,
            peer_identity: None,
            identity_failed: false,
            skipped_remote_candidates: 0,
            outbox: VecDeque::new(),
            closed: false,
            media: crate::media::Media::default(),
            host_names: Default::default(),
            dtls_versions: sansrtc_dtls::DtlsVersion::Dtls12..=sansrtc_dtls::DtlsVersion::Dtls13,
            deferred_pump: None,
        };
        pc.media.cname = format!("{:016x}", pc.rng.next_u64());
        pc.transports[0].gated = gated;
        pc.transports[0].agent.set_rtcp_mux(now, true);
        // iceCandidatePoolSize > 0: gathering starts now.
        pc.transports[0].agent.prepare(now);
        pc.drain(now);
        Ok(pc)
    }

    /// The time of day at `now`, from the wall clock given at construction.
    pub(crate) fn unix_time(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.started_at);
        (self.wall_clock_at_start + elapsed)
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs()
    }

    pub(crate) fn ensure_open(&self) -> Result<(), RtcError> {
        if self.closed {
            Err(RtcError::Closed)
        } else {
            Ok(())
        }
    }

    /// `signalingState`.
    pub fn signaling_state(&self) -> SignalingState {
        self.signaling
    }

    /// `iceConnectionState`.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.ice_state
    }

    /// `iceGatheringState`.
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        self.gathering_state
    }

    /// `connectionState`.
    pub fn connection_state(&self) -> PeerConnectionState {
        self.connection_state
    }

    /// The DTLS transport's state (of the first section's transport, the
    /// only one once BUNDLE is negotiated).
    pub fn dtls_state(&self) -> DtlsTransportState {
        self.primary().dtls_state
    }

    /// What the DTLS handshake negotiated (suite, group, SRTP profile, the
    /// peer's certificate), once connected.
    pub fn dtls_parameters(&self) -> Option<&Connected> {
        self.primary().dtls_connected.as_ref()
    }

    /// Our DTLS role, once known.
    pub fn dtls_role(&self) -> Option<sansrtc_dtls::Role> {
        self.primary().dtls.as_ref().map(|d| d.role())
    }

    /// The selected candidate pair.
    pub fn selected_candidate_pair(&self) -> Option<sansrtc_ice::SelectedPair> {
        self.primary().agent.selected_pair(1)
    }

    /// Counters of the composition (what the demultiplexer dropped), over
    /// every transport.
    pub fn transport_stats(&self) -> TransportStats {
        self.transports
            .iter()
            .fold(TransportStats::default(), |sum, t| sum.merged(&t.stats))
    }

    /// The ICE agent's counters.
    pub fn ice_stats(&self) -> sansrtc_ice::IceStats {
        self.primary().agent.stats()
    }

    /// The DTLS endpoint's counters, once it exists.
    pub fn dtls_stats(&self) -> Option<sansrtc_dtls::DtlsStats> {
        self.primary().dtls.as_ref().map(|d| d.stats().clone())
    }

    /// The SCTP association's counters.
    pub fn sctp_stats(&self) -> sansrtc_sctp::SctpStats {
        self.sctp().association().stats()
    }

    /// How many transports the connection has (one per BUNDLE group or
    /// unbundled section, W3C `RTCDtlsTransport`s).
    pub fn transport_count(&self) -> usize {
        self.transports.len()
    }

    /// Whether each transport sends RTCP on a component of its own with
    /// SRTCP keys from that component's DTLS handshake (`rtcpMuxPolicy:
    /// negotiate`, a peer that does not multiplex), in order.
    pub fn rtcp_components(&self) -> Vec<bool> {
        self.transports
            .iter()
            .map(|t| t.rtcp.as_ref().is_some_and(|r| r.has_keys()))
            .collect()
    }

    /// The local ICE ufrag of each transport, in order.
    pub fn transport_ufrags(&self) -> Vec<String> {
        self.transports
            .iter()
            .map(|t| t.agent.local_credentials().ufrag.clone())
            .collect()
    }

    /// The transport of the first section (the bundle transport).
    pub(crate) fn primary(&self) -> &Transport {
        let i = self.section_transports.first().copied().unwrap_or(0);
        &self.transports[i.min(self.transports.len() - 1)]
    }

    /// The index of the transport holding the SCTP association.
    pub(crate) fn sctp_index(&self) -> usize {
        self.transports
            .iter()
            .position(|t| t.sctp.is_some())
            .expect("one transport always holds the association")
    }

    /// The SCTP association with the data channels.
    pub(crate) fn sctp(&self) -> &SctpTransport {
        self.transports[self.sctp_index()]
            .sctp
            .as_ref()
            .expect("found above")
    }

    /// The SCTP association, mutably.
    pub(crate) fn sctp_mut(&mut self) -> &mut SctpTransport {
        let i = self.sctp_index();
        self.transports[i].sctp.as_mut().expect("found above")
    }

    /// The index of the transport carrying `transceiver`'s section (the
    /// first section's transport without one).
    pub(crate) fn media_transport(&self, transceiver: Option<usize>) -> usize {
        let section = transceiver
            .and_then(|i| self.media.transceivers.get(i))
            .and_then(|t| t.mline_index)
            .unwrap_or(0);
        self.section_transports
            .get(section)
            .or(self.section_transports.first())
            .copied()
            .filter(|&i| i < self.transports.len())
            .unwrap_or(0)
    }

    /// Protects and sends an RTP or RTCP packet on `transceiver`'s
    /// transport. Whether it was sent.
    pub(crate) fn send_media(
        &mut self,
        now: Instant,
        transceiver: Option<usize>,
        packet: Vec<u8>,
        rtcp: bool,
    ) -> bool {
        let index = self.media_transport(transceiver);
        self.transports[index].send_media(now, packet, rtcp)
    }

    /// Drains every transport's machines.
    pub(crate) fn pump_all(&mut self, now: Instant) {
        for t in &mut self.transports {
            t.pump(now);
        }
    }

    /// Remote candidates skipped because we cannot use them (TCP, RTCP).
    pub fn skipped_remote_candidates(&self) -> u64 {
        self.skipped_remote_candidates
    }

    /// The certificates in use (the configured ones, or the generated one).
    pub fn certificates(&self) -> &[Arc<RtcCertificate>] {
        &self.certificates
    }

    /// Our fingerprints, sha-256, one per certificate.
    pub(crate) fn local_fingerprints(&self) -> Vec<Fingerprint> {
        self.certificates
            .iter()
            .map(|c| c.sha256_fingerprint())
            .collect()
    }

    /// The validated remote identity (`peerIdentity`), once asserted.
    pub fn peer_identity(&self) -> Option<&str> {
        self.peer_identity.as_deref()
    }

    /// `close()`: channels close, SCTP shuts down, DTLS sends close_notify,
    /// ICE releases its relays. The signaling state becomes `closed` (no
    /// event, as the spec says). Closing twice does nothing.
    pub fn close(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.config.close();
        self.sctp_mut().abort(now);
        for t in &mut self.transports {
            t.pump(now);
            if let Some(dtls) = &mut t.dtls {
                dtls.close();
            }
            if let Some(dtls) = t.rtcp.as_mut().and_then(|r| r.dtls.as_mut()) {
                dtls.close();
            }
            t.pump(now);
            t.agent.close(now);
            t.pump(now);
        }
        self.signaling = SignalingState::Closed;
        self.connection_state = PeerConnectionState::Closed;
        self.drain(now);
    }

    /// The local addresses the driver bound (host candidates). Loopback
    /// addresses are used only while they are the only ones, as browsers do.
    /// Every transport gathers on them; datagrams are told apart by the
    /// agents (STUN USERNAME, transaction, the peer's address).
    pub fn add_local_address(&mut self, now: Instant, address: SocketAddr) -> Result<(), RtcError> {
        self.ensure_open()?;
        if self.local_addresses.contains(&address) {
            return Err(sansrtc_ice::IceError::DuplicateLocalAddress(address).into());
        }
        let loopback = address.ip().is_loopback();
        let others = self.local_addresses.iter().any(|a| !a.ip().is_loopback());
        let used_loopback: Vec<SocketAddr> = self
            .local_addresses
            .iter()
            .copied()
            .filter(|a| a.ip().is_loopback())
            .collect();
        for t in &mut self.transports {
            if !loopback || !others {
                t.agent.add_local_address(now, address)?;
            }
            if !loopback {
                for a in &used_loopback {
                    t.agent.remove_local_address(now, *a);
                }
            }
        }
        self.local_addresses.push(address);
        self.name_host(address.ip());
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// A socket for RTCP on its own ICE component, for `rtcpMuxPolicy:
    /// negotiate` with a peer that does not multiplex RTP and RTCP (RFC
    /// 5761). Every transport carrying RTP gathers component 2 on these
    /// while RTCP multiplexing is not settled; without one, a section
    /// that is not multiplexed is refused (or its transceiver stopped).
    /// Under `require` it is never used.
    pub fn add_local_rtcp_address(
        &mut self,
        now: Instant,
        address: SocketAddr,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        if self.rtcp_addresses.contains(&address) || self.local_addresses.contains(&address) {
            return Err(sansrtc_ice::IceError::DuplicateLocalAddress(address).into());
        }
        if self.config.get_configuration().rtcp_mux_policy
            != sansrtc_config::RtcpMuxPolicy::Negotiate
        {
            return Err(RtcError::InvalidArgument(
                "an RTCP socket needs rtcpMuxPolicy negotiate".into(),
            ));
        }
        for t in &mut self.transports {
            t.agent.add_component_address(now, 2, address)?;
        }
        self.rtcp_addresses.push(address);
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// The addresses a new transport gathers on: the ones in use.
    pub(crate) fn usable_local_addresses(&self) -> Vec<SocketAddr> {
        let others = self.local_addresses.iter().any(|a| !a.ip().is_loopback());
        self.local_addresses
            .iter()
            .copied()
            .filter(|a| !(others && a.ip().is_loopback()))
            .collect()
    }

    /// A local address went away.
    pub fn remove_local_address(&mut self, now: Instant, address: SocketAddr) {
        self.local_addresses.retain(|a| *a != address);
        for t in &mut self.transports {
            t.agent.remove_local_address(now, address);
        }
        self.pump_all(now);
        self.drain(now);
    }

    /// The answer to a [`PeerEvent::Resolve`]: the addresses of the name
    /// (empty: it did not resolve).
    pub fn resolved(
        &mut self,
        now: Instant,
        id: ResolveId,
        addresses: &[IpAddr],
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let Some(at) = self.resolve_ids.iter().position(|(ours, _, _)| *ours == id) else {
            // Unknown here: let the first agent say what it makes of it.
            self.transports[0].agent.resolved(now, id, addresses)?;
            return Ok(());
        };
        let (_, index, agent_id) = self.resolve_ids.remove(at);
        if let Some(t) = self.transports.get_mut(index) {
            t.agent.resolved(now, agent_id, addresses)?;
            t.pump(now);
        }
        self.drain(now);
        Ok(())
    }

    /// Moves the transports' events into the outbox, as W3C events, and
    /// updates the aggregate states. Their transmits stay in their queues,
    /// which `poll_output` takes from after the outbox (one queue less for
    /// every datagram).
    pub(crate) fn drain(&mut self, now: Instant) {
        for index in 0..self.transports.len() {
            self.drain_transport(now, index);
        }
        self.update_ice_state();
        self.update_gathering_state();
        self.update_connection_state();
        if self.media.next_report.is_none() && !self.closed {
            self.arm_reports(now);
        }
        self.update_media_timeout();
    }

    /// What follows a datagram handed to transport `index`: the full
    /// [`Self::drain`], except after data (not STUN or TURN) that raised no
    /// transport event, the common case of a connected peer's DTLS and
    /// SCTP traffic. Then nothing the drain reads changed: ICE's states
    /// change only with STUN and timers, DTLS's, SCTP's, the channels' and
    /// the media's reach the peer connection only as transport events,
    /// and the transmits wait in the transport for `poll_output`.
    ///
    /// A SACK the transport held ([`Transport::sack_owed`]) leaves from
    /// the pump at the next `poll_output`, once the caller has handed over
    /// every datagram it had: one SACK for the whole batch.
    fn after_receive(&mut self, now: Instant, index: usize, data_path: bool) {
        if self.transports[index].sack_owed() {
            self.defer_pump(now);
        }
        if data_path && self.transports[index].events.is_empty() {
            return;
        }
        self.drain(now);
    }

    /// Asks the next `poll_output` that finds nothing queued to pump the
    /// transports (at the latest instant asked).
    pub(crate) fn defer_pump(&mut self, now: Instant) {
        self.deferred_pump = Some(self.deferred_pump.map_or(now, |at| at.max(now)));
    }

    fn drain_transport(&mut self, now: Instant, index: usize) {
        while let Some(event) = self
            .transports
            .get_mut(index)
            .and_then(|t| t.events.pop_front())
        {
            self.on_transport_event(now, index, event);
            let Some(transport) = self.transports.get_mut(index) else {
                return;
            };
            if transport.events.is_empty() {
                // What handling the events sent straight to ICE (media:
                // retransmissions, keyframe requests) leaves now, not at
                // the next call.
                transport.drain_agent_only(now);
            }
        }
    }

    /// Whether a transport has a transmit waiting.
    fn transmit_waiting(&self) -> bool {
        self.transports.iter().any(|t| !t.transmits.is_empty())
    }

    /// One transport's ICE state: the agent's, except that a valid pair
    /// while checks go on is `connected` (W3C: "found a usable
    /// connection"), since data flows on it before nomination.
    pub(crate) fn transport_ice_state(t: &Transport) -> IceConnectionState {
        match t.agent.connection_state() {
            IceConnectionState::Checking if t.agent.has_valid_pair(1) => {
                IceConnectionState::Connected
            }
            state => state,
        }
    }

    /// `iceConnectionState` over every transport (webrtc-pc §4.3.3).
    fn update_ice_state(&mut self) {
        if self.closed {
            return;
        }
        let state = crate::states::ice_connection_state(
            self.transports.iter().map(Self::transport_ice_state),
        );
        if state != self.ice_state {
            self.ice_state = state;
            self.emit(PeerEvent::IceConnectionStateChange(state));
        }
    }

    /// `iceGatheringState` over every transport (webrtc-pc §4.3.2); the
    /// null candidate follows completion.
    fn update_gathering_state(&mut self) {
        let state =
            crate::states::gathering_state(self.transports.iter().map(|t| t.gathering_reported));
        if state != self.gathering_state && !self.closed {
            self.gathering_state = state;
            self.emit(PeerEvent::IceGatheringStateChange(state));
            if state == IceGatheringState::Complete {
                self.emit(PeerEvent::IceCandidate(None));
            }
        }
    }

    pub(crate) fn emit(&mut self, event: PeerEvent) {
        self.outbox.push_back(Output::Event(event));
    }

    /// The mid and index a transport's candidates are signalled with: its
    /// tag's section (the first section it carries).
    fn candidate_section(&self, index: usize) -> (String, Option<u16>) {
        let section = self.section_transports.iter().position(|&t| t == index);
        let mid = self.transports[index]
            .tag
            .clone()
            .or_else(|| self.data_mid.clone())
            .unwrap_or_else(|| "0".into());
        let line = section.or((index == 0).then_some(self.data_index));
        (mid, line.and_then(|l| u16::try_from(l).ok()))
    }

    fn on_transport_event(&mut self, now: Instant, index: usize, event: TransportEvent) {
        match event {
            TransportEvent::Ice(IceEvent::LocalCandidate(c)) => {
                let (mid, line) = self.candidate_section(index);
                let c = self.host_names.signalled(c);
                let init = IceCandidateInit {
                    candidate: c.to_string(),
                    sdp_mid: Some(mid),
                    sdp_m_line_index: line,
                    username_fragment: Some(
                        self.transports[index]
                            .agent
                            .local_credentials()
                            .ufrag
                            .clone(),
                    ),
                };
                self.emit(PeerEvent::IceCandidate(Some(init)));
            }
            TransportEvent::Ice(IceEvent::GatheringState(state)) => {
                self.transports[index].gathering_reported = state;
                self.update_gathering_state()
            }
            TransportEvent::Ice(IceEvent::ConnectionState(_)) => self.update_ice_state(),
            TransportEvent::Ice(IceEvent::Resolve { id, name }) => {
                let ours = ResolveId(self.next_resolve_id);
                self.next_resolve_id += 1;
                self.resolve_ids.push((ours, index, id));
                self.emit(PeerEvent::Resolve { id: ours, name })
            }
            TransportEvent::Ice(IceEvent::CandidateError {
                url,
                address,
                code,
                text,
            }) => self.emit(PeerEvent::IceCandidateError(IceCandidateErrorEvent {
                address,
                url,
                error_code: code,
                error_text: text,
            })),
            TransportEvent::Ice(_) => {}
            TransportEvent::DtlsConnected(connected) => {
                let t = &mut self.transports[index];
                t.dtls_state = DtlsTransportState::Connected;
                t.dtls_connected = Some(*connected);
            }
            TransportEvent::DtlsFailed(error) => {
                tracing::debug!(%error, "DTLS failed");
                self.transports[index].dtls_state = DtlsTransportState::Failed;
            }
            TransportEvent::DtlsClosed => {
                // The peer closed DTLS: the association over it is gone.
                let t = &mut self.transports[index];
                t.dtls_state = DtlsTransportState::Closed;
                if let Some(sctp) = &mut t.sctp {
                    sctp.abort(now);
                }
                t.pump(now);
            }
            TransportEvent::Channel(event) => self.emit(PeerEvent::DataChannel(event)),
            TransportEvent::Rtp(packet) => self.on_rtp(now, packet),
            TransportEvent::Rtcp(packet) => self.on_rtcp(now, &packet),
        }
    }

    /// `connectionState` from the ICE and DTLS states of every transport
    /// (webrtc-pc §4.3.3).
    pub(crate) fn update_connection_state(&mut self) {
        if self.closed {
            return;
        }
        let states = self
            .transports
            .iter()
            .map(|t| (Self::transport_ice_state(t), t.dtls_state));
        let next = crate::states::connection_state(states, self.identity_failed);
        if next != self.connection_state {
            self.connection_state = next;
            self.emit(PeerEvent::ConnectionStateChange(next));
        }
    }
}

/// A new ICE agent for a transport. The first transport's gathers with
/// every configured server; the others leave TURN out, since an
/// allocation is bound to its 5-tuple (RFC 8656 §2.2) and the transports
/// share the driver's sockets: a second one from the same address would
/// be refused (437).
pub(crate) fn new_agent(
    config: &RtcConfigurationState,
    rng: &mut dyn CryptoRngCore,
    first: bool,
) -> Result<Agent, RtcError> {
    let mut agent_config = AgentConfig::from_rtc(config, false);
    // Under `negotiate`, a second component for RTCP, used only while a
    // peer may not multiplex (the caller marks it multiplexed until then).
    agent_config.components = crate::bundle::components(
        config.get_configuration().rtcp_mux_policy,
        crate::bundle::SectionKind::Audio,
        None,
    );
    if !first {
        agent_config.candidate_pool_size = 0;
        agent_config.servers.retain(|s| s.turn.is_none());
    }
    // Ta, the pacing of checks (RFC 8445 §14.2: configurable, 50 ms by
    // default): 20 ms, so the nominating check follows the first success
    // sooner; peers that wait for nomination before DTLS (aiortc) connect
    // a round of pacing earlier. One stream, a few pairs: the extra
    // check rate is small.
    agent_config.ta = Duration::from_millis(20);
    Ok(Agent::new(
        agent_config,
        ChaCha20Rng::from_rng(rng).map_err(rng_error)?,
    )?)
}

impl RtcPeerConnection {
    /// The transport a received datagram is for: with several transports
    /// on the same sockets, the one whose agent knows it; nobody's goes to
    /// the first, which counts it dropped.
    fn transport_for(&self, datagram: &Receive<'_>) -> usize {
        if self.transports.len() == 1 {
            return 0;
        }
        self.transports
            .iter()
            .position(|t| t.agent.claims(datagram))
            .unwrap_or(0)
    }
}

fn rng_error(e: rand_core::Error) -> RtcError {
    RtcError::Certificate(format!("the random source failed: {e}"))
}

impl Machine for RtcPeerConnection {
    type Event = PeerEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        if self.closed {
            return;
        }
        let index = self.transport_for(&datagram);
        let data_path = self.transports[index].handle_receive(now, datagram);
        self.after_receive(now, index, data_path);
    }

    /// A DTLS record or SRTP packet that arrives by value is decrypted in
    /// its own buffer, which carries it on (to SCTP, or up as the packet):
    /// a copy and an allocation fewer per datagram than the borrowed call.
    fn handle_receive_owned(&mut self, now: Instant, datagram: ReceiveOwned) {
        if self.closed {
            return;
        }
        let index = self.transport_for(&datagram.as_received());
        let data_path = self.transports[index].handle_receive_owned(now, datagram);
        self.after_receive(now, index, data_path);
    }

    fn handle_timeout(&mut self, now: Instant) {
        let transports_due = self.transports.iter().any(|t| t.next_timeout().is_some());
        if self.closed && !transports_due {
            return;
        }
        for t in &mut self.transports {
            t.handle_timeout(now);
        }
        if !self.closed {
            self.media_handle_timeout(now);
            self.pump_all(now);
        }
        self.drain(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, PeerEvent> {
        if self.outbox.is_empty() && !self.transmit_waiting() {
            if let Some(now) = self.deferred_pump.take() {
                self.pump_all(now);
                self.drain(now);
            }
        }
        if let Some(o) = self.outbox.pop_front() {
            return o;
        }
        for transport in &mut self.transports {
            if let Some(t) = transport.transmits.pop_front() {
                return Output::Transmit(t);
            }
        }
        let media = if self.closed {
            None
        } else {
            self.media_timeout()
        };
        let next = self
            .transports
            .iter()
            .filter_map(Transport::next_timeout)
            .chain(media)
            .min();
        Output::Timeout(next)
    }

    fn handle_stream_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        _protocol: sansrtc_proto::Protocol,
    ) {
        RtcPeerConnection::handle_stream_closed(self, now, local, remote);
    }
}
