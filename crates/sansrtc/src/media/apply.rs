//! Media in the JSEP steps: the sections of our offers and answers, the
//! transceivers a remote offer creates or takes over, and what an applied
//! answer negotiates (webrtc-pc §4.4.1.5, "set the RTCSessionDescription").

use sansrtc_sdp::jsep::{AnswerMedia, MediaKind, MediaSpec, RtcpMuxPolicy};
use sansrtc_sdp::{MediaView, SessionDescription, SessionView};

use super::transceiver::{MediaStreamTrack, RtpTransceiverDirection, RtpTransceiverInit};
use super::{
    answer_media, negotiate, offer_media, plan_sections, rejected_media, PlannedSection,
    SectionContent, TrackEvent, TransceiverId,
};
use crate::description::{data_media, LocalParams};
use crate::error::RtcError;
use crate::event::PeerEvent;
use crate::RtcPeerConnection;

fn kind_of(section: &MediaView) -> Option<MediaKind> {
    match section.kind.as_str() {
        "audio" => Some(MediaKind::Audio),
        "video" => Some(MediaKind::Video),
        _ => None,
    }
}

/// Whether `section` multiplexes RTP and RTCP: `a=rtcp-mux` in it or in a
/// section of its BUNDLE group (RFC 8843 §9.3).
fn muxes(view: &SessionView, section: &MediaView) -> bool {
    if section.rtcp_mux {
        return true;
    }
    let Some(mid) = &section.mid else {
        return false;
    };
    view.groups
        .iter()
        .filter(|g| g.is_bundle() && g.mids.contains(mid))
        .any(|g| {
            view.media
                .iter()
                .any(|m| m.rtcp_mux && m.mid.as_ref().is_some_and(|x| g.mids.contains(x)))
        })
}

/// A transceiver as it was before a remote offer touched it.
#[derive(Debug, Clone)]
pub(crate) struct OfferUndo {
    transceiver: usize,
    /// The offer created it.
    created: bool,
    mid: Option<String>,
    mline_index: Option<usize>,
    remote_sends: bool,
    stream_ids: Vec<String>,
}

impl RtcPeerConnection {
    /// The pending remote offer was rolled back (webrtc-pc §4.4.1.5): the
    /// transceivers it associated lose their mid again, and the ones it
    /// created are removed (when nothing was added after them; otherwise
    /// they stay, stopped, so that ids keep their meaning).
    pub(crate) fn undo_remote_offer(&mut self) {
        let undo = std::mem::take(&mut self.media.remote_offer_undo);
        for u in undo.into_iter().rev() {
            let last = self.media.transceivers.len().checked_sub(1);
            if u.created && last == Some(u.transceiver) {
                self.media.transceivers.pop();
                self.media.negotiated.truncate(u.transceiver);
                self.media.send.truncate(u.transceiver);
                continue;
            }
            let Some(t) = self.media.transceivers.get_mut(u.transceiver) else {
                continue;
            };
            t.mid = u.mid;
            t.mline_index = u.mline_index;
            t.remote_sends = u.remote_sends;
            t.receiver.stream_ids = u.stream_ids;
            if u.created {
                t.stopped = true;
                t.direction = RtpTransceiverDirection::Stopped;
                t.current_direction = Some(RtpTransceiverDirection::Stopped);
            }
        }
    }

    /// The sections of the next offer.
    pub(crate) fn plan_offer(&self, wants_data: bool) -> Vec<PlannedSection> {
        let mut existing = Vec::new();
        for (i, t) in self.media.transceivers.iter().enumerate() {
            if let (Some(mid), Some(index)) = (&t.mid, t.mline_index) {
                existing.push((index, mid.clone(), SectionContent::Transceiver(i)));
            }
        }
        let data_negotiated = self.data_mid.is_some()
            && (self.current_local.is_some() || self.pending_local.is_some());
        if let (true, Some(mid)) = (data_negotiated, &self.data_mid) {
            existing.push((self.data_index, mid.clone(), SectionContent::Data));
        }
        let mut new: Vec<SectionContent> = self
            .media
            .transceivers
            .iter()
            .enumerate()
            .filter(|(_, t)| t.mid.is_none() && !t.stopping && !t.stopped)
            .map(|(i, _)| SectionContent::Transceiver(i))
            .collect();
        if wants_data && !data_negotiated {
            new.push(SectionContent::Data);
        }
        plan_sections(existing, new)
    }

