//! The RTP stream dictionaries: `RTCInboundRtpStreamStats`
//! (`"inbound-rtp"`, per remote source we receive), `RTCOutboundRtpStreamStats`
//! (`"outbound-rtp"`, per stream we send) and
//! `RTCRemoteInboundRtpStreamStats` (`"remote-inbound-rtp"`, the remote's
//! last report block on a stream we send) and
//! `RTCRemoteOutboundRtpStreamStats` (`"remote-outbound-rtp"`, the last
//! sender report of a source we receive).

use serde::{Deserialize, Serialize};

use super::codec::add_codec;
use super::media_source::media_source_id;
use super::{Context, RtcStats, RtcStatsReport};
use crate::RtcPeerConnection;

/// `RTCInboundRtpStreamStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcInboundRtpStreamStats {
    /// `id`: `I<ssrc>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `ssrc`: the remote source.
    pub ssrc: u32,
    /// `kind`: `"audio"` or `"video"`.
    pub kind: String,
    /// `transportId`.
    pub transport_id: String,
    /// `codecId`, when the payload type of the packets is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// `mid` of the receiving transceiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    /// `trackIdentifier`: the receiving track's id.
    pub track_identifier: String,
    /// `packetsReceived` (RFC 3550 A.1: valid packets, duplicates included).
    pub packets_received: u64,
    /// `packetsLost` (RFC 3550 A.3: expected minus received; may be negative).
    pub packets_lost: i64,
    /// `jitter`, seconds (RFC 3550 A.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
}

/// `RTCOutboundRtpStreamStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcOutboundRtpStreamStats {
    /// `id`: `O<ssrc>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch.
    pub timestamp: f64,
    /// `ssrc`.
    pub ssrc: u32,
    /// `kind`: `"audio"` or `"video"`.
    pub kind: String,
    /// `transportId`.
    pub transport_id: String,
    /// `codecId`: the codec we send with.
    pub codec_id: String,
    /// `mid` of the sending transceiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    /// `mediaSourceId`, while the sender has a track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_source_id: Option<String>,
    /// `remoteId`: the `remote-inbound-rtp` object, once the remote reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
    /// `packetsSent`: RTP packets numbered on this SSRC (the sender
    /// report's count, not wrapped).
    pub packets_sent: u64,
    /// `bytesSent`: payload octets (RTP headers and padding excluded).
    pub bytes_sent: u64,
}

/// `RTCRemoteInboundRtpStreamStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcRemoteInboundRtpStreamStats {
    /// `id`: `RI<ssrc>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch: when the report was made
    /// (the arrival time of the report block is not kept).
    pub timestamp: f64,
    /// `ssrc`: our stream, which the remote receives.
    pub ssrc: u32,
    /// `kind`: `"audio"` or `"video"`.
    pub kind: String,
    /// `transportId`.
    pub transport_id: String,
    /// `codecId`: the codec we send with.
    pub codec_id: String,
    /// `packetsLost`: the block's cumulative number of packets lost.
    pub packets_lost: i64,
    /// `jitter`, seconds: the block's interarrival jitter.
    pub jitter: f64,
    /// `fractionLost`, 0 to 1: the block's fraction lost since its
    /// previous report.
    pub fraction_lost: f64,
    /// `roundTripTime`, seconds (RFC 3550 §6.4.1), once a block carried
    /// the time of one of our sender reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_time: Option<f64>,
    /// `localId`: our `outbound-rtp` object of this stream.
    pub local_id: String,
}

/// `RTCRemoteOutboundRtpStreamStats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcRemoteOutboundRtpStreamStats {
    /// `id`: `RO<ssrc>`.
    pub id: String,
    /// `timestamp`, ms since the Unix epoch: when the report was made.
    pub timestamp: f64,
    /// `ssrc`: the remote source.
    pub ssrc: u32,
    /// `kind`: `"audio"` or `"video"`.
    pub kind: String,
    /// `transportId`.
    pub transport_id: String,
    /// `codecId`, as the `inbound-rtp` object has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_id: Option<String>,
    /// `localId`: our `inbound-rtp` object of this source.
    pub local_id: String,
    /// `remoteTimestamp`: the sender report's NTP time, in ms since the
    /// Unix epoch (the remote's clock), to the microsecond (an exact
    /// decimal, so it survives a JSON round trip like `timestamp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_timestamp: Option<f64>,
    /// `reportsSent`: sender reports received from the source.
    pub reports_sent: u64,
    /// `packetsSent`: the sender report's packet count.
    pub packets_sent: u64,
    /// `bytesSent`: the sender report's octet count (payload bytes).
    pub bytes_sent: u64,
}

