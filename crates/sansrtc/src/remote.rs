//! Reading a remote description: what the transport needs from it (ICE
//! credentials and candidates, DTLS fingerprints and role, the SCTP port
//! and message size), checked before anything is changed.
//!
//! Remote features we lack are skipped, not fatal: TCP candidates (Chromium
//! sends them), unknown attributes, fingerprints with hash functions we do
//! not know, extra media sections (rejected in our answer).

use sansrtc_sdp::attributes::{Fingerprint, Setup};
use sansrtc_sdp::{Candidate, CandidateTransport, SessionDescription, SessionView};

use crate::error::{RemoteDescriptionError, RtcError};
use crate::signaling::SdpType;

/// Candidates one description may carry; more is treated as hostile.
pub const MAX_REMOTE_DESCRIPTION_CANDIDATES: usize = 1000;

/// The data channel section of a remote description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteData {
    pub mid: String,
    pub index: usize,
    pub sctp_port: u16,
    pub max_message_size: Option<u64>,
}

/// What the transport takes from a remote description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteParams {
    pub ufrag: String,
    pub pwd: String,
    /// The fingerprints DTLS can check (hash functions it computes).
    /// Every `a=fingerprint` of the transport, as written (identity
    /// binding covers them all; DTLS takes [`RemoteParams::dtls_fingerprints`]).
    pub fingerprints: Vec<Fingerprint>,
    pub setup: Setup,
    pub candidates: Vec<Candidate>,
    pub skipped_candidates: usize,
    pub end_of_candidates: bool,
    pub ice_lite: bool,
    pub data: Option<RemoteData>,
    /// Every section's mid, in order (`None` for a section without one).
    pub mids: Vec<Option<String>>,
    /// The transport section's index.
    pub transport_index: usize,
    /// The session's `a=identity` value.
    pub identity: Option<String>,
    /// Whether any section carries a transport (a description with no
    /// media section, or only rejected ones, has none).
    pub has_transport: bool,
}

/// Parses and checks `sdp` as a description of `sdp_type`.
pub(crate) fn read_remote(
    sdp: &str,
    sdp_type: SdpType,
) -> Result<(SessionDescription, RemoteParams), RtcError> {
    let description: SessionDescription = sdp.parse()?;
    let view = SessionView::new(&description)?;
    let mids: Vec<Option<String>> = view.media.iter().map(|m| m.mid.clone()).collect();
    let data = view
        .media
        .iter()
        .enumerate()
        .find(|(_, m)| m.is_data_channel() && !m.is_rejected())
        .map(|(index, m)| RemoteData {
            mid: m.mid.clone().unwrap_or_else(|| index.to_string()),
            index,
            sctp_port: m
                .sctp_port
                .or(m.sctpmap.as_ref().map(|s| s.port))
                .unwrap_or(5000),
            max_message_size: m.max_message_size,
        });
    // The transport: the BUNDLE group's tagged (first) section when the data
    // section is bundled, otherwise the data section, otherwise the first
    // section that is not rejected.
    let bundle_first = data.as_ref().and_then(|d| {
        view.groups
            .iter()
            .filter(|g| g.semantics.eq_ignore_ascii_case("BUNDLE"))
            .find(|g| g.mids.contains(&d.mid))
            .and_then(|g| g.mids.first())
            .and_then(|tag| mids.iter().position(|m| m.as_deref() == Some(tag)))
            .filter(|&i| !view.media[i].is_rejected())
    });
    if view.media.iter().all(|m| m.is_rejected()) {
        return Ok((
            description,
            RemoteParams {
                ufrag: String::new(),
                pwd: String::new(),
                fingerprints: Vec::new(),
                setup: Setup::ActPass,
                candidates: Vec::new(),
                skipped_candidates: 0,
                end_of_candidates: false,
                ice_lite: view.ice_lite,
                data: None,
                mids,
                transport_index: 0,
                identity: view.identity.clone(),
                has_transport: false,
            },
        ));
    }
    let transport_index = bundle_first
        .or(data.as_ref().map(|d| d.index))
        .or_else(|| view.media.iter().position(|m| !m.is_rejected()))
        .unwrap_or(0);
    let ufrag = view
        .ice_ufrag_for(transport_index)
        .ok_or(RemoteDescriptionError::MissingIceCredentials)?
        .to_owned();
    let pwd = view
        .ice_pwd_for(transport_index)
        .ok_or(RemoteDescriptionError::MissingIceCredentials)?
        .to_owned();
    if !sansrtc_ice::Credentials::is_valid(&ufrag, &pwd) {
        return Err(RemoteDescriptionError::MissingIceCredentials.into());
    }
    // Sections bundled with the transport must not name other credentials.
    for (i, m) in view.media.iter().enumerate() {
        if m.is_rejected() || m.bundle_only || i == transport_index {
            continue;
        }
        if let Some(other) = view.ice_ufrag_for(i) {
            if other != ufrag && bundled_with(&view, i, transport_index) {
                return Err(RemoteDescriptionError::ConflictingIceCredentials.into());
            }
        }
    }
    let fingerprints = view.fingerprints_for(transport_index).to_vec();
    if !fingerprints.iter().any(usable) {
        return Err(RemoteDescriptionError::MissingFingerprint.into());
    }
    let setup = match (sdp_type, view.setup_for(transport_index)) {
        (SdpType::Offer, None) => Setup::ActPass,
        (_, None) => Setup::Active,
        (SdpType::Offer, Some(s @ (Setup::ActPass | Setup::Active | Setup::Passive))) => s,
        (_, Some(s @ (Setup::Active | Setup::Passive))) => s,
        _ => return Err(RemoteDescriptionError::BadSetup.into()),
    };
    let media = &view.media[transport_index];
    let total: usize = view.media.iter().map(|m| m.candidates.len()).sum();
    if total > MAX_REMOTE_DESCRIPTION_CANDIDATES {
        return Err(RemoteDescriptionError::TooManyCandidates.into());
    }
    let (candidates, skipped): (Vec<Candidate>, Vec<Candidate>) = media
        .candidates
        .iter()
        .cloned()
        .partition(|c| c.transport == CandidateTransport::Udp && c.component == 1);
    Ok((
        description,
        RemoteParams {
            ufrag,
            pwd,
            fingerprints,
            setup,
            candidates,
            skipped_candidates: skipped.len(),
            end_of_candidates: media.end_of_candidates,
            ice_lite: view.ice_lite,
            data,
            mids,
            transport_index,
            identity: view.identity.clone(),
            has_transport: true,
        },
    ))
}

impl RemoteParams {
    /// The fingerprints DTLS can check: a hash function it computes and a
    /// digest of that function's length.
    pub(crate) fn dtls_fingerprints(&self) -> Vec<Fingerprint> {
        self.fingerprints
            .iter()
            .filter(|f| usable(f))
            .cloned()
            .collect()
    }
}

fn usable(f: &Fingerprint) -> bool {
    sansrtc_dtls::is_supported(&f.algorithm) && f.algorithm.digest_len() == Some(f.bytes.len())
}

fn bundled_with(view: &SessionView, a: usize, b: usize) -> bool {
    let (Some(ma), Some(mb)) = (&view.media[a].mid, &view.media[b].mid) else {
        return false;
    };
    view.groups
        .iter()
        .any(|g| g.mids.contains(ma) && g.mids.contains(mb))
}
