//! `RTCStatsReport` and `RTCStats`: the map of every stats object by id,
//! and the union of the dictionaries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::certificate::RtcCertificateStats;
use super::codec::RtcCodecStats;
use super::data_channel::RtcDataChannelStats;
use super::ice::{RtcIceCandidatePairStats, RtcIceCandidateStats};
use super::media_source::RtcMediaSourceStats;
use super::peer_connection::RtcPeerConnectionStats;
use super::rtp::{
    RtcInboundRtpStreamStats, RtcOutboundRtpStreamStats, RtcRemoteInboundRtpStreamStats,
    RtcRemoteOutboundRtpStreamStats,
};
use super::transport::RtcTransportStats;

/// One stats object: a W3C dictionary, tagged by its `type`.
///
/// Serialized as the browsers' JSON: `{"id": …, "type": "inbound-rtp",
/// "timestamp": …, <members in camelCase>}`, members we do not know left
/// out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum RtcStats {
    /// `"codec"`.
    #[serde(rename = "codec")]
    Codec(RtcCodecStats),
    /// `"inbound-rtp"`.
    #[serde(rename = "inbound-rtp")]
    InboundRtp(RtcInboundRtpStreamStats),
    /// `"outbound-rtp"`.
    #[serde(rename = "outbound-rtp")]
    OutboundRtp(RtcOutboundRtpStreamStats),
    /// `"remote-inbound-rtp"`.
    #[serde(rename = "remote-inbound-rtp")]
    RemoteInboundRtp(RtcRemoteInboundRtpStreamStats),
    /// `"remote-outbound-rtp"`.
    #[serde(rename = "remote-outbound-rtp")]
    RemoteOutboundRtp(RtcRemoteOutboundRtpStreamStats),
    /// `"media-source"`.
    #[serde(rename = "media-source")]
    MediaSource(RtcMediaSourceStats),
    /// `"peer-connection"`.
    #[serde(rename = "peer-connection")]
    PeerConnection(RtcPeerConnectionStats),
    /// `"data-channel"`.
    #[serde(rename = "data-channel")]
    DataChannel(RtcDataChannelStats),
    /// `"transport"`.
    #[serde(rename = "transport")]
    Transport(RtcTransportStats),
    /// `"candidate-pair"`.
    #[serde(rename = "candidate-pair")]
    CandidatePair(RtcIceCandidatePairStats),
    /// `"local-candidate"`.
    #[serde(rename = "local-candidate")]
    LocalCandidate(RtcIceCandidateStats),
    /// `"remote-candidate"`.
    #[serde(rename = "remote-candidate")]
    RemoteCandidate(RtcIceCandidateStats),
    /// `"certificate"`.
    #[serde(rename = "certificate")]
    Certificate(RtcCertificateStats),
}

impl RtcStats {
    /// The W3C `RTCStatsType` string (`"inbound-rtp"`, …).
    pub fn stats_type(&self) -> &'static str {
        match self {
            RtcStats::Codec(_) => "codec",
            RtcStats::InboundRtp(_) => "inbound-rtp",
            RtcStats::OutboundRtp(_) => "outbound-rtp",
            RtcStats::RemoteInboundRtp(_) => "remote-inbound-rtp",
            RtcStats::RemoteOutboundRtp(_) => "remote-outbound-rtp",
            RtcStats::MediaSource(_) => "media-source",
            RtcStats::PeerConnection(_) => "peer-connection",
            RtcStats::DataChannel(_) => "data-channel",
            RtcStats::Transport(_) => "transport",
            RtcStats::CandidatePair(_) => "candidate-pair",
            RtcStats::LocalCandidate(_) => "local-candidate",
            RtcStats::RemoteCandidate(_) => "remote-candidate",
            RtcStats::Certificate(_) => "certificate",
        }
    }

    /// `id`.
    pub fn id(&self) -> &str {
        match self {
            RtcStats::Codec(s) => &s.id,
            RtcStats::InboundRtp(s) => &s.id,
            RtcStats::OutboundRtp(s) => &s.id,
            RtcStats::RemoteInboundRtp(s) => &s.id,
            RtcStats::RemoteOutboundRtp(s) => &s.id,
            RtcStats::MediaSource(s) => &s.id,
            RtcStats::PeerConnection(s) => &s.id,
            RtcStats::DataChannel(s) => &s.id,
            RtcStats::Transport(s) => &s.id,
            RtcStats::CandidatePair(s) => &s.id,
            RtcStats::LocalCandidate(s) | RtcStats::RemoteCandidate(s) => &s.id,
            RtcStats::Certificate(s) => &s.id,
        }
    }

    /// `timestamp`: milliseconds since the Unix epoch.
    pub fn timestamp(&self) -> f64 {
        match self {
            RtcStats::Codec(s) => s.timestamp,
            RtcStats::InboundRtp(s) => s.timestamp,
            RtcStats::OutboundRtp(s) => s.timestamp,
            RtcStats::RemoteInboundRtp(s) => s.timestamp,
            RtcStats::RemoteOutboundRtp(s) => s.timestamp,
            RtcStats::MediaSource(s) => s.timestamp,
            RtcStats::PeerConnection(s) => s.timestamp,
            RtcStats::DataChannel(s) => s.timestamp,
            RtcStats::Transport(s) => s.timestamp,
            RtcStats::CandidatePair(s) => s.timestamp,
            RtcStats::LocalCandidate(s) | RtcStats::RemoteCandidate(s) => s.timestamp,
            RtcStats::Certificate(s) => s.timestamp,
        }
    }
}

/// `RTCStatsReport`: every stats object by its id, ordered by id.
///
/// Serialized as a JSON object from id to object, the shape of
/// `Object.fromEntries(await pc.getStats())` in a browser.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RtcStatsReport {
    stats: BTreeMap<String, RtcStats>,
}

impl RtcStatsReport {
    /// The object with this id.
    pub fn get(&self, id: &str) -> Option<&RtcStats> {
        self.stats.get(id)
    }

    /// Whether an object has this id.
    pub fn contains(&self, id: &str) -> bool {
        self.stats.contains_key(id)
    }

    /// Every object, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RtcStats)> {
        self.stats.iter().map(|(id, s)| (id.as_str(), s))
    }

    /// The objects of one `type` (`"inbound-rtp"`, …).
    pub fn of_type<'a>(&'a self, stats_type: &'a str) -> impl Iterator<Item = &'a RtcStats> + 'a {
        self.stats
            .values()
            .filter(move |s| s.stats_type() == stats_type)
    }

    /// How many objects.
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }

    /// Adds an object under its id (the first one with an id stays).
    pub(crate) fn insert(&mut self, stats: RtcStats) {
        self.stats.entry(stats.id().to_owned()).or_insert(stats);
    }
}

impl<'a> IntoIterator for &'a RtcStatsReport {
    type Item = (&'a String, &'a RtcStats);
    type IntoIter = std::collections::btree_map::Iter<'a, String, RtcStats>;

    fn into_iter(self) -> Self::IntoIter {
        self.stats.iter()
    }
}
