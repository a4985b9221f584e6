//! The transceiver API of the connection (webrtc-pc §5): `addTransceiver`,
//! `addTrack`, `removeTrack`, direction changes, `stop`, and the getters.

use rand_core::RngCore;

use super::transceiver::{
    MediaKind, MediaStreamTrack, RtpReceiver, RtpSender, RtpTransceiver, RtpTransceiverDirection,
    RtpTransceiverInit, TransceiverId,
};
use super::NegotiatedMedia;
use crate::error::RtcError;
use crate::RtcPeerConnection;

/// The first argument of `addTransceiver`: a kind or a track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackOrKind {
    /// A transceiver of this kind, without a track.
    Kind(MediaKind),
    /// A transceiver sending this track.
    Track(MediaStreamTrack),
}

impl From<MediaKind> for TrackOrKind {
    fn from(kind: MediaKind) -> Self {
        TrackOrKind::Kind(kind)
    }
}

impl From<MediaStreamTrack> for TrackOrKind {
    fn from(track: MediaStreamTrack) -> Self {
        TrackOrKind::Track(track)
    }
}

impl RtcPeerConnection {
    /// Makes a transceiver with fresh SSRCs (an RTX one for video).
    pub(crate) fn new_transceiver(
        &mut self,
        kind: MediaKind,
        track: Option<MediaStreamTrack>,
        init: RtpTransceiverInit,
        from_add_track: bool,
    ) -> TransceiverId {
        let id = TransceiverId(self.media.transceivers.len());
        let ssrc = self.rng.next_u32();
        let rtx_ssrc = (kind == MediaKind::Video).then(|| self.rng.next_u32());
        let receiver_track = MediaStreamTrack::new(format!("{:016x}", self.rng.next_u64()), kind);
        self.media.transceivers.push(RtpTransceiver {
            id,
            mid: None,
            kind,
            direction: init.direction,
            current_direction: None,
            sender: RtpSender {
                track,
                stream_ids: init.streams,
                ssrc,
                rtx_ssrc,
                encoding: init.send_encodings.into_iter().next().unwrap_or(
                    super::RtpEncodingParameters {
                        active: true,
                        max_bitrate: None,
                    },
                ),
            },
            receiver: RtpReceiver {
                track: receiver_track,
                stream_ids: Vec::new(),
                ssrcs: Vec::new(),
                mode: init.receive_mode,
            },
            codecs: Vec::new(),
            codec_preferences: Vec::new(),
            stopping: false,
            stopped: false,
            from_add_track,
            mline_index: None,
            remote_sends: false,
        });
        self.media.negotiated.push(NegotiatedMedia::default());
        id
    }

    /// `addTransceiver(trackOrKind, init)`.
    pub fn add_transceiver(
        &mut self,
        track_or_kind: impl Into<TrackOrKind>,
        init: RtpTransceiverInit,
    ) -> Result<TransceiverId, RtcError> {
        self.ensure_open()?;
        if init.direction == RtpTransceiverDirection::Stopped {
            return Err(RtcError::InvalidArgument(
                "a transceiver cannot be created stopped".into(),
            ));
        }
        let (kind, track) = match track_or_kind.into() {
            TrackOrKind::Kind(kind) => (kind, None),
            TrackOrKind::Track(track) => (track.kind, Some(track)),
        };
        let id = self.new_transceiver(kind, track, init, false);
        self.update_negotiation_needed();
        Ok(id)
    }

    /// `addTrack(track, ...streams)`: reuses a transceiver of the same kind
    /// that never sent and has no track, else adds a `sendrecv` one.
    pub fn add_track(
        &mut self,
        track: MediaStreamTrack,
        stream_ids: &[&str],
    ) -> Result<TransceiverId, RtcError> {
        self.ensure_open()?;
        if self
            .media
            .transceivers
            .iter()
            .any(|t| t.sender.track.as_ref().is_some_and(|s| s.id == track.id))
        {
            return Err(RtcError::InvalidAccess(format!(
                "track {} already has a sender",
                track.id
            )));
        }
        let reusable = self.media.transceivers.iter().position(|t| {
            t.kind == track.kind
                && t.sender.track.is_none()
                && !t.stopping
                && !t.stopped
                && !t.current_direction.is_some_and(|d| d.sends())
                && !t.from_add_track
        });
        let streams: Vec<String> = stream_ids.iter().map(|s| (*s).to_owned()).collect();
        let id = match reusable {
            Some(index) => {
                let t = &mut self.media.transceivers[index];
                t.sender.track = Some(track);
                t.sender.stream_ids = streams;
                t.direction = match t.direction {
                    RtpTransceiverDirection::RecvOnly => RtpTransceiverDirection::SendRecv,
                    RtpTransceiverDirection::Inactive => RtpTransceiverDirection::SendOnly,
                    d => d,
                };
                t.id
            }
            None => {
                let init = RtpTransceiverInit {
                    streams,
                    ..RtpTransceiverInit::default()
                };
                self.new_transceiver(track.kind, Some(track), init, true)
            }
        };
        self.update_negotiation_needed();
        Ok(id)
    }

