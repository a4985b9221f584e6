//! Payloaders and depayloaders: Opus (RFC 7587), VP8 (RFC 7741), VP9
//! (RFC 9628), H.264 (RFC 6184, packetization modes 0 and 1) and AV1 (AOM
//! "RTP Payload Format for AV1" v1.0), with keyframe detection for each
//! video codec.
//!
//! # Sending: [`Payloader`]
//!
//! A payloader cuts one encoded frame into RTP payloads of at most
//! `max_payload` bytes each. The payloads go into a caller-owned
//! [`Payloads`]: one flat byte buffer plus the end offset of each payload,
//! so a sender that reuses one `Payloads` allocates nothing once it has
//! grown to the largest frame. [`Payloader::payload`] clears `out` first;
//! afterwards `out` holds exactly that frame's payloads, in sending order.
//! For video codecs the **last** payload ends the frame: send it with the
//! RTP marker bit set ([`Payloader::marker_ends_frame`]). For Opus each
//! frame is one packet and the marker bit means "first packet of a
//! talkspurt" (RFC 7587 §4.1), which the payloader cannot know.
//!
//! # Receiving: [`Depayloader`]
//!
//! A depayloader takes RTP packets ([`Packet`]: payload, sequence number,
//! timestamp, marker) in sequence order — after a jitter buffer, if the
//! network reorders — and appends whole frames ([`Frame`]) to a
//! caller-owned `Vec`. Reassembly follows the timestamp, the marker bit
//! and each codec's start-of-frame signal (VP8 S=1/PID=0, VP9 B=1, H.264
//! anything but an FU-A continuation, AV1 Z=0). A frame ends at the marker
//! bit, or when the next packet (with the next sequence number) starts a
//! frame with another timestamp (a sender that forgets the marker loses
//! nothing). The rules that keep corrupt data away from the decoder:
//!
//! - a gap in sequence numbers drops the frame being assembled, and the
//!   frame of the packet after the gap unless that packet certainly is the
//!   frame's first (VP8 S=1 PID=0; VP9 B=1 in spatial layer 0; H.264 an
//!   access unit delimiter, SEI, SPS, PPS or a picture's first slice; AV1
//!   N=1); the same holds for the stream's very first packet; a
//!   packet behind the expected sequence number (a duplicate or a late
//!   one, up to 1000 behind) is ignored, one further behind restarts the
//!   stream;
//! - a malformed packet (the push returns its [`CodecError`]) drops its
//!   frame;
//! - a frame growing past [`DepayConfig::max_frame_size`] (default 4 MiB)
//!   is dropped, so the state is bounded by that size plus one packet.
//!
//! [`DepayStats`] counts every dropped frame and why. Hostile payloads
//! never panic (the crate has fuzz targets for every depayloader).
//!
//! # Keyframes
//!
//! Each video codec module has `is_keyframe(payload)`, which looks at the
//! first packet of a frame only (what a receiver deciding whether to send
//! a PLI has), and [`Frame::keyframe`] says the same for a whole frame.
//!
//! ```
//! use sansrtc_rtp::codec::{Depayloader, Packet, Payloader, Payloads, Vp8Depayloader, Vp8Payloader};
//!
//! let frame: Vec<u8> = (0..3000u32).map(|i| i as u8 & 0xfe).collect(); // P bit 0: a keyframe
//! let mut payloader = Vp8Payloader::default();
//! let mut payloads = Payloads::new();
//! payloader.payload(&frame, 1200, &mut payloads)?;
//! assert_eq!(payloads.len(), 3);
//!
//! let mut depayloader = Vp8Depayloader::default();
//! let mut frames = Vec::new();
//! for (i, p) in payloads.iter().enumerate() {
//!     let last = i + 1 == payloads.len();
//!     depayloader.push(Packet::new(p, 100 + i as u16, 9000, last), &mut frames)?;
//! }
//! assert_eq!(frames.len(), 1);
//! assert_eq!(frames[0].data, frame);
//! assert!(frames[0].keyframe);
//! # Ok::<(), sansrtc_rtp::codec::CodecError>(())
//! ```

mod assemble;
pub mod av1;
mod bits;
mod error;
pub mod h264;
pub mod opus;
mod payloads;
pub mod vp8;
pub mod vp9;

pub use av1::{Av1Depayloader, Av1Payloader};
pub use error::CodecError;
pub use h264::{H264Depayloader, H264Payloader, PacketizationMode};
pub use opus::{OpusDepayloader, OpusPayloader};
pub use payloads::{PayloadLayout, PayloadPart, Payloads, PayloadsIter, MAX_PAYLOAD_HEADER};
pub use vp8::{Vp8Depayloader, Vp8Payloader};
pub use vp9::{Vp9Depayloader, Vp9Payloader};

use crate::RtpHeader;

/// Default [`DepayConfig::max_frame_size`]: 4 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 4 << 20;

