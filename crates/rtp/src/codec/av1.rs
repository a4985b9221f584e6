//! AV1 (AOM "RTP Payload Format For AV1", v1.0): the aggregation header,
//! OBU elements, the payloader, the depayloader and keyframe detection.
//!
//! ```text
//!  0 1 2 3 4 5 6 7
//! +-+-+-+-+-+-+-+-+
//! |Z|Y| W |N|-|-|-|  aggregation header
//! +-+-+-+-+-+-+-+-+
//! ```
//!
//! Z: the first OBU element continues an OBU fragment of the previous
//! packet; Y: the last one continues in the next packet; W: number of OBU
//! elements (0: any, every element behind a LEB128 length; 1-3: all but
//! the last have one); N: the packet is the first of a coded video
//! sequence. OBU elements carry OBUs whose `obu_has_size_field` is 0.

use super::assemble::{Assemble, Assembler, Start};
use super::bits::{leb128_bytes, leb128_len, read_leb128, BitReader};
use super::{depayloader, CodecError, FrameInfo, Payloader, Payloads};

/// OBU type of a sequence header.
pub const OBU_SEQUENCE_HEADER: u8 = 1;
/// OBU type of a temporal delimiter.
pub const OBU_TEMPORAL_DELIMITER: u8 = 2;
/// OBU type of a frame header.
pub const OBU_FRAME_HEADER: u8 = 3;
/// OBU type of a frame (header and tile group).
pub const OBU_FRAME: u8 = 6;
/// OBU type of a tile list.
pub const OBU_TILE_LIST: u8 = 8;

/// The aggregation header (first byte of every AV1 payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregationHeader {
    /// Z: the first element continues the previous packet's last OBU.
    pub continuation: bool,
    /// Y: the last element continues in the next packet.
    pub will_continue: bool,
    /// W: the number of OBU elements (0: count not given).
    pub element_count: u8,
    /// N: first packet of a coded video sequence.
    pub new_coded_video_sequence: bool,
}

impl AggregationHeader {
    /// Reads the header byte.
    pub fn from_byte(b: u8) -> Self {
        AggregationHeader {
            continuation: b & 0x80 != 0,
            will_continue: b & 0x40 != 0,
            element_count: (b >> 4) & 0x03,
            new_coded_video_sequence: b & 0x08 != 0,
        }
    }

    /// The header byte.
    pub fn to_byte(self) -> u8 {
        u8::from(self.continuation) << 7
            | u8::from(self.will_continue) << 6
            | (self.element_count & 0x03) << 4
            | u8::from(self.new_coded_video_sequence) << 3
    }
}

/// Parses an AV1 payload: its aggregation header and OBU elements (each
/// the bytes of an OBU or of a fragment of one). Refuses a packet with
/// both Z and N set (a coded video sequence cannot start mid-OBU), element
/// lengths running past the end, and hostile LEB128s (unterminated, more
/// than 8 bytes, 2^32 or more).
pub fn parse_payload(
    payload: &[u8],
) -> Result<
    (
        AggregationHeader,
        impl Iterator<Item = Result<&[u8], CodecError>>,
    ),
    CodecError,
> {
    let Some((&b0, mut rest)) = payload.split_first() else {
        return Err(CodecError::EmptyPayload);
    };
    let h = AggregationHeader::from_byte(b0);
    if h.continuation && h.new_coded_video_sequence {
        return Err(CodecError::Invalid("AV1 packet with both Z and N"));
    }
    let w = usize::from(h.element_count);
    let mut index = 0;
    let mut failed = false;
    let elements = std::iter::from_fn(move || {
        if failed || (w == 0 && rest.is_empty()) || (w != 0 && index == w) {
            return None;
        }
        index += 1;
        if w != 0 && index == w {
            let e = rest;
            rest = &rest[rest.len()..];
            return Some(Ok(e));
        }
        let r = read_leb128(rest).and_then(|(len, n)| {
            let e = rest
                .get(n..n + len)
                .ok_or(CodecError::Truncated("AV1 OBU element"))?;
            rest = &rest[n + len..];
            Ok(e)
        });
        failed = r.is_err();
        Some(r)
    });
    Ok((h, elements))
}

/// The OBU header's type, and its length (1, or 2 with the extension).
fn obu_header(obu: &[u8]) -> Result<(u8, usize), CodecError> {
    let Some(&h) = obu.first() else {
        return Err(CodecError::Truncated("OBU header"));
    };
    if h & 0x80 != 0 {
        return Err(CodecError::Invalid("OBU forbidden bit set"));
    }
    let len = if h & 0x04 != 0 { 2 } else { 1 };
    if obu.len() < len {
        return Err(CodecError::Truncated("OBU extension header"));
    }
    Ok(((h >> 3) & 0x0f, len))
}

