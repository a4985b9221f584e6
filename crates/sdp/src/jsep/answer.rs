//! Initial answers (RFC 9429 §5.3.1, RFC 8843 §7.3).
//!
//! One [`AnswerMedia`] per offered section, in offer order. The answer:
//! - keeps each section's media type, proto and `a=mid`;
//! - rejects with port 0, the offered formats and `a=mid` only;
//! - if the offer has a BUNDLE group, answers with a group of the accepted
//!   mids in offered order; the first is the answerer-tagged section and
//!   carries the transport (port, ICE credentials, fingerprints,
//!   `a=setup:active`, candidates, `a=rtcp-mux`); every other bundled section
//!   has port 0 and `a=bundle-only` and no IDENTICAL/TRANSPORT attributes
//!   (RFC 8843 §7.3.1), or, with [`BundledSectionShape::RepeatTransport`],
//!   the same port and transport attributes as the tagged one (libwebrtc's
//!   shape);
//! - accepts only codecs and header extensions the offer listed, with the
//!   offered payload types and ids.

use super::common::{
    build_error, check_session_id, check_transport, media_line, port_and_connection, push,
    push_transport, session_lines,
};
use super::{BuildError, RtcpMuxPolicy, TransportParams};
use crate::attributes::Fmtp;
use crate::attributes::{
    Direction, Group, Msid, Rid, RidDirection, Rtcp, RtcpFb, Rtpmap, Setup, Simulcast,
    SimulcastStream, Ssrc, SsrcGroup, WebRtcAttribute,
};
use crate::description::{MediaSection, SessionDescription};
use crate::error::SdpError;
use crate::lines::{Connection, Line};
use crate::view::{Codec, MediaView, SessionView};

/// What shapes an answer besides its media choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerOptions {
    /// `o=` session id of the answerer.
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// `rtcpMuxPolicy`: under `require`, an offer without `a=rtcp-mux` is
    /// refused.
    pub rtcp_mux_policy: RtcpMuxPolicy,
    /// `a=setup` in the answer to `actpass`: `active` (JSEP's choice) or
    /// `passive`. An offer of `active` is answered `passive` and vice versa.
    pub setup: Setup,
    /// Write `a=extmap-allow-mixed` if the offer has it.
    pub extmap_allow_mixed: bool,
    /// How bundled sections other than the answerer-tagged one are written.
    pub bundled_sections: BundledSectionShape,
}

/// How an answer writes the bundled sections other than the answerer-tagged
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BundledSectionShape {
    /// RFC 8843 §7.3.1: port 0, `a=bundle-only`, no IDENTICAL or TRANSPORT
    /// attributes.
    #[default]
    ZeroPortBundleOnly,
    /// What libwebrtc writes (see the Chromium answers in the corpus): the
    /// tagged section's port and every transport attribute repeated, no
    /// `a=bundle-only`. For peers that predate RFC 8843.
    RepeatTransport,
}

impl AnswerOptions {
    /// `require`, `a=setup:active`, mixed extmaps allowed.
    pub fn new(session_id: u64) -> Self {
        AnswerOptions {
            session_id,
            session_version: 0,
            rtcp_mux_policy: RtcpMuxPolicy::Require,
            setup: Setup::Active,
            extmap_allow_mixed: true,
            bundled_sections: BundledSectionShape::default(),
        }
    }
}

/// The answer to an offered RTP section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRtp {
    /// Offered payload types to accept, in the answerer's preference order.
    pub payload_types: Vec<u8>,
    /// URIs of the offered header extensions to accept.
    pub extension_uris: Vec<String>,
    /// The offered `a=rtcp-fb` values to keep (`nack`, `nack pli`,
    /// `ccm fir`, …: the type and its parameter); `None` keeps every one.
    pub feedback: Option<Vec<String>>,
    /// The answer's direction.
    pub direction: Direction,
    /// `a=msid` when sending.
    pub msid: Option<Msid>,
    /// `a=ssrc` lines when sending.
    pub ssrcs: Vec<Ssrc>,
    /// `a=ssrc-group` lines.
    pub ssrc_groups: Vec<SsrcGroup>,
    /// `a=rid` lines (RFC 8851): the offered `send` streams accepted as
    /// `recv` ([`receive_simulcast`]).
    pub rids: Vec<Rid>,
    /// `a=simulcast` (RFC 8853), with [`AnswerRtp::rids`].
    pub simulcast: Option<Simulcast>,
}