/// Splits encoded frames into RTP payloads.
pub trait Payloader {
    /// Clears `out`, then fills it with the payloads of `frame`, each at
    /// most `max_payload` bytes (the RTP payload budget: MTU minus IP, UDP,
    /// SRTP and RTP header overhead). On error `out` is left empty.
    fn payload(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError>;

    /// Whether the last payload of a frame carries the RTP marker bit
    /// (true for video; false for Opus, whose marker means something else).
    fn marker_ends_frame(&self) -> bool {
        true
    }

    /// [`Payloader::payload`] without copying the frame, for codecs whose
    /// payloads are a short header before a piece of the frame (Opus,
    /// VP8): clears `out` and fills it with each payload's header and
    /// frame range, the same payloads `payload` would give, advancing the
    /// same state (VP8's PictureID). `None` when the codec's payloads have
    /// another shape (H.264, VP9, AV1: use `payload`); `out` is then left
    /// as it was. On error `out` is left empty.
    fn layout(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut PayloadLayout,
    ) -> Option<Result<(), CodecError>> {
        let _ = (frame, max_payload, out);
        None
    }

    /// A boxed copy in the same state (the `snapshot` feature).
    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Payloader + Send>;
}

#[cfg(feature = "snapshot")]
impl Clone for Box<dyn Payloader + Send> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// Reassembles frames from RTP packets.
pub trait Depayloader {
    /// Takes one packet (in sequence order) and appends the frames it
    /// completes to `out` (zero, one, or two: a frame left without its
    /// marker bit is completed by the next frame's first packet). An error
    /// means the packet was malformed, or its frame grew too large; the
    /// frame it belonged to is dropped and counted in [`Depayloader::stats`].
    fn push(&mut self, packet: Packet<'_>, out: &mut Vec<Frame>) -> Result<(), CodecError>;

    /// What happened so far.
    fn stats(&self) -> DepayStats;

    /// Forgets the frame being assembled and the expected sequence number
    /// (for a new SSRC, say). The statistics are kept.
    fn reset(&mut self);

    /// A boxed copy in the same state (the `snapshot` feature).
    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Depayloader + Send>;
}

#[cfg(feature = "snapshot")]
impl Clone for Box<dyn Depayloader + Send> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// The parts of a received RTP packet a depayloader needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The RTP payload (after the header, without padding).
    pub payload: &'a [u8],
    /// The RTP sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The RTP marker bit.
    pub marker: bool,
}

impl<'a> Packet<'a> {
    /// A packet from its fields.
    pub fn new(payload: &'a [u8], sequence_number: u16, timestamp: u32, marker: bool) -> Self {
        Packet {
            payload,
            sequence_number,
            timestamp,
            marker,
        }
    }
}

impl<'a> From<&RtpHeader<'a>> for Packet<'a> {
    fn from(h: &RtpHeader<'a>) -> Self {
        Packet::new(h.payload(), h.sequence_number(), h.timestamp(), h.marker())
    }
}

/// One reassembled frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The encoded frame, as the decoder takes it: the Opus packet, the VP8
    /// frame, the VP9 frame (the layer frames of a picture one after the
    /// other, which libvpx decodes in one call), an H.264 Annex-B access
    /// unit (`00 00 00 01` before each NAL unit), an AV1 temporal unit in
    /// the low-overhead format (every OBU with `obu_has_size_field` = 1).
    pub data: Vec<u8>,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The decoder can start here (always true for Opus).
    pub keyframe: bool,
    /// Sequence number of the frame's first packet.
    pub first_sequence: u16,
    /// Sequence number of the frame's last packet.
    pub last_sequence: u16,
    /// What the payload format said about the frame.
    pub info: FrameInfo,
}

/// Codec-specific facts about a [`Frame`], from its payload headers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameInfo {
    /// An Opus packet.
    Opus,
    /// VP8, from the first packet's payload descriptor.
    Vp8 {
        /// The PictureID (7 or 15 bits), when present.
        picture_id: Option<u16>,
        /// TL0PICIDX, when present.
        tl0_pic_idx: Option<u8>,
        /// The temporal layer index (TID), when present.
        temporal_id: Option<u8>,
    },
    /// VP9, from the first packet's payload descriptor.
    Vp9 {
        /// The picture ID (7 or 15 bits), when present.
        picture_id: Option<u16>,
        /// The scalability structure, when the first packet carried one.
        scalability: Option<vp9::ScalabilityStructure>,
    },
    /// H.264: which NAL unit types the access unit holds.
    H264 {
        /// An IDR slice (type 5).
        idr: bool,
        /// A sequence parameter set (type 7).
        sps: bool,
        /// A picture parameter set (type 8).
        pps: bool,
    },
    /// AV1.
    Av1 {
        /// The first packet's N bit: a new coded video sequence starts.
        new_coded_video_sequence: bool,
        /// The temporal unit holds a sequence header OBU.
        sequence_header: bool,
    },
}

/// Depayloader settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepayConfig {
    /// Frames larger than this (as emitted: with H.264 start codes, AV1
    /// size fields) are dropped. Default [`DEFAULT_MAX_FRAME_SIZE`].
    pub max_frame_size: usize,
}