/// An OBU's payload: after its header and, when `obu_has_size_field` is
/// set, its size (bytes after that size are ignored).
fn obu_payload(obu: &[u8]) -> Result<&[u8], CodecError> {
    let (_, header_len) = obu_header(obu)?;
    let rest = &obu[header_len..];
    if obu[0] & 0x02 == 0 {
        return Ok(rest);
    }
    let (size, n) = read_leb128(rest)?;
    rest.get(n..n + size)
        .ok_or(CodecError::Truncated("OBU payload (obu_size)"))
}

/// reduced_still_picture_header of a sequence header OBU payload.
fn reduced_still_picture(seq_payload: &[u8]) -> Option<bool> {
    let mut r = BitReader::new(seq_payload);
    r.bits(3)?; // seq_profile
    r.bit()?; // still_picture
    r.bit()
}

/// Whether a frame (header) OBU payload starts a key frame (frame_type
/// KEY_FRAME, not show_existing_frame).
fn key_frame_header(frame_payload: &[u8], reduced_still_picture: bool) -> bool {
    if reduced_still_picture {
        return true;
    }
    let mut r = BitReader::new(frame_payload);
    matches!((r.bit(), r.bits(2)), (Some(false), Some(0)))
}

/// Tracks "a sequence header, then a key frame" over the OBUs of a unit.
#[derive(Debug, Default, Clone, Copy)]
struct KeyTracker {
    sequence_header: Option<bool>, // Some(reduced_still_picture_header)
    frame_seen: bool,
    key: bool,
}

impl KeyTracker {
    /// `obu`: at least its header and the start of its payload.
    fn see(&mut self, obu: &[u8]) {
        let Ok((kind, _)) = obu_header(obu) else {
            return;
        };
        let payload = obu_payload(obu).unwrap_or(&[]);
        match kind {
            OBU_SEQUENCE_HEADER => {
                self.sequence_header = Some(reduced_still_picture(payload).unwrap_or(false));
            }
            OBU_FRAME_HEADER | OBU_FRAME if !self.frame_seen => {
                self.frame_seen = true;
                if let Some(reduced) = self.sequence_header {
                    self.key = key_frame_header(payload, reduced);
                }
            }
            _ => {}
        }
    }
}

/// Whether `payload` (the first packet of a temporal unit) starts a
/// keyframe: N=1, or, with Z=0, a sequence header OBU followed by a frame
/// (header) OBU of a key frame in this packet (the frame OBU may be a
/// fragment: its first bytes are enough).
pub fn is_keyframe(payload: &[u8]) -> bool {
    let Ok((h, elements)) = parse_payload(payload) else {
        return false;
    };
    if h.new_coded_video_sequence {
        return true;
    }
    if h.continuation {
        return false;
    }
    let mut t = KeyTracker::default();
    for e in elements {
        let Ok(e) = e else { break };
        t.see(e);
        if t.frame_seen {
            break;
        }
    }
    t.key
}

/// AV1 payloader.
///
/// Takes a temporal unit in the low-overhead bitstream format (OBUs with
/// `obu_has_size_field` = 1, as encoders output; an OBU without a size
/// field extends to the end). Temporal delimiters and tile lists are
/// dropped (as the payload format says); every other OBU is sent with its
/// size field removed. OBUs are aggregated greedily and fragmented across
/// packets where they do not fit (as few packets as possible, lengths
/// counted for every element). A packet with 1 to 3 elements says so in
/// W and omits the last element's length; with more, W=0. N=1 on the first
/// packet when the unit holds a sequence header followed by a key frame.
#[derive(Debug, Clone, Default)]
pub struct Av1Payloader {
    /// The unit's OBU elements: (header bytes, header length, payload range).
    elements: Vec<([u8; 2], usize, std::ops::Range<usize>)>,
    /// The packet being filled: (element, offset, length) pieces.
    pieces: Vec<(usize, usize, usize)>,
}

