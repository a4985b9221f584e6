//! H.264 (RFC 6184), packetization modes 0 (single NAL unit) and 1
//! (non-interleaved: single NAL unit, STAP-A, FU-A). Mode 2 (STAP-B,
//! MTAP, FU-B) is not supported.
//!
//! The payloader takes an Annex-B access unit (NAL units behind 3- or
//! 4-byte start codes); the depayloader gives one back with a 4-byte start
//! code (`00 00 00 01`) before every NAL unit.

use super::assemble::{Assemble, Assembler, Start};
use super::{depayloader, CodecError, FrameInfo, Payloader, Payloads};

/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 8;
/// NAL unit type of an access unit delimiter.
pub const NAL_AUD: u8 = 9;
/// Payload type of a STAP-A aggregation packet.
pub const STAP_A: u8 = 24;
/// Payload type of an FU-A fragment.
pub const FU_A: u8 = 28;

const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// The packetization mode (`packetization-mode` in the SDP `a=fmtp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PacketizationMode {
    /// Mode 0: one NAL unit per packet; a NAL unit larger than the
    /// payload budget is an error.
    SingleNalUnit,
    /// Mode 1: single NAL units, STAP-A and FU-A.
    #[default]
    NonInterleaved,
}

/// The NAL units of an Annex-B byte stream: split on `00 00 01` (a 4-byte
/// start code is a 3-byte one after a zero byte), trailing zero bytes
/// (`trailing_zero_8bits`) removed, empty units skipped. Bytes before the
/// first start code are a NAL unit too, so input without any start code
/// is one NAL unit.
pub fn split_annex_b(stream: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = stream;
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        let (nal, next) = match find_start_code(rest) {
            Some(i) => (&rest[..i], &rest[i + 3..]),
            None => {
                done = true;
                (rest, &rest[rest.len()..])
            }
        };
        rest = next;
        let end = nal.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        if end > 0 {
            return Some(&nal[..end]);
        }
    })
}

fn find_start_code(data: &[u8]) -> Option<usize> {
    data.windows(3).position(|w| w == [0, 0, 1])
}

/// Whether `payload` (the first packet of a frame) starts a keyframe: it
/// holds an IDR slice or an SPS (single NAL unit, inside a STAP-A, or the
/// start of an FU-A). Counting the SPS matters because senders (pion, and
/// this crate's payloader when the IDR slice does not fit) put SPS and PPS
/// alone in the first packet; encoders send them before IDR pictures.
pub fn is_keyframe(payload: &[u8]) -> bool {
    let key = |t: u8| t == NAL_IDR || t == NAL_SPS;
    let Some(&b0) = payload.first() else {
        return false;
    };
    match b0 & 0x1f {
        STAP_A => {
            // Only a STAP-A that parses to its end.
            let mut found = false;
            for unit in stap_a_units(payload) {
                match unit {
                    Ok(n) => found |= key(n[0] & 0x1f),
                    Err(_) => return false,
                }
            }
            found
        }
        FU_A => payload
            .get(1)
            .is_some_and(|&h| h & 0x80 != 0 && key(h & 0x1f)),
        t => key(t),
    }
}

/// The NAL units of a STAP-A payload (after its one-byte header).
fn stap_a_units(payload: &[u8]) -> impl Iterator<Item = Result<&[u8], CodecError>> {
    let mut rest = payload.get(1..).unwrap_or(&[]);
    let mut failed = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || failed {
            return None;
        }
        let r = (|| {
            let [hi, lo, tail @ ..] = rest else {
                return Err(CodecError::Truncated("STAP-A NAL unit size"));
            };
            let size = usize::from(u16::from_be_bytes([*hi, *lo]));
            if size == 0 {
                return Err(CodecError::Invalid("empty NAL unit in STAP-A"));
            }
            let Some(nal) = tail.get(..size) else {
                return Err(CodecError::Truncated("STAP-A NAL unit"));
            };
            rest = &tail[size..];
            Ok(nal)
        })();
        failed = r.is_err();
        Some(r)
    })
}

/// H.264 payloader (packetization mode 1 by default).
///
/// The access unit's NAL units go out in order. Consecutive NAL units that
/// fit one packet together are aggregated into a STAP-A (SPS + PPS, or
/// SPS + PPS + a small IDR slice); one that fits alone is a single NAL
/// unit packet; a larger one is cut into FU-A fragments, as few as fit.
/// The STAP-A's NRI is the highest of its units' and its F bit their OR
/// (RFC 6184 §5.7.1). NAL unit types 24-31 (unspecified in H.264, the
/// payload format's own types in RTP) are refused. Type 0 passes (inside a
/// STAP-A or an FU-A a receiver takes it; alone, RFC 6184 has no packet
/// for it and the depayloader refuses it).
#[derive(Debug, Clone, Default)]
pub struct H264Payloader {
    mode: PacketizationMode,
}

