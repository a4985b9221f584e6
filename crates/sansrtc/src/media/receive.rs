//! Receiving: routing an unprotected RTP packet to its transceiver (RFC
//! 8843 §9.2: by a known SSRC, else by the MID header extension, else by a
//! payload type only one receiving transceiver uses), its statistics, and
//! delivery as frames or packets.

use std::collections::BTreeMap;
use std::time::Instant;

use sansrtc_rtp::{ReceiveStats, RtpHeader};

use super::codec::CodecName;
use super::packetizer::Depacketizer;
use super::transceiver::ReceiveMode;
use super::{MediaEvent, TransceiverId};
use crate::event::PeerEvent;
use crate::RtcPeerConnection;
use sansrtc_rtp::codec::Packet;

/// Remote SSRCs one connection keeps routes and statistics for; packets of
/// further sources are dropped and counted.
pub const MAX_REMOTE_SSRCS: usize = 256;

/// One receiving source's state.
#[derive(Debug)]
pub(crate) struct SourceState {
    pub transceiver: usize,
    pub stats: ReceiveStats,
    pub depacketizer: Option<(u8, Depacketizer)>,
}

/// Counters of the media path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// RTP packets delivered to a transceiver.
    pub rtp_received: u64,
    /// RTP packets no transceiver takes (unknown SSRC, MID and payload type).
    pub rtp_unroutable: u64,
    /// RTP packets of a payload type not negotiated for their transceiver.
    pub rtp_unknown_payload_type: u64,
    /// RTP packets that were duplicates or failed RFC 3550 validation.
    pub rtp_invalid: u64,
    /// RTX packets (not used yet for recovery).
    pub rtx_received: u64,
    /// RTCP packets received.
    pub rtcp_received: u64,
    /// RTCP packets that did not parse.
    pub rtcp_invalid: u64,
    /// Frames delivered.
    pub frames_received: u64,
    /// RTP packets sent (not counting retransmissions).
    pub rtp_sent: u64,
    /// RTCP packets sent.
    pub rtcp_sent: u64,
}

impl RtcPeerConnection {
    /// The transceiver an SSRC belongs to, learning it from the MID
    /// extension or a unique payload type.
    fn route(&mut self, header: &RtpHeader<'_>) -> Option<usize> {
        let ssrc = header.ssrc();
        if let Some(source) = self.media.sources.get(&ssrc) {
            return Some(source.transceiver);
        }
        let by_signalled = self.media.negotiated.iter().position(|n| {
            n.remote_ssrcs.contains(&ssrc) || n.remote_rtx.iter().any(|(_, r)| *r == ssrc)
        });
        let by_mid = || {
            header.extensions().flatten().find_map(|e| {
                let mid = std::str::from_utf8(e.data).ok()?;
                self.media
                    .by_mid(mid)
                    .filter(|&i| self.media.negotiated[i].receive_mid_id == Some(e.id))
            })
        };
        let by_payload_type = || {
            let pt = header.payload_type();
            let mut candidates = self.media.transceivers.iter().enumerate().filter(|(i, t)| {
                !t.stopped
                    && t.current_direction.is_some_and(|d| d.receives())
                    && self.media.negotiated[*i]
                        .receive_codecs
                        .iter()
                        .any(|c| c.payload_type == pt)
            });
            let first = candidates.next().map(|(i, _)| i);
            first.filter(|_| candidates.next().is_none())
        };
        let index = by_signalled.or_else(by_mid).or_else(by_payload_type)?;
        if self.media.sources.len() >= MAX_REMOTE_SSRCS {
            return None;
        }
        let clock_rate = self.media.negotiated[index]
            .receive_codecs
            .first()
            .map_or(90_000, |c| c.clock_rate);
        self.media.sources.insert(
            ssrc,
            SourceState {
                transceiver: index,
                // SRTP authenticated the packet: no probation (RFC 3550 A.1's is
                // for unauthenticated sources).
                stats: ReceiveStats::new(ssrc, clock_rate).with_min_sequential(1),
                depacketizer: None,
            },
        );
        if !self.media.transceivers[index]
            .receiver
            .ssrcs
            .contains(&ssrc)
        {
            self.media.transceivers[index].receiver.ssrcs.push(ssrc);
        }
        Some(index)
    }

    /// An RTP packet, SRTP removed.
    pub(crate) fn on_rtp(&mut self, now: Instant, packet: Vec<u8>) {
        let Ok(header) = RtpHeader::parse(&packet) else {
            self.media.stats.rtp_invalid += 1;
            return;
        };
        let Some(index) = self.route(&header) else {
            self.media.stats.rtp_unroutable += 1;
            return;
        };
        let pt = header.payload_type();
        let Some(codec) = self.media.negotiated[index]
            .receive_codecs
            .iter()
            .find(|c| c.payload_type == pt)
            .cloned()
        else {
            self.media.stats.rtp_unknown_payload_type += 1;
            return;
        };
        if codec.name == CodecName::Rtx {
            self.media.stats.rtx_received += 1;
            return;
        }
        let source = self
            .media
            .sources
            .get_mut(&header.ssrc())
            .expect("routed sources have state");
        let status = source
            .stats
            .on_packet(header.sequence_number(), header.timestamp(), now);
        if !status.is_valid() || status == sansrtc_rtp::PacketStatus::Duplicate {
            self.media.stats.rtp_invalid += 1;
            return;
        }
        self.media.stats.rtp_received += 1;
        let id = TransceiverId(index);
        let mode = self.media.transceivers[index].receiver.mode;
        if mode == ReceiveMode::Frames {
            if !source.depacketizer.as_ref().is_some_and(|(p, _)| *p == pt) {
                source.depacketizer = Depacketizer::new(codec.name).map(|d| (pt, d));
            }
            if let Some((_, depacketizer)) = &mut source.depacketizer {
                depacketizer.push(Packet::from(&header));
                let frames = std::mem::take(&mut depacketizer.frames);
                for frame in &frames {
                    self.media.stats.frames_received += 1;
                    self.emit(PeerEvent::Media(MediaEvent::Frame {
                        transceiver: id,
                        data: frame.data.clone(),
                        rtp_timestamp: frame.timestamp,
                        keyframe: frame.keyframe,
                        payload_type: pt,
                    }));
                }
                return;
            }
        }
        self.emit(PeerEvent::Media(MediaEvent::Rtp {
            transceiver: id,
            packet,
        }));
    }

    /// Forgets the routes of sources whose transceiver no longer receives.
    pub(crate) fn prune_sources(&mut self) {
        let transceivers = &self.media.transceivers;
        self.media
            .sources
            .retain(|_, s| transceivers.get(s.transceiver).is_some_and(|t| !t.stopped));
    }
}

/// The sources map type.
pub(crate) type Sources = BTreeMap<u32, SourceState>;
