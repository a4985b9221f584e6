//! Receiving: routing an unprotected RTP packet to its transceiver (RFC
//! 8843 §9.2: by a known SSRC, else by the MID header extension, else by a
//! payload type only one receiving transceiver uses), its statistics, and
//! delivery as frames or packets.

use std::collections::BTreeMap;
use std::time::Instant;

use sansrtc_rtp::{original_from_rtx, NackGenerator, ReceiveStats, RtpHeader};

use super::codec::CodecName;
use super::packetizer::Depacketizer;
use super::reorder::ReorderBuffer;
use super::transceiver::ReceiveMode;
use super::{MediaEvent, TransceiverId};
use crate::event::PeerEvent;
use crate::RtcPeerConnection;
use sansrtc_rtp::codec::Packet;

/// Remote SSRCs one connection keeps routes and statistics for; packets of
/// further sources are dropped and counted.
pub const MAX_REMOTE_SSRCS: usize = 256;

/// What routing and delivery read from an RTP header, kept once it is
/// parsed so that the packet can move on (into the reorder buffer, to the
/// depayloader) without being parsed again.
#[derive(Debug, Clone, Copy)]
struct RtpFields {
    ssrc: u32,
    sequence_number: u16,
    timestamp: u32,
    payload_type: u8,
    marker: bool,
    /// The payload: `packet[payload_start..payload_end]`.
    payload_start: usize,
    payload_end: usize,
}

impl RtpFields {
    fn of(header: &RtpHeader<'_>) -> Self {
        let payload_start = header.header_len();
        RtpFields {
            ssrc: header.ssrc(),
            sequence_number: header.sequence_number(),
            timestamp: header.timestamp(),
            payload_type: header.payload_type(),
            marker: header.marker(),
            payload_start,
            payload_end: payload_start + header.payload().len(),
        }
    }
}

/// One receiving source's state.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct SourceState {
    pub transceiver: usize,
    pub stats: ReceiveStats,
    pub depacketizer: Option<(u8, Depacketizer)>,
    /// NACK requests, when `nack` was negotiated for the transceiver.
    pub nack: Option<NackGenerator>,
    /// Packets back in sequence before the depayloader (with NACK).
    pub reorder: Option<ReorderBuffer>,
    /// Whether it is an RTX stream.
    pub is_rtx: bool,
    /// Video that waits for a keyframe (at the start, or after a frame
    /// was dropped).
    pub needs_keyframe: bool,
    /// The depayloader's dropped frames when last looked at.
    pub dropped_seen: u64,
    /// When a keyframe was last asked for on our own.
    pub last_keyframe_request: Option<Instant>,
    /// The source's last sender report (`remote-outbound-rtp`).
    pub last_sender_report: Option<RemoteSenderReport>,
    /// Its RtpStreamId (RFC 8852), when the sender named it: the simulcast
    /// layer; for RTX, the layer it repairs (RepairedRtpStreamId).
    pub rid: Option<String>,
}

/// The longest rid we keep (RFC 8852's element fits a one-byte header
/// extension: 16 bytes).
pub const MAX_RID_LEN: usize = 16;

/// The text of header extension `id` when it is a valid rid-id (RFC 8851
/// §10: alphanumerics, `-` and `_`; here at most [`MAX_RID_LEN`] bytes).
fn rid_of(header: &RtpHeader<'_>, id: Option<u8>) -> Option<String> {
    let id = id?;
    let data = header
        .extensions()
        .flatten()
        .find(|e| e.id == id)
        .map(|e| e.data)?;
    let valid = !data.is_empty()
        && data.len() <= MAX_RID_LEN
        && data
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    valid.then(|| String::from_utf8_lossy(data).into_owned())
}

/// What the last sender report of a remote source said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RemoteSenderReport {
    /// Its NTP timestamp (the remote's clock).
    pub ntp: sansrtc_rtp::NtpTime,
    /// The sender's packet and octet counts (wrapped at 2^32).
    pub packets: u32,
    /// Payload octets.
    pub octets: u32,
    /// Sender reports received from the source.
    pub count: u64,
}

