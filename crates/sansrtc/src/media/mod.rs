//! Media: transceivers, their negotiation, and RTP/RTCP over SRTP.
//!
//! The transceivers are what the application sees (`RTCRtpTransceiver`);
//! `Media` keeps them with what each offer/answer negotiated and with the
//! per-stream send and receive state.

mod api;
mod apply;
pub mod codec;
mod event;
mod negotiation;
mod packetizer;
mod plan;
mod receive;
mod reorder;
mod reports;
mod send;
mod transceiver;
mod twcc;

pub use api::TrackOrKind;
pub use codec::{default_codecs, CodecName, RtpCodecParameters};
pub use event::{MediaEvent, TrackEvent};
pub use receive::{MediaStats, KEYFRAME_REQUEST_INTERVAL, MAX_REMOTE_SSRCS};
pub use reorder::{MAX_HELD_PACKETS, MAX_HOLD};
pub use reports::REPORT_INTERVAL;
pub use send::MAX_RTP_PAYLOAD;
pub use transceiver::{
    MediaKind, MediaStreamTrack, ReceiveMode, RtpEncodingParameters, RtpReceiver, RtpSender,
    RtpTransceiver, RtpTransceiverDirection, RtpTransceiverInit, TransceiverId,
};
pub use twcc::TwccStats;

pub(crate) use negotiation::{
    answer_media, negotiate, offer_media, rejected_media, NegotiatedMedia,
};
pub(crate) use plan::{plan_sections, PlannedSection, SectionContent};

/// The media state of a connection.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Media {
    /// Every transceiver, in `getTransceivers()` order.
    pub transceivers: Vec<RtpTransceiver>,
    /// What the last applied answer negotiated, per transceiver.
    pub negotiated: Vec<NegotiatedMedia>,
    /// Our RTCP CNAME (RFC 7022: random per connection).
    pub cname: String,
    /// The sections of the offer last created.
    pub offer_plan: Option<Vec<PlannedSection>>,
    /// Per transceiver: its send state once it sent.
    pub send: Vec<Option<send::SendState>>,
    /// Every remote source we route, by SSRC.
    pub sources: receive::Sources,
    /// Counters.
    pub stats: MediaStats,
    /// When the next RTCP reports are due.
    pub next_report: Option<std::time::Instant>,
    /// The FIR command sequence number (RFC 5104 §4.3.1.1).
    pub fir_sequence: u8,
    /// The last FIR sequence number seen per (requester, our SSRC), to
    /// ignore repetitions (at most [`MAX_REMOTE_SSRCS`] pairs).
    pub fir_seen: std::collections::BTreeMap<(u32, u32), u8>,
    /// Transport-wide sequence numbers and feedback.
    pub twcc: twcc::Twcc,
    /// Hand received RTCP to the application too.
    pub rtcp_events: bool,
    /// The earliest media deadline, as of the last drain.
    pub timeout: Option<std::time::Instant>,
    /// Bumped at every applied answer: send states made before are
    /// checked against the new negotiation.
    pub generation: u64,
    /// What the pending remote offer did to the transceivers, to undo on
    /// its rollback.
    pub remote_offer_undo: Vec<apply::OfferUndo>,
    /// A spare vector the depayloaded frames of a packet are emitted from
    /// (empty between packets; kept for its memory).
    pub frames: Vec<sansrtc_rtp::codec::Frame>,
}

impl Media {
    /// The transceiver negotiated in the section `mid`.
    pub(crate) fn by_mid(&self, mid: &str) -> Option<usize> {
        self.transceivers
            .iter()
            .position(|t| t.mid.as_deref() == Some(mid))
    }
}

impl crate::RtcPeerConnection {
    /// An answer was applied: the per-transceiver state follows the
    /// transceivers, routes of stopped ones go.
    pub(crate) fn media_negotiated(&mut self) {
        self.media.generation += 1;
        let n = self.media.transceivers.len();
        self.media.send.resize_with(n, || None);
        for (i, t) in self.media.transceivers.iter().enumerate() {
            if t.stopped {
                self.media.send[i] = None;
            }
        }
        self.prune_sources();
    }

    /// The media part of "is negotiation needed" (webrtc-pc §4.7.3): a
    /// transceiver without a mid, one being stopped, or one whose
    /// direction differs from what the last local description said.
    pub(crate) fn media_negotiation_needed(&self) -> bool {
        let local = self
            .current_local
            .as_ref()
            .and_then(|l| sansrtc_sdp::SessionView::new(&l.description).ok());
        let local_was_offer = self
            .current_local
            .as_ref()
            .is_some_and(|l| l.sdp_type == crate::signaling::SdpType::Offer);
        self.media.transceivers.iter().any(|t| {
            if t.stopped {
                return false;
            }
            if t.stopping || t.mid.is_none() {
                return true;
            }
            let (Some(local), Some(index)) = (&local, t.mline_index) else {
                return false;
            };
            let Some(section) = local.media.get(index) else {
                return false;
            };
            let written =
                transceiver::RtpTransceiverDirection::from_sdp(section.direction_or_default());
            if local_was_offer {
                written != t.direction
            } else {
                let current = t.current_direction.unwrap_or(written);
                // As answerer: we asked for less or more than we answered.
                (t.direction.sends() != current.sends() && t.direction.sends())
                    || (t.direction.receives() != current.receives() && t.direction.receives())
                    || (!t.direction.sends() && current.sends())
                    || (!t.direction.receives() && current.receives())
            }
        })
    }

    /// Whether every received RTCP packet is also handed to the
    /// application as [`MediaEvent::Rtcp`] (for captures and debugging).
    pub fn set_rtcp_events(&mut self, on: bool) {
        self.media.rtcp_events = on;
    }

    /// Counters of the media path.
    pub fn media_stats(&self) -> MediaStats {
        self.media.stats
    }

    /// The round-trip time the remote's reports on `id`'s stream give.
    pub fn round_trip_time(&self, id: TransceiverId) -> Option<std::time::Duration> {
        self.media.send.get(id.0)?.as_ref()?.round_trip_time
    }

    /// The depayloader counters of one remote source (frames emitted and
    /// dropped, packets lost or late), once frames were assembled for it.
    pub fn depay_stats(&self, ssrc: u32) -> Option<sansrtc_rtp::codec::DepayStats> {
        let (_, depacketizer) = self.media.sources.get(&ssrc)?.depacketizer.as_ref()?;
        Some(depacketizer.stats())
    }

    /// The NACK counters of one remote source (requested, recovered,
    /// given up), when NACK was negotiated for it.
    pub fn nack_stats(&self, ssrc: u32) -> Option<sansrtc_rtp::NackStats> {
        self.media
            .sources
            .get(&ssrc)?
            .nack
            .as_ref()
            .map(|n| n.stats())
    }

    /// Sequence numbers a source's reorder buffer gave up waiting for.
    pub fn reorder_skipped(&self, ssrc: u32) -> Option<u64> {
        Some(self.media.sources.get(&ssrc)?.reorder.as_ref()?.skipped)
    }

    /// The receive statistics of one remote source (RFC 3550 A.3, A.8).
    pub fn receive_stats(&self, ssrc: u32) -> Option<&sansrtc_rtp::ReceiveStats> {
        self.media.sources.get(&ssrc).map(|s| &s.stats)
    }
}