/// How an answerer receives what a section offers to send as simulcast
/// (RFC 8853 §5.3, RFC 8851 §7): every offered `a=rid:<id> send` becomes
/// `a=rid:<id> recv` (its restrictions dropped: any format is accepted),
/// and the offered `a=simulcast` send list the `recv` list, in its order,
/// paused streams kept paused. Nothing when the section offers no
/// simulcast send streams.
pub fn receive_simulcast(offered: &MediaView) -> (Vec<Rid>, Option<Simulcast>) {
    let sent: Vec<&Rid> = offered
        .rids
        .iter()
        .filter(|r| r.direction == RidDirection::Send)
        .collect();
    let Some(simulcast) = offered.simulcast.as_ref().filter(|s| !s.send.is_empty()) else {
        return (Vec::new(), None);
    };
    let known = |rid: &str| sent.iter().any(|r| r.id == rid);
    let recv: Vec<Vec<SimulcastStream>> = simulcast
        .send
        .iter()
        .map(|alternatives| {
            alternatives
                .iter()
                .filter(|s| known(&s.rid))
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|a| !a.is_empty())
        .collect();
    if recv.is_empty() {
        return (Vec::new(), None);
    }
    let rids = sent
        .iter()
        .filter(|r| recv.iter().flatten().any(|s| s.rid == r.id))
        .map(|r| Rid {
            id: r.id.clone(),
            direction: RidDirection::Recv,
            restrictions: None,
        })
        .collect();
    let answer = Simulcast {
        send: Vec::new(),
        recv,
        recv_first: true,
    };
    (rids, Some(answer))
}

/// The answerer's choice for one offered section.
// One per section, built once per negotiation: boxing the RTP choice would
// only make it harder to write.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerMedia {
    /// Reject the section (port 0).
    Reject,
    /// Accept an audio/video section.
    Rtp(AnswerRtp),
    /// Accept the data channel section.
    Data {
        /// `a=sctp-port`.
        sctp_port: u16,
        /// `a=max-message-size`.
        max_message_size: u64,
    },
}

/// Writes the answer to `offer`.
pub fn create_answer(
    offer: &SessionDescription,
    options: &AnswerOptions,
    transport: &TransportParams,
    choices: &[AnswerMedia],
) -> Result<SessionDescription, SdpError> {
    let transports = vec![transport; choices.len().max(1)];
    create_answer_with_transports(offer, options, &transports, choices)
}

