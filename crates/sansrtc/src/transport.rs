//! One transport (a BUNDLE group, or one unbundled section): the ICE agent,
//! the DTLS endpoint on top of it, SRTP keyed by that endpoint, and — on the
//! transport of the data section — the SCTP association with its data
//! channels, with the RFC 7983 demultiplexer between them.
//!
//! Datagrams go to ICE first (it owns STUN, TURN relays and consent); what
//! ICE returns as application data is classified by its first byte: DTLS
//! goes to the endpoint (or, before the remote description made one, to a
//! small buffer), RTP and RTCP are dropped and counted until media exists,
//! anything else is dropped and counted. Outputs are drained machine by
//! machine until none has anything left: SCTP packets become DTLS
//! application data, DTLS records become ICE sends, ICE transmits leave.

use std::collections::VecDeque;
use std::time::Instant;

use sansrtc_datachannel::{DataChannelEvent, SctpTransport};
use sansrtc_dtls::{Connected, DtlsEndpoint, DtlsError, DtlsEvent, Role};
use sansrtc_ice::{Agent, IceEvent, Received};
use sansrtc_proto::{Output, Receive, ReceiveOwned, Transmit};
use sansrtc_rtp::{classify, PacketKind};
use sansrtc_sctp::SctpConfig;
use sansrtc_srtp::{SrtpConfig, SrtpContext};

use crate::early_dtls::EarlyDtls;
use crate::peer_connection::DtlsTransportState;
use crate::rtcp_component::RtcpComponent;

/// SRTP contexts from a connected endpoint's exporter (RFC 5764 §4.2):
/// what we protect with, what we unprotect with.
pub(crate) fn srtp_contexts(dtls: &DtlsEndpoint) -> Option<(SrtpContext, SrtpContext)> {
    let material = dtls.srtp_keying_material()?;
    let config = SrtpConfig::default();
    let role = dtls.role();
    let (local, remote) = (material.local(role), material.remote(role));
    let tx = SrtpContext::new(material.profile, &local.key, &local.salt, config);
    let rx = SrtpContext::new(material.profile, &remote.key, &remote.salt, config);
    match (tx, rx) {
        (Ok(tx), Ok(rx)) => Some((tx, rx)),
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(%error, "SRTP keys could not be installed");
            None
        }
    }
}

/// DTLS datagrams kept while no endpoint exists yet (the remote's
/// ClientHello can arrive before we apply its answer).
pub const EARLY_DTLS_LIMIT: usize = 16;

/// SCTP packets kept while delivery waits for the remote identity.
pub const GATED_PACKET_LIMIT: usize = 256;

/// The largest datagram DTLS sends (and so the largest UDP payload before
/// a TURN ChannelData header).
pub const DTLS_MTU: usize = 1200;

/// What the transport tells the peer connection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TransportEvent {
    Ice(IceEvent),
    DtlsConnected(Box<Connected>),
    DtlsFailed(DtlsError),
    DtlsClosed,
    Channel(DataChannelEvent),
    /// An RTP packet, SRTP removed.
    Rtp(Vec<u8>),
    /// A compound RTCP packet, SRTCP removed.
    Rtcp(Vec<u8>),
}

/// Counters of what the composition itself dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransportStats {
    /// RTP or RTCP datagrams dropped: no SRTP keys yet, or delivery held
    /// for the remote identity.
    pub media_dropped: u64,
    /// RTP or RTCP datagrams SRTP refused (authentication, replay, too
    /// many streams).
    pub srtp_rejected: u64,
    /// RTP or RTCP packets we could not protect or send.
    pub media_unsent: u64,
    /// Datagrams no layer recognises by their first byte.
    pub unknown_dropped: u64,
    /// Early DTLS datagrams kept until the endpoint existed.
    pub early_dtls_kept: u64,
    /// Early DTLS datagrams past [`EARLY_DTLS_LIMIT`].
    pub early_dtls_dropped: u64,
    /// DTLS records ICE could not send (no pair, consent lost).
    pub dtls_unsent: u64,
    /// SCTP packets DTLS could not send (not connected).
    pub sctp_unsent: u64,
    /// SCTP packets past [`GATED_PACKET_LIMIT`] while waiting for the
    /// remote identity.
    pub gated_dropped: u64,
}