    /// `removeTrack(sender)`: the sender stops sending its track; the
    /// direction loses `send`.
    pub fn remove_track(&mut self, id: TransceiverId) -> Result<(), RtcError> {
        self.ensure_open()?;
        let t = self.transceiver_mut(id)?;
        if t.sender.track.take().is_none() {
            return Ok(());
        }
        t.direction = match t.direction {
            RtpTransceiverDirection::SendRecv => RtpTransceiverDirection::RecvOnly,
            RtpTransceiverDirection::SendOnly => RtpTransceiverDirection::Inactive,
            d => d,
        };
        self.update_negotiation_needed();
        Ok(())
    }

    /// `replaceTrack(track)`: no renegotiation (same kind required).
    pub fn replace_track(
        &mut self,
        id: TransceiverId,
        track: Option<MediaStreamTrack>,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        let t = self.transceiver_mut(id)?;
        if track.as_ref().is_some_and(|tr| tr.kind != t.kind) {
            return Err(RtcError::InvalidArgument(
                "replaceTrack needs a track of the transceiver's kind".into(),
            ));
        }
        t.sender.track = track;
        Ok(())
    }

    /// Sets `transceiver.direction`.
    pub fn set_direction(
        &mut self,
        id: TransceiverId,
        direction: RtpTransceiverDirection,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        if direction == RtpTransceiverDirection::Stopped {
            return Err(RtcError::InvalidArgument(
                "use stop() to stop a transceiver".into(),
            ));
        }
        let t = self.transceiver_mut(id)?;
        if t.stopping || t.stopped {
            return Err(RtcError::InvalidState("the transceiver is stopped".into()));
        }
        t.direction = direction;
        self.update_negotiation_needed();
        Ok(())
    }

    /// `transceiver.stop()`: stops sending and receiving now; the section is
    /// rejected at the next negotiation.
    pub fn stop_transceiver(&mut self, id: TransceiverId) -> Result<(), RtcError> {
        self.ensure_open()?;
        let t = self.transceiver_mut(id)?;
        if t.stopping || t.stopped {
            return Ok(());
        }
        t.stopping = true;
        t.direction = RtpTransceiverDirection::Stopped;
        t.sender.track = None;
        self.update_negotiation_needed();
        Ok(())
    }

    /// What received media becomes on transceiver `id`: frames or RTP
    /// packets (from the next packet on).
    pub fn set_receive_mode(
        &mut self,
        id: TransceiverId,
        mode: super::ReceiveMode,
    ) -> Result<(), RtcError> {
        self.transceiver_mut(id)?.receiver.mode = mode;
        Ok(())
    }

    /// `setCodecPreferences(codecs)`: codecs of the transceiver's kind, in
    /// the order to offer them (empty: the defaults).
    pub fn set_codec_preferences(
        &mut self,
        id: TransceiverId,
        codecs: Vec<super::RtpCodecParameters>,
    ) -> Result<(), RtcError> {
        let t = self.transceiver_mut(id)?;
        if codecs
            .iter()
            .any(|c| c.name != super::CodecName::Rtx && c.name.kind() != t.kind)
        {
            return Err(RtcError::InvalidModification(
                "a codec of another kind".into(),
            ));
        }
        t.codec_preferences = codecs;
        Ok(())
    }

    /// `getTransceivers()`.
    pub fn get_transceivers(&self) -> &[RtpTransceiver] {
        &self.media.transceivers
    }

    /// One transceiver.
    pub fn transceiver(&self, id: TransceiverId) -> Option<&RtpTransceiver> {
        self.media.transceivers.get(id.0)
    }

    /// `getSenders()`: every transceiver's sender that is not stopped.
    pub fn get_senders(&self) -> Vec<(TransceiverId, &RtpSender)> {
        self.media
            .transceivers
            .iter()
            .filter(|t| !t.stopped)
            .map(|t| (t.id, &t.sender))
            .collect()
    }

    /// `getReceivers()`: every transceiver's receiver that is not stopped.
    pub fn get_receivers(&self) -> Vec<(TransceiverId, &RtpReceiver)> {
        self.media
            .transceivers
            .iter()
            .filter(|t| !t.stopped)
            .map(|t| (t.id, &t.receiver))
            .collect()
    }

    fn transceiver_mut(&mut self, id: TransceiverId) -> Result<&mut RtpTransceiver, RtcError> {
        self.media
            .transceivers
            .get_mut(id.0)
            .ok_or_else(|| RtcError::InvalidArgument(format!("no transceiver {}", id.0)))
    }
}
