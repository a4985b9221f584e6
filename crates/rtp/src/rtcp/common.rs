//! Shared pieces of the RTCP parsers and writers: packet type numbers,
//! padding removal, big-endian reads and the header/length/padding writer.

use crate::{RtcpHeader, RtpError};

/// Sender report.
pub(crate) const PT_SR: u8 = 200;
/// Receiver report.
pub(crate) const PT_RR: u8 = 201;
/// Source description.
pub(crate) const PT_SDES: u8 = 202;
/// Goodbye.
pub(crate) const PT_BYE: u8 = 203;
/// Application-defined.
pub(crate) const PT_APP: u8 = 204;
/// Transport-layer feedback (RFC 4585).
pub(crate) const PT_RTPFB: u8 = 205;
/// Payload-specific feedback (RFC 4585).
pub(crate) const PT_PSFB: u8 = 206;
/// Extended reports (RFC 3611).
pub(crate) const PT_XR: u8 = 207;

/// The largest value of the 5-bit count field.
pub(crate) const MAX_COUNT: usize = 31;

/// The packet's body: the bytes after the 4-byte header, without the
/// padding the P bit announces (RFC 3550 §6.4.1: the last octet counts the
/// padding octets, itself included; zero or more than the body is an error).
pub(crate) fn payload<'a>(h: &RtcpHeader<'a>) -> Result<&'a [u8], RtpError> {
    let body = h.body();
    if !h.padding() {
        return Ok(body);
    }
    let padding = *body.last().ok_or(RtpError::BadPadding {
        padding: 0,
        available: 0,
    })?;
    if padding == 0 || usize::from(padding) > body.len() {
        return Err(RtpError::BadPadding {
            padding,
            available: body.len(),
        });
    }
    Ok(&body[..body.len() - usize::from(padding)])
}

/// Checks the packet type and, for feedback packets, the FMT.
pub(crate) fn expect(h: &RtcpHeader<'_>, packet_type: u8, fmt: Option<u8>) -> Result<(), RtpError> {
    if h.packet_type() != packet_type || fmt.is_some_and(|f| f != h.count()) {
        return Err(RtpError::RtcpUnexpectedType {
            packet_type: h.packet_type(),
            count: h.count(),
        });
    }
    Ok(())
}

/// The fixed part must be there.
pub(crate) fn need(packet_type: u8, body: &[u8], min: usize) -> Result<(), RtpError> {
    if body.len() < min {
        return Err(RtpError::RtcpBodyTooShort {
            packet_type,
            len: body.len(),
            min,
        });
    }
    Ok(())
}

/// Big-endian u32 at `i` (the caller checked the bounds).
pub(crate) fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Big-endian u16 at `i` (the caller checked the bounds).
pub(crate) fn be16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

/// Starts a packet: writes V=2, the count/FMT and the type with a zero
/// length; returns where the packet starts, for [`finish`].
pub(crate) fn begin(out: &mut Vec<u8>, count: u8, packet_type: u8) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0x80 | (count & 0x1f), packet_type, 0, 0]);
    start
}

/// Ends the packet begun at `start`: pads the body to a 32-bit boundary
/// with RFC 3550 padding (zeros, then the count, and the P bit) when it is
/// not aligned, and fills in the length field.
///
/// # Panics
///
/// When the packet exceeds what the 16-bit length field can say
/// (262,144 bytes): values parsed from a datagram never do.
pub(crate) fn finish(out: &mut Vec<u8>, start: usize) {
    let unaligned = (out.len() - start) % 4;
    if unaligned != 0 {
        let pad = 4 - unaligned;
        out.extend(std::iter::repeat(0).take(pad - 1));
        out.push(pad as u8);
        out[start] |= 0x20;
    }
    let words = (out.len() - start) / 4 - 1;
    let words = u16::try_from(words).expect("RTCP packet longer than the length field allows");
    out[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
}
