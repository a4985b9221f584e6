//! Opus (RFC 7587): one Opus packet per RTP packet, never fragmented.

use super::assemble::{Assemble, Assembler, Start};
use super::{depayloader, CodecError, FrameInfo, PayloadLayout, Payloader, Payloads};

/// Opus payloader: the frame (one Opus packet, RFC 6716) is the payload.
#[derive(Debug, Clone, Default)]
pub struct OpusPayloader {}

impl Payloader for OpusPayloader {
    fn payload(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        out.clear();
        check(frame, max_payload)?;
        out.buf().extend_from_slice(frame);
        out.finish();
        Ok(())
    }

    /// The frame as it is, one payload without a header.
    fn layout(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut PayloadLayout,
    ) -> Option<Result<(), CodecError>> {
        out.clear();
        Some(check(frame, max_payload).map(|()| out.push(&[], 0..frame.len())))
    }

    /// False: the Opus marker bit flags the first packet of a talkspurt
    /// (RFC 7587 §4.1), not the end of a frame.
    fn marker_ends_frame(&self) -> bool {
        false
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Payloader + Send> {
        Box::new(self.clone())
    }
}

/// An Opus frame goes as one payload: it must be neither empty nor larger.
fn check(frame: &[u8], max_payload: usize) -> Result<(), CodecError> {
    if frame.is_empty() {
        return Err(CodecError::EmptyFrame);
    }
    if frame.len() > max_payload {
        return Err(CodecError::FrameTooLarge {
            size: frame.len(),
            max: max_payload,
        });
    }
    Ok(())
}

/// Opus depayloader: every packet is a frame (the marker bit is ignored).
/// Empty payloads are malformed (an Opus packet has at least its TOC byte).
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct OpusDepayloader {
    inner: Assembler<OpusAssemble>,
}

depayloader!(OpusDepayloader, OpusAssemble);

#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct OpusAssemble;

impl Assemble for OpusAssemble {
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload);
        }
        Ok(Start::Yes)
    }

    fn ends_frame(&self, _marker: bool) -> bool {
        true
    }

    fn start(&mut self) {}

    fn append(
        &mut self,
        payload: &[u8],
        _first: bool,
        data: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        data.extend_from_slice(payload);
        Ok(())
    }

    fn finish(&mut self, _data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError> {
        Ok((true, FrameInfo::Opus))
    }
}
