//! `RTCRtpTransceiver`, `RTCRtpSender` and `RTCRtpReceiver`: what the
//! application adds and what negotiation fills in.

use sansrtc_sdp::attributes::Direction;
pub use sansrtc_sdp::jsep::MediaKind;

use super::codec::RtpCodecParameters;

/// A transceiver, by its place in [`crate::RtcPeerConnection::get_transceivers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransceiverId(pub(crate) usize);

impl TransceiverId {
    /// The index in `getTransceivers()`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// `RTCRtpTransceiverDirection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtpTransceiverDirection {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
    /// `stopped`.
    Stopped,
}

impl RtpTransceiverDirection {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
            Self::Stopped => "stopped",
        }
    }

    /// Whether this direction sends.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether this direction receives.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The direction that sends and receives as given.
    pub fn from_flags(send: bool, receive: bool) -> Self {
        match (send, receive) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    pub(crate) fn to_sdp(self) -> Direction {
        match self {
            Self::SendRecv => Direction::SendRecv,
            Self::SendOnly => Direction::SendOnly,
            Self::RecvOnly => Direction::RecvOnly,
            Self::Inactive | Self::Stopped => Direction::Inactive,
        }
    }

    pub(crate) fn from_sdp(direction: Direction) -> Self {
        match direction {
            Direction::SendRecv => Self::SendRecv,
            Direction::SendOnly => Self::SendOnly,
            Direction::RecvOnly => Self::RecvOnly,
            Direction::Inactive => Self::Inactive,
        }
    }
}

/// `MediaStreamTrack`, as far as the connection needs one: its id and kind.
/// Media is written through the transceiver
/// ([`crate::RtcPeerConnection::write_frame`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaStreamTrack {
    /// The track id (`a=msid` application data).
    pub id: String,
    /// Audio or video.
    pub kind: MediaKind,
}

impl MediaStreamTrack {
    /// A track of `kind` with this id.
    pub fn new(id: impl Into<String>, kind: MediaKind) -> Self {
        MediaStreamTrack {
            id: id.into(),
            kind,
        }
    }
}

/// What received media becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReceiveMode {
    /// Whole frames, depacketized ([`crate::MediaEvent::Frame`]); RTP of a
    /// codec without a depayloader comes as packets.
    #[default]
    Frames,
    /// Every RTP packet as received, after SRTP ([`crate::MediaEvent::Rtp`]).
    Rtp,
}

/// `RTCRtpEncodingParameters` (one encoding; simulcast sending is left out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpEncodingParameters {
    /// `active`: whether this encoding sends.
    pub active: bool,
    /// `maxBitrate`, informative (no congestion control here).
    pub max_bitrate: Option<u32>,
}

/// `RTCRtpTransceiverInit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpTransceiverInit {
    /// `direction` (default `sendrecv`).
    pub direction: RtpTransceiverDirection,
    /// `streams`: the ids of the media streams the track belongs to.
    pub streams: Vec<String>,
    /// `sendEncodings` (at most one is used).
    pub send_encodings: Vec<RtpEncodingParameters>,
    /// What received media becomes.
    pub receive_mode: ReceiveMode,
}

impl Default for RtpTransceiverInit {
    fn default() -> Self {
        RtpTransceiverInit {
            direction: RtpTransceiverDirection::SendRecv,
            streams: Vec::new(),
            send_encodings: Vec::new(),
            receive_mode: ReceiveMode::Frames,
        }
    }
}

/// `RTCRtpSender`: the track we send and the SSRCs it sends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpSender {
    /// `track` (none after `removeTrack` or before `replaceTrack`).
    pub track: Option<MediaStreamTrack>,
    /// The stream ids in `a=msid`.
    pub stream_ids: Vec<String>,
    /// The media SSRC.
    pub ssrc: u32,
    /// The RTX SSRC (video).
    pub rtx_ssrc: Option<u32>,
    /// The encoding parameters.
    pub encoding: RtpEncodingParameters,
}

/// `RTCRtpReceiver`: the remote track and what it was negotiated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpReceiver {
    /// The receiving track (its id is ours; the remote's is in `a=msid`).
    pub track: MediaStreamTrack,
    /// The remote's stream ids (from `a=msid`).
    pub stream_ids: Vec<String>,
    /// The remote SSRCs signalled (`a=ssrc`) or learned (MID extension).
    pub ssrcs: Vec<u32>,
    /// What received media becomes.
    pub mode: ReceiveMode,
}

/// `RTCRtpTransceiver`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpTransceiver {
    /// Its id.
    pub id: TransceiverId,
    /// `mid`, once negotiated (or offered and applied).
    pub mid: Option<String>,
    /// Audio or video.
    pub kind: MediaKind,
    /// `direction`, as the application set it.
    pub direction: RtpTransceiverDirection,
    /// `currentDirection`, from the last applied answer.
    pub current_direction: Option<RtpTransceiverDirection>,
    /// The sender.
    pub sender: RtpSender,
    /// The receiver.
    pub receiver: RtpReceiver,
    /// The negotiated codecs, payload types as we send them.
    pub codecs: Vec<RtpCodecParameters>,
    /// `setCodecPreferences` (empty: our defaults).
    pub codec_preferences: Vec<RtpCodecParameters>,
    /// `stop()` was called (stopping until the next negotiation).
    pub stopping: bool,
    /// Stopped for good.
    pub stopped: bool,
    /// Created by `addTrack` (may be associated with a remote offer's section).
    pub(crate) from_add_track: bool,
    /// The section it was negotiated in.
    pub(crate) mline_index: Option<usize>,
    /// Whether the remote sends on it, as last applied (for `track` events).
    pub(crate) remote_sends: bool,
}

impl RtpTransceiver {
    /// The direction this transceiver would offer now.
    pub(crate) fn offer_direction(&self) -> RtpTransceiverDirection {
        if self.stopping || self.stopped {
            RtpTransceiverDirection::Inactive
        } else {
            self.direction
        }
    }
}
