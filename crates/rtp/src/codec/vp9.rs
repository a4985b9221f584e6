//! VP9 (RFC 9628): the payload descriptor (§4.2) with its scalability
//! structure (§4.2.1), the payloader, the depayloader and keyframe
//! detection.
//!
//! ```text
//!         0 1 2 3 4 5 6 7
//!        +-+-+-+-+-+-+-+-+
//!        |I|P|L|F|B|E|V|Z| (REQUIRED)
//!        +-+-+-+-+-+-+-+-+
//!   I:   |M| PICTURE ID  | (7 or 15 bits)
//!        +-+-+-+-+-+-+-+-+
//!   M:   | EXTENDED PID  |
//!        +-+-+-+-+-+-+-+-+
//!   L:   | TID |U| SID |D|
//!        +-+-+-+-+-+-+-+-+
//!        |   TL0PICIDX   | (non-flexible mode only)
//!        +-+-+-+-+-+-+-+-+
//!  P,F:  | P_DIFF      |N| (flexible mode, up to 3 times)
//!        +-+-+-+-+-+-+-+-+
//!   V:   | SS            |
//!        | ..            |
//!        +-+-+-+-+-+-+-+-+
//! ```

use super::assemble::{Assemble, Assembler, Start};
use super::bits::BitReader;
use super::{depayloader, CodecError, FrameInfo, Payloader, Payloads};

/// The layer indices (L=1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vp9Layer {
    /// TID: the temporal layer.
    pub temporal_id: u8,
    /// U: switching up point.
    pub switching_up: bool,
    /// SID: the spatial layer.
    pub spatial_id: u8,
    /// D: inter-layer dependency.
    pub inter_layer_dependency: bool,
    /// TL0PICIDX (non-flexible mode only).
    pub tl0_pic_idx: Option<u8>,
}

/// One picture group entry of the scalability structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureGroupEntry {
    /// TID of the picture.
    pub temporal_id: u8,
    /// U: switching up point.
    pub switching_up: bool,
    /// The P_DIFFs of its reference pictures (0-3 of them).
    pub p_diffs: Vec<u8>,
}

/// The scalability structure (SS, V=1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalabilityStructure {
    /// Number of spatial layers (N_S + 1).
    pub spatial_layers: u8,
    /// Width and height of each spatial layer (Y=1), else empty.
    pub resolutions: Vec<(u16, u16)>,
    /// The picture group description (G=1), else `None`.
    pub picture_group: Option<Vec<PictureGroupEntry>>,
}

/// A parsed VP9 payload descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vp9Descriptor {
    /// The picture ID (7 or 15 bits), when I=1.
    pub picture_id: Option<u16>,
    /// Whether the picture ID took 15 bits (M=1).
    pub picture_id_15_bits: bool,
    /// P: inter-picture predicted.
    pub inter_predicted: bool,
    /// F: flexible mode.
    pub flexible: bool,
    /// B: start of a layer frame.
    pub begins_frame: bool,
    /// E: end of a layer frame.
    pub ends_frame: bool,
    /// Z: not a reference for upper spatial layers.
    pub not_upper_reference: bool,
    /// The layer indices, when L=1.
    pub layer: Option<Vp9Layer>,
    p_diffs: [u8; 3],
    p_diff_count: u8,
    /// The scalability structure, when V=1.
    pub scalability: Option<ScalabilityStructure>,
    /// Bytes of the descriptor; the VP9 payload follows.
    pub header_len: usize,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn byte(&mut self, what: &'static str) -> Result<u8, CodecError> {
        let b = self
            .data
            .get(self.pos)
            .copied()
            .ok_or(CodecError::Truncated(what))?;
        self.pos += 1;
        Ok(b)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from(self.byte(what)?) << 8 | u16::from(self.byte(what)?))
    }
}

