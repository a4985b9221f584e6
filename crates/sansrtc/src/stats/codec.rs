//! `RTCCodecStats` (`"codec"`): every codec the last answer negotiated,
//! per transport and payload type.

use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::media::RtpCodecParameters;
use crate::RtcPeerConnection;

/// `RTCCodecStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcCodecStats {
    /// `id`: `CO<transport>_<payload type>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `payloadType`.
    pub payload_type: u32,
    /// `transportId`.
    pub transport_id: String,
    /// `mimeType` (`audio/opus`, `video/VP8`, …).
    pub mime_type: String,
    /// `clockRate`, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_rate: Option<u32>,
    /// `channels` (audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// `sdpFmtpLine`: the `a=fmtp` parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_fmtp_line: Option<String>,
}

/// The id of `codec` on the transport `transport_id`. Two different codecs
/// with one payload type (one we send, one we receive) are told apart by
/// the fmtp line, as Chromium does.
pub(super) fn codec_id(transport_id: &str, codec: &RtpCodecParameters, qualified: bool) -> String {
    match (&codec.sdp_fmtp_line, qualified) {
        (Some(fmtp), true) => format!("CO{transport_id}_{}_{fmtp}", codec.payload_type),
        (None, true) => format!(
            "CO{transport_id}_{}_{}",
            codec.payload_type,
            codec.mime_type()
        ),
        _ => format!("CO{transport_id}_{}", codec.payload_type),
    }
}

fn same_codec(a: &RtcCodecStats, codec: &RtpCodecParameters) -> bool {
    a.mime_type == codec.mime_type()
        && a.clock_rate == Some(codec.clock_rate)
        && a.channels == codec.channels.map(u32::from)
        && a.sdp_fmtp_line == codec.sdp_fmtp_line
}

/// Adds `codec` (if not there yet) and returns its id.
pub(super) fn add_codec(
    ctx: &Context,
    report: &mut RtcStatsReport,
    codec: &RtpCodecParameters,
) -> String {
    let mut id = codec_id(&ctx.transport_id, codec, false);
    let mut clashes = 0;
    loop {
        match report.get(&id) {
            Some(RtcStats::Codec(existing)) if same_codec(existing, codec) => return id,
            None => break,
            Some(_) => {
                clashes += 1;
                let qualified = codec_id(&ctx.transport_id, codec, true);
                id = if clashes == 1 {
                    qualified
                } else {
                    format!("{qualified}_{clashes}")
                };
            }
        }
    }
    report.insert(RtcStats::Codec(RtcCodecStats {
        id: id.clone(),
        timestamp: ctx.timestamp,
        payload_type: u32::from(codec.payload_type),
        transport_id: ctx.transport_id.clone(),
        mime_type: codec.mime_type(),
        clock_rate: Some(codec.clock_rate),
        channels: codec.channels.map(u32::from),
        sdp_fmtp_line: codec.sdp_fmtp_line.clone(),
    }));
    id
}

impl RtcPeerConnection {
    /// Every codec of every transceiver's negotiated send and receive lists.
    pub(super) fn codec_stats(&self, ctx: &Context, report: &mut RtcStatsReport) {
        let transceivers = self.media.transceivers.iter().enumerate();
        for ((i, t), negotiated) in transceivers.zip(&self.media.negotiated) {
            if t.stopped {
                continue;
            }
            let ctx = &self.transceiver_context(ctx, i);
            for codec in negotiated
                .send_codecs
                .iter()
                .chain(&negotiated.receive_codecs)
            {
                add_codec(ctx, report, codec);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{default_codecs, MediaKind};

    #[test]
    fn one_id_per_codec_and_payload_type() {
        let ctx = Context {
            timestamp: 0.0,
            transport_id: "T01".into(),
        };
        let mut report = RtcStatsReport::default();
        let opus = default_codecs(MediaKind::Audio).remove(0);
        assert_eq!(add_codec(&ctx, &mut report, &opus), "COT01_111");
        assert_eq!(add_codec(&ctx, &mut report, &opus), "COT01_111");
        // The same payload type for another codec (another fmtp line).
        let mut other = opus.clone();
        other.sdp_fmtp_line = Some("minptime=20".into());
        assert_eq!(
            add_codec(&ctx, &mut report, &other),
            "COT01_111_minptime=20"
        );
        assert_eq!(
            add_codec(&ctx, &mut report, &other),
            "COT01_111_minptime=20"
        );
        let mut third = opus.clone();
        third.sdp_fmtp_line = Some("minptime=20".into());
        third.channels = Some(1);
        assert_eq!(
            add_codec(&ctx, &mut report, &third),
            "COT01_111_minptime=20_2"
        );
        assert_eq!(report.len(), 3);
    }
}
