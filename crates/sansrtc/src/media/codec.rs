//! The codecs the connection offers and accepts (`RTCRtpCodec`), and the
//! matching rules of their format parameters: H.264 `profile-level-id` and
//! `packetization-mode` (RFC 6184 §8.2.2), VP9 `profile-id`, Opus by name,
//! rate and channels.

use sansrtc_sdp::attributes::RtcpFb;
use sansrtc_sdp::jsep::MediaKind;
use sansrtc_sdp::Codec;

/// A codec name the connection can packetize and depacketize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecName {
    /// Opus (RFC 7587).
    Opus,
    /// VP8 (RFC 7741).
    Vp8,
    /// VP9 (RFC 9628).
    Vp9,
    /// H.264 (RFC 6184).
    H264,
    /// AV1 (the AOM RTP payload format).
    Av1,
    /// Retransmission (RFC 4588), tied to another payload type by `apt`.
    Rtx,
}

impl CodecName {
    /// The name from an `a=rtpmap` encoding (case-insensitive).
    pub fn from_encoding(encoding: &str) -> Option<Self> {
        let known = [
            ("opus", CodecName::Opus),
            ("VP8", CodecName::Vp8),
            ("VP9", CodecName::Vp9),
            ("H264", CodecName::H264),
            ("AV1", CodecName::Av1),
            ("rtx", CodecName::Rtx),
        ];
        known
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(encoding))
            .map(|(_, c)| c)
    }

    /// The `a=rtpmap` encoding name.
    pub fn encoding(self) -> &'static str {
        match self {
            CodecName::Opus => "opus",
            CodecName::Vp8 => "VP8",
            CodecName::Vp9 => "VP9",
            CodecName::H264 => "H264",
            CodecName::Av1 => "AV1",
            CodecName::Rtx => "rtx",
        }
    }

    /// Audio or video.
    pub fn kind(self) -> MediaKind {
        match self {
            CodecName::Opus => MediaKind::Audio,
            _ => MediaKind::Video,
        }
    }
}

/// `RTCRtpCodecParameters`: one codec as the descriptions name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpCodecParameters {
    /// The codec.
    pub name: CodecName,
    /// The payload type.
    pub payload_type: u8,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channels (audio).
    pub channels: Option<u16>,
    /// The `a=fmtp` parameters.
    pub sdp_fmtp_line: Option<String>,
    /// `a=rtcp-fb` values (`nack`, `nack pli`, `ccm fir`, `transport-cc`, …).
    pub rtcp_feedback: Vec<String>,
}

impl RtpCodecParameters {
    /// `mimeType` (`audio/opus`, `video/VP8`, …).
    pub fn mime_type(&self) -> String {
        format!("{}/{}", self.name.kind().as_str(), self.name.encoding())
    }

    /// The value of one fmtp parameter.
    pub fn fmtp(&self, key: &str) -> Option<&str> {
        fmtp_parameter(self.sdp_fmtp_line.as_deref()?, key)
    }

    /// The RTX payload type's associated payload type (`apt`).
    pub fn apt(&self) -> Option<u8> {
        self.fmtp("apt")?.parse().ok()
    }

    /// Whether `fb` (`"nack"`, `"nack pli"`, …) was negotiated.
    pub fn has_feedback(&self, fb: &str) -> bool {
        self.rtcp_feedback
            .iter()
            .any(|f| f.eq_ignore_ascii_case(fb))
    }

    /// The codec as the SDP builders take it.
    pub(crate) fn to_sdp(&self) -> Codec {
        Codec {
            payload_type: self.payload_type,
            encoding: self.name.encoding().to_owned(),
            clock_rate: self.clock_rate,
            channels: self.channels,
            fmtp: self.sdp_fmtp_line.clone(),
            feedback: self
                .rtcp_feedback
                .iter()
                .map(|f| {
                    let (kind, parameter) = match f.split_once(' ') {
                        Some((k, p)) => (k, Some(p)),
                        None => (f.as_str(), None),
                    };
                    RtcpFb::new(self.payload_type, kind, parameter)
                })
                .collect(),
        }
    }

    /// Reads a codec of a description; `None` for codecs we cannot handle.
    pub(crate) fn from_sdp(codec: &Codec) -> Option<Self> {
        Some(RtpCodecParameters {
            name: CodecName::from_encoding(&codec.encoding)?,
            payload_type: codec.payload_type,
            clock_rate: codec.clock_rate,
            channels: codec.channels,
            sdp_fmtp_line: codec.fmtp.clone(),
            rtcp_feedback: codec
                .feedback
                .iter()
                .map(|f| match &f.parameter {
                    Some(p) => format!("{} {}", f.kind, p),
                    None => f.kind.clone(),
                })
                .collect(),
        })
    }

    /// Whether `other` is the same codec with compatible parameters
    /// (payload types aside): what lets an answer accept an offered codec.
    pub fn matches(&self, other: &RtpCodecParameters) -> bool {
        if self.name != other.name || self.clock_rate != other.clock_rate {
            return false;
        }
        match self.name {
            CodecName::Opus => self.channels.unwrap_or(1) == other.channels.unwrap_or(1),
            CodecName::H264 => {
                let mode = |c: &Self| c.fmtp("packetization-mode").unwrap_or("0").to_owned();
                mode(self) == mode(other)
                    && h264_profile(self.fmtp("profile-level-id"))
                        == h264_profile(other.fmtp("profile-level-id"))
            }
            CodecName::Vp9 | CodecName::Av1 => {
                let key = if self.name == CodecName::Vp9 {
                    "profile-id"
                } else {
                    "profile"
                };
                self.fmtp(key).unwrap_or("0") == other.fmtp(key).unwrap_or("0")
            }
            CodecName::Vp8 | CodecName::Rtx => true,
        }
    }
}

