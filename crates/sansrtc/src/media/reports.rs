//! RTCP: sender and receiver reports with the CNAME at RFC 3550 intervals,
//! keyframe requests (PLI, FIR), and what the remote's RTCP tells us
//! (its sender reports for our LSR/DLSR, its report blocks for the round
//! trip time, its keyframe requests).

use std::time::{Duration, Instant};

use sansrtc_rtp::rtcp::{
    parse_compound, Fir, FirEntry, Pli, ReceiverReport, ReportBlock, RtcpPacket, SenderReport,
    SourceDescription,
};
use sansrtc_rtp::{round_trip_time, NtpTime};

use super::{MediaEvent, TransceiverId};
use crate::event::PeerEvent;
use crate::RtcPeerConnection;

/// The report interval: RFC 3550 §6.2's 5 s minimum scaled down as its
/// "reduced minimum" allows for the bandwidth of a video call (360 /
/// session kbit/s), as browsers send about once a second.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Report blocks per RTCP packet (the 5-bit count).
const MAX_BLOCKS: usize = 31;

impl RtcPeerConnection {
    /// The time of day at `now` as NTP.
    fn ntp_now(&self, now: Instant) -> NtpTime {
        let wall = self.wall_clock_at_start + now.saturating_duration_since(self.started_at);
        NtpTime::from_unix(
            wall.duration_since(std::time::SystemTime::UNIX_EPOCH)
                .unwrap_or(Duration::ZERO),
        )
    }

    /// When media next wants [`RtcPeerConnection::media_handle_timeout`]:
    /// reports, NACKs, reorder deadlines, transport-wide feedback. Computed
    /// at the end of every drain (every call that changes media state ends
    /// with one) and kept, so polling costs nothing.
    pub(crate) fn media_timeout(&self) -> Option<Instant> {
        self.media.timeout
    }

    /// Recomputes [`RtcPeerConnection::media_timeout`].
    pub(crate) fn update_media_timeout(&mut self) {
        self.media.timeout = self.compute_media_timeout();
    }

    /// The earliest of the report timer, every source's NACK and reorder
    /// timers and the transport-wide feedback timer. A plain loop: this
    /// runs after every frame sent and every drain (a chain of flattened
    /// iterators was moved around and folded at a measurable cost).
    fn compute_media_timeout(&self) -> Option<Instant> {
        let mut earliest = self.media.next_report;
        let mut at = |t: Option<Instant>| {
            if let Some(t) = t {
                earliest = Some(earliest.map_or(t, |e| e.min(t)));
            }
        };
        for s in self.media.sources.values() {
            if let Some(nack) = &s.nack {
                at(nack.next_timeout());
            }
            if let Some(reorder) = &s.reorder {
                at(reorder.next_timeout());
            }
        }
        at(self.twcc_timeout());
        earliest
    }

    /// Arms the report timer once SRTP exists and media is negotiated.
    pub(crate) fn arm_reports(&mut self, now: Instant) {
        let any = self
            .media
            .transceivers
            .iter()
            .any(|t| !t.stopped && t.current_direction.is_some());
        let keyed = self.transports.iter().any(|t| t.has_srtp());
        if any && self.media.next_report.is_none() && keyed {
            self.media.next_report = Some(now + REPORT_INTERVAL / 2);
        }
    }

    /// Sends the reports that are due.
    pub(crate) fn media_handle_timeout(&mut self, now: Instant) {
        if self.media.next_report.is_some_and(|t| t <= now) {
            self.media.next_report = Some(now + REPORT_INTERVAL);
            self.send_reports(now);
        }
        self.reorder_timeouts(now);
        self.send_nacks(now);
        self.send_twcc_feedback(now);
    }

