//! Big-endian readers and writers for TLS vectors (RFC 5246 §4).

use crate::error::DtlsError;

/// A cursor over a received byte slice; every read is bounds-checked.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader whose errors name `what`.
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, pos: 0, what }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], DtlsError> {
        if self.remaining() < n {
            return Err(DtlsError::Decode(self.what));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DtlsError> {
        Ok(self.bytes(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, DtlsError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u24(&mut self) -> Result<u32, DtlsError> {
        let b = self.bytes(3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    pub(crate) fn u48(&mut self) -> Result<u64, DtlsError> {
        let b = self.bytes(6)?;
        Ok(u64::from_be_bytes([
            0, 0, b[0], b[1], b[2], b[3], b[4], b[5],
        ]))
    }

    /// A vector with a one-byte length prefix.
    pub(crate) fn vec8(&mut self) -> Result<&'a [u8], DtlsError> {
        let n = self.u8()? as usize;
        self.bytes(n)
    }

    /// A vector with a two-byte length prefix.
    pub(crate) fn vec16(&mut self) -> Result<&'a [u8], DtlsError> {
        let n = self.u16()? as usize;
        self.bytes(n)
    }

    /// A vector with a three-byte length prefix.
    pub(crate) fn vec24(&mut self) -> Result<&'a [u8], DtlsError> {
        let n = self.u24()? as usize;
        self.bytes(n)
    }

    /// A reader over a vector with a two-byte length prefix.
    pub(crate) fn sub16(&mut self) -> Result<Reader<'a>, DtlsError> {
        Ok(Reader::new(self.vec16()?, self.what))
    }

    /// Fails unless everything was read.
    pub(crate) fn finish(&self) -> Result<(), DtlsError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DtlsError::Decode(self.what))
        }
    }
}

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// `bytes` read as a list of big-endian u16s; `Decode(what)` if the
/// length is odd.
pub(crate) fn u16s(bytes: &[u8], what: &'static str) -> Result<Vec<u16>, DtlsError> {
    if bytes.len() % 2 != 0 {
        return Err(DtlsError::Decode(what));
    }
    Ok(bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// Appends `items` as big-endian u16s (no length prefix).
pub(crate) fn put_u16s(out: &mut Vec<u8>, items: &[u16]) {
    for x in items {
        put_u16(out, *x);
    }
}

pub(crate) fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Appends `body` with a one-byte length prefix (callers keep it ≤ 255).
pub(crate) fn put_vec8(out: &mut Vec<u8>, body: &[u8]) {
    out.push(body.len() as u8);
    out.extend_from_slice(body);
}

/// Appends `body` with a two-byte length prefix (callers keep it ≤ 65535).
pub(crate) fn put_vec16(out: &mut Vec<u8>, body: &[u8]) {
    put_u16(out, body.len() as u16);
    out.extend_from_slice(body);
}

/// Appends `body` with a three-byte length prefix.
pub(crate) fn put_vec24(out: &mut Vec<u8>, body: &[u8]) {
    put_u24(out, body.len() as u32);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let mut r = Reader::new(&[0, 3, 1, 2], "test");
        assert_eq!(r.vec16(), Err(DtlsError::Decode("test")));
        let mut r = Reader::new(&[0, 2, 1, 2, 9], "test");
        assert_eq!(r.vec16().unwrap(), &[1, 2]);
        assert!(r.finish().is_err());
        assert_eq!(r.u8().unwrap(), 9);
        assert!(r.finish().is_ok());
        assert!(r.u24().is_err());
    }

    #[test]
    fn writes_round_trip() {
        let mut out = Vec::new();
        out.extend_from_slice(&0x0102_0304_0506u64.to_be_bytes()[2..]);
        put_u24(&mut out, 0x0a0b0c);
        put_vec8(&mut out, b"ab");
        put_vec24(&mut out, b"c");
        let mut r = Reader::new(&out, "t");
        assert_eq!(r.u48().unwrap(), 0x0102_0304_0506);
        assert_eq!(r.u24().unwrap(), 0x0a0b0c);
        assert_eq!(r.vec8().unwrap(), b"ab");
        assert_eq!(r.vec24().unwrap(), b"c");
        r.finish().unwrap();
    }

    #[test]
    fn u16_lists_round_trip_and_odd_lengths_fail() {
        let mut out = Vec::new();
        put_u16s(&mut out, &[0xc02b, 0x0001]);
        assert_eq!(out, [0xc0, 0x2b, 0x00, 0x01]);
        assert_eq!(u16s(&out, "t").unwrap(), [0xc02b, 0x0001]);
        assert_eq!(u16s(&out[..3], "t"), Err(DtlsError::Decode("t")));
        assert_eq!(u16s(&[], "t").unwrap(), Vec::<u16>::new());
    }
}