impl Vp9Descriptor {
    /// Parses the descriptor at the start of `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, CodecError> {
        let Some(&b0) = payload.first() else {
            return Err(CodecError::EmptyPayload);
        };
        let mut c = Cursor {
            data: payload,
            pos: 1,
        };
        let mut d = Vp9Descriptor {
            inter_predicted: b0 & 0x40 != 0,
            flexible: b0 & 0x10 != 0,
            begins_frame: b0 & 0x08 != 0,
            ends_frame: b0 & 0x04 != 0,
            not_upper_reference: b0 & 0x01 != 0,
            ..Vp9Descriptor::default()
        };
        if b0 & 0x80 != 0 {
            let p0 = c.byte("VP9 picture ID")?;
            if p0 & 0x80 != 0 {
                let p1 = c.byte("VP9 15-bit picture ID")?;
                d.picture_id = Some(u16::from(p0 & 0x7f) << 8 | u16::from(p1));
                d.picture_id_15_bits = true;
            } else {
                d.picture_id = Some(u16::from(p0));
            }
        }
        if b0 & 0x20 != 0 {
            let l = c.byte("VP9 layer indices")?;
            let tl0_pic_idx = if d.flexible {
                None
            } else {
                Some(c.byte("VP9 TL0PICIDX")?)
            };
            d.layer = Some(Vp9Layer {
                temporal_id: l >> 5,
                switching_up: l & 0x10 != 0,
                spatial_id: (l >> 1) & 0x07,
                inter_layer_dependency: l & 0x01 != 0,
                tl0_pic_idx,
            });
        }
        if d.flexible && d.inter_predicted {
            loop {
                let r = c.byte("VP9 P_DIFF")?;
                if usize::from(d.p_diff_count) == d.p_diffs.len() {
                    return Err(CodecError::Invalid("more than 3 VP9 P_DIFFs"));
                }
                d.p_diffs[usize::from(d.p_diff_count)] = r >> 1;
                d.p_diff_count += 1;
                if r & 0x01 == 0 {
                    break;
                }
                if usize::from(d.p_diff_count) == d.p_diffs.len() {
                    return Err(CodecError::Invalid("more than 3 VP9 P_DIFFs"));
                }
            }
        }
        if b0 & 0x02 != 0 {
            d.scalability = Some(parse_ss(&mut c)?);
        }
        d.header_len = c.pos;
        Ok(d)
    }

    /// The P_DIFFs (flexible mode, P=1): 1 to 3 of them.
    pub fn p_diffs(&self) -> &[u8] {
        &self.p_diffs[..usize::from(self.p_diff_count)]
    }

    /// The first packet of a picture for sure: B=1, and spatial layer 0
    /// when layer indices are present.
    fn starts_picture(&self) -> bool {
        self.begins_frame && self.layer.map_or(true, |l| l.spatial_id == 0)
    }
}

fn parse_ss(c: &mut Cursor<'_>) -> Result<ScalabilityStructure, CodecError> {
    let v = c.byte("VP9 scalability structure")?;
    let spatial_layers = (v >> 5) + 1;
    let mut ss = ScalabilityStructure {
        spatial_layers,
        resolutions: Vec::new(),
        picture_group: None,
    };
    if v & 0x10 != 0 {
        for _ in 0..spatial_layers {
            let w = c.u16("VP9 SS width")?;
            let h = c.u16("VP9 SS height")?;
            ss.resolutions.push((w, h));
        }
    }
    if v & 0x08 != 0 {
        let n = c.byte("VP9 SS N_G")?;
        let mut group = Vec::with_capacity(usize::from(n).min(c.data.len()));
        for _ in 0..n {
            let g = c.byte("VP9 SS picture group")?;
            let mut p_diffs = Vec::new();
            for _ in 0..(g >> 2) & 0x03 {
                p_diffs.push(c.byte("VP9 SS P_DIFF")?);
            }
            group.push(PictureGroupEntry {
                temporal_id: g >> 5,
                switching_up: g & 0x10 != 0,
                p_diffs,
            });
        }
        ss.picture_group = Some(group);
    }
    Ok(ss)
}

/// The facts this module reads from a VP9 uncompressed header (VP9
/// bitstream specification §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UncompressedHeader {
    /// frame_type == KEY_FRAME (0).
    pub keyframe: bool,
    /// show_existing_frame: the frame only shows an earlier one.
    pub show_existing_frame: bool,
    /// Width and height of a key frame.
    pub size: Option<(u16, u16)>,
}