impl Payloader for Av1Payloader {
    fn payload(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        out.refill(|out| self.payload_inner(frame, max_payload, out))
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Payloader + Send> {
        Box::new(self.clone())
    }
}

impl Av1Payloader {
    fn payload_inner(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        self.elements.clear();
        self.pieces.clear();
        let mut keys = KeyTracker::default();
        let mut pos = 0;
        while pos < frame.len() {
            let obu = &frame[pos..];
            let (kind, header_len) = obu_header(obu)?;
            let (payload_start, payload_len) = if obu[0] & 0x02 != 0 {
                let (size, n) = read_leb128(&obu[header_len..])?;
                if header_len + n + size > obu.len() {
                    return Err(CodecError::Truncated("OBU payload (obu_size)"));
                }
                (header_len + n, size)
            } else {
                (header_len, obu.len() - header_len)
            };
            let whole = &obu[..payload_start + payload_len];
            pos += whole.len();
            if kind == OBU_TEMPORAL_DELIMITER || kind == OBU_TILE_LIST {
                continue;
            }
            keys.see(whole);
            let mut header = [obu[0] & !0x02, 0];
            if header_len == 2 {
                header[1] = obu[1];
            }
            let start = pos - payload_len;
            self.elements.push((header, header_len, start..pos));
        }
        if self.elements.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        if max_payload < 3 {
            return Err(CodecError::MaxPayloadTooSmall {
                max_payload,
                min: 3,
            });
        }
        let capacity = max_payload - 1;
        let mut room = capacity;
        let mut first_packet = true;
        let new_sequence = keys.key;
        for e in 0..self.elements.len() {
            let (_, header_len, ref range) = self.elements[e];
            let len = header_len + range.len();
            let mut offset = 0;
            while offset < len {
                let left = len - offset;
                if leb128_len(left) + left <= room {
                    self.pieces.push((e, offset, left));
                    room -= leb128_len(left) + left;
                    offset = len;
                    continue;
                }
                let fragment = max_fragment(room);
                if fragment == 0 {
                    // Not even one byte fits: next packet.
                    self.flush(frame, out, &mut first_packet, new_sequence);
                    room = capacity;
                    continue;
                }
                self.pieces.push((e, offset, fragment));
                offset += fragment;
                self.flush(frame, out, &mut first_packet, new_sequence);
                room = capacity;
            }
        }
        if !self.pieces.is_empty() {
            self.flush(frame, out, &mut first_packet, new_sequence);
        }
        Ok(())
    }

    /// Writes the packet of `self.pieces` and empties it.
    fn flush(&mut self, frame: &[u8], out: &mut Payloads, first: &mut bool, new_sequence: bool) {
        let (Some(&(_, first_off, _)), Some(&(last_e, last_off, last_len))) =
            (self.pieces.first(), self.pieces.last())
        else {
            return;
        };
        let last_element_len = self.elements[last_e].1 + self.elements[last_e].2.len();
        let count = self.pieces.len();
        let w = if count <= 3 { count as u8 } else { 0 };
        let header = AggregationHeader {
            continuation: first_off > 0,
            will_continue: last_off + last_len < last_element_len,
            element_count: w,
            new_coded_video_sequence: *first && new_sequence,
        };
        let buf = out.buf();
        buf.push(header.to_byte());
        for (i, &(e, off, len)) in self.pieces.iter().enumerate() {
            if w == 0 || i + 1 < count {
                let (b, n) = leb128_bytes(len);
                buf.extend_from_slice(&b[..n]);
            }
            let (hdr, hl, ref range) = self.elements[e];
            // The element is the header bytes then the payload.
            let (mut off, mut len) = (off, len);
            if off < hl {
                let take = (hl - off).min(len);
                buf.extend_from_slice(&hdr[off..off + take]);
                off += take;
                len -= take;
            }
            if len > 0 {
                let p = range.start + (off - hl);
                buf.extend_from_slice(&frame[p..p + len]);
            }
        }
        out.finish();
        self.pieces.clear();
        *first = false;
    }
}

/// The largest fragment `f` with `leb128_len(f) + f <= room` (0 if none).
fn max_fragment(room: usize) -> usize {
    (1..=room.min(8))
        .filter(|&k| leb128_len(room - k) <= k)
        .map(|k| room - k)
        .find(|&f| f > 0)
        .unwrap_or(0)
}

/// AV1 depayloader: a temporal unit starts at a packet with Z=0 and ends at
/// the marker. OBU fragments are joined (Y on one packet, Z on the next);
/// every OBU comes out with `obu_has_size_field` = 1 and its `obu_size`
/// (an OBU that already had one keeps it, bytes after it are dropped).
/// Temporal delimiters and tile lists received are dropped; with
/// [`Av1Depayloader::with_temporal_delimiter`] each unit starts with a
/// temporal delimiter (`12 00`), as a conformant low-overhead bitstream
/// does. Keyframe: N=1 on the first packet, or a sequence header followed
/// by a key frame.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Av1Depayloader {
    inner: Assembler<Av1Assemble>,
}

depayloader!(Av1Depayloader, Av1Assemble);

impl Av1Depayloader {
    /// Whether every temporal unit starts with a temporal delimiter OBU
    /// (default false: libwebrtc, GStreamer and dav1d do without).
    pub fn with_temporal_delimiter(mut self, yes: bool) -> Self {
        self.inner.codec_mut().temporal_delimiter = yes;
        self
    }
}

#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Av1Assemble {
    temporal_delimiter: bool,
    /// Start (in the frame data) of an OBU whose last fragment is awaited.
    pending: Option<usize>,
    new_sequence: bool,
    keys: KeyTracker,
}

