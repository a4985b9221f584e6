//! VP8 (RFC 7741): the payload descriptor (§4.2), the payloader, the
//! depayloader and keyframe detection.
//!
//! ```text
//!       0 1 2 3 4 5 6 7
//!      +-+-+-+-+-+-+-+-+
//!      |X|R|N|S|R| PID | (REQUIRED)
//!      +-+-+-+-+-+-+-+-+
//! X:   |I|L|T|K| RSV   | (OPTIONAL)
//!      +-+-+-+-+-+-+-+-+
//! I:   |M| PictureID   | (OPTIONAL, 7 or 15 bits)
//!      +-+-+-+-+-+-+-+-+
//! L:   |   TL0PICIDX   | (OPTIONAL)
//!      +-+-+-+-+-+-+-+-+
//! T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//!      +-+-+-+-+-+-+-+-+
//! ```
//!
//! The VP8 payload header (§4.3) follows in the first packet of a frame;
//! its first byte's least significant bit P is 0 for a key frame.

use super::assemble::{Assemble, Assembler, Start};
use super::{depayloader, CodecError, FrameInfo, PayloadLayout, Payloader, Payloads};

/// A parsed VP8 payload descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vp8Descriptor {
    /// N: the frame is not a reference frame.
    pub non_reference: bool,
    /// S: the packet starts a VP8 partition.
    pub start_of_partition: bool,
    /// PID: the partition index (0-7).
    pub partition_index: u8,
    /// The PictureID (7 or 15 bits), when I=1.
    pub picture_id: Option<u16>,
    /// Whether the PictureID took 15 bits (M=1).
    pub picture_id_15_bits: bool,
    /// TL0PICIDX, when L=1.
    pub tl0_pic_idx: Option<u8>,
    /// TID, when T=1.
    pub temporal_id: Option<u8>,
    /// Y (layer sync), meaningful when T=1.
    pub layer_sync: bool,
    /// KEYIDX, when K=1.
    pub key_idx: Option<u8>,
    /// Bytes of the descriptor; the VP8 payload follows.
    pub header_len: usize,
}

impl Vp8Descriptor {
    /// Parses the descriptor at the start of `payload`. The payload after
    /// it may be empty here; the depayloader refuses that.
    pub fn parse(payload: &[u8]) -> Result<Self, CodecError> {
        let Some(&b0) = payload.first() else {
            return Err(CodecError::EmptyPayload);
        };
        let mut d = Vp8Descriptor {
            non_reference: b0 & 0x20 != 0,
            start_of_partition: b0 & 0x10 != 0,
            partition_index: b0 & 0x07,
            header_len: 1,
            ..Vp8Descriptor::default()
        };
        if b0 & 0x80 == 0 {
            return Ok(d);
        }
        let mut pos = 1;
        let mut byte = |what: &'static str| {
            let b = payload.get(pos).copied().ok_or(CodecError::Truncated(what));
            pos += 1;
            b
        };
        let x = byte("VP8 extension byte (X=1)")?;
        if x & 0x80 != 0 {
            let p0 = byte("VP8 PictureID")?;
            if p0 & 0x80 != 0 {
                let p1 = byte("VP8 15-bit PictureID")?;
                d.picture_id = Some(u16::from(p0 & 0x7f) << 8 | u16::from(p1));
                d.picture_id_15_bits = true;
            } else {
                d.picture_id = Some(u16::from(p0));
            }
        }
        if x & 0x40 != 0 {
            d.tl0_pic_idx = Some(byte("VP8 TL0PICIDX")?);
        }
        if x & 0x30 != 0 {
            let tk = byte("VP8 TID/KEYIDX byte")?;
            if x & 0x20 != 0 {
                d.temporal_id = Some(tk >> 6);
                d.layer_sync = tk & 0x20 != 0;
            }
            if x & 0x10 != 0 {
                d.key_idx = Some(tk & 0x1f);
            }
        }
        d.header_len = pos;
        Ok(d)
    }

    /// S=1 and PID=0: the first packet of a frame.
    pub fn starts_frame(&self) -> bool {
        self.start_of_partition && self.partition_index == 0
    }
}

/// Whether `payload` (the first packet of a frame) starts a key frame:
/// S=1, PID=0 and the VP8 payload header's P bit is 0.
pub fn is_keyframe(payload: &[u8]) -> bool {
    match Vp8Descriptor::parse(payload) {
        Ok(d) => d.starts_frame() && payload.get(d.header_len).is_some_and(|&b| b & 0x01 == 0),
        Err(_) => false,
    }
}

/// VP8 payloader: a descriptor with X=1, I=1 and a 15-bit PictureID that
/// goes up by one per frame (the form libwebrtc sends), or the one-byte
/// descriptor ([`Vp8Payloader::without_picture_id`]). S=1 on the first
/// packet, PID 0 always; the frame is cut into as few packets as fit.
#[derive(Debug, Clone)]
pub struct Vp8Payloader {
    picture_id: Option<u16>,
}

impl Default for Vp8Payloader {
    /// PictureIDs from 0.
    fn default() -> Self {
        Vp8Payloader::with_picture_id(0)
    }
}