impl RtcPeerConnection {
    /// `inbound-rtp` per remote source we route.
    pub(super) fn inbound_rtp_stats(&self, ctx: &Context, report: &mut RtcStatsReport) {
        for (&ssrc, source) in &self.media.sources {
            let Some(t) = self.media.transceivers.get(source.transceiver) else {
                continue;
            };
            let ctx = &self.transceiver_context(ctx, source.transceiver);
            let Some(negotiated) = self.media.negotiated.get(source.transceiver) else {
                continue;
            };
            // The codec: the payload type being depacketized, or the only
            // media codec the transceiver receives (every packet counted
            // had a negotiated payload type).
            let pt = source.depacketizer.as_ref().map(|(pt, _)| *pt);
            let mut media_codecs = negotiated
                .receive_codecs
                .iter()
                .filter(|c| c.name != crate::media::CodecName::Rtx);
            let codec = match pt {
                Some(pt) => negotiated
                    .receive_codecs
                    .iter()
                    .find(|c| c.payload_type == pt),
                None => media_codecs
                    .next()
                    .filter(|_| media_codecs.next().is_none()),
            };
            let codec_id = codec.map(|c| add_codec(ctx, report, c));
            // The receive statistics count jitter at the clock rate they
            // were made with: the first receive codec's (see routing).
            let clock_rate = negotiated.receive_codecs.first().map(|c| c.clock_rate);
            let stats = &source.stats;
            report.insert(RtcStats::InboundRtp(RtcInboundRtpStreamStats {
                id: format!("I{ssrc}"),
                timestamp: ctx.timestamp,
                ssrc,
                kind: t.kind.as_str().to_owned(),
                transport_id: ctx.transport_id.clone(),
                codec_id,
                mid: t.mid.clone(),
                track_identifier: t.receiver.track.id.clone(),
                packets_received: stats.received(),
                packets_lost: stats.cumulative_lost(),
                jitter: clock_rate
                    .filter(|&r| r > 0)
                    .map(|r| f64::from(stats.jitter()) / f64::from(r)),
            }));
            if let Some(sr) = source.last_sender_report {
                report.insert(RtcStats::RemoteOutboundRtp(
                    RtcRemoteOutboundRtpStreamStats {
                        id: format!("RO{ssrc}"),
                        timestamp: ctx.timestamp,
                        ssrc,
                        kind: t.kind.as_str().to_owned(),
                        transport_id: ctx.transport_id.clone(),
                        codec_id: codec_id_of(report, ssrc),
                        local_id: format!("I{ssrc}"),
                        remote_timestamp: sr.ntp.to_unix().map(|d| d.as_micros() as f64 / 1000.0),
                        reports_sent: sr.count,
                        packets_sent: u64::from(sr.packets),
                        bytes_sent: u64::from(sr.octets),
                    },
                ));
            }
        }
    }

    /// `outbound-rtp` per stream we send, and `remote-inbound-rtp` for
    /// those the remote reported on.
    pub(super) fn outbound_rtp_stats(&self, ctx: &Context, report: &mut RtcStatsReport) {
        for (index, state) in self.media.send.iter().enumerate() {
            let (Some(state), Some(t)) = (state, self.media.transceivers.get(index)) else {
                continue;
            };
            let ctx = &self.transceiver_context(ctx, index);
            let ssrc = state.stream.ssrc();
            let kind = t.kind.as_str().to_owned();
            let codec_id = add_codec(ctx, report, &state.codec);
            let outbound_id = format!("O{ssrc}");
            let remote_id = state.remote_report.map(|block| {
                let id = format!("RI{ssrc}");
                let clock_rate = f64::from(state.stream.clock_rate().max(1));
                report.insert(RtcStats::RemoteInboundRtp(RtcRemoteInboundRtpStreamStats {
                    id: id.clone(),
                    timestamp: ctx.timestamp,
                    ssrc,
                    kind: kind.clone(),
                    transport_id: ctx.transport_id.clone(),
                    codec_id: codec_id.clone(),
                    packets_lost: i64::from(block.cumulative_lost),
                    jitter: f64::from(block.jitter) / clock_rate,
                    fraction_lost: f64::from(block.fraction_lost) / 256.0,
                    round_trip_time: state.round_trip_time.map(|d| d.as_secs_f64()),
                    local_id: outbound_id.clone(),
                }));
                id
            });
            let media_source_id = t
                .sender
                .track
                .as_ref()
                .filter(|_| !t.stopped)
                .map(|_| media_source_id(t));
            report.insert(RtcStats::OutboundRtp(RtcOutboundRtpStreamStats {
                id: outbound_id,
                timestamp: ctx.timestamp,
                ssrc,
                kind,
                transport_id: ctx.transport_id.clone(),
                codec_id,
                mid: t.mid.clone(),
                media_source_id,
                remote_id,
                packets_sent: state.stream.total_packets(),
                bytes_sent: state.stream.total_octets(),
            }));
        }
    }
}

/// The `codecId` of the `inbound-rtp` object of `ssrc`, if it has one.
fn codec_id_of(report: &RtcStatsReport, ssrc: u32) -> Option<String> {
    match report.get(&format!("I{ssrc}")) {
        Some(RtcStats::InboundRtp(inbound)) => inbound.codec_id.clone(),
        _ => None,
    }
}
