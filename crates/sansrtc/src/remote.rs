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

/// One transport of a remote description: a BUNDLE group's tagged
/// section, or a section that is bundled with nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteTransport {
    /// The section whose transport attributes these are.
    pub section: usize,
    pub ufrag: String,
    pub pwd: String,
    /// Every `a=fingerprint` of the transport, as written (identity
    /// binding covers them all; DTLS takes
    /// [`RemoteTransport::dtls_fingerprints`]).
    pub fingerprints: Vec<Fingerprint>,
    pub setup: Setup,
    /// UDP candidates of components 1 and 2 (RTCP, when not multiplexed).
    pub candidates: Vec<Candidate>,
    pub skipped_candidates: usize,
    pub end_of_candidates: bool,
    /// Whether RTCP is multiplexed on it (RFC 5761: `a=rtcp-mux` in the
    /// section or, bundled, in its group).
    pub rtcp_mux: bool,
    /// Whether it carries an audio or video section.
    pub rtp: bool,
}

/// What the transports take from a remote description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteParams {
    pub ice_lite: bool,
    pub data: Option<RemoteData>,
    /// Every section's mid, in order (`None` for a section without one).
    pub mids: Vec<Option<String>>,
    /// The first transport's section index.
    pub transport_index: usize,
    /// The session's `a=identity` value.
    pub identity: Option<String>,
    /// Whether any section carries a transport (a description with no
    /// media section, or only rejected ones, has none).
    pub has_transport: bool,
    /// Every transport, the first one (the data section's, else the first
    /// section's) first.
    pub transports: Vec<RemoteTransport>,
    /// For each section, the index in `transports` of the transport it
    /// uses (`None`: rejected, or bundle-only outside the group).
    pub owners: Vec<Option<usize>>,
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
    let total: usize = view.media.iter().map(|m| m.candidates.len()).sum();
    if total > MAX_REMOTE_DESCRIPTION_CANDIDATES {
        return Err(RemoteDescriptionError::TooManyCandidates.into());
    }
    // Which section carries each section's transport: the BUNDLE group's
    // tagged (first) section for its members, the section itself when it
    // is in no group; none when rejected, or bundle-only outside a group.
    let tag_of = |i: usize| -> Option<usize> {
        let m = &view.media[i];
        if m.is_rejected() {
            return None;
        }
        let group_tag = m.mid.as_ref().and_then(|mid| {
            view.groups
                .iter()
                .filter(|g| g.is_bundle())
                .find(|g| g.mids.contains(mid))
                .and_then(|g| g.mids.first())
                .and_then(|tag| mids.iter().position(|x| x.as_deref() == Some(tag)))
                .filter(|&t| !view.media[t].is_rejected())
        });
        match group_tag {
            Some(t) => Some(t),
            None if m.bundle_only => None,
            None => Some(i),
        }
    };
    let tags: Vec<Option<usize>> = (0..view.media.len()).map(tag_of).collect();
    if tags.iter().all(Option::is_none) {
        return Ok((
            description,
            RemoteParams {
                ice_lite: view.ice_lite,
                data: None,
                mids,
                transport_index: 0,
                identity: view.identity.clone(),
                has_transport: false,
                transports: Vec::new(),
                owners: vec![None; view.media.len()],
            },
        ));
    }
    // The first transport: the data section's, else the first section's.
    let first = data
        .as_ref()
        .and_then(|d| tags[d.index])
        .or_else(|| tags.iter().flatten().next().copied())
        .unwrap_or(0);
    let mut sections: Vec<usize> = vec![first];
    for t in tags.iter().flatten() {
        if !sections.contains(t) {
            sections.push(*t);
        }
    }
    let mut transports = sections
        .iter()
        .map(|&i| read_transport(&view, sdp_type, i))
        .collect::<Result<Vec<_>, _>>()?;
    for (k, transport) in transports.iter_mut().enumerate() {
        let members = (0..view.media.len()).filter(|&i| tags[i] == Some(sections[k]));
        for i in members {
            let m = &view.media[i];
            transport.rtcp_mux |= m.rtcp_mux;
            transport.rtp |= matches!(m.kind.as_str(), "audio" | "video");
        }
    }
    // In an answer, sections bundled with a transport must not name other
    // credentials. (An offer's sections have transports of their own until
    // the answer picks the tagged one's, RFC 8843 §7.2.)
    let answer = sdp_type != SdpType::Offer;
    for (i, m) in view.media.iter().enumerate().filter(|_| answer) {
        let Some(tag) = tags[i] else { continue };
        if m.bundle_only || i == tag {
            continue;
        }
        if let Some(other) = view.ice_ufrag_for(i) {
            if other != view.ice_ufrag_for(tag).unwrap_or_default() {
                return Err(RemoteDescriptionError::ConflictingIceCredentials.into());
            }
        }
    }
    let owners = tags
        .iter()
        .map(|t| t.and_then(|t| sections.iter().position(|&s| s == t)))
        .collect();
    Ok((
        description,
        RemoteParams {
            ice_lite: view.ice_lite,
            data,
            mids,
            transport_index: first,
            identity: view.identity.clone(),
            has_transport: true,
            transports,
            owners,
        },
    ))
}

/// The transport attributes of section `index`.
fn read_transport(
    view: &SessionView,
    sdp_type: SdpType,
    index: usize,
) -> Result<RemoteTransport, RtcError> {
    let ufrag = view
        .ice_ufrag_for(index)
        .ok_or(RemoteDescriptionError::MissingIceCredentials)?
        .to_owned();
    let pwd = view
        .ice_pwd_for(index)
        .ok_or(RemoteDescriptionError::MissingIceCredentials)?
        .to_owned();
    if !sansrtc_ice::Credentials::is_valid(&ufrag, &pwd) {
        return Err(RemoteDescriptionError::MissingIceCredentials.into());
    }
    let fingerprints = view.fingerprints_for(index).to_vec();
    if !fingerprints.iter().any(usable) {
        return Err(RemoteDescriptionError::MissingFingerprint.into());
    }
    let setup = match (sdp_type, view.setup_for(index)) {
        (SdpType::Offer, None) => Setup::ActPass,
        (_, None) => Setup::Active,
        (SdpType::Offer, Some(s @ (Setup::ActPass | Setup::Active | Setup::Passive))) => s,
        (_, Some(s @ (Setup::Active | Setup::Passive))) => s,
        _ => return Err(RemoteDescriptionError::BadSetup.into()),
    };
    let media = &view.media[index];
    let (candidates, skipped): (Vec<Candidate>, Vec<Candidate>) = media
        .candidates
        .iter()
        .cloned()
        .partition(|c| c.transport == CandidateTransport::Udp && matches!(c.component, 1 | 2));
    Ok(RemoteTransport {
        section: index,
        ufrag,
        pwd,
        fingerprints,
        setup,
        candidates,
        skipped_candidates: skipped.len(),
        end_of_candidates: media.end_of_candidates,
        rtcp_mux: false,
        rtp: false,
    })
}

impl RemoteParams {
    /// The first transport, when any section carries one.
    pub(crate) fn primary(&self) -> Option<&RemoteTransport> {
        self.transports.first()
    }
}

impl RemoteTransport {
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
