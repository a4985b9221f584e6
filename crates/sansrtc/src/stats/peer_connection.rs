//! `RTCPeerConnectionStats` (`"peer-connection"`): one per connection.
//!
//! `dataChannelsOpened` and `dataChannelsClosed` are left out: the data
//! channel layer forgets a channel once it is closed and counts neither
//! openings nor closings, so neither number can be given honestly.

use serde::{Deserialize, Serialize};

use super::{Context, RtcStats, RtcStatsReport};

/// `RTCPeerConnectionStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcPeerConnectionStats {
    /// `id`: `P`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
}

/// The id of the one `peer-connection` object.
pub(super) const PEER_CONNECTION_ID: &str = "P";

pub(super) fn peer_connection_stats(ctx: &Context, report: &mut RtcStatsReport) {
    report.insert(RtcStats::PeerConnection(RtcPeerConnectionStats {
        id: PEER_CONNECTION_ID.to_owned(),
        timestamp: ctx.timestamp,
    }));
}