impl TransportStats {
    /// The sum of two transports' counters.
    pub fn merged(&self, other: &TransportStats) -> TransportStats {
        TransportStats {
            media_dropped: self.media_dropped + other.media_dropped,
            srtp_rejected: self.srtp_rejected + other.srtp_rejected,
            media_unsent: self.media_unsent + other.media_unsent,
            unknown_dropped: self.unknown_dropped + other.unknown_dropped,
            early_dtls_kept: self.early_dtls_kept + other.early_dtls_kept,
            early_dtls_dropped: self.early_dtls_dropped + other.early_dtls_dropped,
            dtls_unsent: self.dtls_unsent + other.dtls_unsent,
            sctp_unsent: self.sctp_unsent + other.sctp_unsent,
            gated_dropped: self.gated_dropped + other.gated_dropped,
        }
    }
}

/// What the association is configured with once DTLS is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SctpParams {
    pub local_port: u16,
    pub remote_port: u16,
    pub remote_max_message_size: Option<u64>,
}

#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Transport {
    /// The mid of the section whose transport this is (the BUNDLE-tagged
    /// one when bundled); `None` until an offer or answer names one.
    pub(crate) tag: Option<String>,
    /// The peer's ICE ufrag for this transport, once known.
    pub(crate) remote_ufrag: Option<String>,
    pub(crate) agent: Agent,
    /// The agent's gathering state as of the last event taken from it
    /// (its live state may be ahead of the events not yet handled: the
    /// aggregate must not announce completion before their candidates).
    pub(crate) gathering_reported: sansrtc_ice::IceGatheringState,
    pub(crate) dtls: Option<DtlsEndpoint>,
    /// The DTLS transport's state (`RTCDtlsTransportState`).
    pub(crate) dtls_state: DtlsTransportState,
    /// What the handshake negotiated, once connected.
    pub(crate) dtls_connected: Option<Connected>,
    /// The association: on the data section's transport only.
    pub(crate) sctp: Option<SctpTransport>,
    pub(crate) sctp_params: Option<SctpParams>,
    pub(crate) sctp_started: bool,
    /// The room SCTP leaves before each packet for the DTLS record header
    /// (set when SCTP starts, DTLS being connected): `None` seals a copy.
    sctp_headroom: Option<usize>,
    dtls_started: bool,
    /// Delivery waits for the remote identity (`peerIdentity`).
    pub(crate) gated: bool,
    gated_packets: VecDeque<Vec<u8>>,
    early_dtls: EarlyDtls,
    dtls_timeout: Option<Instant>,
    sctp_timeout: Option<Instant>,
    agent_timeout: Option<Instant>,
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<TransportEvent>,
    pub(crate) stats: TransportStats,
    rng: rand_chacha::ChaCha20Rng,
    /// SRTP: what we protect with, what we unprotect with.
    srtp: Option<(SrtpContext, SrtpContext)>,
    /// RTCP on component 2, when the peer does not multiplex it. Boxed:
    /// it is rare, and inline its two DTLS-SRTP contexts and DTLS endpoint
    /// (7.6 kB) were a sixth of an idle connection's heap.
    pub(crate) rtcp: Option<Box<RtcpComponent>>,
}

impl Transport {
    pub(crate) fn new(
        agent: Agent,
        sctp: Option<SctpTransport>,
        rng: rand_chacha::ChaCha20Rng,
    ) -> Self {
        Transport {
            tag: None,
            gathering_reported: sansrtc_ice::IceGatheringState::New,
            remote_ufrag: None,
            agent,
            dtls: None,
            dtls_state: DtlsTransportState::New,
            dtls_connected: None,
            sctp,
            sctp_params: None,
            sctp_started: false,
            sctp_headroom: None,
            dtls_started: false,
            gated: false,
            gated_packets: VecDeque::new(),
            early_dtls: EarlyDtls::default(),
            dtls_timeout: None,
            sctp_timeout: None,
            agent_timeout: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: TransportStats::default(),
            rng,
            srtp: None,
            rtcp: None,
        }
    }

