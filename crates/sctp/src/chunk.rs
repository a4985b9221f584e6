//! Typed chunks (RFC 9260 §3.3, RFC 3758 §3.2, RFC 6525 §3.1): parsing from
//! a [`RawChunk`] without copying, and writers for the chunks we send.

use crate::error::SctpError;
use crate::packet::{be16, be32, RawChunk};

/// Chunk type numbers.
pub(crate) mod kind {
    pub(crate) const DATA: u8 = 0;
    pub(crate) const INIT: u8 = 1;
    pub(crate) const INIT_ACK: u8 = 2;
    pub(crate) const SACK: u8 = 3;
    pub(crate) const HEARTBEAT: u8 = 4;
    pub(crate) const HEARTBEAT_ACK: u8 = 5;
    pub(crate) const ABORT: u8 = 6;
    pub(crate) const SHUTDOWN: u8 = 7;
    pub(crate) const SHUTDOWN_ACK: u8 = 8;
    pub(crate) const ERROR: u8 = 9;
    pub(crate) const COOKIE_ECHO: u8 = 10;
    pub(crate) const COOKIE_ACK: u8 = 11;
    pub(crate) const SHUTDOWN_COMPLETE: u8 = 14;
    pub(crate) const RE_CONFIG: u8 = 130;
    pub(crate) const FORWARD_TSN: u8 = 192;
}

/// DATA chunk flags.
pub(crate) mod data_flags {
    pub(crate) const END: u8 = 1;
    pub(crate) const BEGIN: u8 = 2;
    pub(crate) const UNORDERED: u8 = 4;
}

/// Size of the DATA chunk header (chunk header included).
pub(crate) const DATA_HEADER_LEN: usize = 16;

/// A DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DataChunk<'a> {
    pub(crate) flags: u8,
    pub(crate) tsn: u32,
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) payload: &'a [u8],
}

/// The fixed part of INIT and INIT-ACK, and their parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InitChunk<'a> {
    pub(crate) initiate_tag: u32,
    pub(crate) a_rwnd: u32,
    pub(crate) outbound_streams: u16,
    pub(crate) inbound_streams: u16,
    pub(crate) initial_tsn: u32,
    pub(crate) params: &'a [u8],
}

/// A SACK chunk; gap blocks and duplicates stay raw and are read lazily.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SackChunk<'a> {
    pub(crate) cumulative_tsn: u32,
    pub(crate) a_rwnd: u32,
    gaps: &'a [u8],
    pub(crate) duplicate_count: usize,
}

impl<'a> SackChunk<'a> {
    /// A SACK with only a cumulative ack (a SHUTDOWN's acknowledgement).
    pub(crate) fn cumulative_only(cumulative_tsn: u32, a_rwnd: u32) -> Self {
        Self {
            cumulative_tsn,
            a_rwnd,
            gaps: &[],
            duplicate_count: 0,
        }
    }

    /// The gap-ack blocks as (start, end) offsets from the cumulative TSN.
    pub(crate) fn gap_blocks(&self) -> impl Iterator<Item = (u16, u16)> + 'a {
        self.gaps.chunks_exact(4).map(|b| {
            (
                u16::from_be_bytes([b[0], b[1]]),
                u16::from_be_bytes([b[2], b[3]]),
            )
        })
    }
}

/// A FORWARD-TSN chunk; the (stream, ssn) pairs stay raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ForwardTsnChunk<'a> {
    pub(crate) new_cumulative_tsn: u32,
    streams: &'a [u8],
}

impl<'a> ForwardTsnChunk<'a> {
    /// The (stream, ssn) pairs of ordered streams to skip.
    pub(crate) fn streams(&self) -> impl Iterator<Item = (u16, u16)> + 'a {
        self.streams.chunks_exact(4).map(|b| {
            (
                u16::from_be_bytes([b[0], b[1]]),
                u16::from_be_bytes([b[2], b[3]]),
            )
        })
    }
}