impl UncompressedHeader {
    /// Reads the start of a VP9 frame; `None` if it is not one (the frame
    /// marker is not 2, or the bytes end early, or the sync code is wrong).
    pub fn parse(frame: &[u8]) -> Option<Self> {
        let mut r = BitReader::new(frame);
        if r.bits(2)? != 2 {
            return None;
        }
        let low = r.bits(1)?;
        let high = r.bits(1)?;
        let profile = high << 1 | low;
        if profile == 3 {
            r.bit()?; // reserved_zero
        }
        if r.bit()? {
            return Some(UncompressedHeader {
                keyframe: false,
                show_existing_frame: true,
                size: None,
            });
        }
        let keyframe = !r.bit()?; // frame_type
        if !keyframe {
            return Some(UncompressedHeader {
                keyframe,
                show_existing_frame: false,
                size: None,
            });
        }
        r.bit()?; // show_frame
        r.bit()?; // error_resilient_mode
        if r.bits(24)? != 0x49_83_42 {
            return None;
        }
        // color_config()
        if profile >= 2 {
            r.bit()?; // ten_or_twelve_bit
        }
        let color_space = r.bits(3)?;
        if color_space != 7 {
            r.bit()?; // color_range
            if profile == 1 || profile == 3 {
                r.bits(3)?; // subsampling_x, subsampling_y, reserved_zero
            }
        } else if profile == 1 || profile == 3 {
            r.bit()?; // reserved_zero
        }
        let w = r.bits(16)? + 1;
        let h = r.bits(16)? + 1;
        Some(UncompressedHeader {
            keyframe,
            show_existing_frame: false,
            size: u16::try_from(w).ok().zip(u16::try_from(h).ok()),
        })
    }
}

/// Whether `payload` (the first packet of a picture) starts a keyframe:
/// B=1 and P=0 (and spatial layer 0 when layer indices are present); for a
/// stream without layer indices, the VP9 uncompressed header must not
/// contradict it (an inter frame there means no).
pub fn is_keyframe(payload: &[u8]) -> bool {
    let Ok(d) = Vp9Descriptor::parse(payload) else {
        return false;
    };
    keyframe_of(&d, &payload[d.header_len..])
}

fn keyframe_of(d: &Vp9Descriptor, media: &[u8]) -> bool {
    if !d.starts_picture() || d.inter_predicted {
        return false;
    }
    if d.layer.is_none() {
        if let Some(h) = UncompressedHeader::parse(media) {
            return h.keyframe;
        }
    }
    true
}

/// VP9 payloader for one spatial layer (no SVC).
///
/// Every packet has I=1 with a 15-bit picture ID (one per frame, from the
/// value given, wrapping at 2^15), B on the first, E on the last, Z=1.
/// The frame's uncompressed header decides P: a key frame gets P=0, any
/// other frame (or bytes that do not parse) P=1.
///
/// - Non-flexible mode (the default, what libwebrtc sends without SVC):
///   the first packet of a key frame carries the scalability structure:
///   one spatial layer, its resolution when the header gives it, and a
///   picture group of one picture (TID 0, U=1, one reference with
///   P_DIFF 1) — byte for byte what pion/rtp's `VP9Payloader` sends.
/// - Flexible mode: F=1, and inter frames carry one P_DIFF of 1 (the
///   previous picture) in every packet.
#[derive(Debug, Clone)]
pub struct Vp9Payloader {
    picture_id: u16,
    flexible: bool,
}

impl Default for Vp9Payloader {
    /// Non-flexible, picture IDs from 0.
    fn default() -> Self {
        Vp9Payloader::new(0, false)
    }
}

impl Vp9Payloader {
    /// Picture IDs from `first & 0x7fff` (pick it at random); flexible or
    /// non-flexible mode.
    pub fn new(first_picture_id: u16, flexible: bool) -> Self {
        Vp9Payloader {
            picture_id: first_picture_id & 0x7fff,
            flexible,
        }
    }

    /// The picture ID the next frame gets.
    pub fn next_picture_id(&self) -> u16 {
        self.picture_id
    }
}

