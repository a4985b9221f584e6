//! `RTCIceCandidatePairStats` (`"candidate-pair"`, every pair of the check
//! list) and `RTCIceCandidateStats` (`"local-candidate"`,
//! `"remote-candidate"`), from the ICE agent's snapshot.
//!
//! Left out because the agent does not keep them per pair: packets and
//! bytes, round-trip times, request and response counts, timestamps of the
//! last packets, available bitrates.

use std::net::SocketAddr;

use sansrtc_ice::{CandidateSnapshot, PairState, SelectedPair};
use sansrtc_proto::Protocol;
use sansrtc_sdp::CandidateKind;
use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::RtcPeerConnection;

/// `RTCIceCandidateStats`, for local and remote candidates alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcIceCandidateStats {
    /// `id`: `IL<token>` (local) or `IR<token>` (remote).
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `transportId`.
    pub transport_id: String,
    /// `address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `protocol`: `"udp"` (TCP candidates are not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `candidateType`: `"host"`, `"srflx"`, `"prflx"` or `"relay"`.
    pub candidate_type: String,
    /// `priority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `url`: the TURN server of a local relay candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `relayProtocol`: how a local relay candidate reaches its TURN
    /// server, `"udp"`, `"tcp"` or `"tls"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_protocol: Option<String>,
    /// `foundation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foundation: Option<String>,
    /// `relatedAddress` (local srflx and relay candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_address: Option<String>,
    /// `relatedPort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_port: Option<u16>,
    /// `usernameFragment`: the ICE ufrag of the candidate's side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
}

/// `RTCIceCandidatePairStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcIceCandidatePairStats {
    /// `id`: `CP<local token>_<remote token>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `transportId`.
    pub transport_id: String,
    /// `localCandidateId`.
    pub local_candidate_id: String,
    /// `remoteCandidateId`.
    pub remote_candidate_id: String,
    /// `state`: `"frozen"`, `"waiting"`, `"in-progress"`, `"failed"` or
    /// `"succeeded"`.
    pub state: String,
    /// `nominated`.
    pub nominated: bool,
}

/// A short token for a candidate: FNV-1a over what identifies it in the
/// agent (component, type, address), stable from one report to the next.
/// Transports share sockets, so the transport is part of it.
fn token(transport: &str, component: u16, kind: CandidateKind, address: SocketAddr) -> String {
    let text = format!("{transport} {component} {} {address}", kind.as_str());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn pair_state(state: PairState) -> &'static str {
    match state {
        PairState::Frozen => "frozen",
        PairState::Waiting => "waiting",
        PairState::InProgress => "in-progress",
        PairState::Succeeded => "succeeded",
        PairState::Failed => "failed",
    }
}

fn protocol_str(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Udp => "udp",
        Protocol::Tcp => "tcp",
        Protocol::Tls => "tls",
    }
}

/// One side's candidates, added to the report; returns each one's token.
fn add_candidates(
    ctx: &Context,
    report: &mut RtcStatsReport,
    candidates: &[CandidateSnapshot],
    local: bool,
    ufrag: Option<&str>,
) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let mut t = token(&ctx.transport_id, c.component, c.kind, c.address);
        // The same address twice (never expected): keep ids distinct.
        if tokens.contains(&t) {
            t = format!("{t}{}", tokens.len());
        }
        let stats = RtcIceCandidateStats {
            priority: Some(c.priority),
            url: c.url.clone(),
            relay_protocol: c.relay_protocol.map(|p| protocol_str(p).to_owned()),
            foundation: Some(c.foundation.clone()),
            related_address: c.related.map(|r| r.ip().to_string()),
            related_port: c.related.map(|r| r.port()),
            username_fragment: ufrag.map(str::to_owned),
            ..candidate_stats(ctx, local, &t, c.kind, c.address)
        };
        insert_candidate(report, local, stats);
        tokens.push(t);
    }
    tokens
}

fn candidate_id(local: bool, token: &str) -> String {
    format!("{}{token}", if local { "IL" } else { "IR" })
}

