//! The SCTP common header and the chunk framing (RFC 9260 §3, §3.2): parse a
//! packet into borrowed raw chunks, and build a packet chunk by chunk.

use crate::chunk::{DataChunk, DATA_HEADER_LEN};
use crate::crc;
use crate::error::SctpError;

/// Size of the common header.
pub(crate) const COMMON_HEADER_LEN: usize = 12;
/// Size of a chunk header.
pub(crate) const CHUNK_HEADER_LEN: usize = 4;

/// The common header of a received packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommonHeader {
    pub(crate) source_port: u16,
    pub(crate) destination_port: u16,
    pub(crate) verification_tag: u32,
}

/// Reads a big-endian u16 at `at`, or `None` past the end.
pub(crate) fn be16(buf: &[u8], at: usize) -> Option<u16> {
    let b = buf.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Reads a big-endian u32 at `at`, or `None` past the end.
pub(crate) fn be32(buf: &[u8], at: usize) -> Option<u32> {
    let b = buf.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Parses the common header.
pub(crate) fn parse_header(packet: &[u8]) -> Result<CommonHeader, SctpError> {
    if packet.len() < COMMON_HEADER_LEN {
        return Err(SctpError::PacketTooShort);
    }
    Ok(CommonHeader {
        source_port: be16(packet, 0).ok_or(SctpError::PacketTooShort)?,
        destination_port: be16(packet, 2).ok_or(SctpError::PacketTooShort)?,
        verification_tag: be32(packet, 4).ok_or(SctpError::PacketTooShort)?,
    })
}

/// One chunk as framed on the wire, not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawChunk<'a> {
    /// The chunk type.
    pub(crate) chunk_type: u8,
    /// The chunk flags.
    pub(crate) flags: u8,
    /// The value: the bytes after the header, without padding.
    pub(crate) value: &'a [u8],
    /// The whole chunk with its header, without padding (for error reports).
    pub(crate) whole: &'a [u8],
}

/// Iterates the chunks of a packet body. A framing error ends the iteration
/// with one `Err` (the rest of the packet cannot be trusted).
pub(crate) struct ChunkIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> ChunkIter<'a> {
    /// Iterates the chunks after the common header of `packet`.
    pub(crate) fn new(packet: &'a [u8]) -> Self {
        Self {
            rest: packet.get(COMMON_HEADER_LEN..).unwrap_or(&[]),
            failed: false,
        }
    }
}

impl<'a> Iterator for ChunkIter<'a> {
    type Item = Result<RawChunk<'a>, SctpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let rest = self.rest;
        let (Some(&chunk_type), Some(&flags), Some(length)) =
            (rest.first(), rest.get(1), be16(rest, 2))
        else {
            self.failed = true;
            return Some(Err(SctpError::BadChunkLength));
        };
        let length = usize::from(length);
        let Some(whole) = rest.get(..length).filter(|_| length >= CHUNK_HEADER_LEN) else {
            self.failed = true;
            return Some(Err(SctpError::BadChunkLength));
        };
        let padded = (length + 3) & !3;
        self.rest = rest.get(padded..).unwrap_or(&[]);
        Some(Ok(RawChunk {
            chunk_type,
            flags,
            value: &whole[CHUNK_HEADER_LEN..],
            whole,
        }))
    }
}

/// Builds one outgoing packet: common header, then chunks, then the checksum.
#[derive(Debug)]
pub(crate) struct PacketBuilder {
    buf: Vec<u8>,
    /// Where the packet starts in `buf`: bytes before it are room the
    /// layer below writes its own header into.
    start: usize,
    limit: usize,
}

impl PacketBuilder {
    /// Starts a packet of at most `limit` bytes.
    pub(crate) fn new(
        source_port: u16,
        destination_port: u16,
        verification_tag: u32,
        limit: usize,
    ) -> Self {
        Self::with_capacity(
            source_port,
            destination_port,
            verification_tag,
            limit,
            limit,
        )
    }

    /// Starts a packet of at most `limit` bytes in a buffer allocated for
    /// `capacity` (it grows past that if needed, never past `limit`).
    pub(crate) fn with_capacity(
        source_port: u16,
        destination_port: u16,
        verification_tag: u32,
        limit: usize,
        capacity: usize,
    ) -> Self {
        let buf =
            Vec::with_capacity(capacity.clamp(COMMON_HEADER_LEN, limit.max(COMMON_HEADER_LEN)));
        Self::in_buffer(
            buf,
            0,
            source_port,
            destination_port,
            verification_tag,
            limit,
        )
    }

    /// Starts a packet of at most `limit` bytes in `buf`, whatever it held
    /// (a buffer given back by the layer below, reused), after `headroom`
    /// bytes of room (left as they are) for the layer below's header.
    pub(crate) fn in_buffer(
        mut buf: Vec<u8>,
        headroom: usize,
        source_port: u16,
        destination_port: u16,
        verification_tag: u32,
        limit: usize,
    ) -> Self {
        buf.resize(headroom, 0);
        buf.extend_from_slice(&source_port.to_be_bytes());
        buf.extend_from_slice(&destination_port.to_be_bytes());
        buf.extend_from_slice(&verification_tag.to_be_bytes());
        buf.extend_from_slice(&[0; 4]);
        Self {
            buf,
            start: headroom,
            limit,
        }
    }