impl Payloader for Vp9Payloader {
    fn payload(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        out.clear();
        if frame.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        let header = UncompressedHeader::parse(frame);
        let keyframe = header.is_some_and(|h| h.keyframe);
        let id = self.picture_id;
        // The descriptor of every packet: flags, picture ID, [P_DIFF].
        let mut common = vec![0x80 | 0x01, 0x80 | (id >> 8) as u8, id as u8];
        if !keyframe {
            common[0] |= 0x40;
        }
        if self.flexible {
            common[0] |= 0x10;
            if !keyframe {
                common.push(1 << 1);
            }
        }
        let mut ss = Vec::new();
        if keyframe && !self.flexible {
            match header.and_then(|h| h.size) {
                Some((w, h)) => {
                    ss.push(0x18); // N_S=0, Y=1, G=1
                    ss.extend_from_slice(&w.to_be_bytes());
                    ss.extend_from_slice(&h.to_be_bytes());
                }
                None => ss.push(0x08), // N_S=0, Y=0, G=1
            }
            ss.extend_from_slice(&[1, 0x14, 1]); // N_G=1: TID 0, U=1, R=1, P_DIFF 1
        }
        let first_len = common.len() + ss.len();
        if max_payload <= first_len {
            return Err(CodecError::MaxPayloadTooSmall {
                max_payload,
                min: first_len + 1,
            });
        }
        let mut rest = frame;
        let mut first = true;
        while !rest.is_empty() {
            let header_len = if first { first_len } else { common.len() };
            let n = rest.len().min(max_payload - header_len);
            let (chunk, tail) = rest.split_at(n);
            let mut flags = common[0];
            if first {
                flags |= 0x08;
                if !ss.is_empty() {
                    flags |= 0x02;
                }
            }
            if tail.is_empty() {
                flags |= 0x04;
            }
            let buf = out.buf();
            buf.push(flags);
            buf.extend_from_slice(&common[1..]);
            if first {
                buf.extend_from_slice(&ss);
            }
            buf.extend_from_slice(chunk);
            out.finish();
            rest = tail;
            first = false;
        }
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        Ok(())
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn Payloader + Send> {
        Box::new(self.clone())
    }
}

/// VP9 depayloader: a picture starts at B=1 and ends at the marker; the
/// payloads after the descriptors are concatenated (the layer frames of a
/// spatially scalable picture one after the other).
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Vp9Depayloader {
    inner: Assembler<Vp9Assemble>,
}

depayloader!(Vp9Depayloader, Vp9Assemble);

#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Vp9Assemble {
    keyframe: bool,
    picture_id: Option<u16>,
    scalability: Option<ScalabilityStructure>,
}

impl Assemble for Vp9Assemble {
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError> {
        let d = Vp9Descriptor::parse(payload)?;
        Ok(if d.starts_picture() {
            Start::Yes
        } else if d.begins_frame {
            Start::Maybe
        } else {
            Start::No
        })
    }

    fn start(&mut self) {
        self.keyframe = false;
        self.picture_id = None;
        self.scalability = None;
    }

    fn append(
        &mut self,
        payload: &[u8],
        first: bool,
        data: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let d = Vp9Descriptor::parse(payload)?;
        let media = &payload[d.header_len..];
        if first {
            self.keyframe = keyframe_of(&d, media);
            self.picture_id = d.picture_id;
        }
        if self.scalability.is_none() {
            self.scalability = d.scalability;
        }
        data.extend_from_slice(media);
        Ok(())
    }

    fn finish(&mut self, _data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError> {
        Ok((
            self.keyframe,
            FrameInfo::Vp9 {
                picture_id: self.picture_id,
                scalability: self.scalability.take(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncompressed_header_of_a_1920x804_key_frame() {
        // The key frame start pion/rtp's vp9_packet_test.go payloads.
        let h = UncompressedHeader::parse(&[0x82, 0x49, 0x83, 0x42, 0x00, 0x77, 0xf0, 0x32, 0x34])
            .unwrap();
        assert!(h.keyframe);
        assert_eq!(h.size, Some((1920, 804)));
        let h = UncompressedHeader::parse(&[0x86, 0x00, 0x40, 0x92]).unwrap();
        assert!(!h.keyframe);
        assert_eq!(UncompressedHeader::parse(&[0x01, 0x02]), None);
        // Key frame with a wrong sync code.
        assert_eq!(
            UncompressedHeader::parse(&[0x82, 0x49, 0x83, 0x43, 0, 0, 0, 0, 0]),
            None
        );
    }

    #[test]
    fn four_p_diffs_are_refused() {
        assert_eq!(
            Vp9Descriptor::parse(&[0xD0, 0x02, 0x03, 0x05, 0x07, 0x09]),
            Err(CodecError::Invalid("more than 3 VP9 P_DIFFs"))
        );
        let d = Vp9Descriptor::parse(&[0xD0, 0x02, 0x03, 0x05, 0x06, 0xAA]).unwrap();
        assert_eq!(d.p_diffs(), &[1, 2, 3]);
    }
}
