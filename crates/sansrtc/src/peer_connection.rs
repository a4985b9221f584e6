//! `RtcPeerConnection`: construction, the [`Machine`] implementation, the
//! drain of the transport's outputs into W3C events, and the states.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, CryptoRngCore, RngCore, SeedableRng};
use sansrtc_config::{CertificateOptions, RtcCertificate, RtcConfiguration, RtcConfigurationState};
use sansrtc_datachannel::{DataChannelConfig, SctpTransport};
use sansrtc_dtls::{Connected, Identity};
use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, IceGatheringState, ResolveId};
use sansrtc_proto::{Machine, Output, Receive, Transmit};
use sansrtc_sctp::SctpConfig;
use sansrtc_sdp::attributes::Fingerprint;
use sansrtc_sdp::SessionDescription;

use crate::error::RtcError;
use crate::event::{IceCandidateErrorEvent, IceCandidateInit, PeerConnectionState, PeerEvent};
use crate::identity::IdentityRequest;
use crate::remote::RemoteParams;
use crate::signaling::{SdpType, SignalingState};
use crate::transport::{Transport, TransportEvent, TransportStats};

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
pub struct RtcPeerConnection {
    pub(crate) config: RtcConfigurationState,
    pub(crate) certificates: Vec<Arc<RtcCertificate>>,
    pub(crate) identities: Vec<Arc<Identity>>,
    pub(crate) rng: Box<dyn CryptoRngCore + Send>,
    pub(crate) started_at: Instant,
    pub(crate) wall_clock_at_start: SystemTime,
    pub(crate) transport: Transport,
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
    pub(crate) dtls_state: DtlsTransportState,
    pub(crate) dtls_connected: Option<Connected>,
    pub(crate) connection_state: PeerConnectionState,
    pub(crate) local_addresses: Vec<SocketAddr>,
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
        rng: impl RngCore + CryptoRng + Send + 'static,
        now: Instant,
        wall_clock: SystemTime,
    ) -> Result<Self, RtcError> {
        let mut rng: Box<dyn CryptoRngCore + Send> = Box::new(rng);
        let mut certificates = configuration.certificates.clone();
        let config = RtcConfigurationState::construct(configuration, wall_clock)?;
        if certificates.is_empty() {
            let generated =
                RtcCertificate::generate(&CertificateOptions::default(), wall_clock, &mut rng)?;
            certificates.push(Arc::new(generated));
        }
        let identities = certificates
            .iter()
            .map(|c| {
                Identity::from_der(
                    vec![c.certificate_der().to_vec()],
                    c.private_key_pkcs8_der(),
                )
                .map(Arc::new)
                .map_err(|e| RtcError::Certificate(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut agent_config = AgentConfig::from_rtc(&config, false);
        // The one transport carries the data section, which has no RTCP.
        agent_config.components = crate::bundle::components(
            config.get_configuration().rtcp_mux_policy,
            crate::bundle::SectionKind::Data,
            None,
        );
        // Ta, the pacing of checks (RFC 8445 §14.2: configurable, 50 ms by
        // default): 20 ms, so the nominating check follows the first success
        // sooner; peers that wait for nomination before DTLS (aiortc) connect
        // a round of pacing earlier. One stream, a few pairs: the extra
        // check rate is small.
        agent_config.ta = Duration::from_millis(20);
        let agent = Agent::new(
            agent_config,
            ChaCha20Rng::from_rng(&mut rng).map_err(rng_error)?,
        )?;
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
            transport: Transport::new(agent, sctp, transport_rng),
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
            dtls_state: DtlsTransportState::New,
            dtls_connected: None,
            connection_state: PeerConnectionState::New,
            local_addresses: Vec::new(),
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
        };
        pc.media.cname = format!("{:016x}", pc.rng.next_u64());
        pc.transport.gated = gated;
        // iceCandidatePoolSize > 0: gathering starts now.
        pc.transport.agent.prepare(now);
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

    /// The DTLS transport's state.
    pub fn dtls_state(&self) -> DtlsTransportState {
        self.dtls_state
    }

    /// What the DTLS handshake negotiated (suite, group, SRTP profile, the
    /// peer's certificate), once connected.
    pub fn dtls_parameters(&self) -> Option<&Connected> {
        self.dtls_connected.as_ref()
    }

    /// Our DTLS role, once known.
    pub fn dtls_role(&self) -> Option<sansrtc_dtls::Role> {
        self.transport.dtls.as_ref().map(|d| d.role())
    }

    /// The selected candidate pair.
    pub fn selected_candidate_pair(&self) -> Option<sansrtc_ice::SelectedPair> {
        self.transport.agent.selected_pair(1)
    }

    /// Counters of the composition (what the demultiplexer dropped).
    pub fn transport_stats(&self) -> TransportStats {
        self.transport.stats
    }

    /// The ICE agent's counters.
    pub fn ice_stats(&self) -> sansrtc_ice::IceStats {
        self.transport.agent.stats()
    }

    /// The DTLS endpoint's counters, once it exists.
    pub fn dtls_stats(&self) -> Option<sansrtc_dtls::DtlsStats> {
        self.transport.dtls.as_ref().map(|d| d.stats().clone())
    }

    /// The SCTP association's counters.
    pub fn sctp_stats(&self) -> sansrtc_sctp::SctpStats {
        self.transport.sctp.association().stats()
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
        self.transport.sctp.abort(now);
        self.transport.pump(now);
        if let Some(dtls) = &mut self.transport.dtls {
            dtls.close();
        }
        self.transport.pump(now);
        self.transport.agent.close(now);
        self.transport.pump(now);
        self.signaling = SignalingState::Closed;
        self.connection_state = PeerConnectionState::Closed;
        self.drain(now);
    }

    /// The local addresses the driver bound (host candidates). Loopback
    /// addresses are used only while they are the only ones, as browsers do.
    pub fn add_local_address(&mut self, now: Instant, address: SocketAddr) -> Result<(), RtcError> {
        self.ensure_open()?;
        if self.local_addresses.contains(&address) {
            return Err(sansrtc_ice::IceError::DuplicateLocalAddress(address).into());
        }
        let loopback = address.ip().is_loopback();
        let others = self.local_addresses.iter().any(|a| !a.ip().is_loopback());
        if !loopback || !others {
            self.transport.agent.add_local_address(now, address)?;
        }
        if !loopback {
            let used_loopback: Vec<SocketAddr> = self
                .local_addresses
                .iter()
                .copied()
                .filter(|a| a.ip().is_loopback())
                .collect();
            for a in used_loopback {
                self.transport.agent.remove_local_address(now, a);
            }
        }
        self.local_addresses.push(address);
        self.transport.pump(now);
        self.drain(now);
        Ok(())
    }

    /// A local address went away.
    pub fn remove_local_address(&mut self, now: Instant, address: SocketAddr) {
        self.local_addresses.retain(|a| *a != address);
        self.transport.agent.remove_local_address(now, address);
        self.transport.pump(now);
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
        self.transport.agent.resolved(now, id, addresses)?;
        self.transport.pump(now);
        self.drain(now);
        Ok(())
    }

    /// Moves the transport's transmits and events into the outbox, as W3C
    /// events, and updates the aggregate states.
    pub(crate) fn drain(&mut self, now: Instant) {
        while let Some(t) = self.transport.transmits.pop_front() {
            self.outbox.push_back(Output::Transmit(t));
        }
        while let Some(event) = self.transport.events.pop_front() {
            self.on_transport_event(now, event);
            while let Some(t) = self.transport.transmits.pop_front() {
                self.outbox.push_back(Output::Transmit(t));
            }
            if self.transport.events.is_empty() {
                // What handling the events sent straight to ICE (media:
                // retransmissions, keyframe requests) leaves now, not at
                // the next call.
                self.transport.drain_agent_only(now);
                while let Some(t) = self.transport.transmits.pop_front() {
                    self.outbox.push_back(Output::Transmit(t));
                }
            }
        }
        self.update_ice_state();
        self.update_connection_state();
        if self.media.next_report.is_none() && !self.closed {
            self.arm_reports(now);
        }
        self.update_media_timeout();
    }

    /// `iceConnectionState`: the agent's, except that a valid pair while
    /// checks go on is `connected` (W3C: "found a usable connection"),
    /// since data flows on it before nomination.
    fn update_ice_state(&mut self) {
        if self.closed {
            return;
        }
        let agent = &self.transport.agent;
        let state = match agent.connection_state() {
            IceConnectionState::Checking if agent.has_valid_pair(1) => {
                IceConnectionState::Connected
            }
            state => state,
        };
        if state != self.ice_state {
            self.ice_state = state;
            self.emit(PeerEvent::IceConnectionStateChange(state));
        }
    }

    pub(crate) fn emit(&mut self, event: PeerEvent) {
        self.outbox.push_back(Output::Event(event));
    }

    fn on_transport_event(&mut self, now: Instant, event: TransportEvent) {
        match event {
            TransportEvent::Ice(IceEvent::LocalCandidate(c)) => {
                let init = IceCandidateInit {
                    candidate: c.to_string(),
                    sdp_mid: Some(self.data_mid.clone().unwrap_or_else(|| "0".into())),
                    sdp_m_line_index: u16::try_from(self.data_index).ok(),
                    username_fragment: Some(self.transport.agent.local_credentials().ufrag.clone()),
                };
                self.emit(PeerEvent::IceCandidate(Some(init)));
            }
            TransportEvent::Ice(IceEvent::GatheringState(state)) => {
                if state != self.gathering_state {
                    self.gathering_state = state;
                    self.emit(PeerEvent::IceGatheringStateChange(state));
                    if state == IceGatheringState::Complete {
                        self.emit(PeerEvent::IceCandidate(None));
                    }
                }
            }
            TransportEvent::Ice(IceEvent::ConnectionState(_)) => self.update_ice_state(),
            TransportEvent::Ice(IceEvent::Resolve { id, name }) => {
                self.emit(PeerEvent::Resolve { id, name })
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
                self.dtls_state = DtlsTransportState::Connected;
                self.dtls_connected = Some(*connected);
            }
            TransportEvent::DtlsFailed(error) => {
                tracing::debug!(%error, "DTLS failed");
                self.dtls_state = DtlsTransportState::Failed;
            }
            TransportEvent::DtlsClosed => {
                // The peer closed DTLS: the association over it is gone.
                self.dtls_state = DtlsTransportState::Closed;
                self.transport.sctp.abort(now);
                self.transport.pump(now);
            }
            TransportEvent::Channel(event) => self.emit(PeerEvent::DataChannel(event)),
            TransportEvent::Rtp(packet) => self.on_rtp(now, packet),
            TransportEvent::Rtcp(packet) => self.on_rtcp(now, &packet),
        }
    }

    /// `connectionState` from the ICE and DTLS states (webrtc-pc §4.3.3).
    pub(crate) fn update_connection_state(&mut self) {
        if self.closed {
            return;
        }
        let ice = self.ice_state;
        let dtls = self.dtls_state;
        let next = if self.identity_failed
            || ice == IceConnectionState::Failed
            || dtls == DtlsTransportState::Failed
        {
            PeerConnectionState::Failed
        } else if ice == IceConnectionState::Disconnected {
            PeerConnectionState::Disconnected
        } else if matches!(ice, IceConnectionState::New | IceConnectionState::Closed)
            && matches!(dtls, DtlsTransportState::New | DtlsTransportState::Closed)
        {
            PeerConnectionState::New
        } else if matches!(ice, IceConnectionState::New | IceConnectionState::Checking)
            || matches!(
                dtls,
                DtlsTransportState::New | DtlsTransportState::Connecting
            )
        {
            PeerConnectionState::Connecting
        } else {
            // Every transport connected, completed or closed.
            PeerConnectionState::Connected
        };
        if next != self.connection_state {
            self.connection_state = next;
            self.emit(PeerEvent::ConnectionStateChange(next));
        }
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
        self.transport.handle_receive(now, datagram);
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.closed && self.transport.next_timeout().is_none() {
            return;
        }
        self.transport.handle_timeout(now);
        if !self.closed {
            self.media_handle_timeout(now);
            self.transport.pump(now);
        }
        self.drain(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, PeerEvent> {
        if let Some(o) = self.outbox.pop_front() {
            return o;
        }
        let media = if self.closed {
            None
        } else {
            self.media_timeout()
        };
        let next = [self.transport.next_timeout(), media]
            .into_iter()
            .flatten()
            .min();
        Output::Timeout(next)
    }
}
