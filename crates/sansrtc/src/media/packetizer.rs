//! The codec-specific payloaders and depayloaders behind one type each.

use super::codec::CodecName;

/// Splits frames into RTP payloads for one codec.
#[derive(Debug)]
pub(crate) enum Packetizer {
    /// One Opus frame per packet (RFC 7587 §4.2).
    Opus,
    /// A codec without a payloader here.
    Unsupported(CodecName),
}

impl Packetizer {
    pub(crate) fn new(name: CodecName) -> Self {
        match name {
            CodecName::Opus => Packetizer::Opus,
            other => Packetizer::Unsupported(other),
        }
    }

    /// Appends the payloads of `frame` (each at most `max_payload` bytes).
    pub(crate) fn packetize(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), String> {
        match self {
            Packetizer::Opus if frame.len() <= max_payload => {
                out.push(frame.to_vec());
                Ok(())
            }
            Packetizer::Opus => Err(format!(
                "an Opus frame of {} bytes does not fit one packet",
                frame.len()
            )),
            Packetizer::Unsupported(name) => Err(format!("no payloader for {}", name.encoding())),
        }
    }
}

/// A whole frame out of a depacketizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DepacketizedFrame {
    pub data: Vec<u8>,
    pub rtp_timestamp: u32,
    pub keyframe: bool,
}

/// Rebuilds frames from RTP payloads for one codec.
#[derive(Debug)]
pub(crate) enum Depacketizer {
    /// One Opus frame per packet.
    Opus,
}

impl Depacketizer {
    /// The depacketizer of `name`, if there is one.
    pub(crate) fn new(name: CodecName) -> Option<Self> {
        match name {
            CodecName::Opus => Some(Depacketizer::Opus),
            _ => None,
        }
    }

    /// Takes one packet's payload (in arrival order); returns the frames
    /// it completes.
    pub(crate) fn push(
        &mut self,
        payload: &[u8],
        _sequence_number: u16,
        rtp_timestamp: u32,
        _marker: bool,
        out: &mut Vec<DepacketizedFrame>,
    ) {
        match self {
            Depacketizer::Opus => {
                if !payload.is_empty() {
                    out.push(DepacketizedFrame {
                        data: payload.to_vec(),
                        rtp_timestamp,
                        keyframe: false,
                    });
                }
            }
        }
    }
}
