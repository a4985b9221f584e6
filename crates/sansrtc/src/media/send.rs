//! Sending: a frame → payloader → RTP (with the MID extension) → SRTP →
//! the selected pair; or ready RTP from the application.

use std::time::Instant;

use rand_core::RngCore;
use sansrtc_rtp::rtcp::Nack;
use sansrtc_rtp::set_transport_sequence;
use sansrtc_rtp::{
    ResendLimiter, RtpHeader, RtpWriter, RtxSender, SendHistory, SendHistoryConfig, SendStream,
    DEFAULT_RTT,
};

use super::codec::{CodecName, RtpCodecParameters};
use super::packetizer::Packetizer;
use super::twcc::next_transport_sequence;
use super::TransceiverId;
use crate::error::RtcError;
use crate::RtcPeerConnection;

/// The largest RTP payload we send: the DTLS MTU less the RTP header (12),
/// the MID extension (8) and the largest SRTP tag (16).
pub const MAX_RTP_PAYLOAD: usize = crate::transport::DTLS_MTU - 12 - 8 - 16;

/// The shortest time between two retransmissions of one packet, whatever
/// round-trip time the remote's reports give: a report can claim zero, and
/// then every NACK would resend everything it names again (libwebrtc adds
/// 5 ms to the RTT for the same reason).
const MIN_RESEND_INTERVAL: std::time::Duration = std::time::Duration::from_millis(5);

/// A sender's state once it sends: the stream numbering and the codec.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct SendState {
    pub stream: SendStream,
    pub codec: RtpCodecParameters,
    pub packetizer: Packetizer,
    pub mid_id: Option<u8>,
    /// The transceiver's mid, as the MID extension carries it.
    pub mid: Vec<u8>,
    /// The negotiation it was made for ([`super::Media::generation`]).
    pub generation: u64,
    /// Last time an SR was sent for it.
    pub last_report: Option<Instant>,
    /// The round-trip time from the remote's last report block on it.
    pub round_trip_time: Option<std::time::Duration>,
    /// The remote's last report block on it.
    pub remote_report: Option<sansrtc_rtp::rtcp::ReportBlock>,
    /// What was sent lately, for retransmission (when the remote NACKs).
    pub history: Option<SendHistory>,
    /// The RTX stream and its payload type, when RTX was negotiated.
    pub rtx: Option<(RtxSender, u8)>,
    /// One retransmission per packet per round trip.
    pub limiter: ResendLimiter,
    /// The RTP header its packets share, made at the first frame and
    /// again when the transport-wide extension id changes.
    pub header: Option<HeaderTemplate>,
}

/// The RTP header of a sender's packets written once (payload type, SSRC,
/// the transport-wide sequence number and MID extensions), then copied per
/// packet with the marker, sequence number, timestamp and transport-wide
/// sequence number set: the same bytes [`RtpWriter`] writes, without
/// laying out the extensions again for every packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderTemplate {
    /// The transport-wide sequence number extension id it was made with.
    twcc_id: Option<u8>,
    bytes: Vec<u8>,
    /// Where the transport-wide sequence number's two bytes are.
    twcc_at: Option<usize>,
}

impl HeaderTemplate {
    /// The header for `payload_type` and `ssrc` with the transport-wide
    /// sequence number extension `twcc_id` (first, as `write_frame` always
    /// wrote it) and the MID extension `mid_id`.
    pub(crate) fn new(
        payload_type: u8,
        ssrc: u32,
        twcc_id: Option<u8>,
        mid_id: Option<u8>,
        mid: &[u8],
    ) -> Result<Self, RtcError> {
        let mut extensions: [(u8, &[u8]); 2] = [(0, &[]); 2];
        let mut n = 0;
        if let Some(ext) = twcc_id {
            extensions[n] = (ext, &[0, 0]);
            n += 1;
        }
        if let Some(ext) = mid_id {
            extensions[n] = (ext, mid);
            n += 1;
        }
        let mut bytes = Vec::new();
        RtpWriter {
            payload_type,
            ssrc,
            extensions: &extensions[..n],
            ..RtpWriter::default()
        }
        .write(&mut bytes)
        .map_err(|e| RtcError::Media(format!("RTP writer: {e}")))?;
        let twcc_at = match twcc_id {
            Some(id) => {
                let header = RtpHeader::parse(&bytes)
                    .map_err(|e| RtcError::Media(format!("RTP writer: {e}")))?;
                let element = header
                    .extensions()
                    .map_while(Result::ok)
                    .find(|e| e.id == id)
                    .ok_or_else(|| {
                        RtcError::Media("RTP writer: no transport-wide element".into())
                    })?;
                Some(element.data.as_ptr() as usize - bytes.as_ptr() as usize)
            }
            None => None,
        };
        Ok(HeaderTemplate {
            twcc_id,
            bytes,
            twcc_at,
        })
    }

