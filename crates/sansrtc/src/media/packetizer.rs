//! The payloaders and depayloaders of `sansrtc-rtp` behind the
//! connection's codec names.

use sansrtc_rtp::codec::{
    Codec, DepayConfig, Depayloader, Frame, Packet, PayloadLayout, Payloader, Payloads,
};

use super::codec::CodecName;

fn rtp_codec(name: CodecName) -> Option<Codec> {
    match name {
        CodecName::Opus => Some(Codec::Opus),
        CodecName::Vp8 => Some(Codec::Vp8),
        CodecName::Vp9 => Some(Codec::Vp9),
        CodecName::H264 => Some(Codec::H264),
        CodecName::Av1 => Some(Codec::Av1),
        CodecName::Rtx => None,
    }
}

/// Splits frames into RTP payloads for one codec.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Packetizer {
    payloader: Option<Box<dyn Payloader + Send>>,
    name: CodecName,
    /// The payloads of the frame being sent (reused), when the payloader
    /// has no [`Payloader::layout`].
    pub payloads: Payloads,
    /// The payloads of the frame being sent as headers and ranges of the
    /// frame (reused), when the payloader has a layout (Opus, VP8).
    pub layout: PayloadLayout,
    /// Whether the last frame went into `layout` (else `payloads`).
    pub laid_out: bool,
}

impl std::fmt::Debug for Packetizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packetizer")
            .field("codec", &self.name)
            .finish()
    }
}

impl Packetizer {
    pub(crate) fn new(name: CodecName) -> Self {
        Packetizer {
            payloader: rtp_codec(name).map(Codec::payloader),
            name,
            payloads: Payloads::new(),
            layout: PayloadLayout::new(),
            laid_out: false,
        }
    }

    /// Splits `frame` into payloads of at most `max_payload` bytes: into
    /// `self.layout` when the payloader has a layout (the frame is not
    /// copied), else into `self.payloads`.
    pub(crate) fn packetize(&mut self, frame: &[u8], max_payload: usize) -> Result<(), String> {
        let Some(payloader) = &mut self.payloader else {
            return Err(format!("no payloader for {}", self.name.encoding()));
        };
        let result = match payloader.layout(frame, max_payload, &mut self.layout) {
            Some(result) => {
                self.laid_out = true;
                result
            }
            None => {
                self.laid_out = false;
                payloader.payload(frame, max_payload, &mut self.payloads)
            }
        };
        result.map_err(|e| e.to_string())
    }

    /// How many payloads the last frame gave.
    pub(crate) fn count(&self) -> usize {
        if self.laid_out {
            self.layout.len()
        } else {
            self.payloads.len()
        }
    }

    /// Payload `i` of the last frame (`frame`) as its header and the bytes
    /// after it.
    pub(crate) fn payload<'a>(&'a self, frame: &'a [u8], i: usize) -> (&'a [u8], &'a [u8]) {
        if self.laid_out {
            let part = &self.layout.parts()[i];
            (part.header(), &frame[part.range()])
        } else {
            (&[], self.payloads.get(i).unwrap_or_default())
        }
    }

    /// Whether the frame's last packet carries the marker bit.
    pub(crate) fn marker_ends_frame(&self) -> bool {
        self.payloader
            .as_ref()
            .is_some_and(|p| p.marker_ends_frame())
    }
}

/// Rebuilds frames from RTP payloads for one codec.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Depacketizer {
    depayloader: Box<dyn Depayloader + Send>,
    /// Frames completed by the last packet (reused).
    pub frames: Vec<Frame>,
}

impl std::fmt::Debug for Depacketizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Depacketizer")
            .field("stats", &self.depayloader.stats())
            .finish()
    }
}

impl Depacketizer {
    /// The depacketizer of `name`, if there is one.
    pub(crate) fn new(name: CodecName) -> Option<Self> {
        Some(Depacketizer {
            depayloader: rtp_codec(name)?.depayloader(DepayConfig::default()),
            frames: Vec::new(),
        })
    }

    /// Takes one packet (in arrival order); the frames it completes are in
    /// `self.frames` afterwards. A malformed packet is counted by the
    /// depayloader, whose frame is dropped.
    pub(crate) fn push(&mut self, packet: Packet<'_>) {
        self.frames.clear();
        let _ = self.depayloader.push(packet, &mut self.frames);
    }

    /// The depayloader's counters.
    pub(crate) fn stats(&self) -> sansrtc_rtp::codec::DepayStats {
        self.depayloader.stats()
    }
}