impl H264Payloader {
    /// A payloader for `mode`.
    pub fn new(mode: PacketizationMode) -> Self {
        H264Payloader { mode }
    }
}

impl Payloader for H264Payloader {
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

impl H264Payloader {
    fn payload_inner(
        &mut self,
        frame: &[u8],
        max_payload: usize,
        out: &mut Payloads,
    ) -> Result<(), CodecError> {
        let nals: Vec<&[u8]> = split_annex_b(frame).collect();
        if nals.is_empty() {
            return Err(CodecError::EmptyFrame);
        }
        if nals.iter().any(|n| n[0] & 0x1f >= 24) {
            // A receiver would read them as packetization types.
            return Err(CodecError::Invalid(
                "NAL unit type 24-31 in the access unit",
            ));
        }
        let mut i = 0;
        while i < nals.len() {
            let nal = nals[i];
            if self.mode == PacketizationMode::NonInterleaved {
                // How many units from i fit one STAP-A together?
                let mut size = 1;
                let mut n = 0;
                while let Some(u) = nals.get(i + n) {
                    if u.len() > 0xffff || size + 2 + u.len() > max_payload {
                        break;
                    }
                    size += 2 + u.len();
                    n += 1;
                }
                if n >= 2 {
                    let (mut f, mut nri) = (0, 0);
                    for u in &nals[i..i + n] {
                        f |= u[0] & 0x80;
                        nri = nri.max(u[0] & 0x60);
                    }
                    let buf = out.buf();
                    buf.push(f | nri | STAP_A);
                    for u in &nals[i..i + n] {
                        buf.extend_from_slice(&(u.len() as u16).to_be_bytes());
                        buf.extend_from_slice(u);
                    }
                    out.finish();
                    i += n;
                    continue;
                }
            }
            i += 1;
            if nal.len() <= max_payload {
                out.buf().extend_from_slice(nal);
                out.finish();
                continue;
            }
            if self.mode == PacketizationMode::SingleNalUnit {
                return Err(CodecError::FrameTooLarge {
                    size: nal.len(),
                    max: max_payload,
                });
            }
            if max_payload < 3 {
                return Err(CodecError::MaxPayloadTooSmall {
                    max_payload,
                    min: 3,
                });
            }
            let indicator = (nal[0] & 0xe0) | FU_A;
            let kind = nal[0] & 0x1f;
            let body = &nal[1..];
            let n = body.len().div_ceil(max_payload - 2);
            for (j, chunk) in body.chunks(max_payload - 2).enumerate() {
                let mut header = kind;
                if j == 0 {
                    header |= 0x80;
                }
                if j + 1 == n {
                    header |= 0x40;
                }
                let buf = out.buf();
                buf.extend_from_slice(&[indicator, header]);
                buf.extend_from_slice(chunk);
                out.finish();
            }
        }
        Ok(())
    }
}

/// H.264 depayloader (packetization modes 0 and 1): an access unit is the
/// packets of one timestamp up to the marker; single NAL units, STAP-A
/// units and reassembled FU-A fragments come out in Annex-B form. An FU-A
/// continuation without its start, a new start before the end, or an access
/// unit ending inside an FU-A drops the access unit. STAP-B, MTAP and FU-B
/// (mode 2) are refused as [`CodecError::Unsupported`], NAL unit types 0,
/// 30 and 31 as invalid.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct H264Depayloader {
    inner: Assembler<H264Assemble>,
}

depayloader!(H264Depayloader, H264Assemble);

#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct H264Assemble {
    in_fu: bool,
    idr: bool,
    sps: bool,
    pps: bool,
}

impl H264Assemble {
    fn note(&mut self, nal_type: u8) {
        match nal_type {
            NAL_IDR => self.idr = true,
            NAL_SPS => self.sps = true,
            NAL_PPS => self.pps = true,
            _ => {}
        }
    }
}

/// Whether a NAL unit at the start of a packet proves the packet is the
/// first of its access unit: an access unit delimiter, SEI, SPS or PPS
/// (they come before the first slice, H.264 §7.4.1.2.3), or a slice with
/// first_mb_in_slice = 0 (its first bit, ue(v) 0, is 1).
fn starts_access_unit(nal_header: u8, next: Option<u8>) -> bool {
    match nal_header & 0x1f {
        6..=9 => true,
        1 | NAL_IDR => next.is_some_and(|b| b & 0x80 != 0),
        _ => false,
    }
}