/// Writes the answer to `offer` with a transport per section:
/// `transports[i]` is what section `i` carries when it is not bundled (an
/// offer without BUNDLE, or a section left out of the group); bundled
/// sections carry the tagged section's. One in all when the offer has no
/// sections; the first gives the session-level attributes.
pub fn create_answer_with_transports(
    offer: &SessionDescription,
    options: &AnswerOptions,
    transports: &[&TransportParams],
    choices: &[AnswerMedia],
) -> Result<SessionDescription, SdpError> {
    if transports.len() != choices.len().max(1) {
        return Err(build_error(BuildError::TransportCountMismatch));
    }
    for transport in transports {
        check_transport(transport)?;
    }
    let transport = transports[0];
    check_session_id(options.session_id)?;
    if !matches!(options.setup, Setup::Active | Setup::Passive) {
        return Err(build_error(BuildError::InvalidAnswerSetup));
    }
    let view = SessionView::new(offer)?;
    if choices.len() != view.media.len() {
        return Err(build_error(BuildError::AnswerCountMismatch));
    }
    let mut accepted = Vec::with_capacity(choices.len());
    for (media, choice) in view.media.iter().zip(choices) {
        if media.mid.is_none() {
            return Err(build_error(BuildError::OfferedSectionWithoutMid));
        }
        let ok = match choice {
            AnswerMedia::Reject => false,
            AnswerMedia::Rtp(_) => {
                if media.is_data_channel() || !matches!(media.kind.as_str(), "audio" | "video") {
                    return Err(build_error(BuildError::AnswerKindMismatch));
                }
                true
            }
            AnswerMedia::Data { .. } => {
                if !media.is_data_channel() {
                    return Err(build_error(BuildError::AnswerKindMismatch));
                }
                true
            }
        };
        accepted.push(ok && !media.is_rejected());
    }
    let mid_accepted = |mid: &str| {
        view.media
            .iter()
            .zip(&accepted)
            .any(|(m, ok)| *ok && m.mid.as_deref() == Some(mid))
    };

    let answer_group = match view.bundle_group() {
        Some(group) => {
            let mids: Vec<&str> = group
                .mids
                .iter()
                .map(String::as_str)
                .filter(|m| mid_accepted(m))
                .collect();
            let tagged_rejected = group.mids.first().is_some_and(|m| !mid_accepted(m));
            if tagged_rejected && !mids.is_empty() {
                return Err(build_error(BuildError::TaggedSectionRejected));
            }
            (!mids.is_empty()).then(|| Group::bundle(&mids))
        }
        None => None,
    };
    let tagged = answer_group.as_ref().and_then(|g| g.mids.first().cloned());
    let in_group = |mid: &str| {
        answer_group
            .as_ref()
            .is_some_and(|g| g.mids.iter().any(|m| m == mid))
    };
    let group_has = |f: fn(&MediaView) -> bool| {
        view.media
            .iter()
            .filter(|m| m.mid.as_deref().is_some_and(in_group))
            .any(f)
    };
    let bundle_mux = group_has(|m| m.rtcp_mux);
    let bundle_rsize = group_has(|m| m.rtcp_rsize);
    let offered_mixed = view.extmap_allow_mixed || view.media.iter().any(|m| m.extmap_allow_mixed);

    let session = session_lines(
        options.session_id,
        options.session_version,
        answer_group.clone(),
        transport,
        options.extmap_allow_mixed && offered_mixed,
    );
    let mut sections = Vec::with_capacity(choices.len());
    // The offer's DTLS role for the transport (the tagged section's in a
    // bundle): an offer of `active`/`passive` fixes our role (RFC 8842 §5.3).
    let tagged_index = tagged
        .as_deref()
        .and_then(|t| view.media.iter().position(|m| m.mid.as_deref() == Some(t)));
    for (index, ((media, choice), ok)) in view.media.iter().zip(choices).zip(&accepted).enumerate()
    {
        let mid = media.mid.clone().unwrap_or_default();
        let setup_source = match tagged_index {
            Some(t) if in_group(&mid) => t,
            _ => index,
        };
        let setup = match view.setup_for(setup_source) {
            Some(Setup::Active) => Setup::Passive,
            Some(Setup::Passive) => Setup::Active,
            _ => options.setup,
        };
        if !ok {
            sections.push(rejected_section(media, &mid));
            continue;
        }
        let bundled = in_group(&mid);
        let transport = match tagged_index {
            Some(t) if bundled => transports[t],
            _ => transports[index],
        };
        let carries_transport = !bundled
            || tagged.as_deref() == Some(mid.as_str())
            || options.bundled_sections == BundledSectionShape::RepeatTransport;
        let (port, connection) = if carries_transport {
            port_and_connection(transport)
        } else {
            (0, Connection::unspecified_ip4())
        };
        let mut formats = media.formats.clone();
        if let AnswerMedia::Rtp(rtp) = choice {
            formats = rtp.payload_types.iter().map(u8::to_string).collect();
            if formats.is_empty() {
                return Err(build_error(BuildError::NoCodecs));
            }
        }
        let mut section = MediaSection::new(media_line(&media.kind, port, &media.proto, formats));
        let lines = &mut section.lines;
        lines.push(Line::Connection(connection));
        push(lines, WebRtcAttribute::Mid(mid.clone()));
        if carries_transport {
            push_transport(lines, transport, setup);
        } else {
            push(lines, WebRtcAttribute::BundleOnly);
        }
        match choice {
            AnswerMedia::Rtp(rtp) => {
                let offered_mux = media.rtcp_mux || (bundled && bundle_mux);
                if !offered_mux && options.rtcp_mux_policy == RtcpMuxPolicy::Require {
                    return Err(build_error(BuildError::RtcpMuxRequired));
                }
                push(lines, WebRtcAttribute::Direction(rtp.direction));
                if let Some(msid) = &rtp.msid {
                    push(lines, WebRtcAttribute::Msid(msid.clone()));
                }
                if carries_transport {
                    if offered_mux {
                        push(lines, WebRtcAttribute::RtcpMux);
                    } else {
                        push(lines, WebRtcAttribute::Rtcp(Rtcp::placeholder()));
                    }
                    if media.rtcp_rsize || (bundled && bundle_rsize) {
                        push(lines, WebRtcAttribute::RtcpRsize);
                    }
                }
                answer_rtp_body(lines, media, rtp)?;
            }
            AnswerMedia::Data {
                sctp_port,
                max_message_size,
            } => {
                push(lines, WebRtcAttribute::SctpPort(*sctp_port));
                push(lines, WebRtcAttribute::MaxMessageSize(*max_message_size));
            }
            AnswerMedia::Reject => {}
        }
        sections.push(section);
    }
    Ok(SessionDescription {
        session,
        media: sections,
    })
}