    /// Bytes still free for chunks (headers and padding included).
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.buf.len() - self.start)
    }

    /// Whether any chunk has been added.
    pub(crate) fn has_chunks(&self) -> bool {
        self.buf.len() > self.start + COMMON_HEADER_LEN
    }

    /// Appends a chunk whose value `write` appends to the buffer. The length
    /// field and the padding are filled in afterwards.
    pub(crate) fn chunk(&mut self, chunk_type: u8, flags: u8, write: impl FnOnce(&mut Vec<u8>)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[chunk_type, flags, 0, 0]);
        write(&mut self.buf);
        let length = (self.buf.len() - start).min(usize::from(u16::MAX)) as u16;
        self.buf[start + 2..start + 4].copy_from_slice(&length.to_be_bytes());
        while (self.buf.len() - self.start) % 4 != 0 {
            self.buf.push(0);
        }
    }

    /// Appends a DATA chunk: its 16 header bytes in one write, the
    /// payload, and the padding (the data path's one chunk per packet,
    /// without [`Self::chunk`]'s closure and byte-at-a-time padding).
    pub(crate) fn data_chunk(&mut self, d: &DataChunk<'_>) {
        let padding = padded_chunk_len(DATA_HEADER_LEN - CHUNK_HEADER_LEN + d.payload.len())
            - DATA_HEADER_LEN
            - d.payload.len();
        self.buf.extend_from_slice(&d.header());
        self.buf.extend_from_slice(d.payload);
        self.buf.extend_from_slice(&[0; 3][..padding]);
    }

    /// The buffer, for reuse, when the packet is not sent.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// Finishes the packet with a CRC-32c, or a zero checksum.
    pub(crate) fn finish(mut self, zero_checksum: bool) -> Vec<u8> {
        crc::seal(&mut self.buf[self.start..], zero_checksum);
        self.buf
    }
}

/// The padded size of a chunk with a value of `value_len` bytes.
pub(crate) fn padded_chunk_len(value_len: usize) -> usize {
    (CHUNK_HEADER_LEN + value_len + 3) & !3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_iterates_chunks_with_padding() {
        let mut b = PacketBuilder::new(5000, 5001, 0xdead_beef, 1200);
        b.chunk(11, 0, |_| {});
        b.chunk(4, 1, |v| v.extend_from_slice(&[1, 2, 3, 4, 5]));
        b.chunk(7, 0, |v| v.extend_from_slice(&[9; 4]));
        let p = b.finish(false);
        assert!(crc::verify(&p, false));
        assert_eq!(parse_header(&p).unwrap().verification_tag, 0xdead_beef);
        let chunks: Vec<_> = ChunkIter::new(&p).collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[1].value, &[1, 2, 3, 4, 5]);
        assert_eq!(chunks[1].flags, 1);
        assert_eq!(chunks[2].chunk_type, 7);
    }

    /// DATA chunks written whole, of every payload length modulo 4, read
    /// back as they were written, each padded with zeros to 4 bytes, and
    /// the packet's chunks start where the one before was padded to.
    #[test]
    fn data_chunks_are_padded_and_parse_back() {
        let payloads: Vec<Vec<u8>> = (1..=9u8).map(|n| vec![n; usize::from(n)]).collect();
        let mut b = PacketBuilder::new(5000, 5001, 7, 1200);
        let written: Vec<DataChunk<'_>> = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| DataChunk {
                flags: (i % 8) as u8,
                tsn: 1000 + i as u32,
                stream: i as u16,
                ssn: 2 * i as u16,
                ppid: 51,
                payload: p,
            })
            .collect();
        for d in &written {
            b.data_chunk(d);
        }
        b.chunk(11, 0, |_| {});
        let p = b.finish(false);
        assert_eq!(p.len() % 4, 0);
        assert!(crc::verify(&p, false));
        let raws: Vec<_> = ChunkIter::new(&p).collect::<Result<_, _>>().unwrap();
        assert_eq!(raws.len(), written.len() + 1, "the chunk after the DATA");
        let mut at = COMMON_HEADER_LEN;
        for (raw, d) in raws.iter().zip(&written) {
            assert_eq!(crate::chunk::parse(raw), Ok(crate::chunk::Chunk::Data(*d)));
            let padded = padded_chunk_len(DATA_HEADER_LEN - CHUNK_HEADER_LEN + d.payload.len());
            let pad = &p[at + DATA_HEADER_LEN + d.payload.len()..at + padded];
            assert!(pad.iter().all(|&x| x == 0), "padding is zeros");
            at += padded;
        }
        assert_eq!(raws[written.len()].chunk_type, 11);
        assert_eq!(at + CHUNK_HEADER_LEN, p.len());
    }

    #[test]
    fn bad_lengths_end_iteration_with_an_error() {
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&[0, 0, 0, 2]); // length < 4
        let items: Vec<_> = ChunkIter::new(&p).collect();
        assert_eq!(items, vec![Err(SctpError::BadChunkLength)]);
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&[0, 0, 0, 40, 1, 2]); // length past end
        assert_eq!(ChunkIter::new(&p).count(), 1);
        assert!(ChunkIter::new(&p).next().unwrap().is_err());
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&[0, 0]); // truncated header
        assert!(ChunkIter::new(&p).next().unwrap().is_err());
        assert!(parse_header(&p[..11]).is_err());
    }
}