    /// A datagram arrived at one of our addresses. Returns whether ICE
    /// passed it up as data (DTLS, SRTP or SRTCP from the peer) rather
    /// than handling it itself (STUN, TURN): data leaves the agent's state
    /// as it was, so with no [`TransportEvent`] queued nothing the peer
    /// connection aggregates (ICE, DTLS and gathering states) changed.
    pub(crate) fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) -> bool {
        let mut media = false;
        let mut data_path = false;
        if let Received::Data { component, data } = self.agent.handle_receive(now, datagram) {
            data_path = true;
            media = matches!(classify(data), PacketKind::Rtp | PacketKind::Rtcp);
            self.on_data(now, component, data);
        }
        self.after_receive(now, media);
        data_path
    }

    /// [`Self::handle_receive`] by value: a DTLS record or SRTP packet from
    /// the peer is decrypted in the datagram's own buffer. Returns what
    /// [`Self::handle_receive`] returns.
    pub(crate) fn handle_receive_owned(&mut self, now: Instant, datagram: ReceiveOwned) -> bool {
        let mut whole = false;
        let mut media = false;
        let mut data_path = false;
        if let Received::Data { component, data } =
            self.agent.handle_receive(now, datagram.as_received())
        {
            data_path = true;
            media = matches!(classify(data), PacketKind::Rtp | PacketKind::Rtcp);
            if component == 1 && data.len() == datagram.contents.len() {
                // The data is the whole datagram (a direct path).
                whole = true;
            } else {
                self.on_data(now, component, data);
            }
        }
        if whole {
            self.on_data_owned(now, datagram.contents);
        }
        self.after_receive(now, media);
        data_path
    }

    /// What follows a received datagram: after SRTP (which went up as
    /// events; DTLS and SCTP have nothing new) only ICE is drained,
    /// otherwise every layer, with a SACK that would leave alone held
    /// ([`SctpTransport::hold_sack`]): the peer connection pumps once more
    /// when its caller polls ([`Self::sack_owed`]), so the datagrams
    /// handed over before that poll are acknowledged by one SACK.
    fn after_receive(&mut self, now: Instant, media: bool) {
        if media {
            self.drain_agent_only(now);
        } else {
            self.hold_sack(true);
            self.pump(now);
            self.hold_sack(false);
        }
    }

    fn hold_sack(&mut self, hold: bool) {
        if let Some(sctp) = &mut self.sctp {
            sctp.hold_sack(hold);
        }
    }

    /// Whether the association owes a SACK that the last pump held: the
    /// next [`Self::pump`] sends it.
    pub(crate) fn sack_owed(&self) -> bool {
        self.sctp.as_ref().is_some_and(SctpTransport::sack_owed)
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if self.agent_timeout.is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        if self.dtls_timeout.is_some_and(|t| t <= now) {
            if let Some(dtls) = &mut self.dtls {
                dtls.handle_timeout(now);
            }
        }
        if self.sctp_timeout.is_some_and(|t| t <= now) {
            if let Some(sctp) = &mut self.sctp {
                sctp.handle_timeout(now);
            }
        }
        if let Some(rtcp) = &mut self.rtcp {
            rtcp.handle_timeout(now);
        }
        self.pump(now);
    }

    /// The earliest instant a sub-machine wants to be woken at.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        let rtcp = self.rtcp.as_ref().and_then(|r| r.timeout);
        [
            self.agent_timeout,
            self.dtls_timeout,
            self.sctp_timeout,
            rtcp,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Application data ICE accepted from the peer: the RFC 7983 demux
    /// (component 2 carries RTCP and its own DTLS only).
    fn on_data(&mut self, now: Instant, component: u16, data: &[u8]) {
        if component == 2 {
            let delivered = match &mut self.rtcp {
                Some(rtcp) if !self.gated => rtcp.on_data(now, data, &mut self.stats),
                _ => {
                    self.stats.media_dropped += 1;
                    None
                }
            };
            if let Some(packet) = delivered {
                self.events.push_back(TransportEvent::Rtcp(packet));
            }
            return;
        }
        match classify(data) {
            PacketKind::Dtls => {
                self.early_dtls
                    .receive(self.dtls.as_mut(), now, data, &mut self.stats)
            }
            kind @ (PacketKind::Rtp | PacketKind::Rtcp) => self.on_media(kind, data),
            _ => self.stats.unknown_dropped += 1,
        }
    }

    /// [`Self::on_data`] for component 1's data by value. A buffer more
    /// than twice the datagram (a driver's whole receive buffer) is shrunk
    /// first: what is kept of it (SCTP's chunks, a media packet) must not
    /// pin more than the limits charge for.
    fn on_data_owned(&mut self, now: Instant, mut data: Vec<u8>) {
        if data.capacity() > 2 * data.len() {
            data.shrink_to_fit();
        }
        match classify(&data) {
            PacketKind::Dtls => {
                self.early_dtls
                    .receive_owned(self.dtls.as_mut(), now, data, &mut self.stats)
            }
            kind @ (PacketKind::Rtp | PacketKind::Rtcp) => self.on_media_owned(kind, data),
            _ => self.stats.unknown_dropped += 1,
        }
    }

    /// SRTP or SRTCP from the peer: unprotected and handed up.
    fn on_media(&mut self, kind: PacketKind, data: &[u8]) {
        if self.srtp.is_some() && !self.gated {
            self.on_media_owned(kind, data.to_vec());
        } else {
            self.stats.media_dropped += 1;
        }
    }

    /// [`Self::on_media`] by value: unprotected in place.
    fn on_media_owned(&mut self, kind: PacketKind, mut packet: Vec<u8>) {
        let Some((_, rx)) = self.srtp.as_mut().filter(|_| !self.gated) else {
            self.stats.media_dropped += 1;
            return;
        };
        let result = if kind == PacketKind::Rtp {
            rx.unprotect_rtp(&mut packet)
        } else {
            rx.unprotect_rtcp(&mut packet)
        };
        match result {
            Ok(()) if kind == PacketKind::Rtp => self.events.push_back(TransportEvent::Rtp(packet)),
            Ok(()) => self.events.push_back(TransportEvent::Rtcp(packet)),
            Err(error) => {
                tracing::trace!(%error, "SRTP refused a packet");
                self.stats.srtp_rejected += 1;
            }
        }
    }

    /// Whether SRTP keys exist (DTLS is connected with a profile).
    pub(crate) fn has_srtp(&self) -> bool {
        self.srtp.is_some()
    }

    /// Protects and sends an RTP (`rtcp` false) or RTCP packet on the
    /// selected pair.
    pub(crate) fn send_media(&mut self, now: Instant, mut packet: Vec<u8>, rtcp: bool) -> bool {
        if let (true, Some(component)) = (rtcp, &mut self.rtcp) {
            let sent = !self.gated && component.send(now, &mut self.agent, packet);
            if !sent {
                self.stats.media_unsent += 1;
            }
            return sent;
        }
        let Some((tx, _)) = self.srtp.as_mut().filter(|_| !self.gated) else {
            self.stats.media_unsent += 1;
            return false;
        };
        let protected = if rtcp {
            tx.protect_rtcp(&mut packet)
        } else {
            tx.protect_rtp(&mut packet)
        };
        if protected.is_err() || !send_datagram(&mut self.agent, &mut self.transmits, now, packet) {
            self.stats.media_unsent += 1;
            return false;
        }
        true
    }

    /// SRTP contexts from the DTLS exporter (RFC 5764 §4.2), once the
    /// handshake chose a profile.
    fn install_srtp(&mut self) {
        if let Some(dtls) = &self.dtls {
            self.srtp = srtp_contexts(dtls);
        }
    }

    /// Installs the DTLS endpoint (once the role is known) and replays the
    /// datagrams that arrived before it.
    pub(crate) fn install_dtls(&mut self, now: Instant, endpoint: DtlsEndpoint) {
        // A client starts from the pump, once a pair is valid.
        self.early_dtls.replay(now, self.dtls.insert(endpoint));
        self.pump(now);
    }

    /// The remote identity was accepted: SCTP starts and held packets flow.
    pub(crate) fn open_gate(&mut self, now: Instant) {
        if !self.gated {
            return;
        }
        self.gated = false;
        if self.dtls.as_ref().is_some_and(|d| d.is_connected()) {
            self.start_sctp(now);
        }
        self.pump(now);
    }

    /// The data section was negotiated: the association starts once DTLS
    /// is up (at once if it is).
    pub(crate) fn set_sctp_params(&mut self, now: Instant, params: SctpParams) {
        self.sctp_params = Some(params);
        if let Some(sctp) = &mut self.sctp {
            sctp.set_remote_max_message_size(params.remote_max_message_size);
        }
        if self.dtls.as_ref().is_some_and(|d| d.is_connected()) {
            self.start_sctp(now);
        }
    }

    /// Starts the association: on the transport holding it, once DTLS is
    /// up, a data section was negotiated and delivery is not held.
    fn start_sctp(&mut self, now: Instant) {
        if self.sctp_started || self.gated {
            return;
        }
        let (Some(dtls), Some(sctp), Some(params)) = (&self.dtls, &mut self.sctp, self.sctp_params)
        else {
            return;
        };
        let defaults = SctpConfig::default();
        let config = SctpConfig {
            local_port: params.local_port,
            remote_port: params.remote_port,
            // Every SCTP packet fits one DTLS record in one datagram, sealed
            // as whole cipher blocks (cheaper to seal and open); SCTP
            // chunks are padded to 4 bytes, so the size is too.
            mtu: dtls.max_whole_block_application_data() & !3,
            zero_checksum: true,
            ..defaults
        };
        let role = dtls.role();
        if let Err(error) = sctp.configure_association(config, &mut self.rng, now) {
            tracing::debug!(%error, "SCTP association was already started");
        }
        // Each packet is built behind room for its record header, with
        // capacity for the record's tail: DTLS seals it where it lies.
        self.sctp_headroom = dtls.application_data_headroom();
        if let Some(headroom) = self.sctp_headroom {
            sctp.set_packet_room(headroom, dtls.application_data_tailroom());
        }
        sctp.set_remote_max_message_size(params.remote_max_message_size);
        sctp.set_dtls_role(role);
        if let Err(error) = sctp.connect(now) {
            tracing::debug!(%error, "SCTP connect refused");
        }
        self.sctp_started = true;
        for packet in std::mem::take(&mut self.gated_packets) {
            sctp.handle_receive_owned(now, packet);
        }
    }

    /// Drains every sub-machine until none produces anything more.
    ///
    /// In the order output flows down: SCTP packets become DTLS records,
    /// records become ICE sends, and ICE's transmits leave, so a message
    /// sent goes out in one pass. What flows up — DTLS handing SCTP a
    /// packet (or starting it), ICE handing DTLS data — is what needs
    /// another pass: DTLS is drained first (a record received since the
    /// last pump hands its packet to SCTP before SCTP is drained, not
    /// after an empty drain of it), then SCTP and DTLS in turn until DTLS
    /// hands up nothing more (a received packet's SACK leaves in the same
    /// pass), and the whole is repeated while ICE hands up data. Each
    /// machine's timeout is computed at the end of each of its drains, so
    /// fewer passes are fewer timeout computations too.
    pub(crate) fn pump(&mut self, now: Instant) {
        loop {
            self.start_dtls_client(now);
            self.drain_dtls(now);
            loop {
                self.drain_sctp(now);
                if !self.drain_dtls(now) {
                    break;
                }
            }
            let mut again = false;
            if let Some(rtcp) = &mut self.rtcp {
                again |= rtcp.drain(now, &mut self.agent, &mut self.stats);
                if let Some(error) = rtcp.failure.take() {
                    self.events.push_back(TransportEvent::DtlsFailed(error));
                }
            }
            again |= self.drain_agent(now);
            if !again {
                break;
            }
        }
    }

    /// Drains the ICE agent alone (after sending media: nothing else has
    /// output). Events, if any, are kept for the next full drain.
    pub(crate) fn drain_agent_only(&mut self, now: Instant) {
        if self.drain_agent(now) {
            // Data arrived for another layer: let the full pump see it.
            self.pump(now);
        }
    }

    /// The DTLS client starts on the first valid pair, as browsers do,
    /// without waiting for nomination (the handshake overlaps it).
    /// (Its first flight is drained with the endpoint's other output.)
    fn start_dtls_client(&mut self, now: Instant) {
        let Some(dtls) = &mut self.dtls else {
            return;
        };
        let idle = dtls.role() == Role::Client && !dtls.is_connected() && !self.dtls_started;
        if idle && (self.agent.has_valid_pair(1) || self.agent.selected_pair(1).is_some()) {
            dtls.start(now);
            self.dtls_started = true;
        }
    }

    fn drain_agent(&mut self, now: Instant) -> bool {
        let mut progress = false;
        loop {
            match self.agent.poll_output() {
                Output::Transmit(t) => self.transmits.push_back(t),
                Output::Event(IceEvent::Data { component, data }) => {
                    self.on_data(now, component, &data);
                    progress = true;
                }
                Output::Event(event) => {
                    self.events.push_back(TransportEvent::Ice(event));
                }
                Output::Timeout(at) => {
                    self.agent_timeout = at;
                    return progress;
                }
            }
        }
    }

    /// Drains the DTLS endpoint: records go to ICE, application data to
    /// SCTP. Whether SCTP got anything (a packet, or its start), i.e.
    /// whether SCTP has to be drained again.
    fn drain_dtls(&mut self, now: Instant) -> bool {
        let mut progress = false;
        loop {
            let Some(dtls) = &mut self.dtls else {
                self.dtls_timeout = None;
                return progress;
            };
            match dtls.poll_output() {
                Output::Transmit(record) => {
                    // By value: on a direct path the record is the
                    // transmit's contents, not copied.
                    if !send_datagram(&mut self.agent, &mut self.transmits, now, record) {
                        self.stats.dtls_unsent += 1;
                    }
                }
                Output::Event(DtlsEvent::Connected(connected)) => {
                    self.install_srtp();
                    self.events
                        .push_back(TransportEvent::DtlsConnected(Box::new(connected)));
                    self.start_sctp(now);
                    progress = true;
                }
                Output::Event(DtlsEvent::ApplicationData(packet)) => {
                    if self.sctp.is_none() {
                        // No association on this transport: nothing to
                        // deliver to.
                        self.stats.unknown_dropped += 1;
                    } else if self.gated || !self.sctp_started {
                        if self.gated_packets.len() < GATED_PACKET_LIMIT {
                            self.gated_packets.push_back(packet);
                        } else {
                            self.stats.gated_dropped += 1;
                        }
                    } else if let Some(sctp) = &mut self.sctp {
                        sctp.handle_receive_owned(now, packet);
                        progress = true;
                    }
                }
                Output::Event(DtlsEvent::Closed) => {
                    self.events.push_back(TransportEvent::DtlsClosed)
                }
                Output::Event(DtlsEvent::Failed(e)) => {
                    self.events.push_back(TransportEvent::DtlsFailed(e))
                }
                Output::Timeout(at) => {
                    self.dtls_timeout = at;
                    return progress;
                }
            }
        }
    }

    /// Drains the association: its packets become DTLS records (drained
    /// next), its events go up.
    fn drain_sctp(&mut self, now: Instant) {
        let Some(sctp) = &mut self.sctp else {
            self.sctp_timeout = None;
            return;
        };
        loop {
            match sctp.poll_output() {
                Output::Transmit(packet) => {
                    let sent = match (self.dtls.as_mut(), self.sctp_headroom) {
                        // Sealed where it lies: the packet's buffer
                        // becomes the datagram, handed to ICE at once
                        // (not queued in DTLS for `drain_dtls` to take).
                        (Some(d), Some(headroom)) => {
                            match d.seal_application_data_in_place(packet, headroom) {
                                Ok(datagram) => {
                                    if !send_datagram(
                                        &mut self.agent,
                                        &mut self.transmits,
                                        now,
                                        datagram,
                                    ) {
                                        self.stats.dtls_unsent += 1;
                                    }
                                    true
                                }
                                Err(_) => false,
                            }
                        }
                        (Some(d), None) => {
                            let sent = d.send_application_data(&packet).is_ok();
                            // Sealed (copied) into a record: the next
                            // packet is built in the same buffer.
                            sctp.recycle_packet(packet);
                            sent
                        }
                        (None, _) => false,
                    };
                    if !sent {
                        self.stats.sctp_unsent += 1;
                    }
                }
                Output::Event(event) => self.events.push_back(TransportEvent::Channel(event)),
                Output::Timeout(at) => {
                    self.sctp_timeout = at;
                    return;
                }
            }
        }
    }
}

/// Sends `datagram` on component 1: on a direct path the transmit goes
/// straight into `transmits`, not through the agent's outputs; a relayed
/// one is queued in the agent, drained with its other outputs. Whether
/// ICE has a path for it.
fn send_datagram(
    agent: &mut Agent,
    transmits: &mut VecDeque<Transmit>,
    now: Instant,
    datagram: Vec<u8>,
) -> bool {
    match agent.send_owned_direct(now, 1, datagram) {
        Ok(Some(transmit)) => {
            transmits.push_back(transmit);
            true
        }
        Ok(None) => true,
        Err(_) => false,
    }
}