impl Av1Assemble {
    /// The OBU written from `start` to the end of `data` is complete: give
    /// it its size field (or drop it).
    fn close(&mut self, data: &mut Vec<u8>, start: usize) -> Result<(), CodecError> {
        let obu = &data[start..];
        if obu.is_empty() {
            return Ok(());
        }
        let (kind, header_len) = obu_header(obu)?;
        if kind == OBU_TEMPORAL_DELIMITER || kind == OBU_TILE_LIST {
            data.truncate(start);
            return Ok(());
        }
        self.keys.see(obu);
        if obu[0] & 0x02 != 0 {
            let (size, n) = read_leb128(&obu[header_len..])?;
            let end = start + header_len + n + size;
            if end > data.len() {
                return Err(CodecError::Truncated("OBU payload (obu_size)"));
            }
            data.truncate(end);
        } else {
            let size = obu.len() - header_len;
            data[start] |= 0x02;
            let (b, n) = leb128_bytes(size);
            let at = start + header_len;
            data.splice(at..at, b[..n].iter().copied());
        }
        Ok(())
    }
}

impl Assemble for Av1Assemble {
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError> {
        let (h, elements) = parse_payload(payload)?;
        // Refuse a malformed packet even when its frame is not taken:
        // the element lengths, and the header of every whole OBU.
        let mut elements = elements.enumerate().peekable();
        while let Some((i, e)) = elements.next() {
            let e = e?;
            let continues = i == 0 && h.continuation;
            let continued = h.will_continue && elements.peek().is_none();
            if !continues && !continued && !e.is_empty() {
                obu_header(e)?;
            }
        }
        Ok(if h.continuation {
            Start::No
        } else if h.new_coded_video_sequence {
            Start::Yes
        } else {
            Start::Maybe
        })
    }

    fn start(&mut self) {
        self.pending = None;
        self.new_sequence = false;
        self.keys = KeyTracker::default();
    }

    fn append(
        &mut self,
        payload: &[u8],
        first: bool,
        data: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let (h, elements) = parse_payload(payload)?;
        if first {
            self.new_sequence = h.new_coded_video_sequence;
        }
        let mut elements = elements.peekable();
        if elements.peek().is_none() {
            // No element: only the fragment flags matter.
            return match (h.continuation, self.pending) {
                (true, Some(start)) => {
                    if !h.will_continue {
                        self.pending = None;
                        self.close(data, start)?;
                    }
                    Ok(())
                }
                (false, None) if !h.will_continue => Ok(()),
                _ => Err(CodecError::Invalid(
                    "AV1 fragment flags on a packet without OBU elements",
                )),
            };
        }
        let mut index = 0;
        while let Some(e) = elements.next() {
            let e = e?;
            let start = if index == 0 && h.continuation {
                self.pending
                    .take()
                    .ok_or(CodecError::Invalid("AV1 continuation without a fragment"))?
            } else {
                if self.pending.is_some() {
                    return Err(CodecError::Invalid(
                        "AV1 fragment not continued (Y, then Z=0)",
                    ));
                }
                data.len()
            };
            data.extend_from_slice(e);
            if h.will_continue && elements.peek().is_none() {
                self.pending = Some(start);
            } else {
                self.close(data, start)?;
            }
            index += 1;
        }
        Ok(())
    }

    fn finish(&mut self, data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError> {
        if self.pending.is_some() {
            return Err(CodecError::Invalid(
                "AV1 temporal unit ends inside an OBU fragment",
            ));
        }
        if self.temporal_delimiter && !data.is_empty() {
            data.splice(0..0, [0x12, 0x00]);
        }
        Ok((
            self.new_sequence || self.keys.key,
            FrameInfo::Av1 {
                new_coded_video_sequence: self.new_sequence,
                sequence_header: self.keys.sequence_header.is_some(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Depayloader, Packet};

    #[test]
    fn a_fragment_may_end_inside_the_obu_extension_header() {
        // Found by the depay_av1 fuzz target: a 3-byte budget leaves 1
        // byte per fragment, so the first fragment is half the 2-byte
        // header (it underflowed computing the payload offset).
        let tu = [0x36, 0x28, 0x02, 0x10, 0x20];
        let mut out = Payloads::new();
        Av1Payloader::default().payload(&tu, 3, &mut out).unwrap();
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|p| p.len() <= 3));
        let mut d = Av1Depayloader::new();
        let mut frames = Vec::new();
        d.push(Packet::new(&[0x10, 0x30], 0, 0, true), &mut frames)
            .unwrap();
        for (i, p) in out.iter().enumerate() {
            d.push(Packet::new(p, 1 + i as u16, 1, i == 3), &mut frames)
                .unwrap();
        }
        // The packet before only makes the first one count as a start
        // (its own unit, without N, is not taken at the stream's start).
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].data, tu);
    }
}
