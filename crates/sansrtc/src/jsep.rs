//! JSEP (RFC 9429) on the connection: creating and applying descriptions
//! under the W3C signaling rules, trickled candidates, ICE restarts and
//! `negotiationneeded`.

use std::time::{Duration, Instant};

use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, Role};
use sansrtc_sdp::attributes::Setup;
use sansrtc_sdp::{Candidate, CandidateTransport, SessionDescription, SessionView};

use crate::description::{build_answer, build_offer, with_candidates, LocalParams};
use crate::error::{RemoteDescriptionError, RtcError};
use crate::event::{IceCandidateInit, PeerEvent};
use crate::peer_connection::{Applied, AppliedRemote, DtlsTransportState, RtcPeerConnection};
use crate::remote::{read_remote, RemoteParams, RemoteTransport};
use crate::rtcp_component::RtcpComponent;
use crate::signaling::{
    check_create_answer, implicit_type, transition, RtcSessionDescription, SdpType, Side,
    SignalingState,
};
use crate::transport::{SctpParams, DTLS_MTU};

/// The DTLS handshake's first retransmission timeout. The client starts
/// on the first valid ICE pair, and a peer whose ICE is not yet connected
/// may drop that flight (libjuice does); RFC 6347's 1 s then delays the
/// connection by a second. libwebrtc starts at 2 × the ICE RTT, at least
/// 50 ms; without an RTT at hand, 100 ms (doubling, as before).
const DTLS_INITIAL_RETRANSMIT: Duration = Duration::from_millis(100);

impl RtcPeerConnection {
    fn local_params(&self) -> LocalParams {
        let config = self.config.get_configuration();
        LocalParams {
            session_id: self.session_id,
            session_version: self.session_version,
            bundle_policy: config.bundle_policy,
            rtcp_mux_policy: config.rtcp_mux_policy,
            fingerprints: self.local_fingerprints(),
            max_message_size: self.sctp().channels().local_max_message_size() as u64,
            identity: self.identity_assertion.clone(),
        }
    }

    /// Whether data channels need a section: one exists or was negotiated.
    fn wants_data(&self) -> bool {
        self.data_mid.is_some() || self.sctp().channels().channels().next().is_some()
    }

    /// `createOffer()`. After `restart_ice()`, the offer carries new ICE
    /// credentials.
    pub fn create_offer(&mut self, now: Instant) -> Result<RtcSessionDescription, RtcError> {
        self.ensure_open()?;
        if self.ice_restart_pending && !self.ice_restart_done {
            for t in &mut self.transports {
                t.agent.restart(now);
            }
            self.ice_restart_done = true;
            self.pump_all(now);
            self.drain(now);
        }
        self.session_version += 1;
        let params = self.local_params();
        let plan = self.plan_offer(self.wants_data());
        let map = self.offer_transport_map(now, &plan)?;
        let specs = self.offer_specs(&plan, &params);
        let transports = self.section_transport_params(&params, &map);
        let offer = build_offer(&params, &transports, &specs)?;
        self.media.offer_plan = Some(plan);
        self.offer_transports = Some(map);
        let sdp = offer.to_string();
        self.last_offer = Some(sdp.clone());
        Ok(RtcSessionDescription::offer(sdp))
    }

    /// `createAnswer()`: only with a remote offer applied.
    pub fn create_answer(&mut self) -> Result<RtcSessionDescription, RtcError> {
        self.ensure_open()?;
        check_create_answer(self.signaling)?;
        let remote = self
            .pending_remote
            .as_ref()
            .ok_or(RtcError::NoRemoteDescription)?;
        let primary = self.section_transports.get(remote.params.transport_index);
        let offered = remote.params.primary().map_or(Setup::ActPass, |t| t.setup);
        let setup = self.answer_setup(primary.copied().unwrap_or(0), offered);
        self.session_version += 1;
        let offer = remote.applied.description.clone();
        let params = self.local_params();
        let choices = self.answer_choices(&SessionView::new(&offer)?, &params);
        let transports = self.section_transport_params(&params, &self.section_transports);
        let answer = build_answer(&params, &transports, &offer, setup, &choices)?;
        let sdp = answer.to_string();
        self.last_answer = Some(sdp.clone());
        Ok(RtcSessionDescription::answer(sdp))
    }

