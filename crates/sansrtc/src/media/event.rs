//! What media tells the application.

use super::transceiver::{MediaKind, TransceiverId};

/// The `track` event: the remote sends on a transceiver (webrtc-pc §5.4,
/// "process the addition of a remote track").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackEvent {
    /// The transceiver whose receiver gets media.
    pub transceiver: TransceiverId,
    /// Its mid.
    pub mid: Option<String>,
    /// Audio or video.
    pub kind: MediaKind,
    /// The receiving track's id.
    pub track_id: String,
    /// The remote's stream ids (`a=msid`).
    pub stream_ids: Vec<String>,
}

/// Received media and feedback, per transceiver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaEvent {
    /// A whole frame, depacketized.
    Frame {
        /// The receiving transceiver.
        transceiver: TransceiverId,
        /// The encoded frame (Annex-B for H.264, OBUs for AV1).
        data: Vec<u8>,
        /// Its RTP timestamp.
        rtp_timestamp: u32,
        /// Whether a decoder can start here (a keyframe; always `true` for
        /// audio).
        keyframe: bool,
        /// The payload type it came with.
        payload_type: u8,
        /// The source it came from.
        ssrc: u32,
        /// The source's RtpStreamId (RFC 8852): which simulcast layer,
        /// when the sender names its layers.
        rid: Option<String>,
    },
    /// One RTP packet, after SRTP ([`super::ReceiveMode::Rtp`], or a codec
    /// without a depayloader).
    Rtp {
        /// The receiving transceiver.
        transceiver: TransceiverId,
        /// The packet, header included.
        packet: Vec<u8>,
    },
    /// A compound RTCP packet as received, after SRTCP (only after
    /// [`crate::RtcPeerConnection::set_rtcp_events`]`(true)`; the
    /// connection handles RTCP itself either way).
    Rtcp {
        /// The packet.
        packet: Vec<u8>,
    },
    /// The remote asked for a keyframe (PLI or FIR) on what we send.
    KeyframeRequest {
        /// The sending transceiver.
        transceiver: TransceiverId,
        /// `true` for FIR, `false` for PLI.
        full_intra: bool,
    },
}
