//! The crate's one error type: why a message did not parse or could not be
//! written, and why a command was refused.
//!
//! Network garbage never reaches the application as an error: the resolver
//! and the responder drop what does not parse and count it in their stats.
//! [`MdnsError`] is what [`crate::Message::parse`] returns (so a driver or
//! a test can tell *why*), and what commands return on misuse.

use std::net::IpAddr;

/// The section of a DNS message a count belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The question section (QDCOUNT).
    Question,
    /// The answer section (ANCOUNT).
    Answer,
    /// The authority section (NSCOUNT).
    Authority,
    /// The additional section (ARCOUNT).
    Additional,
}

/// Why a message, a name or a command was refused. One variant per cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsError {
    /// The message ends inside a field that starts at `offset`.
    #[error("message truncated at offset {offset}")]
    Truncated {
        /// Where the field that did not fit starts.
        offset: usize,
    },
    /// The datagram is larger than an mDNS message may be (RFC 6762 §17).
    #[error("message of {len} bytes exceeds {max}")]
    MessageTooLarge {
        /// The datagram's length.
        len: usize,
        /// The largest message accepted.
        max: usize,
    },
    /// A section's count cannot fit in the bytes that remain (each question
    /// takes at least 5 bytes, each record at least 11).
    #[error("{count} entries in the {section:?} section cannot fit in {remaining} bytes")]
    CountTooLarge {
        /// The section.
        section: Section,
        /// Its count from the header.
        count: u16,
        /// The bytes left after the header and the sections before it.
        remaining: usize,
    },
    /// A label length byte with the reserved top bits `01` or `10` (RFC 6891
    /// extended labels, never used): on the wire, a label longer than 63
    /// bytes looks like this.
    #[error("label length byte {byte:#04x} at offset {offset} is not a label or a pointer")]
    BadLabelType {
        /// The length byte.
        byte: u8,
        /// Where it is.
        offset: usize,
    },
    /// A label of a name given as text is longer than 63 bytes.
    #[error("label of {len} bytes exceeds 63")]
    LabelTooLong {
        /// The label's length.
        len: usize,
    },
    /// A name given as text has an empty label (`a..local`) or is empty.
    #[error("empty label in a name")]
    EmptyLabel,
    /// A name is longer than 255 bytes in wire form (RFC 1035 §2.3.4).
    #[error("name longer than 255 bytes")]
    NameTooLong,
    /// A compression pointer does not point strictly before the labels that
    /// led to it: followed, it could loop.
    #[error("compression pointer at offset {offset} to {target} does not point backwards")]
    PointerLoop {
        /// Where the pointer is.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// A name follows more compression pointers than
    /// [`crate::MAX_POINTER_HOPS`].
    #[error("name follows more than {max} compression pointers")]
    TooManyPointers {
        /// The limit.
        max: usize,
    },
    /// An A record whose data is not 4 bytes, or an AAAA record whose data
    /// is not 16.
    #[error("record of type {rtype} has {len} bytes of data")]
    BadRecordLength {
        /// The record type.
        rtype: u16,
        /// The length of its data.
        len: usize,
    },
    /// Writing: a section has more than 65,535 entries.
    #[error("a section of {0} entries does not fit a 16-bit count")]
    TooManyRecords(usize),
    /// Writing: a record's data is longer than 65,535 bytes.
    #[error("record data of {0} bytes does not fit a 16-bit length")]
    RecordDataTooLong(usize),
    /// The name is not under `.local` (or is `local` alone).
    #[error("{0} is not a .local name")]
    NotLocal(String),
    /// The resolver has as many outstanding queries as it allows.
    #[error("{max} queries are already outstanding")]
    TooManyQueries {
        /// The limit.
        max: usize,
    },
    /// The responder has as many names registered as it allows.
    #[error("{max} names are already registered")]
    TooManyNames {
        /// The limit.
        max: usize,
    },
    /// The name has as many addresses registered as it allows.
    #[error("the name already has {max} addresses")]
    TooManyAddresses {
        /// The limit.
        max: usize,
    },
    /// The address cannot be a host candidate's (unspecified, multicast or
    /// broadcast).
    #[error("{0} is not a unicast host address")]
    NotUnicast(IpAddr),
    /// The configuration lists no local address to send from.
    #[error("no local address to send from")]
    NoSources,
}