/// A parsed chunk borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunk<'a> {
    Data(DataChunk<'a>),
    Init(InitChunk<'a>),
    InitAck(InitChunk<'a>),
    Sack(SackChunk<'a>),
    Heartbeat(&'a [u8]),
    HeartbeatAck,
    Abort {
        reflected: bool,
    },
    Shutdown {
        cumulative_tsn: u32,
    },
    ShutdownAck,
    Error,
    CookieEcho(&'a [u8]),
    CookieAck,
    ShutdownComplete {
        reflected: bool,
    },
    ForwardTsn(ForwardTsnChunk<'a>),
    ReConfig(&'a [u8]),
    /// A chunk type we do not implement (handled by its top two bits).
    Unknown(u8),
}

/// What to do with an unrecognized chunk or parameter, from its two high
/// bits (RFC 9260 §3.2 and §3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownAction {
    /// Skip it and go on (true) or stop processing the rest (false).
    pub(crate) skip: bool,
    /// Report it to the peer.
    pub(crate) report: bool,
}

impl UnknownAction {
    /// The action for a chunk type (8 bits) or the high byte of a parameter type.
    pub(crate) fn from_high_bits(high_byte: u8) -> Self {
        Self {
            skip: high_byte & 0x80 != 0,
            report: high_byte & 0x40 != 0,
        }
    }
}

fn too_short(chunk_type: u8) -> SctpError {
    SctpError::ChunkTooShort { chunk_type }
}

/// Interprets a raw chunk.
pub(crate) fn parse<'a>(raw: &RawChunk<'a>) -> Result<Chunk<'a>, SctpError> {
    let v = raw.value;
    let t = raw.chunk_type;
    Ok(match t {
        kind::DATA => {
            let payload = v.get(12..).ok_or(too_short(t))?;
            if payload.is_empty() {
                return Err(SctpError::InvalidField);
            }
            Chunk::Data(DataChunk {
                flags: raw.flags,
                tsn: be32(v, 0).ok_or(too_short(t))?,
                stream: be16(v, 4).ok_or(too_short(t))?,
                ssn: be16(v, 6).ok_or(too_short(t))?,
                ppid: be32(v, 8).ok_or(too_short(t))?,
                payload,
            })
        }
        kind::INIT | kind::INIT_ACK => {
            let init = InitChunk {
                initiate_tag: be32(v, 0).ok_or(too_short(t))?,
                a_rwnd: be32(v, 4).ok_or(too_short(t))?,
                outbound_streams: be16(v, 8).ok_or(too_short(t))?,
                inbound_streams: be16(v, 10).ok_or(too_short(t))?,
                initial_tsn: be32(v, 12).ok_or(too_short(t))?,
                params: v.get(16..).ok_or(too_short(t))?,
            };
            if init.initiate_tag == 0 || init.outbound_streams == 0 || init.inbound_streams == 0 {
                return Err(SctpError::InvalidField);
            }
            if t == kind::INIT {
                Chunk::Init(init)
            } else {
                Chunk::InitAck(init)
            }
        }
        kind::SACK => {
            let gap_count = usize::from(be16(v, 8).ok_or(too_short(t))?);
            let dup_count = usize::from(be16(v, 10).ok_or(too_short(t))?);
            let gaps_end = 12 + gap_count * 4;
            let gaps = v.get(12..gaps_end).ok_or(too_short(t))?;
            if v.len() < gaps_end + dup_count * 4 {
                return Err(too_short(t));
            }
            Chunk::Sack(SackChunk {
                cumulative_tsn: be32(v, 0).ok_or(too_short(t))?,
                a_rwnd: be32(v, 4).ok_or(too_short(t))?,
                gaps,
                duplicate_count: dup_count,
            })
        }
        kind::HEARTBEAT => Chunk::Heartbeat(v),
        kind::HEARTBEAT_ACK => Chunk::HeartbeatAck,
        kind::ABORT => Chunk::Abort {
            reflected: raw.flags & 1 != 0,
        },
        kind::SHUTDOWN => Chunk::Shutdown {
            cumulative_tsn: be32(v, 0).ok_or(too_short(t))?,
        },
        kind::SHUTDOWN_ACK => Chunk::ShutdownAck,
        kind::ERROR => Chunk::Error,
        kind::COOKIE_ECHO => Chunk::CookieEcho(v),
        kind::COOKIE_ACK => Chunk::CookieAck,
        kind::SHUTDOWN_COMPLETE => Chunk::ShutdownComplete {
            reflected: raw.flags & 1 != 0,
        },
        kind::FORWARD_TSN => {
            let streams = v.get(4..).ok_or(too_short(t))?;
            Chunk::ForwardTsn(ForwardTsnChunk {
                new_cumulative_tsn: be32(v, 0).ok_or(too_short(t))?,
                streams: &streams[..streams.len() & !3],
            })
        }
        kind::RE_CONFIG => Chunk::ReConfig(v),
        other => Chunk::Unknown(other),
    })
}

impl DataChunk<'_> {
    /// The chunk's first [`DATA_HEADER_LEN`] bytes: the chunk header (its
    /// length field counting the payload, unpadded) and the DATA header.
    /// The payload and the padding follow them on the wire.
    pub(crate) fn header(&self) -> [u8; DATA_HEADER_LEN] {
        let length = (DATA_HEADER_LEN + self.payload.len()).min(usize::from(u16::MAX)) as u16;
        let mut h = [0; DATA_HEADER_LEN];
        h[0] = kind::DATA;
        h[1] = self.flags;
        h[2..4].copy_from_slice(&length.to_be_bytes());
        h[4..8].copy_from_slice(&self.tsn.to_be_bytes());
        h[8..10].copy_from_slice(&self.stream.to_be_bytes());
        h[10..12].copy_from_slice(&self.ssn.to_be_bytes());
        h[12..16].copy_from_slice(&self.ppid.to_be_bytes());
        h
    }
}

/// Writers for chunk values (the builder adds the chunk header; DATA
/// chunks are written whole by `PacketBuilder::data_chunk`).
pub(crate) mod write {

    /// The value of a SACK chunk.
    pub(crate) fn sack(
        buf: &mut Vec<u8>,
        cumulative_tsn: u32,
        a_rwnd: u32,
        gaps: &[(u16, u16)],
        duplicates: &[u32],
    ) {
        buf.extend_from_slice(&cumulative_tsn.to_be_bytes());
        buf.extend_from_slice(&a_rwnd.to_be_bytes());
        buf.extend_from_slice(&(gaps.len() as u16).to_be_bytes());
        buf.extend_from_slice(&(duplicates.len() as u16).to_be_bytes());
        for &(s, e) in gaps {
            buf.extend_from_slice(&s.to_be_bytes());
            buf.extend_from_slice(&e.to_be_bytes());
        }
        for d in duplicates {
            buf.extend_from_slice(&d.to_be_bytes());
        }
    }

    /// A TLV parameter or error cause, padded to 4 bytes.
    pub(crate) fn tlv(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
        buf.extend_from_slice(&kind.to_be_bytes());
        buf.extend_from_slice(&((4 + value.len()).min(usize::from(u16::MAX)) as u16).to_be_bytes());
        buf.extend_from_slice(value);
        while buf.len() % 4 != 0 {
            buf.push(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(chunk_type: u8, flags: u8, value: &[u8]) -> RawChunk<'_> {
        RawChunk {
            chunk_type,
            flags,
            value,
            whole: value,
        }
    }

    #[test]
    fn data_round_trip() {
        let d = DataChunk {
            flags: data_flags::BEGIN | data_flags::END,
            tsn: 77,
            stream: 3,
            ssn: 9,
            ppid: 51,
            payload: b"hello",
        };
        let mut v = d.header()[4..].to_vec();
        v.extend_from_slice(d.payload);
        assert_eq!(d.header()[..4], [kind::DATA, d.flags, 0, 16 + 5]);
        assert_eq!(
            parse(&raw(kind::DATA, d.flags, &v)).unwrap(),
            Chunk::Data(d)
        );
        assert_eq!(
            parse(&raw(kind::DATA, 3, &v[..12])),
            Err(SctpError::InvalidField),
            "empty user data is a protocol violation"
        );
        assert!(parse(&raw(kind::DATA, 3, &v[..11])).is_err());
    }

    #[test]
    fn sack_round_trip_and_truncation() {
        let mut v = Vec::new();
        write::sack(&mut v, 1000, 65536, &[(2, 3), (6, 9)], &[999, 998]);
        let Chunk::Sack(s) = parse(&raw(kind::SACK, 0, &v)).unwrap() else {
            panic!("not a sack")
        };
        assert_eq!(s.cumulative_tsn, 1000);
        assert_eq!(s.a_rwnd, 65536);
        assert_eq!(s.gap_blocks().collect::<Vec<_>>(), vec![(2, 3), (6, 9)]);
        assert_eq!(s.duplicate_count, 2);
        assert!(parse(&raw(kind::SACK, 0, &v[..v.len() - 1])).is_err());
        // A gap count far beyond the chunk.
        v[8] = 0xff;
        assert!(parse(&raw(kind::SACK, 0, &v)).is_err());
    }

    #[test]
    fn init_rejects_zero_tag_and_zero_streams() {
        let mut v = vec![0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5];
        assert!(matches!(parse(&raw(kind::INIT, 0, &v)), Ok(Chunk::Init(_))));
        v[3] = 0;
        assert_eq!(parse(&raw(kind::INIT, 0, &v)), Err(SctpError::InvalidField));
        v[3] = 1;
        v[9] = 0;
        assert_eq!(
            parse(&raw(kind::INIT_ACK, 0, &v)),
            Err(SctpError::InvalidField)
        );
        assert!(parse(&raw(kind::INIT, 0, &v[..15])).is_err());
    }

    #[test]
    fn unknown_action_by_high_bits() {
        assert_eq!(
            UnknownAction::from_high_bits(0x3f),
            UnknownAction {
                skip: false,
                report: false
            }
        );
        assert_eq!(
            UnknownAction::from_high_bits(0x40),
            UnknownAction {
                skip: false,
                report: true
            }
        );
        assert_eq!(
            UnknownAction::from_high_bits(0x80),
            UnknownAction {
                skip: true,
                report: false
            }
        );
        assert_eq!(
            UnknownAction::from_high_bits(0xc1),
            UnknownAction {
                skip: true,
                report: true
            }
        );
        assert_eq!(parse(&raw(0x41, 0, &[])).unwrap(), Chunk::Unknown(0x41));
    }

    #[test]
    fn forward_tsn_streams() {
        let v = [0, 0, 0, 9, 0, 1, 0, 2, 0, 3, 0, 4, 0xff];
        let Chunk::ForwardTsn(f) = parse(&raw(kind::FORWARD_TSN, 0, &v)).unwrap() else {
            panic!()
        };
        assert_eq!(f.new_cumulative_tsn, 9);
        assert_eq!(f.streams().collect::<Vec<_>>(), vec![(1, 2), (3, 4)]);
    }
}
