//! A big-endian bit reader (VP9 uncompressed header, AV1 headers) and
//! LEB128 (AV1).

use super::CodecError;

/// Reads bits most significant first; `None` past the end.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        BitReader { data, pos: 0 }
    }

    pub(crate) fn bit(&mut self) -> Option<bool> {
        let byte = *self.data.get(self.pos / 8)?;
        let b = byte >> (7 - self.pos % 8) & 1;
        self.pos += 1;
        Some(b == 1)
    }

    /// `n` ≤ 32 bits as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            v = v << 1 | u32::from(self.bit()?);
        }
        Some(v)
    }
}

/// Reads an AV1 `leb128()` at the start of `data`: (value, bytes read).
/// At most 8 bytes and a value below 2^32, as the AV1 specification (§4.10.5)
/// requires.
pub(crate) fn read_leb128(data: &[u8]) -> Result<(usize, usize), CodecError> {
    let mut value: u64 = 0;
    for i in 0..8 {
        let Some(&b) = data.get(i) else {
            return Err(CodecError::Truncated("LEB128"));
        };
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if value > u64::from(u32::MAX) {
                return Err(CodecError::Invalid("LEB128 value above 2^32 - 1"));
            }
            // Below 2^32, so it fits usize on every platform we build for.
            let v = usize::try_from(value).map_err(|_| CodecError::Invalid("LEB128 value"))?;
            return Ok((v, i + 1));
        }
    }
    Err(CodecError::Invalid("LEB128 longer than 8 bytes"))
}

/// Bytes of the LEB128 encoding of `v`.
pub(crate) fn leb128_len(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Appends the (shortest) LEB128 encoding of `v`.
#[cfg(test)]
pub(crate) fn write_leb128(out: &mut Vec<u8>, v: usize) {
    let (b, n) = leb128_bytes(v);
    out.extend_from_slice(&b[..n]);
}

/// The (shortest) LEB128 encoding of `v` in a small array: (bytes, length).
pub(crate) fn leb128_bytes(mut v: usize) -> ([u8; 10], usize) {
    let mut a = [0u8; 10];
    let mut n = 0;
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            a[n] = b;
            return (a, n + 1);
        }
        a[n] = b | 0x80;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_round_trips_and_rejects_hostile_encodings() {
        for v in [0usize, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as usize] {
            let mut b = Vec::new();
            write_leb128(&mut b, v);
            assert_eq!(b.len(), leb128_len(v));
            assert_eq!(read_leb128(&b), Ok((v, b.len())));
        }
        // Never ends.
        assert_eq!(
            read_leb128(&[0x80, 0x80]),
            Err(CodecError::Truncated("LEB128"))
        );
        // Nine bytes.
        assert!(matches!(
            read_leb128(&[0x80; 9]),
            Err(CodecError::Invalid(_))
        ));
        // 2^35: overflows the 32-bit range.
        assert!(matches!(
            read_leb128(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            Err(CodecError::Invalid(_))
        ));
        // A padded but terminated encoding is fine.
        assert_eq!(read_leb128(&[0x81, 0x80, 0x00]), Ok((1, 3)));
    }

    #[test]
    fn bit_reader_reads_msb_first() {
        let mut r = BitReader::new(&[0b1010_0000, 0xff]);
        assert_eq!(r.bits(2), Some(2));
        assert_eq!(r.bit(), Some(true));
        assert_eq!(r.bits(5), Some(0));
        assert_eq!(r.bits(8), Some(0xff));
        assert_eq!(r.bit(), None);
    }
}
