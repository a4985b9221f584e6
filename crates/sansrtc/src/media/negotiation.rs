//! Media sections in offers and answers (RFC 9429 §5.2.1, §5.3.1) and what
//! an applied offer/answer negotiates for one transceiver: codecs with
//! payload types per direction (RFC 3264 §6.1: we send with the remote's
//! numbers and receive with ours), header extension ids per direction, the
//! direction, and the remote's SSRCs and stream ids.

use sansrtc_rtp::TRANSPORT_CC_URI;
use sansrtc_sdp::attributes::{Extmap, Msid, Ssrc, SsrcGroup};
use sansrtc_sdp::jsep::{receive_simulcast, AnswerRtp, MediaKind, RejectedMedia, RtpMedia};
use sansrtc_sdp::MediaView;

use super::codec::{default_codecs, CodecName, RtpCodecParameters};
use super::transceiver::{RtpTransceiver, RtpTransceiverDirection};

/// RFC 8843 §15.1: the MID header extension.
pub const MID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";

/// The RtpStreamId header extension (RFC 8852 §4.3): the `a=rid` of a
/// simulcast layer.
pub const RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

/// The RepairedRtpStreamId header extension (RFC 8852 §4.4): on RTX, the
/// rid of the stream it repairs.
pub const REPAIRED_RID_URI: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

/// Our header extension ids for them (video).
const RID_ID: u16 = 10;
const REPAIRED_RID_ID: u16 = 11;

/// The `a=rtcp-fb` values we act on: keyframe requests both ways and
/// NACK with RTX, transport-wide feedback. (REMB is not answered for: we
/// send none.)
pub(crate) const SUPPORTED_FEEDBACK: [&str; 4] = ["nack", "nack pli", "ccm fir", "transport-cc"];

/// Our header extension id for the MID in offers.
const MID_ID: u16 = 4;

/// Our header extension id for transport-wide sequence numbers.
const TWCC_ID: u16 = 3;

/// The header extensions we offer (and accept) for `kind`.
pub(crate) fn local_extmaps(kind: MediaKind) -> Vec<Extmap> {
    let mut extmaps = vec![
        Extmap::new(TWCC_ID, TRANSPORT_CC_URI),
        Extmap::new(MID_ID, MID_URI),
    ];
    if kind == MediaKind::Video {
        // Read on received simulcast layers and their RTX (routing by RID).
        extmaps.push(Extmap::new(RID_ID, RID_URI));
        extmaps.push(Extmap::new(REPAIRED_RID_ID, REPAIRED_RID_URI));
    }
    extmaps
}

/// The codecs a transceiver offers: its preferences, or our defaults.
pub(crate) fn offered_codecs(t: &RtpTransceiver) -> Vec<RtpCodecParameters> {
    if t.codec_preferences.is_empty() {
        default_codecs(t.kind)
    } else {
        t.codec_preferences.clone()
    }
}

/// `a=msid`, `a=ssrc` and `a=ssrc-group:FID` of a sending transceiver.
fn sender_lines(t: &RtpTransceiver, cname: &str) -> (Option<Msid>, Vec<Ssrc>, Vec<SsrcGroup>) {
    let track = t
        .sender
        .track
        .as_ref()
        .map(|track| track.id.clone())
        .unwrap_or_else(|| format!("sansrtc-track-{}", t.id.0));
    let stream = t
        .sender
        .stream_ids
        .first()
        .cloned()
        .unwrap_or_else(|| "-".to_owned());
    let msid = Msid {
        stream_id: stream.clone(),
        track_id: Some(track.clone()),
    };
    let mut ssrcs = Vec::new();
    let mut groups = Vec::new();
    let mut all = vec![t.sender.ssrc];
    if let Some(rtx) = t.sender.rtx_ssrc {
        all.push(rtx);
        groups.push(SsrcGroup {
            semantics: "FID".into(),
            ssrcs: all.clone(),
        });
    }
    for ssrc in all {
        ssrcs.push(Ssrc {
            ssrc,
            attribute: "cname".into(),
            value: Some(cname.to_owned()),
        });
        ssrcs.push(Ssrc {
            ssrc,
            attribute: "msid".into(),
            value: Some(format!("{stream} {track}")),
        });
    }
    (Some(msid), ssrcs, groups)
}