    /// Appends the header of one packet to `out`.
    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        marker: bool,
        sequence_number: u16,
        timestamp: u32,
        transport_sequence: u16,
    ) {
        let start = out.len();
        out.extend_from_slice(&self.bytes);
        let h = &mut out[start..];
        h[1] |= u8::from(marker) << 7;
        h[2..4].copy_from_slice(&sequence_number.to_be_bytes());
        h[4..8].copy_from_slice(&timestamp.to_be_bytes());
        if let Some(at) = self.twcc_at {
            h[at..at + 2].copy_from_slice(&transport_sequence.to_be_bytes());
        }
    }
}

impl RtcPeerConnection {
    /// The send state of `id`, made on first use after negotiation.
    fn send_state(&mut self, id: TransceiverId) -> Result<&mut SendState, RtcError> {
        let t = self
            .media
            .transceivers
            .get(id.0)
            .ok_or_else(|| RtcError::InvalidArgument(format!("no transceiver {}", id.0)))?;
        if t.stopped || t.stopping || !t.current_direction.is_some_and(|d| d.sends()) {
            return Err(RtcError::Media(
                "the transceiver does not send (negotiated direction)".into(),
            ));
        }
        if !self.transports[self.media_transport(Some(id.0))].has_srtp() {
            return Err(RtcError::Media(
                "no SRTP keys yet (DTLS not connected)".into(),
            ));
        }
        let generation = self.media.generation;
        if let Some(state) = &self.media.send[id.0] {
            if state.generation == generation {
                return Ok(self.media.send[id.0].as_mut().expect("checked above"));
            }
        }
        let mid = t.mid.clone().unwrap_or_default().into_bytes();
        let negotiated = &self.media.negotiated[id.0];
        let codec = negotiated
            .send_codecs
            .iter()
            .find(|c| c.name != CodecName::Rtx)
            .cloned()
            .ok_or_else(|| RtcError::Media("no codec negotiated".into()))?;
        let mid_id = negotiated.send_mid_id;
        let ssrc = t.sender.ssrc;
        let nack = codec.has_feedback("nack");
        let rtx_pt = negotiated
            .send_codecs
            .iter()
            .find(|c| c.name == CodecName::Rtx && c.apt() == Some(codec.payload_type))
            .map(|c| c.payload_type);
        let rtx_ssrc = t.sender.rtx_ssrc;
        let same = self.media.send[id.0]
            .as_ref()
            .is_some_and(|s| s.codec == codec && s.mid_id == mid_id && s.mid == mid);
        if same {
            let state = self.media.send[id.0].as_mut().expect("checked above");
            state.generation = generation;
        } else {
            let previous = self.media.send[id.0].take();
            let rtx = match (rtx_pt, rtx_ssrc) {
                (Some(pt), Some(ssrc)) if nack => {
                    Some((RtxSender::new(ssrc, self.rng.next_u32() as u16), pt))
                }
                _ => None,
            };
            let stream = match previous {
                Some(p) => p.stream,
                None => SendStream::new(
                    ssrc,
                    codec.clock_rate,
                    self.rng.next_u32() as u16,
                    self.rng.next_u32(),
                ),
            };
            self.media.send[id.0] = Some(SendState {
                stream,
                packetizer: Packetizer::new(codec.name),
                codec,
                mid_id,
                mid,
                generation,
                last_report: None,
                round_trip_time: None,
                remote_report: None,
                history: nack.then(|| SendHistory::new(SendHistoryConfig::default())),
                rtx,
                limiter: ResendLimiter::default(),
                header: None,
            });
        }
        Ok(self.media.send[id.0].as_mut().expect("made above"))
    }