impl Assemble for H264Assemble {
    fn begins_frame(&self, payload: &[u8]) -> Result<Start, CodecError> {
        let Some(&b0) = payload.first() else {
            return Err(CodecError::EmptyPayload);
        };
        let definite = |yes: bool| if yes { Start::Yes } else { Start::Maybe };
        match b0 & 0x1f {
            1..=23 => Ok(definite(starts_access_unit(b0, payload.get(1).copied()))),
            STAP_A => match stap_a_units(payload).next() {
                Some(Ok(n)) => Ok(definite(starts_access_unit(n[0], n.get(1).copied()))),
                Some(Err(e)) => Err(e),
                None => Err(CodecError::Invalid("empty STAP-A")),
            },
            FU_A => {
                let Some(&h) = payload.get(1) else {
                    return Err(CodecError::Truncated("FU-A header"));
                };
                if h & 0x80 == 0 {
                    Ok(Start::No)
                } else {
                    Ok(definite(starts_access_unit(h, payload.get(2).copied())))
                }
            }
            25 => Err(CodecError::Unsupported("STAP-B (packetization mode 2)")),
            26 | 27 => Err(CodecError::Unsupported("MTAP (packetization mode 2)")),
            29 => Err(CodecError::Unsupported("FU-B (packetization mode 2)")),
            _ => Err(CodecError::Invalid("NAL unit type 0, 30 or 31")),
        }
    }

    fn start(&mut self) {
        *self = H264Assemble::default();
    }

    fn append(
        &mut self,
        payload: &[u8],
        _first: bool,
        data: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        // begins_frame checked the type, that it is not empty, and that an
        // FU-A has its header.
        let b0 = payload[0];
        match b0 & 0x1f {
            FU_A => {
                let h = payload[1];
                let (start, end) = (h & 0x80 != 0, h & 0x40 != 0);
                if start && end {
                    return Err(CodecError::Invalid("FU-A with both S and E"));
                }
                if start {
                    if self.in_fu {
                        return Err(CodecError::Invalid(
                            "FU-A start before the previous FU-A ended",
                        ));
                    }
                    self.note(h & 0x1f);
                    data.extend_from_slice(&START_CODE);
                    data.push((b0 & 0xe0) | (h & 0x1f));
                    self.in_fu = true;
                } else if !self.in_fu {
                    return Err(CodecError::Invalid("FU-A continuation without its start"));
                }
                data.extend_from_slice(&payload[2..]);
                if end {
                    self.in_fu = false;
                }
            }
            _ if self.in_fu => {
                return Err(CodecError::Invalid(
                    "FU-A not ended before the next NAL unit",
                ));
            }
            STAP_A => {
                for nal in stap_a_units(payload) {
                    let nal = nal?;
                    self.note(nal[0] & 0x1f);
                    data.extend_from_slice(&START_CODE);
                    data.extend_from_slice(nal);
                }
            }
            t => {
                self.note(t);
                data.extend_from_slice(&START_CODE);
                data.extend_from_slice(payload);
            }
        }
        Ok(())
    }

    fn finish(&mut self, _data: &mut Vec<u8>) -> Result<(bool, FrameInfo), CodecError> {
        if self.in_fu {
            return Err(CodecError::Invalid("access unit ends inside an FU-A"));
        }
        Ok((
            self.idr,
            FrameInfo::H264 {
                idr: self.idr,
                sps: self.sps,
                pps: self.pps,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_b_splits_on_three_and_four_byte_start_codes() {
        let s = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 0, 0,
        ];
        let nals: Vec<&[u8]> = split_annex_b(&s).collect();
        assert_eq!(nals, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4]]);
        assert_eq!(
            split_annex_b(&[0x90, 0x90]).collect::<Vec<_>>(),
            [&[0x90, 0x90][..]]
        );
        assert_eq!(split_annex_b(&[0, 0, 1]).count(), 0);
        assert_eq!(split_annex_b(&[]).count(), 0);
    }

    #[test]
    fn stap_a_nri_is_the_highest() {
        let mut p = H264Payloader::default();
        let mut out = Payloads::new();
        // NRI 0 and NRI 2, F=0.
        p.payload(&[0, 0, 1, 0x07, 1, 0, 0, 1, 0x48, 2], 100, &mut out)
            .unwrap();
        assert_eq!(out.to_vecs(), [vec![0x58, 0, 2, 0x07, 1, 0, 2, 0x48, 2]]);
    }
}
