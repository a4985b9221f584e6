//! Initial offers (RFC 9429 §5.2.1).
//!
//! The shape, per section:
//! - every section gets `a=mid`; the session gets `a=group:BUNDLE` with all
//!   mids, whatever the bundle policy (§5.2.1; the policy only decides which
//!   sections are bundle-only);
//! - a *bundle-only* section (§4.1.1, §5.2.1: `max-bundle`: every section
//!   but the first; `balanced`: every section but the first of its media
//!   type; `max-compat`: none) has port 0, `a=bundle-only`, and none of the
//!   IDENTICAL or TRANSPORT attributes (RFC 8859): no ICE credentials,
//!   fingerprints, `a=setup`, candidates, `a=rtcp-mux`, `a=rtcp-mux-only`,
//!   `a=rtcp`, `a=rtcp-rsize`;
//! - any other section has the default candidate's port (9 when none is
//!   known), `c=IN IP4 0.0.0.0`, `a=ice-ufrag`, `a=ice-pwd`,
//!   `a=fingerprint`s and `a=setup:actpass`;
//! - RTP sections under `rtcpMuxPolicy` `require` carry `a=rtcp-mux` and
//!   `a=rtcp-mux-only`; under `negotiate`, `a=rtcp-mux` and
//!   `a=rtcp:9 IN IP4 0.0.0.0` (RFC 3605 port for non-muxed RTCP);
//! - the data section is `m=application <port> UDP/DTLS/SCTP
//!   webrtc-datachannel` with `a=sctp-port` and `a=max-message-size`.

use super::common::{
    build_error, check_mid, check_session_id, check_transport, media_line, port_and_connection,
    push, push_transport, session_lines, DATA_FORMAT, DATA_PROTO, RTP_PROTO,
};
use super::{BuildError, BundlePolicy, MediaSpec, RtcpMuxPolicy, TransportParams};
use crate::attributes::{Group, Rtcp, Setup, WebRtcAttribute};
use crate::description::{MediaSection, SessionDescription};
use crate::error::SdpError;
use crate::lines::{Connection, Line};

/// What shapes an offer besides its media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferOptions {
    /// `o=` session id (random, below 2^63, from the caller's RNG).
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// `bundlePolicy`.
    pub bundle_policy: BundlePolicy,
    /// `rtcpMuxPolicy`.
    pub rtcp_mux_policy: RtcpMuxPolicy,
    /// Write `a=extmap-allow-mixed` at session level (RFC 8285 §6).
    pub extmap_allow_mixed: bool,
}

impl OfferOptions {
    /// Default policies (`balanced`, `require`) with this session id.
    pub fn new(session_id: u64) -> Self {
        OfferOptions {
            session_id,
            session_version: 0,
            bundle_policy: BundlePolicy::default(),
            rtcp_mux_policy: RtcpMuxPolicy::default(),
            extmap_allow_mixed: true,
        }
    }
}

/// Which sections are bundle-only under `policy` (RFC 9429 §5.2.1);
/// rejected sections are neither bundle-only nor counted.
fn bundle_only_flags(policy: BundlePolicy, media: &[MediaSpec]) -> Vec<bool> {
    let first_live = media.iter().position(|m| !m.is_rejected());
    media
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            if spec.is_rejected() {
                return false;
            }
            match policy {
                BundlePolicy::MaxCompat => false,
                BundlePolicy::MaxBundle => Some(i) != first_live,
                BundlePolicy::Balanced => media[..i].iter().any(|earlier| {
                    !earlier.is_rejected() && earlier.media_token() == spec.media_token()
                }),
            }
        })
        .collect()
}

/// Writes an initial offer for `media`, in the given order (JSEP puts the
/// data section last in initial offers).
pub fn create_offer(
    options: &OfferOptions,
    transport: &TransportParams,
    media: &[MediaSpec],
) -> Result<SessionDescription, SdpError> {
    let transports = vec![transport; media.len().max(1)];
    create_offer_with_transports(options, &transports, media)
}