impl Default for DepayConfig {
    fn default() -> Self {
        DepayConfig {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
        }
    }
}

/// Counters of a depayloader.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DepayStats {
    /// Frames emitted.
    pub frames: u64,
    /// Frames seen (at least one packet) but not emitted: a sequence gap
    /// inside them, their first packet missing, a malformed packet, an
    /// unfinished fragment at the end, or too large.
    pub dropped_frames: u64,
    /// Of `dropped_frames`, those dropped for exceeding the maximum size.
    pub oversized_frames: u64,
    /// Packets whose payload did not parse.
    pub malformed_packets: u64,
    /// Sequence numbers skipped (forward gaps).
    pub lost_packets: u64,
    /// Packets ignored because their sequence number was behind the
    /// expected one (duplicates and late arrivals).
    pub late_packets: u64,
}

/// The codecs of this module, for choosing one from SDP at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Opus (RFC 7587).
    Opus,
    /// VP8 (RFC 7741).
    Vp8,
    /// VP9 (RFC 9628).
    Vp9,
    /// H.264 (RFC 6184), packetization mode 1.
    H264,
    /// AV1 (AOM RTP payload format v1.0).
    Av1,
}

impl Codec {
    /// Every codec.
    pub const ALL: [Codec; 5] = [Codec::Opus, Codec::Vp8, Codec::Vp9, Codec::H264, Codec::Av1];

    /// The codec of an `a=rtpmap` encoding name (case-insensitive:
    /// `opus`, `VP8`, `VP9`, `H264`, `AV1`).
    pub fn from_encoding_name(name: &str) -> Option<Codec> {
        Codec::ALL
            .into_iter()
            .find(|c| c.encoding_name().eq_ignore_ascii_case(name))
    }

    /// The `a=rtpmap` encoding name.
    pub fn encoding_name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Vp8 => "VP8",
            Codec::Vp9 => "VP9",
            Codec::H264 => "H264",
            Codec::Av1 => "AV1",
        }
    }

    /// Whether it is a video codec.
    pub fn is_video(self) -> bool {
        self != Codec::Opus
    }

    /// A payloader with default settings.
    pub fn payloader(self) -> Box<dyn Payloader + Send> {
        match self {
            Codec::Opus => Box::new(OpusPayloader::default()),
            Codec::Vp8 => Box::new(Vp8Payloader::default()),
            Codec::Vp9 => Box::new(Vp9Payloader::default()),
            Codec::H264 => Box::new(H264Payloader::default()),
            Codec::Av1 => Box::new(Av1Payloader::default()),
        }
    }

    /// A depayloader with `config`.
    pub fn depayloader(self, config: DepayConfig) -> Box<dyn Depayloader + Send> {
        match self {
            Codec::Opus => Box::new(OpusDepayloader::with_config(config)),
            Codec::Vp8 => Box::new(Vp8Depayloader::with_config(config)),
            Codec::Vp9 => Box::new(Vp9Depayloader::with_config(config)),
            Codec::H264 => Box::new(H264Depayloader::with_config(config)),
            Codec::Av1 => Box::new(Av1Depayloader::with_config(config)),
        }
    }

    /// Whether `payload`, the first packet of a frame, starts a keyframe
    /// (always true for Opus).
    pub fn is_keyframe(self, payload: &[u8]) -> bool {
        match self {
            Codec::Opus => true,
            Codec::Vp8 => vp8::is_keyframe(payload),
            Codec::Vp9 => vp9::is_keyframe(payload),
            Codec::H264 => h264::is_keyframe(payload),
            Codec::Av1 => av1::is_keyframe(payload),
        }
    }
}

/// Implements [`Depayloader`], `new`, `with_config` and `Default` for a
/// wrapper around `assemble::Assembler`.
macro_rules! depayloader {
    ($name:ident, $codec:ty) => {
        impl $name {
            /// A depayloader with the default [`DepayConfig`](crate::codec::DepayConfig).
            pub fn new() -> Self {
                Self::with_config($crate::codec::DepayConfig::default())
            }

            /// A depayloader with `config`.
            pub fn with_config(config: $crate::codec::DepayConfig) -> Self {
                $name {
                    inner: $crate::codec::assemble::Assembler::new(<$codec>::default(), config),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $crate::codec::Depayloader for $name {
            fn push(
                &mut self,
                packet: $crate::codec::Packet<'_>,
                out: &mut Vec<$crate::codec::Frame>,
            ) -> Result<(), $crate::codec::CodecError> {
                self.inner.push(packet, out)
            }

            fn stats(&self) -> $crate::codec::DepayStats {
                self.inner.stats()
            }

            fn reset(&mut self) {
                self.inner.reset()
            }

            #[cfg(feature = "snapshot")]
            fn clone_box(&self) -> Box<dyn $crate::codec::Depayloader + Send> {
                Box::new(self.clone())
            }
        }
    };
}
pub(crate) use depayloader;
