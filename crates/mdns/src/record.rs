//! Questions and resource records (RFC 1035 §4.1.2, §4.1.3) with the two
//! bits mDNS gives the class field's top bit (RFC 6762 §5.4, §10.2).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::name::{read_name, NameCompressor};
use crate::{MdnsError, Name};

/// A record type (RFC 1035 §3.2.2 and later registrations). Only A and
/// AAAA are interpreted; every other type is kept as raw data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordType(pub u16);

impl RecordType {
    /// An IPv4 host address (RFC 1035).
    pub const A: RecordType = RecordType(1);
    /// A domain name pointer (RFC 1035).
    pub const PTR: RecordType = RecordType(12);
    /// Text strings (RFC 1035).
    pub const TXT: RecordType = RecordType(16);
    /// An IPv6 host address (RFC 3596).
    pub const AAAA: RecordType = RecordType(28);
    /// A service location (RFC 2782).
    pub const SRV: RecordType = RecordType(33);
    /// Next secure record; mDNS uses it for negative answers (RFC 6762 §6.1).
    pub const NSEC: RecordType = RecordType(47);
    /// In a question: every type (RFC 1035 `*`).
    pub const ANY: RecordType = RecordType(255);
}

/// The Internet class (RFC 1035 §3.2.4), the only one mDNS uses.
pub const CLASS_IN: u16 = 1;
/// In a question: any class.
pub const CLASS_ANY: u16 = 255;
/// The class field's top bit: QU in a question, cache-flush in a record.
const TOP_BIT: u16 = 0x8000;

/// One question (RFC 1035 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The name asked about.
    pub name: Name,
    /// The type asked for.
    pub qtype: RecordType,
    /// The class without its top bit (normally [`CLASS_IN`]).
    pub qclass: u16,
    /// The class field's top bit: the querier prefers a unicast response
    /// (the "QU" bit, RFC 6762 §5.4).
    pub unicast_response: bool,
}

impl Question {
    /// A question for `name`'s records of `qtype` in class IN.
    pub fn new(name: Name, qtype: RecordType, unicast_response: bool) -> Question {
        Question {
            name,
            qtype,
            qclass: CLASS_IN,
            unicast_response,
        }
    }

    /// The smallest question on the wire: the root name, type and class.
    pub(crate) const MIN_LEN: usize = 5;

    pub(crate) fn read(msg: &[u8], pos: usize) -> Result<(Question, usize), MdnsError> {
        let (name, pos) = read_name(msg, pos)?;
        let fixed = msg
            .get(pos..pos + 4)
            .ok_or(MdnsError::Truncated { offset: pos })?;
        let qtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        let question = Question {
            name,
            qtype: RecordType(qtype),
            qclass: class & !TOP_BIT,
            unicast_response: class & TOP_BIT != 0,
        };
        Ok((question, pos + 4))
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>, base: usize, names: &mut NameCompressor) {
        names.write(out, base, &self.name);
        out.extend_from_slice(&self.qtype.0.to_be_bytes());
        let class = (self.qclass & !TOP_BIT) | if self.unicast_response { TOP_BIT } else { 0 };
        out.extend_from_slice(&class.to_be_bytes());
    }
}

/// A record's data: addresses interpreted, anything else raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// An A record.
    A(Ipv4Addr),
    /// An AAAA record.
    Aaaa(Ipv6Addr),
    /// Any other type, its data as received. Names inside it (PTR, SRV,
    /// NSEC…) may hold compression pointers relative to the message it came
    /// in; they are not followed.
    Other {
        /// The record type.
        rtype: RecordType,
        /// The raw data.
        data: Vec<u8>,
    },
}

impl RecordData {
    /// The record type of this data.
    pub fn rtype(&self) -> RecordType {
        match self {
            RecordData::A(_) => RecordType::A,
            RecordData::Aaaa(_) => RecordType::AAAA,
            RecordData::Other { rtype, .. } => *rtype,
        }
    }

    /// The address of an A or AAAA record.
    pub fn address(&self) -> Option<IpAddr> {
        match self {
            RecordData::A(a) => Some(IpAddr::V4(*a)),
            RecordData::Aaaa(a) => Some(IpAddr::V6(*a)),
            RecordData::Other { .. } => None,
        }
    }

    /// An A record's data for an IPv4 address, AAAA for IPv6.
    pub fn from_address(address: IpAddr) -> RecordData {
        match address {
            IpAddr::V4(a) => RecordData::A(a),
            IpAddr::V6(a) => RecordData::Aaaa(a),
        }
    }
}

/// One resource record (RFC 1035 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name.
    pub name: Name,
    /// The class without its top bit (normally [`CLASS_IN`]).
    pub class: u16,
    /// The class field's top bit: this record replaces the cached records
    /// of the same name and type (the "cache-flush" bit, RFC 6762 §10.2).
    pub cache_flush: bool,
    /// Time to live in seconds; 0 is a goodbye (RFC 6762 §10.1).
    pub ttl: u32,
    /// The data, whose variant gives the type.
    pub data: RecordData,
}

impl Record {
    /// An A or AAAA record in class IN for `address`.
    pub fn address(name: Name, address: IpAddr, ttl: Duration, cache_flush: bool) -> Record {
        Record {
            name,
            class: CLASS_IN,
            cache_flush,
            ttl: u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX),
            data: RecordData::from_address(address),
        }
    }

    /// The smallest record on the wire: root name, type, class, TTL and a
    /// zero data length.
    pub(crate) const MIN_LEN: usize = 11;

    pub(crate) fn read(msg: &[u8], pos: usize) -> Result<(Record, usize), MdnsError> {
        let (name, pos) = read_name(msg, pos)?;
        let fixed = msg
            .get(pos..pos + 10)
            .ok_or(MdnsError::Truncated { offset: pos })?;
        let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
        let len = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        let start = pos + 10;
        let raw = msg
            .get(start..start + len)
            .ok_or(MdnsError::Truncated { offset: start })?;
        let data = match RecordType(rtype) {
            RecordType::A => RecordData::A(Ipv4Addr::from(
                <[u8; 4]>::try_from(raw).map_err(|_| MdnsError::BadRecordLength { rtype, len })?,
            )),
            RecordType::AAAA => RecordData::Aaaa(Ipv6Addr::from(
                <[u8; 16]>::try_from(raw).map_err(|_| MdnsError::BadRecordLength { rtype, len })?,
            )),
            other => RecordData::Other {
                rtype: other,
                data: raw.to_vec(),
            },
        };
        let record = Record {
            name,
            class: class & !TOP_BIT,
            cache_flush: class & TOP_BIT != 0,
            ttl,
            data,
        };
        Ok((record, start + len))
    }

    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        base: usize,
        names: &mut NameCompressor,
    ) -> Result<(), MdnsError> {
        let (v4, v6);
        let data: &[u8] = match &self.data {
            RecordData::A(a) => {
                v4 = a.octets();
                &v4
            }
            RecordData::Aaaa(a) => {
                v6 = a.octets();
                &v6
            }
            RecordData::Other { data, .. } => data,
        };
        let len =
            u16::try_from(data.len()).map_err(|_| MdnsError::RecordDataTooLong(data.len()))?;
        names.write(out, base, &self.name);
        out.extend_from_slice(&self.data.rtype().0.to_be_bytes());
        let class = (self.class & !TOP_BIT) | if self.cache_flush { TOP_BIT } else { 0 };
        out.extend_from_slice(&class.to_be_bytes());
        out.extend_from_slice(&self.ttl.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(data);
        Ok(())
    }
}