/// The section a transceiver offers.
pub(crate) fn offer_media(t: &RtpTransceiver, mid: &str, cname: &str) -> RtpMedia {
    let direction = t.offer_direction();
    let (msid, ssrcs, ssrc_groups) = if direction.sends() {
        sender_lines(t, cname)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let has_rtx = t.sender.rtx_ssrc.is_some();
    RtpMedia {
        mid: mid.to_owned(),
        kind: t.kind,
        direction: direction.to_sdp(),
        codecs: offered_codecs(t)
            .iter()
            .filter(|c| has_rtx || c.name != CodecName::Rtx)
            .map(RtpCodecParameters::to_sdp)
            .collect(),
        extmaps: local_extmaps(t.kind),
        msid,
        ssrcs,
        ssrc_groups,
        rtcp_rsize: true,
    }
}

/// The section of a stopped (or stopping) transceiver in our offers:
/// rejected with port 0 (RFC 9429 §5.2.2), its first codec's payload type
/// on the media line.
pub(crate) fn rejected_media(t: &RtpTransceiver, mid: &str) -> RejectedMedia {
    let payload_type = t
        .codecs
        .first()
        .map(|c| c.payload_type)
        .or_else(|| offered_codecs(t).first().map(|c| c.payload_type))
        .unwrap_or(0);
    RejectedMedia {
        mid: mid.to_owned(),
        kind: t.kind,
        payload_types: vec![payload_type],
    }
}

/// The codecs of `section` we can handle, with their payload types.
pub(crate) fn section_codecs(section: &MediaView) -> Vec<RtpCodecParameters> {
    section
        .codecs
        .iter()
        .filter_map(RtpCodecParameters::from_sdp)
        .collect()
}

/// `codecs` reduced to those matching one of `ours`, RTX kept only when the
/// codec it repairs is kept.
fn matching(codecs: &[RtpCodecParameters], ours: &[RtpCodecParameters]) -> Vec<RtpCodecParameters> {
    let media: Vec<RtpCodecParameters> = codecs
        .iter()
        .filter(|c| c.name != CodecName::Rtx && ours.iter().any(|o| o.matches(c)))
        .cloned()
        .collect();
    let mut out = Vec::with_capacity(codecs.len());
    for c in codecs {
        let keep = if c.name == CodecName::Rtx {
            c.apt()
                .is_some_and(|apt| media.iter().any(|m| m.payload_type == apt))
                && ours.iter().any(|o| o.name == CodecName::Rtx)
        } else {
            media.contains(c)
        };
        if keep {
            out.push(c.clone());
        }
    }
    out
}

/// Our answer to an offered RTP section, or `None` to reject it (no codec
/// in common).
pub(crate) fn answer_media(
    t: &RtpTransceiver,
    offered: &MediaView,
    cname: &str,
) -> Option<AnswerRtp> {
    let codecs = matching(&section_codecs(offered), &offered_codecs(t));
    if codecs.iter().all(|c| c.name == CodecName::Rtx) {
        return None;
    }
    let remote = RtpTransceiverDirection::from_sdp(offered.direction_or_default());
    let ours = t.offer_direction();
    let direction = RtpTransceiverDirection::from_flags(
        ours.sends() && remote.receives(),
        ours.receives() && remote.sends(),
    );
    let (msid, ssrcs, ssrc_groups) = if direction.sends() {
        sender_lines(t, cname)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let local_uris: Vec<String> = local_extmaps(t.kind).into_iter().map(|e| e.uri).collect();
    // Simulcast offered to us: received, every layer (RFC 8853 §5.3).
    let (rids, simulcast) = if direction.receives() {
        receive_simulcast(offered)
    } else {
        (Vec::new(), None)
    };
    Some(AnswerRtp {
        payload_types: codecs.iter().map(|c| c.payload_type).collect(),
        extension_uris: offered
            .extmaps
            .iter()
            .filter(|e| local_uris.contains(&e.uri))
            .map(|e| e.uri.clone())
            .collect(),
        feedback: Some(SUPPORTED_FEEDBACK.iter().map(|f| (*f).to_owned()).collect()),
        direction: direction.to_sdp(),
        msid,
        ssrcs,
        ssrc_groups,
        rids,
        simulcast,
    })
}

/// What an applied answer negotiated for one transceiver.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct NegotiatedMedia {
    /// Codecs we send, with the remote's payload types, preferred first.
    pub send_codecs: Vec<RtpCodecParameters>,
    /// Codecs we receive, with our payload types.
    pub receive_codecs: Vec<RtpCodecParameters>,
    /// The MID extension id we write.
    pub send_mid_id: Option<u8>,
    /// The MID extension id we read.
    pub receive_mid_id: Option<u8>,
    /// The RtpStreamId extension id we read (RFC 8852).
    pub receive_rid_id: Option<u8>,
    /// The RepairedRtpStreamId extension id we read.
    pub receive_repaired_rid_id: Option<u8>,
    /// The transport-wide sequence number extension id we write.
    pub send_twcc_id: Option<u8>,
    /// The transport-wide sequence number extension id we read.
    pub receive_twcc_id: Option<u8>,
    /// Our current direction.
    pub direction: Option<RtpTransceiverDirection>,
    /// The remote's media SSRCs (`a=ssrc`, not RTX).
    pub remote_ssrcs: Vec<u32>,
    /// The remote's RTX SSRC per media SSRC (`a=ssrc-group:FID`).
    pub remote_rtx: Vec<(u32, u32)>,
    /// The remote's stream ids (`a=msid`).
    pub remote_stream_ids: Vec<String>,
    /// Reduced-size RTCP allowed (`a=rtcp-rsize` in both).
    pub rtcp_rsize: bool,
}

fn both_have(local: &MediaView, remote: &MediaView, uri: &str) -> bool {
    extension_id(local, uri).is_some() && extension_id(remote, uri).is_some()
}

fn extension_id(section: &MediaView, uri: &str) -> Option<u8> {
    section
        .extmaps
        .iter()
        .find(|e| e.uri == uri)
        .and_then(|e| u8::try_from(e.id).ok())
}

/// The remote's stream ids, media SSRCs and RTX pairs of a section.
pub(crate) fn remote_sources(remote: &MediaView) -> (Vec<String>, Vec<u32>, Vec<(u32, u32)>) {
    let mut stream_ids: Vec<String> = remote
        .msids
        .iter()
        .map(|m| m.stream_id.clone())
        .filter(|s| s != "-")
        .collect();
    if stream_ids.is_empty() {
        // Plan B-era peers only write `a=ssrc:… msid:<stream> <track>`.
        for s in remote.ssrcs.iter().filter(|s| s.attribute == "msid") {
            if let Some(stream) = s.value.as_deref().and_then(|v| v.split(' ').next()) {
                if stream != "-" && !stream_ids.iter().any(|x| x == stream) {
                    stream_ids.push(stream.to_owned());
                }
            }
        }
    }
    let rtx: Vec<(u32, u32)> = remote
        .ssrc_groups
        .iter()
        .filter(|g| g.is_fid() && g.ssrcs.len() == 2)
        .map(|g| (g.ssrcs[0], g.ssrcs[1]))
        .collect();
    let mut ssrcs: Vec<u32> = Vec::new();
    for s in &remote.ssrcs {
        if !ssrcs.contains(&s.ssrc) && !rtx.iter().any(|(_, r)| *r == s.ssrc) {
            ssrcs.push(s.ssrc);
        }
    }
    (stream_ids, ssrcs, rtx)
}

/// Reads what the offer/answer pair negotiated for one section: `local` is
/// our section, `remote` theirs, `local_is_answer` says which one answered.
pub(crate) fn negotiate(
    local: &MediaView,
    remote: &MediaView,
    local_is_answer: bool,
) -> NegotiatedMedia {
    let local_codecs = section_codecs(local);
    let remote_codecs = section_codecs(remote);
    let send_codecs = matching(&remote_codecs, &local_codecs);
    let receive_codecs = matching(&local_codecs, &remote_codecs);
    let direction = if local.is_rejected() || remote.is_rejected() {
        RtpTransceiverDirection::Inactive
    } else if local_is_answer {
        RtpTransceiverDirection::from_sdp(local.direction_or_default())
    } else {
        RtpTransceiverDirection::from_sdp(remote.direction_or_default().reversed())
    };
    let (remote_stream_ids, remote_ssrcs, remote_rtx) = remote_sources(remote);
    NegotiatedMedia {
        send_codecs,
        receive_codecs,
        send_mid_id: extension_id(remote, MID_URI),
        receive_mid_id: extension_id(local, MID_URI),
        receive_rid_id: extension_id(local, RID_URI).filter(|_| both_have(local, remote, RID_URI)),
        receive_repaired_rid_id: extension_id(local, REPAIRED_RID_URI)
            .filter(|_| both_have(local, remote, REPAIRED_RID_URI)),
        send_twcc_id: extension_id(remote, TRANSPORT_CC_URI)
            .filter(|_| both_have(local, remote, TRANSPORT_CC_URI)),
        receive_twcc_id: extension_id(local, TRANSPORT_CC_URI)
            .filter(|_| both_have(local, remote, TRANSPORT_CC_URI)),
        direction: Some(direction),
        remote_ssrcs,
        remote_rtx,
        remote_stream_ids,
        rtcp_rsize: local.rtcp_rsize && remote.rtcp_rsize,
    }
}
