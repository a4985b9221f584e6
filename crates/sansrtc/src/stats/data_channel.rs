//! `RTCDataChannelStats` (`"data-channel"`): per channel the data channel
//! layer knows (closed channels are forgotten by it).
//!
//! `messagesSent`, `bytesSent`, `messagesReceived` and `bytesReceived` are
//! left out: `sansrtc-datachannel` counts them for all channels together
//! (`DataChannelStats`), not per channel.

use sansrtc_datachannel::DataChannelState;
use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};
use crate::RtcPeerConnection;

/// `RTCDataChannelStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcDataChannelStats {
    /// `id`: `D<handle>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `label`.
    pub label: String,
    /// `protocol`.
    pub protocol: String,
    /// `dataChannelIdentifier`: the SCTP stream id, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_channel_identifier: Option<u16>,
    /// `state`: `"connecting"`, `"open"`, `"closing"` or `"closed"`.
    pub state: String,
}

fn state_str(state: DataChannelState) -> &'static str {
    match state {
        DataChannelState::Connecting => "connecting",
        DataChannelState::Open => "open",
        DataChannelState::Closing => "closing",
        DataChannelState::Closed => "closed",
    }
}

impl RtcPeerConnection {
    /// `data-channel` per channel.
    pub(super) fn data_channel_stats(&self, ctx: &Context, report: &mut RtcStatsReport) {
        for info in self.data_channels() {
            report.insert(RtcStats::DataChannel(RtcDataChannelStats {
                id: format!("D{}", info.channel.value()),
                timestamp: ctx.timestamp,
                label: info.label.clone(),
                protocol: info.protocol.clone(),
                data_channel_identifier: info.id,
                state: state_str(info.state).to_owned(),
            }));
        }
    }
}
