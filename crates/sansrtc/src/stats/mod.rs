//! `getStats()`: the W3C webrtc-stats dictionaries, as data.
//!
//! [`RtcPeerConnection::get_stats`] returns an [`RtcStatsReport`]: every
//! stats object by id, each an [`RtcStats`] (one struct per dictionary)
//! that serializes to the JSON a browser gives (`"type"`, `"id"`,
//! `"timestamp"` and camelCase members; members we do not track are left
//! out rather than guessed). One file per dictionary family:
//!
//! | file | `type` |
//! | --- | --- |
//! | `codec.rs` | `codec` |
//! | `rtp.rs` | `inbound-rtp`, `outbound-rtp`, `remote-inbound-rtp` |
//! | `media_source.rs` | `media-source` |
//! | `peer_connection.rs` | `peer-connection` |
//! | `data_channel.rs` | `data-channel` |
//! | `transport.rs` | `transport` |
//! | `ice.rs` | `candidate-pair`, `local-candidate`, `remote-candidate` |
//! | `certificate.rs` | `certificate` |
//!
//! Every reference between objects (`transportId`, `codecId`, `localId`,
//! `remoteId`, `mediaSourceId`, `selectedCandidatePairId`,
//! `localCandidateId`, `remoteCandidateId`, `localCertificateId`,
//! `remoteCertificateId`, `issuerCertificateId`) names an object of the
//! same report. `remote-outbound-rtp` is not produced: the connection
//! keeps no counts from the remote's sender reports. See
//! `docs/sansrtc.md` ("getStats()") for the members filled.

mod certificate;
mod codec;
mod data_channel;
mod ice;
mod media_source;
mod peer_connection;
mod report;
mod rtp;
mod transport;

use std::time::{Duration, Instant, SystemTime};

pub use certificate::RtcCertificateStats;
pub use codec::RtcCodecStats;
pub use data_channel::RtcDataChannelStats;
pub use ice::{RtcIceCandidatePairStats, RtcIceCandidateStats};
pub use media_source::RtcMediaSourceStats;
pub use peer_connection::RtcPeerConnectionStats;
pub use report::{RtcStats, RtcStatsReport};
pub use rtp::{
    RtcInboundRtpStreamStats, RtcOutboundRtpStreamStats, RtcRemoteInboundRtpStreamStats,
    RtcRemoteOutboundRtpStreamStats,
};
pub use transport::RtcTransportStats;

use crate::RtcPeerConnection;

/// The id of the connection's first transport (the only one once BUNDLE is
/// negotiated); the others are `T02`, `T03`, … in order.
pub const TRANSPORT_ID: &str = "T01";

/// The stats id of transport `index`.
pub(crate) fn transport_stats_id(index: usize) -> String {
    format!("T{:02}", index + 1)
}

/// What every object of one report shares.
pub(crate) struct Context {
    /// `timestamp`: ms since the Unix epoch.
    pub timestamp: f64,
    /// The transport every stream and candidate rides on.
    pub transport_id: String,
}

impl RtcPeerConnection {
    /// `getStats()`: the statistics of the whole connection at `now`.
    ///
    /// Every object's `timestamp` is the connection's wall clock at `now`
    /// (the `wall_clock` given to [`RtcPeerConnection::new`] plus the time
    /// since), in milliseconds since the Unix epoch, to the microsecond.
    /// Works in every state, closed included.
    pub fn get_stats(&self, now: Instant) -> RtcStatsReport {
        let ctx = Context {
            timestamp: self.stats_timestamp(now),
            transport_id: TRANSPORT_ID.to_owned(),
        };
        let mut report = RtcStatsReport::default();
        peer_connection::peer_connection_stats(&ctx, &mut report);
        self.data_channel_stats(&ctx, &mut report);
        self.codec_stats(&ctx, &mut report);
        self.media_source_stats(&ctx, &mut report);
        self.inbound_rtp_stats(&ctx, &mut report);
        self.outbound_rtp_stats(&ctx, &mut report);
        for index in 0..self.transports.len() {
            let ctx = Context {
                timestamp: ctx.timestamp,
                transport_id: transport_stats_id(index),
            };
            let (local_certificate_id, remote_certificate_id) =
                self.certificate_stats(&ctx, &mut report, index);
            let selected_candidate_pair_id = self.ice_stats_objects(&ctx, &mut report, index);
            self.transport_stats_object(
                &ctx,
                &mut report,
                index,
                transport::TransportRefs {
                    selected_candidate_pair_id,
                    local_certificate_id,
                    remote_certificate_id,
                },
            );
        }
        report
    }

    /// `ctx` with the transport of transceiver `index`.
    pub(super) fn transceiver_context(&self, ctx: &Context, index: usize) -> Context {
        Context {
            timestamp: ctx.timestamp,
            transport_id: transport_stats_id(self.media_transport(Some(index))),
        }
    }

    /// The wall clock at `now` in ms since the Unix epoch, to the
    /// microsecond (an exact decimal, so it survives a JSON round trip).
    fn stats_timestamp(&self, now: Instant) -> f64 {
        let wall = self.wall_clock_at_start + now.saturating_duration_since(self.started_at);
        let since_epoch = wall
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        since_epoch.as_micros() as f64 / 1000.0
    }
}