    /// Sends one encoded frame on transceiver `id`: `media_timestamp` is
    /// its capture time in the codec's clock units (48 kHz for Opus,
    /// 90 kHz for video) from any origin; the connection adds its random
    /// offset. Video frames are split at [`MAX_RTP_PAYLOAD`]; the last
    /// packet carries the marker bit.
    pub fn write_frame(
        &mut self,
        now: Instant,
        id: TransceiverId,
        media_timestamp: u32,
        frame: &[u8],
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let twcc_id = self.twcc_send_id();
        let state = self.send_state(id)?;
        state
            .packetizer
            .packetize(frame, MAX_RTP_PAYLOAD)
            .map_err(|e| RtcError::Media(format!("payloader: {e}")))?;
        let transport = self.media_transport(Some(id.0));
        // Each packet is written, kept for retransmission and sent in turn,
        // without collecting them first: the send state, the transport-wide
        // sequencer, the transport and the counters are separate fields.
        let Some(state) = self.media.send[id.0].as_mut() else {
            return Ok(());
        };
        if state.header.as_ref().map_or(true, |h| h.twcc_id != twcc_id) {
            state.header = Some(HeaderTemplate::new(
                state.codec.payload_type,
                state.stream.ssrc(),
                twcc_id,
                state.mid_id,
                &state.mid,
            )?);
        }
        let template = state.header.as_ref().expect("made above");
        let count = state.packetizer.count();
        let marker_ends_frame = state.packetizer.marker_ends_frame();
        for i in 0..count {
            let (header, body) = state.packetizer.payload(frame, i);
            let payload_len = header.len() + body.len();
            let transport_sequence = match twcc_id {
                Some(_) => next_transport_sequence(&mut self.media.twcc, &mut *self.rng, now, 0),
                None => 0,
            };
            let next = state.stream.next(media_timestamp, now, payload_len);
            // Room for the SRTP tag, which is added in place.
            let mut buf = Vec::with_capacity(template.bytes.len() + payload_len + 16);
            // The header, then the payload header and the frame's bytes
            // straight after it (no padding: the payload ends the packet).
            template.write(
                &mut buf,
                i + 1 == count && marker_ends_frame,
                next.sequence_number,
                next.timestamp,
                transport_sequence,
            );
            buf.extend_from_slice(header);
            buf.extend_from_slice(body);
            if let Some(history) = &mut state.history {
                let _ = history.insert(&buf, now);
            }
            if self.transports[transport].send_media(now, buf, false) {
                self.media.stats.rtp_sent += 1;
            }
        }
        self.flush_media_transmits(now);
        Ok(())
    }

    /// Sends a ready RTP packet on transceiver `id`. Its SSRC is replaced
    /// by the sender's; everything else is sent as given.
    pub fn write_rtp(
        &mut self,
        now: Instant,
        id: TransceiverId,
        packet: &[u8],
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let header = RtpHeader::parse(packet)
            .map_err(|e| RtcError::Media(format!("not an RTP packet: {e}")))?;
        let state = self.send_state(id)?;
        let ssrc = state.stream.ssrc();
        // Counted for the sender report, at the application's timestamps.
        let media_timestamp = header
            .timestamp()
            .wrapping_sub(state.stream.timestamp_offset());
        let _numbering_unused = state
            .stream
            .next(media_timestamp, now, header.payload().len());
        let mut packet = packet.to_vec();
        packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
        if let Some(history) = &mut state.history {
            let _ = history.insert(&packet, now);
        }
        self.send_media(now, Some(id.0), packet, false);
        self.flush_media_transmits(now);
        Ok(())
    }
}

