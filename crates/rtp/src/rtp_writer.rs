//! Writing RTP packets (RFC 3550 §5.1) with CSRCs, padding and RFC 8285
//! header extensions, appended to a caller-supplied buffer.

/// The most CSRCs a packet can carry (the 4-bit CC field).
pub const MAX_CSRCS: usize = 15;

/// The most 32-bit words an extension block can hold (its 16-bit length).
const MAX_EXTENSION_WORDS: usize = u16::MAX as usize;

/// Which RFC 8285 header extension form [`RtpWriter`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExtensionForm {
    /// The one-byte form when every id is 1–14 and every length 1–16,
    /// otherwise the two-byte form.
    #[default]
    Auto,
    /// The one-byte form (`0xBEDE`, RFC 8285 §4.2): ids 1–14, lengths 1–16;
    /// anything else is an error.
    OneByte,
    /// The two-byte form (`0x1000`, RFC 8285 §4.3): ids 1–255, lengths
    /// 0–255. The peer must have offered `a=extmap-allow-mixed`.
    TwoByte,
}

/// Why [`RtpWriter::write`] refused to write a packet. Nothing is appended
/// to the buffer when it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpWriteError {
    /// The payload type does not fit its 7 bits.
    #[error("payload type {0} is larger than 127")]
    PayloadType(u8),
    /// More than [`MAX_CSRCS`] CSRCs.
    #[error("{0} CSRCs, at most 15 fit")]
    TooManyCsrcs(usize),
    /// An extension id is 0 (the padding byte), or 15 in the one-byte form
    /// (reserved).
    #[error("extension id {id} is not allowed in the {form:?} form")]
    ExtensionId {
        /// The id.
        id: u8,
        /// The form in use: [`ExtensionForm::OneByte`] or
        /// [`ExtensionForm::TwoByte`].
        form: ExtensionForm,
    },
    /// An element's data is empty or longer than 16 bytes in the one-byte
    /// form, or longer than 255 bytes in the two-byte form.
    #[error("extension id {id} has {len} bytes of data, which the {form:?} form cannot carry")]
    ExtensionLength {
        /// The element's id.
        id: u8,
        /// Its data length.
        len: usize,
        /// The form in use: [`ExtensionForm::OneByte`] or
        /// [`ExtensionForm::TwoByte`].
        form: ExtensionForm,
    },
    /// The extension block is longer than its 16-bit length field allows
    /// (65535 words).
    #[error("the extension block needs {0} bytes, more than 65535 words")]
    ExtensionBlockTooLong(usize),
    /// Padding was requested with a count of 0: the count is the last
    /// padding byte itself, so at least 1 (use `None` for no padding).
    #[error("padding of 0 bytes: use None for no padding")]
    ZeroPadding,
}

/// An RTP packet to write: set the fields, then [`RtpWriter::write`].
///
/// The fields borrow the caller's data; writing appends to a `Vec<u8>` and
/// allocates nothing else. Version is always 2; the P, X and CC fields
/// follow from `padding`, `extensions` and `csrcs`.
///
/// ```
/// use sansrtc_rtp::{RtpHeader, RtpWriter};
///
/// let mut out = Vec::new();
/// RtpWriter {
///     marker: true,
///     payload_type: 96,
///     sequence_number: 1,
///     timestamp: 3000,
///     ssrc: 0x1234_5678,
///     extensions: &[(3, &[0xaa, 0xbb])],
///     payload: b"frame",
///     ..RtpWriter::default()
/// }
/// .write(&mut out)?;
/// let h = RtpHeader::parse(&out).unwrap();
/// assert_eq!(h.extension_profile(), Some(0xbede));
/// assert_eq!(h.payload(), b"frame");
/// # Ok::<(), sansrtc_rtp::RtpWriteError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpWriter<'a> {
    /// The M bit.
    pub marker: bool,
    /// The payload type, 0–127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The SSRC.
    pub ssrc: u32,
    /// The contributing sources, at most [`MAX_CSRCS`].
    pub csrcs: &'a [u32],
    /// RFC 8285 header extension elements as `(id, data)`, written in
    /// order; none means no extension block (X = 0).
    pub extensions: &'a [(u8, &'a [u8])],
    /// Which extension form to use.
    pub extension_form: ExtensionForm,
    /// The payload.
    pub payload: &'a [u8],
    /// Padding bytes to append after the payload (P = 1), 1–255; the
    /// last one holds the count, the others are zero. `None`: no padding.
    pub padding: Option<u8>,
}

