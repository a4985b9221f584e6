//! Which transport carries which media section (RFC 9429 §4.1.1, §5.2.1,
//! §5.3.1; RFC 8843): the transports an offer gathers under `bundlePolicy`,
//! the ones an answer to a remote offer uses, what an applied answer
//! negotiates, and closing the ones nothing uses any more.
//!
//! Each transport has its own ICE agent (credentials, checks, candidates
//! on the same local addresses), DTLS endpoint and SRTP contexts; the SCTP
//! association moves to the data section's transport until it starts. A
//! transport is found again by its *tag*, the mid of the section it was
//! made for, so repeated offers write the same credentials.

use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_sdp::jsep::{MediaKind, TransportParams};
use sansrtc_sdp::{Candidate, SessionView};

use crate::bundle::{offer_transports, SectionKind};
use crate::description::LocalParams;
use crate::error::RtcError;
use crate::media::{PlannedSection, SectionContent};
use crate::peer_connection::new_agent;
use crate::remote::RemoteParams;
use crate::transport::Transport;
use crate::RtcPeerConnection;

impl RtcPeerConnection {
    /// For each section of an offer being created, its transport: the
    /// negotiated BUNDLE transport for every section once a group was
    /// negotiated; otherwise one per media type (`balanced`), per section
    /// (`max-compat`) or one in all (`max-bundle`).
    pub(crate) fn offer_transport_map(
        &mut self,
        now: Instant,
        plan: &[PlannedSection],
    ) -> Result<Vec<usize>, RtcError> {
        if let Some(tag) = self.bundle_tag.clone() {
            if let Some(i) = self.transport_tagged(&tag) {
                return Ok(vec![i; plan.len()]);
            }
        }
        // Sections offered rejected (stopped transceivers) have no
        // transport: the policy applies to the others.
        let live: Vec<(usize, SectionKind)> = plan
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s.content {
                SectionContent::Data => Some((i, SectionKind::Data)),
                SectionContent::Transceiver(t) => {
                    let t = &self.media.transceivers[t];
                    let kind = match t.kind {
                        MediaKind::Audio => SectionKind::Audio,
                        MediaKind::Video => SectionKind::Video,
                    };
                    (!t.stopping && !t.stopped).then_some((i, kind))
                }
            })
            .collect();
        let kinds: Vec<SectionKind> = live.iter().map(|(_, k)| *k).collect();
        let policy = self.config.get_configuration().bundle_policy;
        let owners = offer_transports(policy, &kinds);
        let mut live_map = vec![0; live.len()];
        for (j, &owner) in owners.iter().enumerate() {
            live_map[j] = if owner < j {
                live_map[owner]
            } else {
                self.transport_for_tag(now, &plan[live[j].0].mid)?
            };
        }
        let first = live_map.first().copied().unwrap_or(0);
        let mut map = vec![first; plan.len()];
        for (j, (i, _)) in live.iter().enumerate() {
            map[*i] = live_map[j];
        }
        Ok(map)
    }

    /// For each section of a remote offer, the transport our answer gives
    /// it: one per remote transport (a BUNDLE group, or an unbundled
    /// section), the first one on our first transport.
    pub(crate) fn answer_transport_map(
        &mut self,
        now: Instant,
        params: &RemoteParams,
    ) -> Result<Vec<usize>, RtcError> {
        let mut local = Vec::with_capacity(params.transports.len());
        for remote in &params.transports {
            let mid = params.mids[remote.section]
                .clone()
                .unwrap_or_else(|| remote.section.to_string());
            local.push(self.transport_for_tag(now, &mid)?);
        }
        let fallback = local.first().copied().unwrap_or(0);
        Ok(params
            .owners
            .iter()
            .map(|o| o.map_or(fallback, |k| local[k]))
            .collect())
    }

    /// Before our offer, transports carrying RTP gather RTCP's own
    /// component when the policy and a socket allow it and nothing was
    /// negotiated yet: the answer may not multiplex.
    pub(crate) fn gather_rtcp_components(&mut self, now: Instant, map: &[usize]) {
        let negotiate = self.config.get_configuration().rtcp_mux_policy
            == sansrtc_sdp::jsep::RtcpMuxPolicy::Negotiate;
        if !negotiate || self.rtcp_addresses.is_empty() {
            return;
        }
        let plan = self.media.offer_plan.clone().unwrap_or_default();
        for (section, &index) in map.iter().enumerate() {
            let rtp = matches!(
                plan.get(section).map(|s| s.content),
                Some(SectionContent::Transceiver(_))
            );
            let t = &mut self.transports[index];
            if rtp && t.remote_ufrag.is_none() {
                t.agent.set_rtcp_mux(now, false);
            }
        }
    }

    /// For each section of our offer, the transport a remote answer (or
    /// pranswer) gives it: the one our offer gave its group's tagged
    /// section, or its own when the answer did not bundle it.
    pub(crate) fn answered_transport_map(&self, params: &RemoteParams) -> Vec<usize> {
        let offered = &self.section_transports;
        params
            .owners
            .iter()
            .enumerate()
            .map(|(i, owner)| {
                let section = owner.map_or(i, |k| params.transports[k].section);
                offered
                    .get(section)
                    .or(offered.get(i))
                    .copied()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// The transport tagged `mid`.
    pub(crate) fn transport_tagged(&self, mid: &str) -> Option<usize> {
        self.transports
            .iter()
            .position(|t| t.tag.as_deref() == Some(mid))
    }

    /// The transport tagged `mid`: an existing one, else the first one if
    /// nothing tagged it yet, else a new one gathering on our addresses.
    fn transport_for_tag(&mut self, now: Instant, mid: &str) -> Result<usize, RtcError> {
        if let Some(i) = self.transport_tagged(mid) {
            return Ok(i);
        }
        if let Some(i) = self.transports.iter().position(|t| t.tag.is_none()) {
            self.transports[i].tag = Some(mid.to_owned());
            return Ok(i);
        }
        let agent = new_agent(&self.config, &mut self.rng, false)?;
        let rng = ChaCha20Rng::from_rng(&mut self.rng)
            .map_err(|e| RtcError::Certificate(format!("the random source failed: {e}")))?;
        let mut transport = Transport::new(agent, None, rng);
        transport.tag = Some(mid.to_owned());
        transport.gated =
            self.config.target_peer_identity().is_some() && self.peer_identity.is_none();
        let controlling = self.transports[0].agent.is_controlling();
        transport.agent.set_controlling(controlling);
        for address in self.usable_local_addresses() {
            transport.agent.add_local_address(now, address)?;
        }
        transport.agent.set_rtcp_mux(now, true);
        for &address in &self.rtcp_addresses {
            transport.agent.add_component_address(now, 2, address)?;
        }
        self.transports.push(transport);
        Ok(self.transports.len() - 1)
    }

    /// Our transport parameters for each section under `map` (one when
    /// there is no section).
    pub(crate) fn section_transport_params(
        &self,
        params: &LocalParams,
        map: &[usize],
    ) -> Vec<TransportParams> {
        let sections = map.len().max(1);
        (0..sections)
            .map(|i| {
                let index = map.get(i).copied().unwrap_or(0);
                let credentials = self.transports[index].agent.local_credentials();
                params.transport(&credentials.ufrag, &credentials.pwd)
            })
            .collect()
    }

    /// The candidates of each section's transport, and whether its
    /// gathering is complete, for `localDescription`.
    pub(crate) fn section_candidates(&self, sections: usize) -> Vec<(Vec<Candidate>, bool)> {
        (0..sections)
            .map(|i| {
                let index = self.section_transports.get(i).copied().unwrap_or(0);
                let agent = &self.transports[index.min(self.transports.len() - 1)].agent;
                let complete = agent.gathering_state() == sansrtc_ice::IceGatheringState::Complete;
                let candidates = agent
                    .local_candidates()
                    .into_iter()
                    .map(|c| self.host_names.signalled(c))
                    .collect();
                (candidates, complete)
            })
            .collect()
    }

    /// The SCTP association goes to the data section's transport, while
    /// it has not started.
    pub(crate) fn place_sctp(&mut self) {
        let Some(target) = self
            .data_mid
            .as_ref()
            .and(self.section_transports.get(self.data_index))
            .copied()
        else {
            return;
        };
        self.move_sctp(target);
    }

    fn move_sctp(&mut self, target: usize) {
        let from = self.sctp_index();
        if from == target || target >= self.transports.len() || self.transports[from].sctp_started {
            return;
        }
        let sctp = self.transports[from].sctp.take();
        let params = self.transports[from].sctp_params.take();
        let to = &mut self.transports[target];
        to.sctp = sctp;
        to.sctp_params = to.sctp_params.or(params);
    }

    /// An answer was applied: the sections both sides kept decide which
    /// transports stay; the others are closed (RFC 9429 §5.1.1: the
    /// transports of sections bundled into another, or rejected).
    pub(crate) fn settle_transports(
        &mut self,
        now: Instant,
        local: &SessionView,
        remote: &RemoteParams,
    ) {
        let mut used = vec![false; self.transports.len()];
        for (i, &t) in self.section_transports.iter().enumerate() {
            let live = remote.owners.get(i).is_some_and(Option::is_some)
                && local.media.get(i).is_some_and(|m| !m.is_rejected());
            if live && t < used.len() {
                used[t] = true;
            }
        }
        self.negotiated_transports = self.section_transports.clone();
        self.prune_transports(now, used);
    }

    /// Closes every transport not `used` (keeping at least one, and the
    /// association's once it started) and renumbers the rest.
    pub(crate) fn prune_transports(&mut self, now: Instant, mut used: Vec<bool>) {
        used.resize(self.transports.len(), false);
        if !used.iter().any(|u| *u) {
            let keep = self.section_transports.first().copied().unwrap_or(0);
            let last = used.len() - 1;
            used[keep.min(last)] = true;
        }
        let holder = self.sctp_index();
        if !used[holder] {
            match used.iter().position(|u| *u) {
                Some(first) if !self.transports[holder].sctp_started => self.move_sctp(first),
                _ => used[holder] = true,
            }
        }
        if used.iter().all(|u| *u) {
            return;
        }
        let mut renumber = vec![None; used.len()];
        let mut kept = Vec::with_capacity(used.len());
        for (i, mut transport) in std::mem::take(&mut self.transports).into_iter().enumerate() {
            if used[i] {
                renumber[i] = Some(kept.len());
                kept.push(transport);
            } else {
                tracing::debug!(tag = ?transport.tag, "transport closed: nothing uses it");
                transport.agent.close(now);
                transport.pump(now);
                for t in transport.transmits.drain(..) {
                    self.outbox.push_back(sansrtc_proto::Output::Transmit(t));
                }
            }
        }
        self.transports = kept;
        // A section whose transport closed falls back to the first.
        let remap = |list: &mut Vec<usize>| {
            for t in list.iter_mut() {
                *t = renumber.get(*t).copied().flatten().unwrap_or(0);
            }
        };
        remap(&mut self.section_transports);
        remap(&mut self.negotiated_transports);
        if let Some(map) = &mut self.offer_transports {
            remap(map);
        }
        self.resolve_ids
            .retain_mut(|(_, t, _)| match renumber.get(*t).copied().flatten() {
                Some(n) => {
                    *t = n;
                    true
                }
                None => false,
            });
    }
}