    /// The offer's sections as the SDP builder takes them.
    pub(crate) fn offer_specs(
        &self,
        plan: &[PlannedSection],
        params: &LocalParams,
    ) -> Vec<MediaSpec> {
        plan.iter()
            .map(|section| match section.content {
                SectionContent::Data => data_media(params, &section.mid),
                SectionContent::Transceiver(i) => {
                    let t = &self.media.transceivers[i];
                    if t.stopping || t.stopped {
                        MediaSpec::Rejected(rejected_media(t, &section.mid))
                    } else {
                        MediaSpec::Rtp(offer_media(t, &section.mid, &self.media.cname))
                    }
                }
            })
            .collect()
    }

    /// `setLocalDescription(offer)`: the planned mids become the
    /// transceivers' (and the data section's).
    pub(crate) fn apply_offer_plan(&mut self) {
        let Some(plan) = self.media.offer_plan.clone() else {
            return;
        };
        for (index, section) in plan.iter().enumerate() {
            match section.content {
                SectionContent::Data => {
                    self.data_mid = Some(section.mid.clone());
                    self.data_index = index;
                }
                SectionContent::Transceiver(i) => {
                    let t = &mut self.media.transceivers[i];
                    t.mid = Some(section.mid.clone());
                    t.mline_index = Some(index);
                }
            }
        }
    }

    /// `setRemoteDescription`: every audio/video section gets its
    /// transceiver (from an offer: the one with its mid, else one made by
    /// `addTrack` of the same kind, else a new `recvonly` one), and
    /// `track` fires where the remote starts sending.
    pub(crate) fn apply_remote_media(
        &mut self,
        view: &SessionView,
        is_offer: bool,
    ) -> Result<(), RtcError> {
        if is_offer {
            self.media.remote_offer_undo.clear();
        }
        for (index, section) in view.media.iter().enumerate() {
            let (Some(kind), Some(mid)) = (kind_of(section), section.mid.as_deref()) else {
                continue;
            };
            let existing = self.media.by_mid(mid);
            let count = self.media.transceivers.len();
            let found = match existing {
                Some(i) => Some(i),
                None if is_offer && !section.is_rejected() => {
                    let adopted = self.media.transceivers.iter().position(|t| {
                        t.kind == kind
                            && t.mid.is_none()
                            && t.from_add_track
                            && !t.stopping
                            && !t.stopped
                    });
                    Some(match adopted {
                        Some(i) => i,
                        None => {
                            let init = RtpTransceiverInit {
                                direction: RtpTransceiverDirection::RecvOnly,
                                ..RtpTransceiverInit::default()
                            };
                            self.new_transceiver(kind, None, init, false).0
                        }
                    })
                }
                None => None,
            };
            let Some(i) = found else { continue };
            if is_offer {
                let t = &self.media.transceivers[i];
                self.media.remote_offer_undo.push(OfferUndo {
                    transceiver: i,
                    created: i >= count,
                    mid: t.mid.clone(),
                    mline_index: t.mline_index,
                    remote_sends: t.remote_sends,
                    stream_ids: t.receiver.stream_ids.clone(),
                });
            }
            let (stream_ids, _, _) = super::negotiation::remote_sources(section);
            let remote_sends = !section.is_rejected()
                && RtpTransceiverDirection::from_sdp(section.direction_or_default()).sends();
            let t = &mut self.media.transceivers[i];
            t.mid = Some(mid.to_owned());
            t.mline_index = Some(index);
            if section.is_rejected() {
                t.stopped = true;
                t.stopping = false;
                t.direction = RtpTransceiverDirection::Stopped;
                t.current_direction = Some(RtpTransceiverDirection::Stopped);
            }
            t.receiver.stream_ids = stream_ids.clone();
            let starts = remote_sends && !t.remote_sends && t.direction.receives();
            t.remote_sends = remote_sends;
            if starts {
                let event = TrackEvent {
                    transceiver: TransceiverId(i),
                    mid: Some(mid.to_owned()),
                    kind,
                    track_id: t.receiver.track.id.clone(),
                    stream_ids,
                };
                self.emit(PeerEvent::Track(event));
            }
        }
        Ok(())
    }