impl RtpWriter<'_> {
    /// The extension form that will be used (after resolving
    /// [`ExtensionForm::Auto`]), and the extension block's length
    /// including its 4-byte header and its padding to 32 bits (0 without
    /// extensions). Checks every element.
    fn extension_block(&self) -> Result<(ExtensionForm, usize), RtpWriteError> {
        if self.extensions.is_empty() {
            return Ok((ExtensionForm::Auto, 0));
        }
        let form = match self.extension_form {
            ExtensionForm::Auto => {
                let one_byte = self
                    .extensions
                    .iter()
                    .all(|&(id, data)| (1..=14).contains(&id) && (1..=16).contains(&data.len()));
                if one_byte {
                    ExtensionForm::OneByte
                } else {
                    ExtensionForm::TwoByte
                }
            }
            form => form,
        };
        let mut len = 0usize;
        for &(id, data) in self.extensions {
            let (id_ok, len_ok, element_header) = match form {
                ExtensionForm::OneByte => {
                    ((1..=14).contains(&id), (1..=16).contains(&data.len()), 1)
                }
                _ => (id != 0, data.len() <= 255, 2),
            };
            if !id_ok {
                return Err(RtpWriteError::ExtensionId { id, form });
            }
            if !len_ok {
                return Err(RtpWriteError::ExtensionLength {
                    id,
                    len: data.len(),
                    form,
                });
            }
            // Each element adds at most 257 bytes; the slice cannot hold
            // enough elements to overflow usize.
            len += element_header + data.len();
        }
        let padded = len.div_ceil(4) * 4;
        if padded / 4 > MAX_EXTENSION_WORDS {
            return Err(RtpWriteError::ExtensionBlockTooLong(padded));
        }
        Ok((form, 4 + padded))
    }

    /// Checks every field; returns the extension form, the extension
    /// block's length and the packet's length.
    fn layout(&self) -> Result<(ExtensionForm, usize, usize), RtpWriteError> {
        if self.payload_type > 127 {
            return Err(RtpWriteError::PayloadType(self.payload_type));
        }
        if self.csrcs.len() > MAX_CSRCS {
            return Err(RtpWriteError::TooManyCsrcs(self.csrcs.len()));
        }
        if self.padding == Some(0) {
            return Err(RtpWriteError::ZeroPadding);
        }
        let (form, ext_len) = self.extension_block()?;
        let total = 12
            + 4 * self.csrcs.len()
            + ext_len
            + self.payload.len()
            + usize::from(self.padding.unwrap_or(0));
        Ok((form, ext_len, total))
    }

    /// Checks every field and returns the length of the packet that
    /// [`RtpWriter::write`] would append.
    pub fn encoded_len(&self) -> Result<usize, RtpWriteError> {
        self.layout().map(|(_, _, total)| total)
    }

    /// Appends the packet to `out` and returns its length. On error,
    /// `out` is left as it was.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<usize, RtpWriteError> {
        let (form, ext_len, total) = self.layout()?;
        out.reserve(total);
        let start = out.len();

        let mut b0 = 0x80 | self.csrcs.len() as u8; // at most 15: checked
        if self.padding.is_some() {
            b0 |= 0x20;
        }
        if ext_len > 0 {
            b0 |= 0x10;
        }
        out.push(b0);
        out.push(u8::from(self.marker) << 7 | self.payload_type);
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for csrc in self.csrcs {
            out.extend_from_slice(&csrc.to_be_bytes());
        }

        if ext_len > 0 {
            let profile: u16 = match form {
                ExtensionForm::OneByte => 0xbede,
                _ => 0x1000,
            };
            out.extend_from_slice(&profile.to_be_bytes());
            // At most 65535 words: checked by extension_block.
            let words = ((ext_len - 4) / 4) as u16;
            out.extend_from_slice(&words.to_be_bytes());
            let data_start = out.len();
            for &(id, data) in self.extensions {
                // Lengths were checked: 1-16 (one-byte), 0-255 (two-byte).
                match form {
                    ExtensionForm::OneByte => out.push(id << 4 | (data.len() - 1) as u8),
                    _ => out.extend_from_slice(&[id, data.len() as u8]),
                }
                out.extend_from_slice(data);
            }
            // Zero bytes are padding in both forms (RFC 8285 §4.2, §4.3).
            out.resize(data_start + ext_len - 4, 0);
        }

        out.extend_from_slice(self.payload);
        if let Some(count) = self.padding {
            out.resize(out.len() + usize::from(count) - 1, 0);
            out.push(count);
        }
        debug_assert_eq!(out.len() - start, total);
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RtpHeader;

    #[test]
    fn minimal_packet() {
        let mut out = vec![0xff];
        let n = RtpWriter {
            payload_type: 0,
            sequence_number: 0xabcd,
            timestamp: 0x0102_0304,
            ssrc: 0x0506_0708,
            ..RtpWriter::default()
        }
        .write(&mut out)
        .unwrap();
        assert_eq!(n, 12);
        assert_eq!(out, [0xff, 0x80, 0, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn auto_form_selection() {
        let big = [0u8; 17];
        type Elements<'a> = &'a [(u8, &'a [u8])];
        let cases: [(Elements<'_>, Option<u16>); 5] = [
            (&[(1, &[1]), (14, &[2; 16])], Some(0xbede)),
            (&[(15, &[1])], Some(0x1000)),
            (&[(1, &[])], Some(0x1000)),
            (&[(1, &big)], Some(0x1000)),
            (&[], None),
        ];
        for (extensions, profile) in cases {
            let mut out = Vec::new();
            RtpWriter {
                extensions,
                ..RtpWriter::default()
            }
            .write(&mut out)
            .unwrap();
            let h = RtpHeader::parse(&out).unwrap();
            assert_eq!(h.extension_profile(), profile);
            let got: Vec<_> = h.extensions().map(|e| e.unwrap()).collect();
            assert_eq!(got.len(), extensions.len());
            for (e, &(id, data)) in got.iter().zip(extensions) {
                assert_eq!((e.id, e.data), (id, data));
            }
        }
    }

    #[test]
    fn errors_leave_the_buffer_alone() {
        let mut out = vec![1, 2, 3];
        let w = RtpWriter {
            payload_type: 128,
            ..RtpWriter::default()
        };
        assert_eq!(w.write(&mut out), Err(RtpWriteError::PayloadType(128)));
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn largest_extension_block() {
        // 255 two-byte elements of 255 bytes: 65535 bytes, 16384 words.
        let data = [7u8; 255];
        let many = vec![(1u8, &data[..]); 255];
        let mut out = Vec::new();
        let w = RtpWriter {
            extensions: &many,
            ..RtpWriter::default()
        };
        w.write(&mut out).unwrap();
        let h = RtpHeader::parse(&out).unwrap();
        assert_eq!(h.extensions().count(), 255);
        // 1021 such elements need 262,397 bytes > 65535 words.
        let too_many = vec![(1u8, &data[..]); 1021];
        let w = RtpWriter {
            extensions: &too_many,
            ..RtpWriter::default()
        };
        assert_eq!(
            w.encoded_len(),
            Err(RtpWriteError::ExtensionBlockTooLong(262_400))
        );
        // 1020 of them: 262,140 bytes, exactly 65535 words.
        let most = vec![(1u8, &data[..]); 1020];
        out.clear();
        RtpWriter {
            extensions: &most,
            ..RtpWriter::default()
        }
        .write(&mut out)
        .unwrap();
        assert_eq!(&out[14..16], &[0xff, 0xff]);
        assert_eq!(RtpHeader::parse(&out).unwrap().extensions().count(), 1020);
    }
}