impl Vp8Payloader {
    /// 15-bit PictureIDs starting at `first & 0x7fff` (pick it at random).
    pub fn with_picture_id(first: u16) -> Self {
        Vp8Payloader {
            picture_id: Some(first & 0x7fff),
        }
    }

    /// The one-byte descriptor, without PictureID.
    pub fn without_picture_id() -> Self {
        Vp8Payloader { picture_id: None }
    }

    /// The PictureID the next frame gets, if any.
    pub fn next_picture_id(&self) -> Option<u16> {
        self.picture_id
    }
}

impl Vp8Payloader {
    /// Cuts `frame` into as few payloads as fit `max_payload`, handing
    /// each payload's descriptor and frame range to `emit`; the PictureID
    /// advances once the frame is cut.
    fn cut(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        mut emit: impl FnMut(&[u8], std::ops::Range<usize>),
    ) -> Result<(), CodecError> {
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let header_len = if self.picture_id.is_some() { 4 } else { 1 };
        if max_payload <= header_len {
            return Err(CodecError::MaxPayloadTooSmall {
                max_payload,
                min: header_len + 1,
            });
        }
        let chunk = max_payload - header_len;
        for start in (0..frame.len()).step_by(chunk) {
            let s = if start == 0 { 0x10 } else { 0 };
            let end = frame.len().min(start + chunk);
            match self.picture_id {
                Some(id) => emit(
                    &[0x80 | s, 0x80, 0x80 | (id >> 8) as u8, id as u8],
                    start..end,
                ),
                None => emit(&[s], start..end),
            }
        }
        if let Some(id) = &mut self.picture_id {
            *id = (*id + 1) & 0x7fff;
        }
        Ok(())
    }
}

impl Payloader for Vp8Payloader {
    fn payload(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        out.clear();
        self.cut(frame, max_payload, |descriptor, range| {
            let buf = out.buf();
            buf.extend_from_slice(descriptor);
            buf.extend_from_slice(&frame[range]);
            out.finish();
        })
    }

    /// The descriptor of each payload and its piece of the frame.
    fn layout(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut PayloadLayout,
    ) -> Option<Result<(), CodecError>> {
        out.clear();
        let r = self.cut(frame, max_payload, |descriptor, range| {
            out.push(descriptor, range)
        });
        if r.is_err() {
            out.clear();
        }
        Some(r)
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Payloader + Send> {
        Box::new(self.clone())
    }
}

/// VP8 depayloader: a frame starts at S=1 PID=0 and ends at the marker;
/// the payloads after the descriptors, concatenated, are the frame.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Vp8Depayloader {
    inner: Assembler<Vp8Assemble>,
}

depayloader!(Vp8Depayloader, Vp8Assemble);

#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Vp8Assemble {
    keyframe: bool,
    first: Vp8Descriptor,
}

impl Assemble for Vp8Assemble {
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError> {
        let d = Vp8Descriptor::parse(payload)?;
        Ok(if d.starts_frame() {
            Start::Yes
        } else {
            Start::No
        })
    }

    fn start(&mut self) {
        self.keyframe = false;
    }

    fn append(
        &mut self,
        payload: &[u8],
        first: bool,
        data: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let d = Vp8Descriptor::parse(payload)?;
        let media = &payload[d.header_len..];
        if media.is_empty() {
            return Err(CodecError::Truncated("VP8 payload after the descriptor"));
        }
        if first {
            self.first = d;
            self.keyframe = media[0] & 0x01 == 0;
        }
        data.extend_from_slice(media);
        Ok(())
    }

    fn finish(&mut self, _data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError> {
        Ok((
            self.keyframe,
            FrameInfo::Vp8 {
                picture_id: self.first.picture_id,
                tl0_pic_idx: self.first.tl0_pic_idx,
                temporal_id: self.first.temporal_id,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_with_every_extension() {
        // X, N, PID 6; I L T K; 15-bit PictureID 0x1234; TL0PICIDX 42;
        // TID 1, Y, KEYIDX 17 (libwebrtc video_rtp_depacketizer_vp8_unittest.cc,
        // MultipleExtensions).
        let d = Vp8Descriptor::parse(&[0b1010_0110, 0b1111_0000, 0x92, 0x34, 42, 0b0111_0001, 0])
            .unwrap();
        assert!(d.non_reference);
        assert_eq!(d.partition_index, 6);
        assert_eq!(d.picture_id, Some(0x1234));
        assert_eq!(d.tl0_pic_idx, Some(42));
        assert_eq!(d.temporal_id, Some(1));
        assert!(d.layer_sync);
        assert_eq!(d.key_idx, Some(17));
        assert_eq!(d.header_len, 6);
    }

    #[test]
    fn payloader_picture_id_wraps_at_15_bits() {
        let mut p = Vp8Payloader::with_picture_id(0x7fff);
        let mut out = Payloads::new();
        p.payload(&[0], 10, &mut out).unwrap();
        assert_eq!(out.get(0).unwrap(), &[0x90, 0x80, 0xff, 0xff, 0]);
        assert_eq!(p.next_picture_id(), Some(0));
    }
}