    /// NACKs for what is missing and due, per source.
    fn send_nacks(&mut self, now: Instant) {
        let rtt = self
            .media
            .send
            .iter()
            .flatten()
            .find_map(|s| s.round_trip_time)
            .unwrap_or(sansrtc_rtp::DEFAULT_RTT);
        let mut packets = Vec::new();
        for (&ssrc, source) in self.media.sources.iter_mut() {
            let Some(nack) = &mut source.nack else {
                continue;
            };
            if !nack.next_timeout().is_some_and(|t| t <= now) {
                continue;
            }
            let sender = self
                .media
                .transceivers
                .get(source.transceiver)
                .map_or(1, |t| t.sender.ssrc);
            for packet in nack.poll_rtcp(now, rtt, sender, ssrc) {
                let mut out = Vec::with_capacity(64);
                packet.write(&mut out);
                packets.push((source.transceiver, out));
            }
        }
        for (transceiver, packet) in packets {
            if self.send_media(now, Some(transceiver), packet, true) {
                self.media.stats.nacks_sent += 1;
                self.media.stats.rtcp_sent += 1;
            }
        }
    }

    /// One compound packet per sending transceiver (SR + SDES) and one for
    /// all receiving ones (RR + SDES), report blocks for every source.
    fn send_reports(&mut self, now: Instant) {
        let ntp = self.ntp_now(now);
        let mut blocks: Vec<ReportBlock> = self
            .media
            .sources
            .values_mut()
            .filter_map(|s| s.stats.report_block(now))
            .collect();
        blocks.truncate(MAX_BLOCKS);
        let mut compounds = Vec::new();
        let mut first_sender = None;
        for (transceiver, state) in self
            .media
            .send
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.as_mut()?)))
        {
            let Some(rtp_timestamp) = state.stream.rtp_timestamp_at(now) else {
                continue;
            };
            let ssrc = state.stream.ssrc();
            first_sender.get_or_insert(ssrc);
            let mut out = Vec::with_capacity(128);
            SenderReport {
                ssrc,
                ntp_timestamp: ntp.0,
                rtp_timestamp,
                packet_count: state.stream.packet_count(),
                octet_count: state.stream.octet_count(),
                reports: std::mem::take(&mut blocks),
                profile_extensions: Vec::new(),
            }
            .write(&mut out);
            SourceDescription::with_cname(ssrc, &self.media.cname).write(&mut out);
            state.last_report = Some(now);
            compounds.push((Some(transceiver), out));
        }
        if first_sender.is_none() && !self.media.sources.is_empty() {
            // A receiver-only endpoint reports from a sender SSRC of its own.
            let reporter = self.media.transceivers.iter().position(|t| !t.stopped);
            let ssrc = reporter
                .map(|i| self.media.transceivers[i].sender.ssrc)
                .unwrap_or(1);
            let mut out = Vec::with_capacity(128);
            ReceiverReport {
                ssrc,
                reports: blocks,
                profile_extensions: Vec::new(),
            }
            .write(&mut out);
            SourceDescription::with_cname(ssrc, &self.media.cname).write(&mut out);
            compounds.push((reporter, out));
        }
        for (transceiver, packet) in compounds {
            if self.send_media(now, transceiver, packet, true) {
                self.media.stats.rtcp_sent += 1;
            }
        }
    }

    /// A keyframe request for what transceiver `id` receives: a PLI
    /// (RFC 4585 §6.3.1), or a FIR (RFC 5104 §4.3.1) with `full_intra`.
    pub fn request_keyframe(
        &mut self,
        now: Instant,
        id: TransceiverId,
        full_intra: bool,
    ) -> Result<(), crate::RtcError> {
        self.ensure_open()?;
        if self.media.transceivers.get(id.0).is_none() {
            return Err(crate::RtcError::InvalidArgument(format!(
                "no transceiver {}",
                id.0
            )));
        }
        let sources: Vec<u32> = self
            .media
            .sources
            .iter()
            .filter(|(_, s)| s.transceiver == id.0 && !s.is_rtx)
            .map(|(ssrc, _)| *ssrc)
            .collect();
        if sources.is_empty() {
            return Err(crate::RtcError::Media(
                "nothing received on this transceiver yet".into(),
            ));
        }
        for media in sources {
            self.send_keyframe_request(now, id.0, media, full_intra);
        }
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// A PLI (RFC 4585 §6.3.1), or a FIR (RFC 5104 §4.3.1) with
    /// `full_intra`, about the remote source `media` received on
    /// transceiver `index`. Whether it was sent.
    pub(crate) fn send_keyframe_request(
        &mut self,
        now: Instant,
        index: usize,
        media: u32,
        full_intra: bool,
    ) -> bool {
        let sender = self
            .media
            .transceivers
            .get(index)
            .map_or(1, |t| t.sender.ssrc);
        let mut out = Vec::with_capacity(20);
        if full_intra {
            self.media.fir_sequence = self.media.fir_sequence.wrapping_add(1);
            Fir {
                sender_ssrc: sender,
                media_ssrc: 0,
                entries: vec![FirEntry {
                    ssrc: media,
                    sequence: self.media.fir_sequence,
                }],
            }
            .write(&mut out);
        } else {
            Pli {
                sender_ssrc: sender,
                media_ssrc: media,
            }
            .write(&mut out);
        }
        let sent = self.send_media(now, Some(index), out, true);
        if sent {
            self.media.stats.rtcp_sent += 1;
        }
        sent
    }

    /// A compound RTCP packet, SRTCP removed.
    pub(crate) fn on_rtcp(&mut self, now: Instant, packet: &[u8]) {
        if self.media.rtcp_events {
            let packet = packet.to_vec();
            self.emit(PeerEvent::Media(MediaEvent::Rtcp { packet }));
        }
        let arrival = self.ntp_now(now);
        for parsed in parse_compound(packet) {
            let Ok(parsed) = parsed else {
                self.media.stats.rtcp_invalid += 1;
                continue;
            };
            self.media.stats.rtcp_received += 1;
            match parsed {
                RtcpPacket::SenderReport(sr) => {
                    if let Some(source) = self.media.sources.get_mut(&sr.ssrc) {
                        source
                            .stats
                            .on_sender_report(NtpTime(sr.ntp_timestamp), now);
                        let count = source.last_sender_report.map_or(0, |r| r.count) + 1;
                        source.last_sender_report = Some(super::receive::RemoteSenderReport {
                            ntp: NtpTime(sr.ntp_timestamp),
                            packets: sr.packet_count,
                            octets: sr.octet_count,
                            count,
                        });
                    }
                    self.on_report_blocks(&sr.reports, arrival);
                }
                RtcpPacket::ReceiverReport(rr) => self.on_report_blocks(&rr.reports, arrival),
                RtcpPacket::Pli(pli) => self.on_keyframe_request(pli.media_ssrc, false),
                RtcpPacket::Nack(nack) => self.on_nack(now, &nack),
                RtcpPacket::TransportCc(feedback) => self.on_twcc_feedback(&feedback),
                RtcpPacket::Fir(fir) => {
                    for entry in fir.entries {
                        // RFC 5104 §4.3.1.2: a repeated command sequence
                        // number is the same request, sent again.
                        let key = (fir.sender_ssrc, entry.ssrc);
                        if self.media.fir_seen.get(&key) == Some(&entry.sequence) {
                            continue;
                        }
                        if self.media.fir_seen.len() >= super::MAX_REMOTE_SSRCS {
                            self.media.fir_seen.clear();
                        }
                        self.media.fir_seen.insert(key, entry.sequence);
                        self.on_keyframe_request(entry.ssrc, true);
                    }
                }
                _ => {}
            }
        }
    }

    /// The remote asks for a keyframe of our stream `ssrc`.
    fn on_keyframe_request(&mut self, ssrc: u32, full_intra: bool) {
        if let Some(t) = self
            .media
            .transceivers
            .iter()
            .find(|t| t.sender.ssrc == ssrc && !t.stopped)
        {
            let event = MediaEvent::KeyframeRequest {
                transceiver: t.id,
                full_intra,
            };
            self.emit(PeerEvent::Media(event));
        }
    }

    /// Report blocks about our streams: the round-trip time.
    fn on_report_blocks(&mut self, blocks: &[ReportBlock], arrival: NtpTime) {
        for block in blocks {
            if let Some(state) = self
                .media
                .send
                .iter_mut()
                .flatten()
                .find(|s| s.stream.ssrc() == block.ssrc)
            {
                if let Some(rtt) = round_trip_time(block, arrival) {
                    state.round_trip_time = Some(rtt);
                }
                state.remote_report = Some(*block);
            }
        }
    }
}