/// The value of `key` in an fmtp parameter list (`a=b;c=d`).
pub(crate) fn fmtp_parameter<'a>(params: &'a str, key: &str) -> Option<&'a str> {
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

/// The H.264 profile of a `profile-level-id` (RFC 6184 §8.1; the level is
/// ignored for matching, as browsers do): constrained baseline, baseline,
/// main, high … as (profile_idc, the constraint bits that define the
/// profile). The default (absent) is constrained-less baseline 42 00 0a.
fn h264_profile(profile_level_id: Option<&str>) -> Option<(u8, bool)> {
    let text = profile_level_id.unwrap_or("42000a");
    if text.len() != 6 {
        return None;
    }
    let value = u32::from_str_radix(text, 16).ok()?;
    let profile_idc = (value >> 16) as u8;
    let iop = (value >> 8) as u8;
    // Constrained baseline (libwebrtc's table): 42 with constraint_set1,
    // 4d with constraint_set0, 58 with constraint_set0 and set1.
    let (set0, set1) = (iop & 0x80 != 0, iop & 0x40 != 0);
    let constrained_baseline = match profile_idc {
        0x42 => set1,
        0x4d => set0,
        0x58 => set0 && set1,
        _ => false,
    };
    if constrained_baseline {
        return Some((0x42, true));
    }
    Some((profile_idc, false))
}

const VIDEO_FEEDBACK: [&str; 4] = ["transport-cc", "ccm fir", "nack", "nack pli"];

fn codec(
    name: CodecName,
    payload_type: u8,
    clock_rate: u32,
    channels: Option<u16>,
    fmtp: Option<&str>,
    feedback: &[&str],
) -> RtpCodecParameters {
    RtpCodecParameters {
        name,
        payload_type,
        clock_rate,
        channels,
        sdp_fmtp_line: fmtp.map(str::to_owned),
        rtcp_feedback: feedback.iter().map(|f| (*f).to_owned()).collect(),
    }
}

fn rtx(payload_type: u8, apt: u8) -> RtpCodecParameters {
    codec(
        CodecName::Rtx,
        payload_type,
        90_000,
        None,
        Some(&format!("apt={apt}")),
        &[],
    )
}

/// The codecs we offer for `kind`, in preference order, with Chromium's
/// payload type numbers (RTX after each video codec).
pub fn default_codecs(kind: MediaKind) -> Vec<RtpCodecParameters> {
    match kind {
        MediaKind::Audio => vec![codec(
            CodecName::Opus,
            111,
            48_000,
            Some(2),
            Some("minptime=10;useinbandfec=1"),
            &["transport-cc"],
        )],
        MediaKind::Video => vec![
            codec(CodecName::Vp8, 96, 90_000, None, None, &VIDEO_FEEDBACK),
            rtx(97, 96),
            codec(
                CodecName::H264,
                102,
                90_000,
                None,
                Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
                &VIDEO_FEEDBACK,
            ),
            rtx(103, 102),
            codec(
                CodecName::Vp9,
                98,
                90_000,
                None,
                Some("profile-id=0"),
                &VIDEO_FEEDBACK,
            ),
            rtx(99, 98),
            codec(CodecName::Av1, 45, 90_000, None, None, &VIDEO_FEEDBACK),
            rtx(46, 45),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h264(fmtp: &str) -> RtpCodecParameters {
        codec(CodecName::H264, 100, 90_000, None, Some(fmtp), &[])
    }

    #[test]
    fn h264_matches_on_profile_and_mode() {
        let ours = h264("packetization-mode=1;profile-level-id=42e01f");
        // Another level of constrained baseline: a match.
        assert!(ours.matches(&h264("profile-level-id=42e034;packetization-mode=1")));
        // Constrained baseline written as 42c0xx: a match too.
        assert!(ours.matches(&h264("profile-level-id=42c01f;packetization-mode=1")));
        // Mode 0: no match.
        assert!(!ours.matches(&h264("profile-level-id=42e01f")));
        // High profile: no match.
        assert!(!ours.matches(&h264("profile-level-id=640c1f;packetization-mode=1")));
        // Plain baseline (no constraint bit) differs from constrained baseline.
        assert!(!ours.matches(&h264("profile-level-id=42001f;packetization-mode=1")));
        // Garbage never matches.
        assert!(!ours.matches(&h264("profile-level-id=zz;packetization-mode=1")));
    }

    #[test]
    fn opus_channels_and_vp9_profile() {
        let opus = &default_codecs(MediaKind::Audio)[0];
        let mono = codec(CodecName::Opus, 109, 48_000, Some(1), None, &[]);
        assert!(!opus.matches(&mono));
        let stereo = codec(CodecName::Opus, 109, 48_000, Some(2), None, &[]);
        assert!(opus.matches(&stereo));
        let vp9 = codec(CodecName::Vp9, 98, 90_000, None, None, &[]);
        let vp9_p2 = codec(CodecName::Vp9, 100, 90_000, None, Some("profile-id=2"), &[]);
        assert!(vp9.matches(&default_codecs(MediaKind::Video)[4]));
        assert!(!vp9.matches(&vp9_p2));
    }

    #[test]
    fn sdp_round_trip_keeps_feedback() {
        for c in default_codecs(MediaKind::Video) {
            assert_eq!(RtpCodecParameters::from_sdp(&c.to_sdp()), Some(c.clone()));
        }
        assert_eq!(default_codecs(MediaKind::Video)[1].apt(), Some(96));
        assert_eq!(
            default_codecs(MediaKind::Audio)[0].mime_type(),
            "audio/opus"
        );
    }
}