    /// Our choice for every section of a remote offer.
    pub(crate) fn answer_choices(
        &self,
        view: &SessionView,
        params: &LocalParams,
    ) -> Vec<AnswerMedia> {
        let mut data_taken = false;
        view.media
            .iter()
            .map(|m| {
                if m.is_rejected() {
                    return AnswerMedia::Reject;
                }
                if m.is_data_channel() && !data_taken {
                    data_taken = true;
                    return AnswerMedia::Data {
                        sctp_port: 5000,
                        max_message_size: params.max_message_size,
                    };
                }
                let rtcp_socket = !self.rtcp_addresses.is_empty();
                if params.rtcp_mux_policy == RtcpMuxPolicy::Negotiate
                    && !muxes(view, m)
                    && !rtcp_socket
                {
                    // RTCP on its own component (RFC 5761 not offered)
                    // needs a socket for it: without one the section is
                    // refused rather than answered and then broken.
                    // (Under `require` the answer is refused as a whole.)
                    tracing::debug!(mid = ?m.mid, "RTP section without rtcp-mux rejected");
                    return AnswerMedia::Reject;
                }
                let transceiver = m
                    .mid
                    .as_deref()
                    .and_then(|mid| self.media.by_mid(mid))
                    .map(|i| &self.media.transceivers[i])
                    .filter(|t| kind_of(m) == Some(t.kind) && !t.stopping && !t.stopped);
                match transceiver.and_then(|t| answer_media(t, m, &self.media.cname)) {
                    Some(rtp) => AnswerMedia::Rtp(rtp),
                    None => AnswerMedia::Reject,
                }
            })
            .collect()
    }

    /// An answer was applied (ours or theirs): every transceiver in it gets
    /// what was negotiated; `currentDirection` follows.
    pub(crate) fn apply_answer_media(
        &mut self,
        local: &SessionDescription,
        remote: &SessionDescription,
        local_is_answer: bool,
    ) -> Result<(), RtcError> {
        let local = SessionView::new(local)?;
        let remote = SessionView::new(remote)?;
        for (index, (l, r)) in local.media.iter().zip(&remote.media).enumerate() {
            let Some(i) = l.mid.as_deref().and_then(|mid| self.media.by_mid(mid)) else {
                continue;
            };
            let negotiated = negotiate(l, r, local_is_answer);
            // An answer that does not multiplex RTCP (possible under
            // rtcpMuxPolicy negotiate): RTCP on a component of its own is
            // not supported, so the transceiver stops.
            let unmuxed = !l.is_rejected()
                && !r.is_rejected()
                && !muxes(&remote, r)
                && self.rtcp_addresses.is_empty();
            let t = &mut self.media.transceivers[i];
            t.mline_index = Some(index);
            if unmuxed {
                tracing::warn!(mid = ?t.mid, "the answer does not multiplex RTCP: transceiver stopped");
            }
            if l.is_rejected() || r.is_rejected() || t.stopping || unmuxed {
                t.stopped = true;
                t.stopping = false;
                t.direction = RtpTransceiverDirection::Stopped;
                t.current_direction = Some(RtpTransceiverDirection::Stopped);
            } else {
                t.current_direction = negotiated.direction;
            }
            t.codecs = negotiated.send_codecs.clone();
            t.receiver.ssrcs = negotiated.remote_ssrcs.clone();
            self.media.negotiated[i] = negotiated;
        }
        self.media_negotiated();
        Ok(())
    }

    /// The receiving track of a transceiver, for tests and events.
    pub fn receiver_track(&self, id: TransceiverId) -> Option<&MediaStreamTrack> {
        self.media.transceivers.get(id.0).map(|t| &t.receiver.track)
    }
}