/// Writes an initial offer whose sections carry transports of their own
/// (`bundlePolicy` `balanced` and `max-compat` gather one per media type or
/// per section, RFC 9429 §4.1.1): `transports[i]` is section `i`'s (one in
/// all when `media` is empty; the first gives the session-level
/// attributes). A bundle-only section writes none, whatever it is given.
pub fn create_offer_with_transports(
    options: &OfferOptions,
    transports: &[&TransportParams],
    media: &[MediaSpec],
) -> Result<SessionDescription, SdpError> {
    if transports.len() != media.len().max(1) {
        return Err(build_error(BuildError::TransportCountMismatch));
    }
    for transport in transports {
        check_transport(transport)?;
    }
    let transport = transports[0];
    check_session_id(options.session_id)?;
    for (i, spec) in media.iter().enumerate() {
        check_mid(spec.mid())?;
        if media[..i].iter().any(|m| m.mid() == spec.mid()) {
            return Err(build_error(BuildError::DuplicateMid));
        }
        match spec {
            MediaSpec::Rtp(rtp) if rtp.codecs.is_empty() => {
                return Err(build_error(BuildError::NoCodecs));
            }
            MediaSpec::Rejected(r) if r.payload_types.is_empty() => {
                return Err(build_error(BuildError::NoCodecs));
            }
            _ => {}
        }
    }
    let mids: Vec<&str> = media
        .iter()
        .filter(|m| !m.is_rejected())
        .map(MediaSpec::mid)
        .collect();
    let bundle = (!mids.is_empty()).then(|| Group::bundle(&mids));
    let session = session_lines(
        options.session_id,
        options.session_version,
        bundle,
        transport,
        options.extmap_allow_mixed,
    );
    let flags = bundle_only_flags(options.bundle_policy, media);
    let sections = media
        .iter()
        .zip(flags)
        .zip(transports)
        .map(|((spec, bundle_only), transport)| {
            offer_section(options, transport, spec, bundle_only)
        })
        .collect();
    Ok(SessionDescription {
        session,
        media: sections,
    })
}

fn offer_section(
    options: &OfferOptions,
    transport: &TransportParams,
    spec: &MediaSpec,
    bundle_only: bool,
) -> MediaSection {
    if let MediaSpec::Rejected(r) = spec {
        let formats = r.payload_types.iter().map(u8::to_string).collect();
        let mut section = MediaSection::new(media_line(spec.media_token(), 0, RTP_PROTO, formats));
        section
            .lines
            .push(Line::Connection(Connection::unspecified_ip4()));
        push(&mut section.lines, WebRtcAttribute::Mid(r.mid.clone()));
        return section;
    }
    let (port, connection) = if bundle_only {
        (0, Connection::unspecified_ip4())
    } else {
        port_and_connection(transport)
    };
    let formats = match spec {
        MediaSpec::Rtp(rtp) => rtp
            .codecs
            .iter()
            .map(|c| c.payload_type.to_string())
            .collect(),
        MediaSpec::Data(_) => vec![DATA_FORMAT.to_owned()],
        MediaSpec::Rejected(_) => Vec::new(),
    };
    let proto = match spec {
        MediaSpec::Rtp(_) | MediaSpec::Rejected(_) => RTP_PROTO,
        MediaSpec::Data(_) => DATA_PROTO,
    };
    let mut section = MediaSection::new(media_line(spec.media_token(), port, proto, formats));
    let lines = &mut section.lines;
    lines.push(Line::Connection(connection));
    push(lines, WebRtcAttribute::Mid(spec.mid().to_owned()));
    if bundle_only {
        push(lines, WebRtcAttribute::BundleOnly);
    } else {
        push_transport(lines, transport, Setup::ActPass);
    }
    match spec {
        MediaSpec::Rtp(rtp) => {
            push(lines, WebRtcAttribute::Direction(rtp.direction));
            if let Some(msid) = &rtp.msid {
                push(lines, WebRtcAttribute::Msid(msid.clone()));
            }
            if !bundle_only {
                push(lines, WebRtcAttribute::RtcpMux);
                match options.rtcp_mux_policy {
                    RtcpMuxPolicy::Require => push(lines, WebRtcAttribute::RtcpMuxOnly),
                    RtcpMuxPolicy::Negotiate => {
                        push(lines, WebRtcAttribute::Rtcp(Rtcp::placeholder()))
                    }
                }
                if rtp.rtcp_rsize {
                    push(lines, WebRtcAttribute::RtcpRsize);
                }
            }
            push_rtp_body(lines, rtp);
        }
        MediaSpec::Rejected(_) => {}
        MediaSpec::Data(data) => {
            push(lines, WebRtcAttribute::SctpPort(data.sctp_port));
            push(
                lines,
                WebRtcAttribute::MaxMessageSize(data.max_message_size),
            );
        }
    }
    section
}

/// Header extensions, codecs (`rtpmap`, `rtcp-fb`, `fmtp`), SSRC lines.
pub(crate) fn push_rtp_body(lines: &mut Vec<Line>, rtp: &super::RtpMedia) {
    for extmap in &rtp.extmaps {
        push(lines, WebRtcAttribute::Extmap(extmap.clone()));
    }
    super::answer::push_codecs(lines, &rtp.codecs);
    for group in &rtp.ssrc_groups {
        push(lines, WebRtcAttribute::SsrcGroup(group.clone()));
    }
    for ssrc in &rtp.ssrcs {
        push(lines, WebRtcAttribute::Ssrc(ssrc.clone()));
    }
}
