//! Pieces shared by offers and answers: session lines, transport attributes,
//! validation.

use super::{BuildError, TransportParams};
use crate::attributes::{Group, Setup, WebRtcAttribute};
use crate::candidate::CandidateAddress;
use crate::error::SdpError;
use crate::grammar::{is_ice_char, is_token};
use crate::lines::{Connection, Line, MediaLine, Origin, Timing};
use std::net::IpAddr;

/// The RTP profile JSEP uses (RFC 9429 §5.1.2).
pub(crate) const RTP_PROTO: &str = "UDP/TLS/RTP/SAVPF";
/// The data channel profile (RFC 8841 §4).
pub(crate) const DATA_PROTO: &str = "UDP/DTLS/SCTP";
/// The data channel format.
pub(crate) const DATA_FORMAT: &str = "webrtc-datachannel";
/// The port written when no candidate is known (RFC 9429 §5.2.1).
pub(crate) const DUMMY_PORT: u16 = 9;

pub(crate) fn build_error(e: BuildError) -> SdpError {
    SdpError::Build(e)
}

pub(crate) fn check_mid(mid: &str) -> Result<(), SdpError> {
    // 16 bytes: the most the RTP MID header extension (RFC 8843 §15) carries.
    if mid.is_empty() || mid.len() > 16 || !is_token(mid) {
        return Err(build_error(BuildError::InvalidMid));
    }
    Ok(())
}

/// RFC 9429 §5.2.1: the sess-id "MUST be representable by a 64-bit signed
/// integer, and the value MUST be less than (2**63)-1".
pub(crate) fn check_session_id(id: u64) -> Result<(), SdpError> {
    if id >= (1u64 << 63) - 1 {
        return Err(build_error(BuildError::InvalidSessionId));
    }
    Ok(())
}

pub(crate) fn check_transport(t: &TransportParams) -> Result<(), SdpError> {
    let ice = |s: &str, min: usize| s.len() >= min && s.len() <= 256 && s.bytes().all(is_ice_char);
    if !ice(&t.ice_ufrag, 4) || !ice(&t.ice_pwd, 22) {
        return Err(build_error(BuildError::InvalidIceCredentials));
    }
    if t.fingerprints.is_empty() {
        return Err(build_error(BuildError::NoFingerprint));
    }
    Ok(())
}

/// `v=0`, `o=`, `s=-`, `t=0 0`, then the session attributes.
pub(crate) fn session_lines(
    session_id: u64,
    session_version: u64,
    bundle: Option<Group>,
    transport: &TransportParams,
    extmap_allow_mixed: bool,
) -> Vec<Line> {
    let mut lines = vec![
        Line::Version(0),
        Line::Origin(Origin::jsep(session_id, session_version)),
        Line::SessionName("-".into()),
        Line::Timing(Timing::unbounded()),
    ];
    let mut attr = |a: WebRtcAttribute| lines.push(Line::Attribute(a.to_attribute()));
    if let Some(group) = bundle {
        attr(WebRtcAttribute::Group(group));
    }
    if !transport.ice_options.is_empty() {
        attr(WebRtcAttribute::IceOptions(transport.ice_options.clone()));
    }
    if transport.ice_lite {
        attr(WebRtcAttribute::IceLite);
    }
    if extmap_allow_mixed {
        attr(WebRtcAttribute::ExtmapAllowMixed);
    }
    lines
}

/// The `m=` port and `c=` line: the default candidate (the first component-1
/// candidate) if there is one, else port 9 and `IN IP4 0.0.0.0`.
pub(crate) fn port_and_connection(transport: &TransportParams) -> (u16, Connection) {
    let default = transport.candidates.iter().find(|c| c.component == 1);
    match default {
        Some(c) => {
            let connection = match &c.address {
                CandidateAddress::Ip(IpAddr::V4(ip)) => Connection {
                    net_type: "IN".into(),
                    address_type: "IP4".into(),
                    address: ip.to_string(),
                },
                CandidateAddress::Ip(IpAddr::V6(ip)) => Connection {
                    net_type: "IN".into(),
                    address_type: "IP6".into(),
                    address: ip.to_string(),
                },
                CandidateAddress::Fqdn(_) => Connection::unspecified_ip4(),
            };
            (c.port, connection)
        }
        None => (DUMMY_PORT, Connection::unspecified_ip4()),
    }
}

/// `a=ice-ufrag`, `a=ice-pwd`, `a=fingerprint`s, `a=setup`, candidates.
pub(crate) fn push_transport(lines: &mut Vec<Line>, transport: &TransportParams, setup: Setup) {
    let mut attr = |a: WebRtcAttribute| lines.push(Line::Attribute(a.to_attribute()));
    attr(WebRtcAttribute::IceUfrag(transport.ice_ufrag.clone()));
    attr(WebRtcAttribute::IcePwd(transport.ice_pwd.clone()));
    for fp in &transport.fingerprints {
        attr(WebRtcAttribute::Fingerprint(fp.clone()));
    }
    attr(WebRtcAttribute::Setup(setup));
    for c in &transport.candidates {
        attr(WebRtcAttribute::Candidate(c.clone()));
    }
    if transport.end_of_candidates {
        attr(WebRtcAttribute::EndOfCandidates);
    }
}

pub(crate) fn push(lines: &mut Vec<Line>, a: WebRtcAttribute) {
    lines.push(Line::Attribute(a.to_attribute()));
}

pub(crate) fn media_line(media: &str, port: u16, proto: &str, formats: Vec<String>) -> MediaLine {
    MediaLine {
        media: media.to_owned(),
        port,
        port_count: None,
        proto: proto.to_owned(),
        formats,
    }
}
