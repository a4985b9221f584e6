//! Whole DNS messages (RFC 1035 §4.1): the header, then questions,
//! answers, authority and additional records.

use crate::error::Section;
use crate::name::NameCompressor;
use crate::{MdnsError, Question, Record};

/// The largest mDNS message accepted (RFC 6762 §17: 9000 bytes, the jumbo
/// frame payload, is the most a message may be).
pub const MAX_MESSAGE_LEN: usize = 9000;
/// The fixed header's length.
pub const HEADER_LEN: usize = 12;

/// The header's second 16-bit word (RFC 1035 §4.1.1): QR, Opcode, AA, TC,
/// RD, RA, Z, RCODE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(pub u16);

impl Flags {
    /// QR: the message is a response.
    pub const RESPONSE: u16 = 0x8000;
    /// AA: authoritative answer; mDNS responses set it (RFC 6762 §18.4).
    pub const AUTHORITATIVE: u16 = 0x0400;
    /// TC: in an mDNS query, more known answers follow (RFC 6762 §18.5).
    pub const TRUNCATED: u16 = 0x0200;
    /// RD: recursion desired (RFC 6762 §18.6: zero in mDNS).
    pub const RECURSION_DESIRED: u16 = 0x0100;

    /// The flags of an mDNS query: all zero.
    pub const QUERY: Flags = Flags(0);
    /// The flags of an mDNS response: QR and AA.
    pub const MDNS_RESPONSE: Flags = Flags(Self::RESPONSE | Self::AUTHORITATIVE);

    /// Whether QR is set.
    pub fn is_response(self) -> bool {
        self.0 & Self::RESPONSE != 0
    }

    /// Whether TC is set.
    pub fn is_truncated(self) -> bool {
        self.0 & Self::TRUNCATED != 0
    }

    /// The 4-bit opcode (0: standard query, the only one mDNS uses).
    pub fn opcode(self) -> u8 {
        ((self.0 >> 11) & 0xf) as u8
    }

    /// The 4-bit response code (0: no error).
    pub fn rcode(self) -> u8 {
        (self.0 & 0xf) as u8
    }
}

/// A DNS message.
///
/// Parsing follows compression pointers in names (never in the raw data of
/// uninterpreted records), refuses anything that would read past the end,
/// and ignores bytes after the last record. Writing compresses names.
///
/// ```
/// use sansrtc_mdns::{Message, Name, Question, RecordType};
///
/// let name: Name = "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local".parse()?;
/// let query = Message::query(vec![Question::new(name.clone(), RecordType::A, false)]);
/// let bytes = query.to_bytes()?;
/// assert_eq!(&bytes[..12], &[0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
/// assert_eq!(Message::parse(&bytes)?, query);
/// # Ok::<(), sansrtc_mdns::MdnsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The query ID; zero in multicast mDNS (RFC 6762 §18.1).
    pub id: u16,
    /// The flags word.
    pub flags: Flags,
    /// The question section.
    pub questions: Vec<Question>,
    /// The answer section.
    pub answers: Vec<Record>,
    /// The authority section.
    pub authorities: Vec<Record>,
    /// The additional section.
    pub additionals: Vec<Record>,
}

impl Message {
    /// An mDNS query (ID 0, no flags) with these questions.
    pub fn query(questions: Vec<Question>) -> Message {
        Message {
            questions,
            ..Message::default()
        }
    }

    /// An mDNS response (ID 0, QR and AA) with these answers.
    pub fn response(answers: Vec<Record>) -> Message {
        Message {
            flags: Flags::MDNS_RESPONSE,
            answers,
            ..Message::default()
        }
    }

    /// Parses one datagram. Never panics; see [`MdnsError`] for the causes.
    pub fn parse(bytes: &[u8]) -> Result<Message, MdnsError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(MdnsError::MessageTooLarge {
                len: bytes.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        let header = bytes
            .get(..HEADER_LEN)
            .ok_or(MdnsError::Truncated { offset: 0 })?;
        let word = |i: usize| u16::from_be_bytes([header[i], header[i + 1]]);
        let mut message = Message {
            id: word(0),
            flags: Flags(word(2)),
            ..Message::default()
        };
        let counts = [word(4), word(6), word(8), word(10)];
        let mut pos = HEADER_LEN;
        let check = |section, count: u16, min: usize, pos: usize| {
            let remaining = bytes.len() - pos;
            if usize::from(count) * min > remaining {
                Err(MdnsError::CountTooLarge {
                    section,
                    count,
                    remaining,
                })
            } else {
                Ok(())
            }
        };
        check(Section::Question, counts[0], Question::MIN_LEN, pos)?;
        message.questions.reserve(usize::from(counts[0]));
        for _ in 0..counts[0] {
            let (q, next) = Question::read(bytes, pos)?;
            message.questions.push(q);
            pos = next;
        }
        let sections = [
            (Section::Answer, counts[1]),
            (Section::Authority, counts[2]),
            (Section::Additional, counts[3]),
        ];
        for (section, count) in sections {
            check(section, count, Record::MIN_LEN, pos)?;
            let list = match section {
                Section::Answer => &mut message.answers,
                Section::Authority => &mut message.authorities,
                _ => &mut message.additionals,
            };
            list.reserve(usize::from(count));
            for _ in 0..count {
                let (r, next) = Record::read(bytes, pos)?;
                list.push(r);
                pos = next;
            }
        }
        Ok(message)
    }

    /// Appends the message to `out` (names compressed) and returns the
    /// number of bytes written. Fails only when a section has more than
    /// 65,535 entries or a record's data is longer than 65,535 bytes; `out`
    /// is then left as it was.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<usize, MdnsError> {
        let base = out.len();
        let result = self.write_inner(out, base);
        if result.is_err() {
            out.truncate(base);
        }
        result.map(|()| out.len() - base)
    }

    fn write_inner(&self, out: &mut Vec<u8>, base: usize) -> Result<(), MdnsError> {
        let count = |n: usize| u16::try_from(n).map_err(|_| MdnsError::TooManyRecords(n));
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&self.flags.0.to_be_bytes());
        for n in [
            self.questions.len(),
            self.answers.len(),
            self.authorities.len(),
            self.additionals.len(),
        ] {
            out.extend_from_slice(&count(n)?.to_be_bytes());
        }
        let mut names = NameCompressor::default();
        for q in &self.questions {
            q.write(out, base, &mut names);
        }
        for r in self
            .answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
        {
            r.write(out, base, &mut names)?;
        }
        Ok(())
    }

    /// The message as a new buffer; see [`Message::write`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, MdnsError> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}