fn rejected_section(media: &MediaView, mid: &str) -> MediaSection {
    let mut section = MediaSection::new(media_line(
        &media.kind,
        0,
        &media.proto,
        media.formats.clone(),
    ));
    section
        .lines
        .push(Line::Connection(Connection::unspecified_ip4()));
    push(&mut section.lines, WebRtcAttribute::Mid(mid.to_owned()));
    section
}

fn answer_rtp_body(
    lines: &mut Vec<Line>,
    offered: &MediaView,
    rtp: &AnswerRtp,
) -> Result<(), SdpError> {
    for extmap in &offered.extmaps {
        if rtp.extension_uris.contains(&extmap.uri) {
            let mut extmap = extmap.clone();
            extmap.direction = None;
            push(lines, WebRtcAttribute::Extmap(extmap));
        }
    }
    let mut codecs = Vec::with_capacity(rtp.payload_types.len());
    for pt in &rtp.payload_types {
        let mut codec = offered
            .codec(*pt)
            .ok_or(build_error(BuildError::CodecNotOffered(*pt)))?
            .clone();
        if let Some(keep) = &rtp.feedback {
            codec.feedback.retain(|fb| {
                let value = match &fb.parameter {
                    Some(p) => format!("{} {p}", fb.kind),
                    None => fb.kind.clone(),
                };
                keep.iter().any(|k| k.eq_ignore_ascii_case(&value))
            });
        }
        codecs.push(codec);
    }
    push_codecs(lines, &codecs);
    for group in &rtp.ssrc_groups {
        push(lines, WebRtcAttribute::SsrcGroup(group.clone()));
    }
    for ssrc in &rtp.ssrcs {
        push(lines, WebRtcAttribute::Ssrc(ssrc.clone()));
    }
    for rid in &rtp.rids {
        push(lines, WebRtcAttribute::Rid(rid.clone()));
    }
    if let Some(simulcast) = &rtp.simulcast {
        push(lines, WebRtcAttribute::Simulcast(simulcast.clone()));
    }
    Ok(())
}

/// `a=rtpmap`, then its `a=rtcp-fb`s and `a=fmtp`, per codec.
pub(crate) fn push_codecs(lines: &mut Vec<Line>, codecs: &[Codec]) {
    for codec in codecs {
        push(
            lines,
            WebRtcAttribute::Rtpmap(Rtpmap {
                payload_type: codec.payload_type,
                encoding: codec.encoding.clone(),
                clock_rate: codec.clock_rate,
                channels: codec.channels,
            }),
        );
        for fb in &codec.feedback {
            let fb = RtcpFb {
                payload_type: Some(codec.payload_type),
                ..fb.clone()
            };
            push(lines, WebRtcAttribute::RtcpFb(fb));
        }
        if let Some(params) = &codec.fmtp {
            push(
                lines,
                WebRtcAttribute::Fmtp(Fmtp {
                    format: codec.payload_type.to_string(),
                    params: params.clone(),
                }),
            );
        }
    }
}
