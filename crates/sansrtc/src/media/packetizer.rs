//! The payloaders and depayloaders of `sansrtc-rtp` behind the
//! connection's codec names.

use sansrtc_rtp::codec::{Codec, DepayConfig, Depayloader, Frame, Packet, Payloader, Payloads};

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
pub(crate) struct Packetizer {
    payloader: Option<Box<dyn Payloader + Send>>,
    name: CodecName,
    /// The payloads of the frame being sent (reused).
    pub payloads: Payloads,
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
        }
    }

    /// Fills `self.payloads` with the payloads of `frame`, each at most
    /// `max_payload` bytes.
    pub(crate) fn packetize(&mut self, frame: &[u8], max_payload: usize) -> Result<(), String> {
        let Some(payloader) = &mut self.payloader else {
            return Err(format!("no payloader for {}", self.name.encoding()));
        };
        payloader
            .payload(frame, max_payload, &mut self.payloads)
            .map_err(|e| e.to_string())
    }

    /// Whether the frame's last packet carries the marker bit.
    pub(crate) fn marker_ends_frame(&self) -> bool {
        self.payloader
            .as_ref()
            .is_some_and(|p| p.marker_ends_frame())
    }
}

/// Rebuilds frames from RTP payloads for one codec.
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