/// How often a video receiver asks for a keyframe on its own while it
/// cannot decode (a dropped frame, or a start without one).
pub const KEYFRAME_REQUEST_INTERVAL: std::time::Duration = std::time::Duration::from_millis(300);

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
    /// RTX packets received.
    pub rtx_received: u64,
    /// Original packets recovered from RTX packets.
    pub rtx_recovered: u64,
    /// Packets we retransmitted on the remote's NACKs.
    pub rtp_retransmitted: u64,
    /// NACK packets sent.
    pub nacks_sent: u64,
    /// PLIs sent on our own (video that could not be decoded).
    pub keyframes_requested: u64,
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
        let negotiated = &self.media.negotiated[index];
        let clock_rate = negotiated
            .receive_codecs
            .first()
            .map_or(90_000, |c| c.clock_rate);
        // RFC 8852: a layer names itself; RTX names the layer it repairs.
        let repairs = rid_of(header, negotiated.receive_repaired_rid_id);
        let rid = repairs
            .clone()
            .or_else(|| rid_of(header, negotiated.receive_rid_id));
        let is_rtx = repairs.is_some()
            || negotiated.remote_rtx.iter().any(|(_, r)| *r == ssrc)
            || negotiated
                .receive_codecs
                .iter()
                .any(|c| c.payload_type == header.payload_type() && c.name == CodecName::Rtx);
        let nack = !is_rtx
            && negotiated
                .receive_codecs
                .iter()
                .any(|c| c.name != CodecName::Rtx && c.has_feedback("nack"));
        self.media.sources.insert(
            ssrc,
            SourceState {
                transceiver: index,
                // SRTP authenticated the packet: no probation (RFC 3550 A.1's is
                // for unauthenticated sources).
                stats: ReceiveStats::new(ssrc, clock_rate).with_min_sequential(1),
                depacketizer: None,
                nack: nack.then(NackGenerator::default),
                reorder: nack.then(ReorderBuffer::default),
                is_rtx,
                needs_keyframe: true,
                dropped_seen: 0,
                last_keyframe_request: None,
                last_sender_report: None,
                rid,
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
        else {
            self.media.stats.rtp_unknown_payload_type += 1;
            return;
        };
        let is_rtx = codec.name == CodecName::Rtx;
        self.record_arrival(index, &header, now);
        if is_rtx {
            let rtx_ssrc = header.ssrc();
            self.on_rtx(now, index, rtx_ssrc, &packet);
            return;
        }
        // Routed above: on without parsing or routing it again.
        let fields = RtpFields::of(&header);
        self.on_routed_packet(now, index, fields, packet);
    }

    /// An RTX packet (RFC 4588): the original packet it carries goes the
    /// way of the others.
    fn on_rtx(&mut self, now: Instant, index: usize, rtx_ssrc: u32, packet: &[u8]) {
        self.media.stats.rtx_received += 1;
        let negotiated = &self.media.negotiated[index];
        let signalled = negotiated
            .remote_rtx
            .iter()
            .find(|(_, r)| *r == rtx_ssrc)
            .map(|(m, _)| *m);
        // Without a=ssrc-group:FID: the media source of the layer the RTX
        // stream repairs (RFC 8852), else the transceiver's one source.
        let repairs = self
            .media
            .sources
            .get(&rtx_ssrc)
            .and_then(|s| s.rid.clone());
        let media_ssrc = signalled.or_else(|| {
            let mut media = self.media.sources.iter().filter(|(_, s)| {
                s.transceiver == index && !s.is_rtx && (repairs.is_none() || s.rid == repairs)
            });
            let first = media.next().map(|(ssrc, _)| *ssrc);
            first.filter(|_| media.next().is_none())
        });
        let apt: Vec<(u8, u8)> = negotiated
            .receive_codecs
            .iter()
            .filter(|c| c.name == CodecName::Rtx)
            .filter_map(|c| Some((c.payload_type, c.apt()?)))
            .collect();
        let Some(media_ssrc) = media_ssrc else {
            self.media.stats.rtp_unroutable += 1;
            return;
        };
        let mut original = Vec::with_capacity(packet.len());
        match original_from_rtx(packet, media_ssrc, &apt, &mut original) {
            Ok(_) => {
                self.media.stats.rtx_recovered += 1;
                self.on_media_packet(now, index, original);
            }
            Err(_) => self.media.stats.rtp_invalid += 1,
        }
    }

    /// A media packet (received, or recovered from RTX) of transceiver
    /// `index`: statistics, NACK state, reordering, then delivery.
    fn on_media_packet(&mut self, now: Instant, index: usize, packet: Vec<u8>) {
        let Ok(header) = RtpHeader::parse(&packet) else {
            self.media.stats.rtp_invalid += 1;
            return;
        };
        if self.route(&header) != Some(index) {
            self.media.stats.rtp_unroutable += 1;
            return;
        }
        let fields = RtpFields::of(&header);
        self.on_routed_packet(now, index, fields, packet);
    }

    /// [`Self::on_media_packet`] once the packet is parsed (`fields`) and
    /// routed to `index`.
    fn on_routed_packet(&mut self, now: Instant, index: usize, fields: RtpFields, packet: Vec<u8>) {
        let ssrc = fields.ssrc;
        let seq = fields.sequence_number;
        let source = self
            .media
            .sources
            .get_mut(&ssrc)
            .expect("routed sources have state");
        let status = source.stats.on_packet(seq, fields.timestamp, now);
        if !status.is_valid() || status == sansrtc_rtp::PacketStatus::Duplicate {
            self.media.stats.rtp_invalid += 1;
            return;
        }
        self.media.stats.rtp_received += 1;
        if let Some(nack) = &mut source.nack {
            nack.on_packet(seq, now);
        }
        let in_order = source.reorder.as_mut().map(|r| r.pass(seq));
        match &mut source.reorder {
            _ if in_order == Some(true) => self.deliver_parsed(now, index, fields, packet),
            Some(reorder) => {
                let mut ready = Vec::new();
                reorder.push(seq, packet, now, &mut ready);
                for packet in ready {
                    self.deliver(now, index, ssrc, packet);
                }
            }
            None => self.deliver_parsed(now, index, fields, packet),
        }
    }

    /// Packets a reorder buffer gave up waiting for are skipped; the
    /// packets after them are delivered.
    pub(crate) fn reorder_timeouts(&mut self, now: Instant) {
        let due: Vec<u32> = self
            .media
            .sources
            .iter()
            .filter(|(_, s)| {
                s.reorder
                    .as_ref()
                    .and_then(ReorderBuffer::next_timeout)
                    .is_some_and(|t| t <= now)
            })
            .map(|(ssrc, _)| *ssrc)
            .collect();
        for ssrc in due {
            let mut ready = Vec::new();
            let Some(source) = self.media.sources.get_mut(&ssrc) else {
                continue;
            };
            let index = source.transceiver;
            if let Some(reorder) = &mut source.reorder {
                reorder.handle_timeout(now, &mut ready);
            }
            for packet in ready {
                self.deliver(now, index, ssrc, packet);
            }
        }
    }

    /// Hands an in-order packet to the application: as frames through the
    /// depayloader, or as RTP.
    fn deliver(&mut self, now: Instant, index: usize, ssrc: u32, packet: Vec<u8>) {
        let Ok(header) = RtpHeader::parse(&packet) else {
            return;
        };
        let fields = RtpFields {
            ssrc,
            ..RtpFields::of(&header)
        };
        self.deliver_parsed(now, index, fields, packet);
    }

    /// [`Self::deliver`] of a packet already parsed (`fields`).
    fn deliver_parsed(&mut self, now: Instant, index: usize, fields: RtpFields, packet: Vec<u8>) {
        let ssrc = fields.ssrc;
        let pt = fields.payload_type;
        let id = TransceiverId(index);
        let mode = self.media.transceivers[index].receiver.mode;
        let name = self.media.negotiated[index]
            .receive_codecs
            .iter()
            .find(|c| c.payload_type == pt)
            .map(|c| c.name);
        if let (ReceiveMode::Frames, Some(name), Some(source)) =
            (mode, name, self.media.sources.get_mut(&ssrc))
        {
            if !source.depacketizer.as_ref().is_some_and(|(p, _)| *p == pt) {
                source.depacketizer = Depacketizer::new(name).map(|d| (pt, d));
            }
            if let Some((_, depacketizer)) = &mut source.depacketizer {
                depacketizer.push(Packet::new(
                    &packet[fields.payload_start..fields.payload_end],
                    fields.sequence_number,
                    fields.timestamp,
                    fields.marker,
                ));
                // The frames go out through the connection's spare vector
                // (swapped in, drained, kept): no vector made per packet.
                let mut frames = std::mem::take(&mut self.media.frames);
                std::mem::swap(&mut frames, &mut depacketizer.frames);
                // Video that cannot be decoded until a keyframe: a frame was
                // dropped (a gap NACK did not fill), or the stream starts
                // without one. Ask for one (PLI), at most every
                // KEYFRAME_REQUEST_INTERVAL.
                let dropped = depacketizer.stats().dropped_frames;
                let mut ask = false;
                if name.kind() == sansrtc_sdp::jsep::MediaKind::Video {
                    if dropped > source.dropped_seen {
                        source.needs_keyframe = true;
                        ask = true;
                    }
                    for frame in &frames {
                        if frame.keyframe {
                            source.needs_keyframe = false;
                        } else if source.needs_keyframe {
                            ask = true;
                        }
                    }
                }
                source.dropped_seen = dropped;
                let rid = source.rid.clone();
                let ask = ask
                    && source.needs_keyframe
                    && source
                        .last_keyframe_request
                        .map_or(true, |t| now >= t + KEYFRAME_REQUEST_INTERVAL);
                if ask {
                    source.last_keyframe_request = Some(now);
                }
                if ask && self.send_keyframe_request(now, index, ssrc, false) {
                    self.media.stats.keyframes_requested += 1;
                }
                for frame in frames.drain(..) {
                    self.media.stats.frames_received += 1;
                    self.emit(PeerEvent::Media(MediaEvent::Frame {
                        transceiver: id,
                        data: frame.data,
                        rtp_timestamp: frame.timestamp,
                        keyframe: frame.keyframe,
                        payload_type: pt,
                        ssrc,
                        rid: rid.clone(),
                    }));
                }
                self.media.frames = frames;
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