    /// Our `a=setup` for transport `index` in an answer (RFC 8842 §5.3):
    /// `active` unless the offerer wants to be active itself, or a DTLS
    /// association exists.
    fn answer_setup(&self, index: usize, remote: Setup) -> Setup {
        let existing = self.transports.get(index).and_then(|t| t.dtls.as_ref());
        match existing.map(|d| d.role()) {
            Some(Role::Client) => Setup::Active,
            Some(Role::Server) => Setup::Passive,
            None if remote == Setup::Active => Setup::Passive,
            None => Setup::Active,
        }
    }

    /// `setLocalDescription()` without arguments: creates the offer or the
    /// answer the state calls for, and applies it.
    pub fn set_local_description_implicit(
        &mut self,
        now: Instant,
    ) -> Result<RtcSessionDescription, RtcError> {
        self.ensure_open()?;
        let description = match implicit_type(self.signaling) {
            SdpType::Offer => self.create_offer(now)?,
            _ => self.create_answer()?,
        };
        self.set_local_description(now, description.clone())?;
        Ok(description)
    }

    /// `setLocalDescription(description)`. An offer or answer must be the
    /// one last created (an empty `sdp` means that one).
    pub fn set_local_description(
        &mut self,
        now: Instant,
        mut description: RtcSessionDescription,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let step = transition(self.signaling, Side::Local, description.sdp_type)?;
        if description.sdp_type == SdpType::Rollback {
            self.rollback(now, Side::Local, step.next);
            return Ok(());
        }
        let created = match description.sdp_type {
            SdpType::Offer => &self.last_offer,
            _ => &self.last_answer,
        };
        let Some(created) = created.clone() else {
            return Err(RtcError::NothingCreated(description.sdp_type));
        };
        if description.sdp.is_empty() {
            description.sdp = created.clone();
        } else if normalise(&description.sdp) != normalise(&created) {
            return Err(RtcError::ModifiedDescription(description.sdp_type));
        }
        let parsed: SessionDescription = description.sdp.parse()?;
        match description.sdp_type {
            SdpType::Offer => {
                let remote_lite = self
                    .current_remote
                    .as_ref()
                    .is_some_and(|r| r.params.ice_lite);
                if let Some(map) = self.offer_transports.clone() {
                    self.gather_rtcp_components(now, &map);
                    self.section_transports = map;
                }
                for t in &mut self.transports {
                    t.agent.set_controlling(!remote_lite);
                }
                self.apply_offer_plan();
                self.place_sctp();
                self.pending_local = Some(Applied {
                    sdp_type: SdpType::Offer,
                    description: parsed,
                });
            }
            SdpType::Answer | SdpType::Pranswer => {
                let remote = self
                    .pending_remote
                    .clone()
                    .ok_or(RtcError::NoRemoteDescription)?;
                if let Some(d) = &remote.params.data {
                    self.data_mid = Some(d.mid.clone());
                    self.data_index = d.index;
                }
                self.place_sctp();
                for (k, rt) in remote.params.transports.iter().enumerate() {
                    let index = self
                        .section_transports
                        .get(rt.section)
                        .copied()
                        .unwrap_or(0);
                    let role = match self.answer_setup(index, rt.setup) {
                        Setup::Active => Role::Client,
                        _ => Role::Server,
                    };
                    self.ensure_dtls(now, index, role, &remote.params, k)?;
                }
                let parsed_answer = parsed.clone();
                let applied = Applied {
                    sdp_type: description.sdp_type,
                    description: parsed,
                };
                if description.sdp_type == SdpType::Answer {
                    self.apply_answer_media(&parsed_answer, &remote.applied.description, true)?;
                    self.media.remote_offer_undo.clear();
                    self.bundle_tag = answer_bundle_tag(&parsed_answer);
                    let view = SessionView::new(&parsed_answer)?;
                    self.settle_transports(now, &view, &remote.params);
                    self.current_local = Some(applied);
                    self.current_remote = Some(remote);
                    self.pending_local = None;
                    self.pending_remote = None;
                } else {
                    self.pending_local = Some(applied);
                }
            }
            SdpType::Rollback => {}
        }
        self.config.set_local_description_applied()?;
        let used: Vec<usize> = self.section_transports.clone();
        for (i, t) in self.transports.iter_mut().enumerate() {
            if used.contains(&i) || i == 0 {
                t.agent.gather(now);
            }
        }
        self.set_signaling_state(step.next);
        if description.sdp_type == SdpType::Answer {
            self.ice_restart_pending = false;
            self.ice_restart_done = false;
        }
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// `setRemoteDescription(description)`. Nothing changes when it fails.
    pub fn set_remote_description(
        &mut self,
        now: Instant,
        description: RtcSessionDescription,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let step = transition(self.signaling, Side::Remote, description.sdp_type)?;
        if description.sdp_type == SdpType::Rollback {
            self.rollback(now, Side::Remote, step.next);
            return Ok(());
        }
        let (parsed, params) = read_remote(&description.sdp, description.sdp_type)?;
        if description.sdp_type != SdpType::Offer {
            self.check_answer_matches(&params)?;
        }
        self.check_dtls_unchanged(&params)?;
        if self.config.target_peer_identity().is_some() && params.identity.is_none() {
            return Err(RtcError::Identity(
                "peerIdentity is set and the remote description has no a=identity".into(),
            ));
        }
        if step.implicit_rollback {
            self.rollback(now, Side::Local, SignalingState::Stable);
        }
        let started = self.transports.iter().any(|t| t.sctp_started);
        if self.config.target_peer_identity().is_some() && self.peer_identity.is_none() && !started
        {
            // peerIdentity (set at construction or since): hold delivery.
            for t in &mut self.transports {
                t.gated = true;
            }
        }
        // Which of our transports each section uses from now on.
        let map = match description.sdp_type {
            SdpType::Offer => self.answer_transport_map(now, &params)?,
            _ => self.answered_transport_map(&params),
        };
        self.section_transports = map;
        self.apply_remote_transports(now, &params)?;
        let view = SessionView::new(&parsed)?;
        self.apply_remote_media(&view, description.sdp_type == SdpType::Offer)?;
        let applied = AppliedRemote {
            applied: Applied {
                sdp_type: description.sdp_type,
                description: parsed,
            },
            params: params.clone(),
        };
        match description.sdp_type {
            SdpType::Offer => {
                for t in &mut self.transports {
                    t.agent.set_controlling(false);
                    t.agent.set_remote_lite(params.ice_lite);
                }
                self.pending_remote = Some(applied);
            }
            _ => {
                for (k, rt) in params.transports.iter().enumerate() {
                    let role = match rt.setup {
                        Setup::Active => Role::Server,
                        _ => Role::Client,
                    };
                    let index = self
                        .section_transports
                        .get(rt.section)
                        .copied()
                        .unwrap_or(0);
                    self.ensure_dtls(now, index, role, &params, k)?;
                }
                if let Some(d) = &params.data {
                    if self.data_mid.as_deref() == Some(d.mid.as_str()) {
                        self.data_index = d.index;
                    }
                }
                self.place_sctp();
                if description.sdp_type == SdpType::Answer {
                    if let Some(local) = &self.pending_local {
                        let local = local.description.clone();
                        self.apply_answer_media(&local, &applied.applied.description, false)?;
                        self.bundle_tag = answer_bundle_tag(&applied.applied.description);
                        let view = SessionView::new(&local)?;
                        self.settle_transports(now, &view, &params);
                    }
                    self.current_remote = Some(applied);
                    self.current_local = self.pending_local.take();
                    self.pending_remote = None;
                    self.ice_restart_pending = false;
                    self.ice_restart_done = false;
                } else {
                    self.pending_remote = Some(applied);
                }
            }
        }
        self.request_validation(&params);
        self.set_signaling_state(step.next);
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// The answer must answer our offer: the same sections, the same mids.
    fn check_answer_matches(&self, params: &RemoteParams) -> Result<(), RtcError> {
        let Some(local) = &self.pending_local else {
            return Ok(());
        };
        let ours: Vec<Option<String>> = sansrtc_sdp::SessionView::new(&local.description)?
            .media
            .iter()
            .map(|m| m.mid.clone())
            .collect();
        if ours != params.mids {
            return Err(RemoteDescriptionError::AnswerMismatch.into());
        }
        Ok(())
    }

    /// We do not renegotiate DTLS: once an endpoint exists, the remote's
    /// fingerprints must stay the ones it was built with.
    fn check_dtls_unchanged(&self, params: &RemoteParams) -> Result<(), RtcError> {
        let Some(current) = self
            .current_remote
            .as_ref()
            .or(self.pending_remote.as_ref())
        else {
            return Ok(());
        };
        let (Some(now), Some(before)) =
            (params.transports.first(), current.params.transports.first())
        else {
            return Ok(());
        };
        if self.primary().dtls.is_some() && now.dtls_fingerprints() != before.dtls_fingerprints() {
            return Err(RemoteDescriptionError::DtlsChanged.into());
        }
        Ok(())
    }

    /// ICE credentials and candidates of every remote transport, on the
    /// transport each maps to, and the SCTP parameters.
    fn apply_remote_transports(
        &mut self,
        now: Instant,
        params: &RemoteParams,
    ) -> Result<(), RtcError> {
        if !params.has_transport {
            return Ok(());
        }
        let mut restarted_any = false;
        let negotiate = self.config.get_configuration().rtcp_mux_policy
            == sansrtc_sdp::jsep::RtcpMuxPolicy::Negotiate;
        let rtcp_sockets = !self.rtcp_addresses.is_empty();
        for remote in &params.transports {
            let index = self
                .section_transports
                .get(remote.section)
                .copied()
                .unwrap_or(0);
            let transport = &mut self.transports[index];
            // RTCP on component 2 when the peer does not multiplex it
            // (before its candidates arrive: they pair only on active
            // components).
            let separate = negotiate && rtcp_sockets && remote.rtp && !remote.rtcp_mux;
            transport.agent.set_rtcp_mux(now, !separate);
            if separate && transport.rtcp.is_none() {
                transport.rtcp = Some(Box::new(RtcpComponent::default()));
            }
            let restarted = transport
                .remote_ufrag
                .as_ref()
                .is_some_and(|u| *u != remote.ufrag);
            if restarted && !self.ice_restart_done {
                // The remote restarts ICE (RFC 8445 §9): we do too.
                transport.agent.restart(now);
                restarted_any = true;
            }
            transport
                .agent
                .set_remote_credentials(now, &remote.ufrag, &remote.pwd)?;
            transport.remote_ufrag = Some(remote.ufrag.clone());
            self.skipped_remote_candidates += remote.skipped_candidates as u64;
            for candidate in &remote.candidates {
                if let Err(error) = transport.agent.add_remote_candidate(now, candidate) {
                    self.skipped_remote_candidates += 1;
                    tracing::debug!(%error, "remote candidate skipped");
                }
            }
            if remote.end_of_candidates {
                transport.agent.end_of_remote_candidates(now);
            }
        }
        if restarted_any {
            self.ice_restart_done = true;
        }
        if let Some(data) = &params.data {
            let sctp_params = SctpParams {
                local_port: 5000,
                remote_port: data.sctp_port,
                remote_max_message_size: data.max_message_size,
            };
            let index = self.sctp_index();
            self.transports[index].set_sctp_params(now, sctp_params);
        }
        Ok(())
    }

    /// Builds transport `index`'s DTLS endpoint for `role` once, with the
    /// fingerprints of remote transport `remote` required.
    fn ensure_dtls(
        &mut self,
        now: Instant,
        index: usize,
        role: Role,
        params: &RemoteParams,
        remote: usize,
    ) -> Result<(), RtcError> {
        let Some(remote) = params.transports.get(remote) else {
            return Ok(());
        };
        if let Some(existing) = &self.transports[index].dtls {
            if existing.role() != role {
                return Err(RemoteDescriptionError::BadSetup.into());
            }
        } else {
            let endpoint = self.dtls_endpoint(now, role, remote)?;
            let transport = &mut self.transports[index];
            transport.dtls_state = DtlsTransportState::Connecting;
            transport.install_dtls(now, endpoint);
        }
        let needs_rtcp = self.transports[index]
            .rtcp
            .as_ref()
            .is_some_and(|r| r.dtls.is_none());
        if needs_rtcp {
            // RFC 5764 §4.1: a DTLS-SRTP session of its own for RTCP's
            // component, in the same role.
            let endpoint = self.dtls_endpoint(now, role, remote)?;
            if let Some(rtcp) = &mut self.transports[index].rtcp {
                rtcp.install(now, endpoint);
            }
        }
        Ok(())
    }

    /// A DTLS endpoint for `role` with `remote`'s fingerprints required.
    fn dtls_endpoint(
        &mut self,
        now: Instant,
        role: Role,
        remote: &RemoteTransport,
    ) -> Result<DtlsEndpoint, RtcError> {
        // Several certificates: DTLS uses the first the peer accepts.
        let mut config = DtlsConfig::with_identities(self.identities.iter().cloned())
            .map_err(|e| RtcError::Certificate(e.to_string()))?;
        config.expected_fingerprints = remote.dtls_fingerprints();
        config.min_version = *self.dtls_versions.start();
        config.max_version = *self.dtls_versions.end();
        // No HelloVerifyRequest: ICE hands DTLS only datagrams from a peer
        // whose address answered an authenticated check, which is what the
        // cookie exchange proves (RFC 6347 §4.2.1); it would cost a round
        // trip, and Chromium's large ClientHello twice.
        config.hello_verify_request = false;
        config.mtu = DTLS_MTU;
        config.initial_retransmit_timeout = DTLS_INITIAL_RETRANSMIT;
        config.unix_time = Some(self.unix_time(now));
        DtlsEndpoint::new(role, config, &mut self.rng)
            .map_err(|e| RtcError::Certificate(e.to_string()))
    }

    /// Rolls back the pending description on `side` (webrtc-pc §4.4.1.5):
    /// the sections go back to their negotiated transports, and the ones
    /// made for the rolled-back description close.
    fn rollback(&mut self, now: Instant, side: Side, next: SignalingState) {
        match side {
            Side::Local => {
                self.pending_local = None;
                if self.current_local.is_none() && self.primary().dtls.is_none() {
                    // An initial offer rolled back: its data mid was never negotiated.
                    self.data_mid = None;
                }
            }
            Side::Remote => {
                self.pending_remote = None;
                self.undo_remote_offer();
            }
        }
        self.section_transports = self.negotiated_transports.clone();
        let mut used = vec![false; self.transports.len()];
        for &t in &self.section_transports {
            if let Some(u) = used.get_mut(t) {
                *u = true;
            }
        }
        if self.current_local.is_none() {
            // Nothing negotiated: the first transport stays, untagged.
            used[0] = true;
            self.transports[0].tag = None;
        }
        self.prune_transports(now, used);
        self.set_signaling_state(next);
        self.pump_all(now);
        self.drain(now);
    }

    pub(crate) fn set_signaling_state(&mut self, next: SignalingState) {
        if next == self.signaling {
            return;
        }
        self.signaling = next;
        self.emit(PeerEvent::SignalingStateChange(next));
        if next == SignalingState::Stable {
            let before = self.negotiation_needed;
            self.update_negotiation_needed();
            if before && self.negotiation_needed {
                self.emit(PeerEvent::NegotiationNeeded);
            }
        }
    }

    /// Whether a new offer/answer is needed (webrtc-pc §4.7.3, data part):
    /// a restart was asked for, or a data channel exists and no data
    /// section was negotiated.
    fn is_negotiation_needed(&self) -> bool {
        if self.ice_restart_pending {
            return true;
        }
        let negotiated_data = self.current_local.is_some() && self.data_mid.is_some();
        if self.sctp().channels().channels().next().is_some() && !negotiated_data {
            return true;
        }
        self.media_negotiation_needed()
    }

    /// "Update the negotiation-needed flag" (webrtc-pc §4.7.3).
    pub(crate) fn update_negotiation_needed(&mut self) {
        if self.closed || self.signaling != SignalingState::Stable {
            return;
        }
        if !self.is_negotiation_needed() {
            self.negotiation_needed = false;
            return;
        }
        if self.negotiation_needed {
            return;
        }
        self.negotiation_needed = true;
        self.emit(PeerEvent::NegotiationNeeded);
    }

    /// `restartIce()`: the next offer carries new ICE credentials.
    pub fn restart_ice(&mut self) {
        if self.closed {
            return;
        }
        self.ice_restart_pending = true;
        self.ice_restart_done = false;
        self.update_negotiation_needed();
    }

    /// `addIceCandidate(candidate)`: a trickled remote candidate; an empty
    /// candidate is the end of candidates. Candidates we cannot use (TCP)
    /// are accepted and skipped.
    pub fn add_ice_candidate(
        &mut self,
        now: Instant,
        init: &IceCandidateInit,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let remote = self
            .pending_remote
            .as_ref()
            .or(self.current_remote.as_ref())
            .ok_or(RtcError::NoRemoteDescription)?;
        if init.candidate.trim().is_empty() {
            for t in &mut self.transports {
                t.agent.end_of_remote_candidates(now);
            }
            self.pump_all(now);
            self.drain(now);
            return Ok(());
        }
        let section = match (&init.sdp_mid, init.sdp_m_line_index) {
            (Some(mid), _) => remote
                .params
                .mids
                .iter()
                .position(|m| m.as_deref() == Some(mid)),
            (None, Some(index)) => {
                Some(usize::from(index)).filter(|&i| i < remote.params.mids.len())
            }
            (None, None) => {
                return Err(RtcError::UnknownMediaSection(
                    "neither sdpMid nor sdpMLineIndex".into(),
                ))
            }
        };
        let Some(section) = section else {
            return Err(RtcError::UnknownMediaSection(
                init.sdp_mid.clone().unwrap_or_default(),
            ));
        };
        let remote_ufrag = remote.params.owners[section]
            .and_then(|k| remote.params.transports.get(k))
            .or(remote.params.primary())
            .map_or("", |t| t.ufrag.as_str());
        if let Some(ufrag) = &init.username_fragment {
            if ufrag != remote_ufrag {
                return Err(sansrtc_ice::IceError::UfragMismatch.into());
            }
        }
        let index = self.section_transports.get(section).copied().unwrap_or(0);
        let line = init.candidate.trim().trim_start_matches("a=");
        let candidate: Candidate = line.parse().map_err(sansrtc_ice::IceError::from)?;
        let last = self.transports.len() - 1;
        let rtcp = self.transports[index.min(last)].rtcp.is_some();
        let usable = candidate.component == 1 || (candidate.component == 2 && rtcp);
        if candidate.transport != CandidateTransport::Udp || !usable {
            self.skipped_remote_candidates += 1;
            return Ok(());
        }
        let transport = &mut self.transports[index.min(last)];
        transport.agent.add_remote_candidate(now, &candidate)?;
        transport.pump(now);
        self.drain(now);
        Ok(())
    }

    /// `localDescription`: the pending one, else the current one, with the
    /// candidates gathered so far.
    pub fn local_description(&self) -> Option<RtcSessionDescription> {
        let applied = self
            .pending_local
            .as_ref()
            .or(self.current_local.as_ref())?;
        Some(self.render_local(applied))
    }

    /// `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<RtcSessionDescription> {
        self.current_local.as_ref().map(|a| self.render_local(a))
    }

    /// `pendingLocalDescription`.
    pub fn pending_local_description(&self) -> Option<RtcSessionDescription> {
        self.pending_local.as_ref().map(|a| self.render_local(a))
    }

    /// `remoteDescription`: the pending one, else the current one.
    pub fn remote_description(&self) -> Option<RtcSessionDescription> {
        let remote = self
            .pending_remote
            .as_ref()
            .or(self.current_remote.as_ref())?;
        Some(RtcSessionDescription {
            sdp_type: remote.applied.sdp_type,
            sdp: remote.applied.description.to_string(),
        })
    }

    fn render_local(&self, applied: &Applied) -> RtcSessionDescription {
        let candidates = self.section_candidates(applied.description.media.len());
        let description = with_candidates(&applied.description, &candidates);
        RtcSessionDescription {
            sdp_type: applied.sdp_type,
            sdp: description.to_string(),
        }
    }
}

/// The mid of the BUNDLE group's tagged section in an answer.
fn answer_bundle_tag(answer: &SessionDescription) -> Option<String> {
    let view = SessionView::new(answer).ok()?;
    view.bundle_group()?.mids.first().cloned()
}

/// SDP compared line by line, line endings aside.
fn normalise(sdp: &str) -> Vec<&str> {
    sdp.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}
