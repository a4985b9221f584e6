//! Transport-wide congestion control feedback
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01) on the connection:
//! every RTP packet we send carries a transport-wide sequence number when
//! the remote negotiated the extension, and we report the arrival of every
//! packet that carries one. The feedback the remote sends is read and
//! counted (there is no congestion controller to feed yet).

use std::time::Instant;

use sansrtc_rtp::rtcp::TransportCc;
use sansrtc_rtp::{transport_sequence, RtpHeader, TransportSequencer, TwccRecorder};

use crate::RtcPeerConnection;

/// The next transport-wide sequence number, for a packet of `size` (the
/// state and the connection's random source apart, for callers that hold
/// other parts of the connection).
pub(crate) fn next_transport_sequence(
    twcc: &mut Twcc,
    rng: &mut (impl rand_core::RngCore + ?Sized),
    now: Instant,
    size: usize,
) -> u16 {
    let initial = rng.next_u32() as u16;
    let sequencer = twcc
        .sequencer
        .get_or_insert_with(|| TransportSequencer::new(initial));
    twcc.stats.packets_sent += 1;
    sequencer.on_send(now, size)
}

/// What the transport-wide feedback told us about our packets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TwccStats {
    /// Packets we sent with a transport-wide sequence number.
    pub packets_sent: u64,
    /// Feedback packets received.
    pub feedback_received: u64,
    /// Of the packets the feedback covered, those it reported received.
    pub reported_received: u64,
    /// Of the packets the feedback covered, those it reported lost.
    pub reported_lost: u64,
    /// Feedback packets we sent.
    pub feedback_sent: u64,
}

/// The connection's transport-wide state (one transport).
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Twcc {
    pub sequencer: Option<TransportSequencer>,
    pub recorder: Option<TwccRecorder>,
    pub stats: TwccStats,
}

impl RtcPeerConnection {
    /// The extension id the remote wants our transport-wide sequence
    /// numbers in, if any negotiated section has it.
    pub(crate) fn twcc_send_id(&self) -> Option<u8> {
        self.media.negotiated.iter().find_map(|n| n.send_twcc_id)
    }

    /// The next transport-wide sequence number, for a packet of `size`.
    pub(crate) fn next_transport_sequence(&mut self, now: Instant, size: usize) -> u16 {
        next_transport_sequence(&mut self.media.twcc, &mut *self.rng, now, size)
    }

    /// A received packet's transport-wide sequence number, recorded.
    pub(crate) fn record_arrival(&mut self, index: usize, header: &RtpHeader<'_>, now: Instant) {
        let Some(id) = self.media.negotiated[index].receive_twcc_id else {
            return;
        };
        let Some(seq) = transport_sequence(header, id) else {
            return;
        };
        self.media
            .twcc
            .recorder
            .get_or_insert_with(TwccRecorder::default)
            .on_packet(seq, now);
    }

    /// When the next feedback is due.
    pub(crate) fn twcc_timeout(&self) -> Option<Instant> {
        self.media.twcc.recorder.as_ref()?.next_timeout()
    }

    /// Sends the feedback that is due.
    pub(crate) fn send_twcc_feedback(&mut self, now: Instant) {
        if !self.twcc_timeout().is_some_and(|t| t <= now) {
            return;
        }
        let sender = self
            .media
            .transceivers
            .iter()
            .find(|t| !t.stopped)
            .map_or(1, |t| t.sender.ssrc);
        let media = self
            .media
            .sources
            .iter()
            .find(|(_, s)| !s.is_rtx)
            .map_or(0, |(ssrc, _)| *ssrc);
        let Some(recorder) = &mut self.media.twcc.recorder else {
            return;
        };
        for feedback in recorder.poll_feedback(now, sender, media) {
            let mut out = Vec::with_capacity(64);
            feedback.write(&mut out);
            if self.send_media(now, None, out, true) {
                self.media.twcc.stats.feedback_sent += 1;
                self.media.stats.rtcp_sent += 1;
            }
        }
    }

    /// The remote's feedback on our packets.
    pub(crate) fn on_twcc_feedback(&mut self, feedback: &TransportCc) {
        self.media.twcc.stats.feedback_received += 1;
        for (_, arrival) in feedback.packets() {
            if arrival.is_some() {
                self.media.twcc.stats.reported_received += 1;
            } else {
                self.media.twcc.stats.reported_lost += 1;
            }
        }
    }

    /// The transport-wide feedback counters.
    pub fn twcc_stats(&self) -> TwccStats {
        self.media.twcc.stats
    }
}