impl RtcPeerConnection {
    /// The remote lost packets of our stream: each is sent again, on the
    /// RTX stream when RTX was negotiated (RFC 4588), else as it was; at
    /// most once per round trip, and only while the history has it.
    pub(crate) fn on_nack(&mut self, now: Instant, nack: &Nack) {
        let Some((transceiver, state)) =
            self.media.send.iter_mut().enumerate().find_map(|(i, s)| {
                s.as_mut()
                    .filter(|s| s.stream.ssrc() == nack.media_ssrc)
                    .map(|s| (i, s))
            })
        else {
            return;
        };
        let Some(history) = &state.history else {
            return;
        };
        let rtt = state
            .round_trip_time
            .unwrap_or(DEFAULT_RTT)
            .max(MIN_RESEND_INTERVAL);
        let mut resend = Vec::new();
        for seq in nack.lost() {
            let Some(original) = history.get(seq, now) else {
                continue;
            };
            if !state.limiter.allow(seq, now, rtt) {
                continue;
            }
            match &mut state.rtx {
                Some((rtx, pt)) => {
                    let mut buf = Vec::with_capacity(original.len() + 2);
                    if rtx.resend(original, *pt, &mut buf).is_ok() {
                        resend.push(buf);
                    }
                    // A retransmission is a new packet on the transport:
                    // it gets a new transport-wide sequence number below.
                }
                None => resend.push(original.to_vec()),
            }
        }
        let twcc_id = self.twcc_send_id();
        for mut packet in resend {
            if let Some(id) = twcc_id {
                let seq = self.next_transport_sequence(now, packet.len());
                set_transport_sequence(&mut packet, id, seq);
            }
            if self.send_media(now, Some(transceiver), packet, false) {
                self.media.stats.rtp_retransmitted += 1;
            }
        }
    }
}

impl RtcPeerConnection {
    /// After sending media: only the ICE agent has new output (the
    /// transmits, left in the transports' queues for `poll_output`), so
    /// only it is drained; DTLS, SCTP and the states did not change.
    fn flush_media_transmits(&mut self, now: Instant) {
        for transport in &mut self.transports {
            transport.drain_agent_only(now);
        }
        self.update_media_timeout();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template writes what `RtpWriter` writes for the same packet, in
    /// either extension form, with or without each extension.
    #[test]
    fn header_template_writes_what_the_writer_writes() {
        let long_mid = [b'm'; 20]; // too long for the one-byte form
        let cases: [(Option<u8>, Option<u8>, &[u8]); 6] = [
            (None, None, b""),
            (Some(3), None, b""),
            (None, Some(1), b"0"),
            (Some(3), Some(1), b"audio"),
            (Some(15), Some(1), b"0"), // id 15: the two-byte form
            (Some(2), Some(4), &long_mid),
        ];
        for (twcc_id, mid_id, mid) in cases {
            let template = HeaderTemplate::new(111, 0xdead_beef, twcc_id, mid_id, mid).unwrap();
            for (marker, seq, ts, twcc) in [
                (false, 0, 0, 0),
                (true, 0xfffe, 0x8000_0001, 0xabcd),
                (true, 1, u32::MAX, 65535),
            ] {
                let twcc_bytes = u16::to_be_bytes(twcc);
                let mut extensions: Vec<(u8, &[u8])> = Vec::new();
                if let Some(id) = twcc_id {
                    extensions.push((id, &twcc_bytes));
                }
                if let Some(id) = mid_id {
                    extensions.push((id, mid));
                }
                let mut want = vec![7];
                RtpWriter {
                    marker,
                    payload_type: 111,
                    sequence_number: seq,
                    timestamp: ts,
                    ssrc: 0xdead_beef,
                    extensions: &extensions,
                    ..RtpWriter::default()
                }
                .write(&mut want)
                .unwrap();
                let mut got = vec![7];
                template.write(&mut got, marker, seq, ts, twcc);
                assert_eq!(got, want, "{twcc_id:?} {mid_id:?} {marker} {seq}");
            }
        }
    }
}
