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
use crate::remote::{read_remote, RemoteParams};
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
        let credentials = self.transport.agent.local_credentials();
        let config = self.config.get_configuration();
        LocalParams {
            session_id: self.session_id,
            session_version: self.session_version,
            bundle_policy: config.bundle_policy,
            rtcp_mux_policy: config.rtcp_mux_policy,
            ufrag: credentials.ufrag.clone(),
            pwd: credentials.pwd.clone(),
            fingerprints: self.local_fingerprints(),
            max_message_size: self.transport.sctp.channels().local_max_message_size() as u64,
            identity: self.identity_assertion.clone(),
        }
    }

    /// Whether data channels need a section: one exists or was negotiated.
    fn wants_data(&self) -> bool {
        self.data_mid.is_some() || self.transport.sctp.channels().channels().next().is_some()
    }

    /// `createOffer()`. After `restart_ice()`, the offer carries new ICE
    /// credentials.
    pub fn create_offer(&mut self, now: Instant) -> Result<RtcSessionDescription, RtcError> {
        self.ensure_open()?;
        if self.ice_restart_pending && !self.ice_restart_done {
            self.transport.agent.restart(now);
            self.ice_restart_done = true;
            self.transport.pump(now);
            self.drain(now);
        }
        self.session_version += 1;
        let params = self.local_params();
        let plan = self.plan_offer(self.wants_data());
        let specs = self.offer_specs(&plan, &params);
        let offer = build_offer(&params, &specs)?;
        self.media.offer_plan = Some(plan);
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
        let setup = self.answer_setup(&remote.params);
        self.session_version += 1;
        let offer = remote.applied.description.clone();
        let params = self.local_params();
        let choices = self.answer_choices(&SessionView::new(&offer)?, &params);
        let answer = build_answer(&params, &offer, setup, &choices)?;
        let sdp = answer.to_string();
        self.last_answer = Some(sdp.clone());
        Ok(RtcSessionDescription::answer(sdp))
    }

    /// Our `a=setup` in an answer (RFC 8842 §5.3): `active` unless the
    /// offerer wants to be active itself, or a DTLS association exists.
    fn answer_setup(&self, remote: &RemoteParams) -> Setup {
        match self.transport.dtls.as_ref().map(|d| d.role()) {
            Some(Role::Client) => Setup::Active,
            Some(Role::Server) => Setup::Passive,
            None if remote.setup == Setup::Active => Setup::Passive,
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
                self.transport.agent.set_controlling(!remote_lite);
                self.apply_offer_plan();
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
                let role = match self.answer_setup(&remote.params) {
                    Setup::Active => Role::Client,
                    _ => Role::Server,
                };
                if let Some(d) = &remote.params.data {
                    self.data_mid = Some(d.mid.clone());
                    self.data_index = d.index;
                }
                self.ensure_dtls(now, role, &remote.params)?;
                let parsed_answer = parsed.clone();
                let applied = Applied {
                    sdp_type: description.sdp_type,
                    description: parsed,
                };
                if description.sdp_type == SdpType::Answer {
                    self.apply_answer_media(&parsed_answer, &remote.applied.description, true)?;
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
        self.transport.agent.gather(now);
        self.set_signaling_state(step.next);
        if description.sdp_type == SdpType::Answer {
            self.ice_restart_pending = false;
            self.ice_restart_done = false;
        }
        self.transport.pump(now);
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
        if self.config.target_peer_identity().is_some()
            && self.peer_identity.is_none()
            && !self.transport.sctp_started
        {
            // peerIdentity (set at construction or since): hold delivery.
            self.transport.gated = true;
        }
        self.apply_remote_transport(now, &params)?;
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
                self.transport.agent.set_controlling(false);
                self.transport.agent.set_remote_lite(params.ice_lite);
                self.pending_remote = Some(applied);
            }
            _ => {
                let role = match params.setup {
                    Setup::Active => Role::Server,
                    _ => Role::Client,
                };
                self.ensure_dtls(now, role, &params)?;
                if description.sdp_type == SdpType::Answer {
                    if let Some(local) = &self.pending_local {
                        let local = local.description.clone();
                        self.apply_answer_media(&local, &applied.applied.description, false)?;
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
        self.transport.pump(now);
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
        if self.transport.dtls.is_some()
            && params.has_transport
            && current.params.dtls_fingerprints() != params.dtls_fingerprints()
        {
            return Err(RemoteDescriptionError::DtlsChanged.into());
        }
        Ok(())
    }

    /// ICE credentials and candidates, and the SCTP parameters.
    fn apply_remote_transport(
        &mut self,
        now: Instant,
        params: &RemoteParams,
    ) -> Result<(), RtcError> {
        if !params.has_transport {
            return Ok(());
        }
        let previous = self
            .current_remote
            .as_ref()
            .or(self.pending_remote.as_ref())
            .filter(|r| r.params.has_transport)
            .map(|r| r.params.ufrag.clone());
        if previous.as_ref().is_some_and(|u| *u != params.ufrag) && !self.ice_restart_done {
            // The remote restarts ICE (RFC 8445 §9): we do too.
            self.transport.agent.restart(now);
            self.ice_restart_done = true;
        }
        self.transport
            .agent
            .set_remote_credentials(now, &params.ufrag, &params.pwd)?;
        self.skipped_remote_candidates += params.skipped_candidates as u64;
        for candidate in &params.candidates {
            if let Err(error) = self.transport.agent.add_remote_candidate(now, candidate) {
                self.skipped_remote_candidates += 1;
                tracing::debug!(%error, "remote candidate skipped");
            }
        }
        if params.end_of_candidates {
            self.transport.agent.end_of_remote_candidates(now);
        }
        if let Some(data) = &params.data {
            self.transport.sctp_params = Some(SctpParams {
                local_port: 5000,
                remote_port: data.sctp_port,
                remote_max_message_size: data.max_message_size,
            });
            self.transport
                .sctp
                .set_remote_max_message_size(data.max_message_size);
        }
        Ok(())
    }

    /// Builds the DTLS endpoint for `role` once, with the remote's
    /// fingerprints required.
    fn ensure_dtls(
        &mut self,
        now: Instant,
        role: Role,
        params: &RemoteParams,
    ) -> Result<(), RtcError> {
        if !params.has_transport {
            return Ok(());
        }
        if let Some(existing) = &self.transport.dtls {
            if existing.role() != role {
                return Err(RemoteDescriptionError::BadSetup.into());
            }
            return Ok(());
        }
        // Several certificates: DTLS uses the first the peer accepts.
        let mut config = DtlsConfig::with_identities(self.identities.iter().cloned())
            .map_err(|e| RtcError::Certificate(e.to_string()))?;
        config.expected_fingerprints = params.dtls_fingerprints();
        // No HelloVerifyRequest: ICE hands DTLS only datagrams from a peer
        // whose address answered an authenticated check, which is what the
        // cookie exchange proves (RFC 6347 §4.2.1); it would cost a round
        // trip, and Chromium's large ClientHello twice.
        config.hello_verify_request = false;
        config.mtu = DTLS_MTU;
        config.initial_retransmit_timeout = DTLS_INITIAL_RETRANSMIT;
        config.unix_time = Some(self.unix_time(now));
        let endpoint = DtlsEndpoint::new(role, config, &mut self.rng)
            .map_err(|e| RtcError::Certificate(e.to_string()))?;
        self.dtls_state = DtlsTransportState::Connecting;
        self.transport.install_dtls(now, endpoint);
        Ok(())
    }

    /// Rolls back the pending description on `side` (webrtc-pc §4.4.1.5).
    fn rollback(&mut self, now: Instant, side: Side, next: SignalingState) {
        match side {
            Side::Local => {
                self.pending_local = None;
                if self.current_local.is_none() && self.transport.dtls.is_none() {
                    // An initial offer rolled back: its data mid was never negotiated.
                    self.data_mid = None;
                }
            }
            Side::Remote => self.pending_remote = None,
        }
        self.set_signaling_state(next);
        self.transport.pump(now);
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
        if self.transport.sctp.channels().channels().next().is_some() && !negotiated_data {
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
            self.transport.agent.end_of_remote_candidates(now);
            self.transport.pump(now);
            self.drain(now);
            return Ok(());
        }
        let known_mid = match (&init.sdp_mid, init.sdp_m_line_index) {
            (Some(mid), _) => remote.params.mids.iter().any(|m| m.as_deref() == Some(mid)),
            (None, Some(index)) => usize::from(index) < remote.params.mids.len(),
            (None, None) => {
                return Err(RtcError::UnknownMediaSection(
                    "neither sdpMid nor sdpMLineIndex".into(),
                ))
            }
        };
        if !known_mid {
            return Err(RtcError::UnknownMediaSection(
                init.sdp_mid.clone().unwrap_or_default(),
            ));
        }
        if let Some(ufrag) = &init.username_fragment {
            if *ufrag != remote.params.ufrag {
                return Err(sansrtc_ice::IceError::UfragMismatch.into());
            }
        }
        let line = init.candidate.trim().trim_start_matches("a=");
        let candidate: Candidate = line.parse().map_err(sansrtc_ice::IceError::from)?;
        if candidate.transport != CandidateTransport::Udp || candidate.component != 1 {
            self.skipped_remote_candidates += 1;
            return Ok(());
        }
        self.transport.agent.add_remote_candidate(now, &candidate)?;
        self.transport.pump(now);
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
        let candidates: Vec<Candidate> = self.transport.agent.local_candidates();
        let complete = self.gathering_state == sansrtc_ice::IceGatheringState::Complete;
        let description = with_candidates(&applied.description, &candidates, complete);
        RtcSessionDescription {
            sdp_type: applied.sdp_type,
            sdp: description.to_string(),
        }
    }
}

/// SDP compared line by line, line endings aside.
fn normalise(sdp: &str) -> Vec<&str> {
    sdp.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}
