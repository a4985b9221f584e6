//! `RTCMediaSourceStats` (`"media-source"`): the track each sender is
//! given. Audio levels and video frame counts are the source's, which the
//! connection never sees (it is handed encoded frames): left out.

use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::media::{MediaKind, RtpTransceiver};
use crate::RtcPeerConnection;

/// `RTCMediaSourceStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcMediaSourceStats {
    /// `id`: `SA<transceiver>` or `SV<transceiver>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `trackIdentifier`: the track's id.
    pub track_identifier: String,
    /// `kind`: `"audio"` or `"video"`.
    pub kind: String,
}

/// The id of the media source of transceiver `t`'s sender.
pub(super) fn media_source_id(t: &RtpTransceiver) -> String {
    let letter = match t.kind {
        MediaKind::Audio => 'A',
        _ => 'V',
    };
    format!("S{letter}{}", t.id.index())
}

impl RtcPeerConnection {
    /// `media-source` per transceiver whose sender has a track.
    pub(super) fn media_source_stats(&self, ctx: &Context, report: &mut RtcStatsReport) {
        for t in self.media.transceivers.iter().filter(|t| !t.stopped) {
            let Some(track) = &t.sender.track else {
                continue;
            };
            report.insert(RtcStats::MediaSource(RtcMediaSourceStats {
                id: media_source_id(t),
                timestamp: ctx.timestamp,
                track_identifier: track.id.clone(),
                kind: track.kind.as_str().to_owned(),
            }));
        }
    }
}