/// A candidate known only from the selected pair (the pair left the check
/// list, as after an ICE restart): type and address.
fn add_bare_candidate(
    ctx: &Context,
    report: &mut RtcStatsReport,
    local: bool,
    kind: CandidateKind,
    address: SocketAddr,
) -> String {
    let t = token(&ctx.transport_id, 1, kind, address);
    insert_candidate(
        report,
        local,
        candidate_stats(ctx, local, &t, kind, address),
    );
    t
}

/// What every candidate has: id, type and address (over UDP); the other
/// members unknown.
fn candidate_stats(
    ctx: &Context,
    local: bool,
    token: &str,
    kind: CandidateKind,
    address: SocketAddr,
) -> RtcIceCandidateStats {
    RtcIceCandidateStats {
        id: candidate_id(local, token),
        timestamp: ctx.timestamp,
        transport_id: ctx.transport_id.clone(),
        address: Some(address.ip().to_string()),
        port: Some(address.port()),
        protocol: Some("udp".to_owned()),
        candidate_type: kind.as_str().to_owned(),
        priority: None,
        url: None,
        relay_protocol: None,
        foundation: None,
        related_address: None,
        related_port: None,
        username_fragment: None,
    }
}

/// Adds a `local-candidate` or a `remote-candidate`.
fn insert_candidate(report: &mut RtcStatsReport, local: bool, stats: RtcIceCandidateStats) {
    report.insert(if local {
        RtcStats::LocalCandidate(stats)
    } else {
        RtcStats::RemoteCandidate(stats)
    });
}

/// Adds the `candidate-pair` of the candidates with these tokens; returns
/// its id.
fn add_pair(
    ctx: &Context,
    report: &mut RtcStatsReport,
    local: &str,
    remote: &str,
    state: PairState,
    nominated: bool,
) -> String {
    let id = format!("CP{local}_{remote}");
    report.insert(RtcStats::CandidatePair(RtcIceCandidatePairStats {
        id: id.clone(),
        timestamp: ctx.timestamp,
        transport_id: ctx.transport_id.clone(),
        local_candidate_id: candidate_id(true, local),
        remote_candidate_id: candidate_id(false, remote),
        state: pair_state(state).to_owned(),
        nominated,
    }));
    id
}

impl RtcPeerConnection {
    /// Every candidate and pair; returns the selected pair's id.
    pub(super) fn ice_stats_objects(
        &self,
        ctx: &Context,
        report: &mut RtcStatsReport,
        transport: usize,
    ) -> Option<String> {
        let agent = &self.transports[transport].agent;
        let snapshot = agent.snapshot();
        let local_ufrag = agent.local_credentials().ufrag.as_str();
        let locals = add_candidates(ctx, report, &snapshot.local, true, Some(local_ufrag));
        let remotes = add_candidates(
            ctx,
            report,
            &snapshot.remote,
            false,
            snapshot.remote_ufrag.as_deref(),
        );
        let selected: Option<SelectedPair> = agent.selected_pair(1);
        let mut selected_id = None;
        for pair in &snapshot.pairs {
            let (local, remote) = (&locals[pair.local], &remotes[pair.remote]);
            let id = add_pair(ctx, report, local, remote, pair.state, pair.nominated);
            let (l, r) = (&snapshot.local[pair.local], &snapshot.remote[pair.remote]);
            if selected.is_some_and(|s| {
                pair.component == s.component && l.address == s.local && r.address == s.remote
            }) && selected_id.is_none()
            {
                selected_id = Some(id.clone());
            }
        }
        if let (None, Some(s)) = (&selected_id, selected) {
            // The selected path outlived its pair (an ICE restart rebuilt
            // the check list): reported from what the agent keeps of it.
            let find = |list: &[CandidateSnapshot], tokens: &[String], address, kind| {
                list.iter()
                    .position(|c| {
                        c.component == s.component && c.address == address && c.kind == kind
                    })
                    .map(|i| tokens[i].clone())
            };
            let l = find(&snapshot.local, &locals, s.local, s.local_kind)
                .unwrap_or_else(|| add_bare_candidate(ctx, report, true, s.local_kind, s.local));
            let r = find(&snapshot.remote, &remotes, s.remote, s.remote_kind)
                .unwrap_or_else(|| add_bare_candidate(ctx, report, false, s.remote_kind, s.remote));
            selected_id = Some(add_pair(ctx, report, &l, &r, PairState::Succeeded, true));
        }
        selected_id
    }
}
