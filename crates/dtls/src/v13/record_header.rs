//! DTLS 1.3 record framing (RFC 9147 §4, §4.1): the DTLSPlaintext header
//! of epoch 0 and the unified header of DTLSCiphertext, and the split of
//! a datagram into records.
//!
//! ```text
//! DTLSPlaintext:  type(1) legacy_record_version(2) epoch(2) sequence_number(6) length(2) fragment
//! unified header: 0 0 1 C S L E E | [CID] | seq (8 or 16 bits) | [length (16 bits)] | encrypted_record
//! ```
//!
//! The sequence number bits of a received unified header are still
//! encrypted (§4.2.3): [`super::record_protection`] removes the mask.
//! We never negotiate connection IDs (RFC 9146), so a set C bit is an
//! error.

use super::error::Dtls13Error;

/// ContentType alert.
pub(crate) const CONTENT_TYPE_ALERT: u8 = 21;
/// ContentType handshake.
pub(crate) const CONTENT_TYPE_HANDSHAKE: u8 = 22;
/// ContentType application_data.
pub(crate) const CONTENT_TYPE_APPLICATION_DATA: u8 = 23;
/// ContentType ack (RFC 9147 §7).
pub(crate) const CONTENT_TYPE_ACK: u8 = 26;

/// The longest plaintext fragment (2^14, RFC 8446 §5.1).
pub(crate) const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// The longest encrypted record (2^14 + 256, RFC 8446 §5.2).
pub(crate) const MAX_CIPHERTEXT_LEN: usize = (1 << 14) + 256;
/// The DTLSPlaintext header length.
pub(crate) const PLAINTEXT_HEADER_LEN: usize = 13;
/// Record number encryption samples the first 16 bytes of the encrypted
/// record; shorter records are rejected (RFC 9147 §4.2.3).
pub(crate) const MIN_ENCRYPTED_RECORD_LEN: usize = 16;

/// What a record's first byte says it is (RFC 9147 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordClass {
    /// alert(21), handshake(22) or ack(26): a DTLSPlaintext record.
    Plaintext,
    /// `001xxxxx`: a DTLSCiphertext with the unified header.
    Ciphertext,
    /// Anything else: rejected as if it failed deprotection.
    Invalid,
}

/// Classifies a record by its first byte.
pub(crate) fn classify(first_byte: u8) -> RecordClass {
    match first_byte {
        CONTENT_TYPE_ALERT | CONTENT_TYPE_HANDSHAKE | CONTENT_TYPE_ACK => RecordClass::Plaintext,
        b if b & 0b1110_0000 == UnifiedHeader::FIXED_BITS => RecordClass::Ciphertext,
        _ => RecordClass::Invalid,
    }
}

/// The low bits of the sequence number a unified header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SequenceNumberBits {
    /// S = 0: the low 8 bits.
    Eight(u8),
    /// S = 1: the low 16 bits.
    Sixteen(u16),
}

impl SequenceNumberBits {
    /// The low bits of `sequence_number` in the given width.
    pub(crate) fn truncate(sequence_number: u64, sixteen: bool) -> Self {
        if sixteen {
            SequenceNumberBits::Sixteen(sequence_number as u16)
        } else {
            SequenceNumberBits::Eight(sequence_number as u8)
        }
    }

    /// How many bits are carried.
    pub(crate) fn width(self) -> u32 {
        match self {
            SequenceNumberBits::Eight(_) => 8,
            SequenceNumberBits::Sixteen(_) => 16,
        }
    }

    /// The carried bits as a number.
    pub(crate) fn value(self) -> u64 {
        match self {
            SequenceNumberBits::Eight(v) => u64::from(v),
            SequenceNumberBits::Sixteen(v) => u64::from(v),
        }
    }

    /// Their length on the wire.
    pub(crate) fn encoded_len(self) -> usize {
        (self.width() / 8) as usize
    }
}

/// The unified header of a DTLSCiphertext (RFC 9147 §4), without a CID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnifiedHeader {
    /// The low two bits of the epoch (`EE`).
    pub(crate) epoch_low_bits: u8,
    /// The (low bits of the) sequence number, as the header carries them.
    pub(crate) sequence_number: SequenceNumberBits,
    /// Whether the 16-bit length is present (`L`); without it the record
    /// runs to the end of the datagram.
    pub(crate) length_present: bool,
}

impl UnifiedHeader {
    /// The fixed `001` of the first byte.
    pub(crate) const FIXED_BITS: u8 = 0b0010_0000;
    /// `C`: a connection ID follows.
    pub(crate) const CID_BIT: u8 = 0b0001_0000;
    /// `S`: the sequence number is 16 bits (else 8).
    pub(crate) const SEQUENCE_16_BIT: u8 = 0b0000_1000;
    /// `L`: the length is present.
    pub(crate) const LENGTH_BIT: u8 = 0b0000_0100;
    /// `EE`: the epoch's low bits.
    pub(crate) const EPOCH_BITS: u8 = 0b0000_0011;

    /// The header for record `sequence_number` of `epoch`.
    pub(crate) fn new(
        epoch: u64,
        sequence_number: u64,
        sixteen: bool,
        length_present: bool,
    ) -> Self {
        UnifiedHeader {
            epoch_low_bits: (epoch & u64::from(Self::EPOCH_BITS)) as u8,
            sequence_number: SequenceNumberBits::truncate(sequence_number, sixteen),
            length_present,
        }
    }

    /// The first byte.
    pub(crate) fn first_byte(&self) -> u8 {
        let mut b = Self::FIXED_BITS | self.epoch_low_bits;
        if matches!(self.sequence_number, SequenceNumberBits::Sixteen(_)) {
            b |= Self::SEQUENCE_16_BIT;
        }
        if self.length_present {
            b |= Self::LENGTH_BIT;
        }
        b
    }

    /// The header's length on the wire (2 to 5 bytes).
    pub(crate) fn encoded_len(&self) -> usize {
        1 + self.sequence_number.encoded_len() + if self.length_present { 2 } else { 0 }
    }

    /// Appends the header for an encrypted record of `record_len` bytes.
    pub(crate) fn encode(&self, record_len: usize, out: &mut Vec<u8>) -> Result<(), Dtls13Error> {
        let (bytes, len) = self.wire_bytes(record_len)?;
        out.extend_from_slice(&bytes[..len]);
        Ok(())
    }

    /// The header for an encrypted record of `record_len` bytes: its
    /// bytes in the first [`Self::encoded_len`] of the array, and that
    /// length.
    pub(crate) fn wire_bytes(&self, record_len: usize) -> Result<([u8; 5], usize), Dtls13Error> {
        if record_len > MAX_CIPHERTEXT_LEN {
            return Err(Dtls13Error::TooLarge("DTLSCiphertext"));
        }
        let mut bytes = [0u8; 5];
        bytes[0] = self.first_byte();
        let mut len = 1;
        match self.sequence_number {
            SequenceNumberBits::Eight(v) => {
                bytes[1] = v;
                len += 1;
            }
            SequenceNumberBits::Sixteen(v) => {
                bytes[1..3].copy_from_slice(&v.to_be_bytes());
                len += 2;
            }
        }
        if self.length_present {
            bytes[len..len + 2].copy_from_slice(&(record_len as u16).to_be_bytes());
            len += 2;
        }
        Ok((bytes, len))
    }

    /// The byte range of the sequence number within the encoded header.
    pub(crate) fn sequence_number_range(&self) -> std::ops::Range<usize> {
        1..1 + self.sequence_number.encoded_len()
    }
}

/// A DTLSPlaintext record (epoch 0: ClientHello, ServerHello,
/// HelloRetryRequest, alerts and ACKs before keys exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlaintextRecord<'a> {
    /// alert, handshake or ack.
    pub(crate) content_type: u8,
    /// `legacy_record_version`, which receivers ignore (RFC 8446 §5.1).
    pub(crate) legacy_record_version: u16,
    /// The 48-bit sequence number.
    pub(crate) sequence_number: u64,
    /// The fragment.
    pub(crate) fragment: &'a [u8],
}

impl PlaintextRecord<'_> {
    /// Appends the record: `legacy_record_version` is {254, 253} and the
    /// epoch 0, as RFC 9147 §4 has senders write.
    pub(crate) fn encode(
        content_type: u8,
        sequence_number: u64,
        fragment: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Dtls13Error> {
        if fragment.len() > MAX_PLAINTEXT_LEN {
            return Err(Dtls13Error::TooLarge("DTLSPlaintext"));
        }
        if sequence_number >> 48 != 0 {
            return Err(Dtls13Error::Exhausted);
        }
        out.push(content_type);
        out.extend_from_slice(&[0xfe, 0xfd, 0, 0]);
        out.extend_from_slice(&sequence_number.to_be_bytes()[2..]);
        out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        out.extend_from_slice(fragment);
        Ok(())
    }
}

/// A DTLSCiphertext as received: the header as it was on the wire (its
/// sequence number bits still encrypted) and the encrypted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CiphertextRecord<'a> {
    /// The parsed header; `sequence_number` holds the encrypted bits.
    pub(crate) header: UnifiedHeader,
    /// The header bytes as received.
    pub(crate) header_bytes: &'a [u8],
    /// The AEAD ciphertext and tag.
    pub(crate) encrypted_record: &'a [u8],
}

/// One record of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record<'a> {
    /// A DTLSPlaintext record.
    Plaintext(PlaintextRecord<'a>),
    /// A DTLSCiphertext record.
    Ciphertext(CiphertextRecord<'a>),
}

/// Parses the record at the start of `input`; returns it and the bytes
/// after it.
pub(crate) fn parse_record(input: &[u8]) -> Result<(Record<'_>, &[u8]), Dtls13Error> {
    let first = *input.first().ok_or(Dtls13Error::Decode("empty record"))?;
    match classify(first) {
        RecordClass::Plaintext => parse_plaintext(input),
        RecordClass::Ciphertext => parse_ciphertext(input),
        RecordClass::Invalid => Err(Dtls13Error::Decode("record content type")),
    }
}

fn parse_plaintext(input: &[u8]) -> Result<(Record<'_>, &[u8]), Dtls13Error> {
    if input.len() < PLAINTEXT_HEADER_LEN {
        return Err(Dtls13Error::Decode("DTLSPlaintext header"));
    }
    let legacy_record_version = u16::from_be_bytes([input[1], input[2]]);
    let epoch = u16::from_be_bytes([input[3], input[4]]);
    if epoch != 0 {
        // DTLS 1.3 protects every record after epoch 0.
        return Err(Dtls13Error::Decode("DTLSPlaintext epoch"));
    }
    let mut seq = [0u8; 8];
    seq[2..].copy_from_slice(&input[5..11]);
    let length = usize::from(u16::from_be_bytes([input[11], input[12]]));
    if length > MAX_PLAINTEXT_LEN {
        return Err(Dtls13Error::TooLarge("DTLSPlaintext"));
    }
    if length == 0 {
        return Err(Dtls13Error::Decode("empty DTLSPlaintext"));
    }
    let end = PLAINTEXT_HEADER_LEN + length;
    if end > input.len() {
        return Err(Dtls13Error::Decode(
            "DTLSPlaintext length beyond the datagram",
        ));
    }
    let record = PlaintextRecord {
        content_type: input[0],
        legacy_record_version,
        sequence_number: u64::from_be_bytes(seq),
        fragment: &input[PLAINTEXT_HEADER_LEN..end],
    };
    Ok((Record::Plaintext(record), &input[end..]))
}

fn parse_ciphertext(input: &[u8]) -> Result<(Record<'_>, &[u8]), Dtls13Error> {
    let first = input[0];
    if first & UnifiedHeader::CID_BIT != 0 {
        return Err(Dtls13Error::UnexpectedConnectionId);
    }
    let sixteen = first & UnifiedHeader::SEQUENCE_16_BIT != 0;
    let length_present = first & UnifiedHeader::LENGTH_BIT != 0;
    let seq_len = if sixteen { 2 } else { 1 };
    let header_len = 1 + seq_len + if length_present { 2 } else { 0 };
    if input.len() < header_len {
        return Err(Dtls13Error::Decode("unified header"));
    }
    let sequence_number = if sixteen {
        SequenceNumberBits::Sixteen(u16::from_be_bytes([input[1], input[2]]))
    } else {
        SequenceNumberBits::Eight(input[1])
    };
    let body_len = if length_present {
        let at = 1 + seq_len;
        let length = usize::from(u16::from_be_bytes([input[at], input[at + 1]]));
        if length > MAX_CIPHERTEXT_LEN {
            return Err(Dtls13Error::TooLarge("DTLSCiphertext"));
        }
        if header_len + length > input.len() {
            return Err(Dtls13Error::Decode(
                "DTLSCiphertext length beyond the datagram",
            ));
        }
        length
    } else {
        let length = input.len() - header_len;
        if length > MAX_CIPHERTEXT_LEN {
            return Err(Dtls13Error::TooLarge("DTLSCiphertext"));
        }
        length
    };
    if body_len < MIN_ENCRYPTED_RECORD_LEN {
        return Err(Dtls13Error::Decode(
            "DTLSCiphertext shorter than the mask sample",
        ));
    }
    let end = header_len + body_len;
    let record = CiphertextRecord {
        header: UnifiedHeader {
            epoch_low_bits: first & UnifiedHeader::EPOCH_BITS,
            sequence_number,
            length_present,
        },
        header_bytes: &input[..header_len],
        encrypted_record: &input[header_len..end],
    };
    Ok((Record::Ciphertext(record), &input[end..]))
}

/// Splits a datagram into records ([`DatagramRecords`], collected): the
/// records before the first malformed one and the error that stopped the
/// split.
#[cfg(test)]
pub(crate) fn split_datagram(datagram: &[u8]) -> (Vec<Record<'_>>, Option<Dtls13Error>) {
    let mut records = Vec::new();
    for record in DatagramRecords::new(datagram) {
        match record {
            Ok(record) => records.push(record),
            Err(e) => return (records, Some(e)),
        }
    }
    (records, None)
}

/// A datagram's records in order (several per datagram are allowed,
/// RFC 9147 §4.3), then the error that stopped the split if one did: the
/// rest of the datagram cannot be framed and is dropped (§4.5.2). Read
/// one at a time, with no buffer for the list.
pub(crate) struct DatagramRecords<'a> {
    /// The bytes not yet read.
    rest: &'a [u8],
}

impl<'a> DatagramRecords<'a> {
    /// The records of `datagram`.
    pub(crate) fn new(datagram: &'a [u8]) -> Self {
        Self { rest: datagram }
    }
}

impl<'a> Iterator for DatagramRecords<'a> {
    type Item = Result<Record<'a>, Dtls13Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(match parse_record(self.rest) {
            Ok((record, rest)) => {
                self.rest = rest;
                Ok(record)
            }
            Err(e) => {
                self.rest = &[];
                Err(e)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ciphertext(header: UnifiedHeader, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        header.encode(body.len(), &mut out).unwrap();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn classification_follows_rfc9147_section_4_1() {
        for b in 0..=255u8 {
            let expected = match b {
                21 | 22 | 26 => RecordClass::Plaintext,
                0x20..=0x3f => RecordClass::Ciphertext,
                _ => RecordClass::Invalid,
            };
            assert_eq!(classify(b), expected, "{b:#04x}");
        }
        // Application data and ChangeCipherSpec are never plaintext in 1.3.
        assert_eq!(
            classify(CONTENT_TYPE_APPLICATION_DATA),
            RecordClass::Invalid
        );
        assert_eq!(classify(20), RecordClass::Invalid);
    }

    #[test]
    fn unified_header_forms_encode_and_parse() {
        let body = [0xaa; 20];
        for (sixteen, length_present, len) in [
            (true, true, 5),
            (true, false, 3),
            (false, true, 4),
            (false, false, 2),
        ] {
            for epoch in [2u64, 3, 4, 7, 0x1_0000_0001] {
                let header = UnifiedHeader::new(epoch, 0x1234_5678, sixteen, length_present);
                assert_eq!(header.encoded_len(), len);
                let wire = ciphertext(header, &body);
                assert_eq!(wire[0] & 0xe0, 0x20);
                assert_eq!(wire[0] & 3, (epoch & 3) as u8);
                let (record, rest) = parse_record(&wire).unwrap();
                assert!(rest.is_empty());
                let Record::Ciphertext(c) = record else {
                    panic!("{record:?}")
                };
                assert_eq!(c.header, header);
                assert_eq!(c.header_bytes, &wire[..len]);
                assert_eq!(c.encrypted_record, &body);
                let expected_seq = if sixteen { 0x5678 } else { 0x78 };
                assert_eq!(c.header.sequence_number.value(), expected_seq);
                assert_eq!(
                    &wire[header.sequence_number_range()],
                    if sixteen {
                        &[0x56, 0x78][..]
                    } else {
                        &[0x78][..]
                    }
                );
            }
        }
        // The minimal header: 0x20 | EE, one sequence byte (RFC 9147 Figure 4).
        let header = UnifiedHeader::new(3, 9, false, false);
        assert_eq!(ciphertext(header, &body)[..2], [0x23, 9]);
        // The full one: 0x2c | EE, 16-bit seq, 16-bit length.
        let header = UnifiedHeader::new(2, 0x0102, true, true);
        assert_eq!(ciphertext(header, &body)[..5], [0x2e, 1, 2, 0, 20]);
    }

    #[test]
    fn plaintext_encodes_and_parses() {
        let mut wire = Vec::new();
        PlaintextRecord::encode(
            CONTENT_TYPE_HANDSHAKE,
            0x0102_0304_0506,
            b"hello",
            &mut wire,
        )
        .unwrap();
        assert_eq!(wire[..13], [22, 0xfe, 0xfd, 0, 0, 1, 2, 3, 4, 5, 6, 0, 5]);
        let (record, rest) = parse_record(&wire).unwrap();
        assert!(rest.is_empty());
        assert_eq!(
            record,
            Record::Plaintext(PlaintextRecord {
                content_type: 22,
                legacy_record_version: 0xfefd,
                sequence_number: 0x0102_0304_0506,
                fragment: b"hello",
            })
        );
        // {254, 255} (an initial ClientHello's) is ignored, not rejected.
        wire[2] = 0xff;
        assert!(parse_record(&wire).is_ok());
        assert!(PlaintextRecord::encode(22, 1 << 48, b"x", &mut Vec::new()).is_err());
        assert!(
            PlaintextRecord::encode(22, 0, &[0; MAX_PLAINTEXT_LEN + 1], &mut Vec::new()).is_err()
        );
    }

    #[test]
    fn several_records_per_datagram_and_the_last_without_length() {
        let mut datagram = Vec::new();
        PlaintextRecord::encode(CONTENT_TYPE_ACK, 1, &[0, 0], &mut datagram).unwrap();
        datagram.extend(ciphertext(UnifiedHeader::new(2, 5, true, true), &[1; 17]));
        datagram.extend(ciphertext(UnifiedHeader::new(3, 6, false, false), &[2; 30]));
        let (records, error) = split_datagram(&datagram);
        assert_eq!(error, None);
        assert_eq!(records.len(), 3);
        assert!(matches!(records[0], Record::Plaintext(p) if p.content_type == CONTENT_TYPE_ACK));
        assert!(matches!(records[1], Record::Ciphertext(c) if c.encrypted_record == [1; 17]));
        assert!(matches!(records[2], Record::Ciphertext(c) if c.encrypted_record == [2; 30]));
    }

    #[test]
    fn hostile_input_is_rejected() {
        let good = ciphertext(UnifiedHeader::new(2, 5, true, true), &[1; 20]);
        // Every truncation of a record with a length field fails.
        for cut in 0..good.len() {
            assert!(parse_record(&good[..cut]).is_err(), "cut at {cut}");
        }
        // Length beyond the datagram.
        let mut long = good.clone();
        long[4] = 21;
        assert_eq!(
            parse_record(&long),
            Err(Dtls13Error::Decode(
                "DTLSCiphertext length beyond the datagram"
            ))
        );
        // Oversized length.
        let mut huge = good.clone();
        huge[3..5].copy_from_slice(&((MAX_CIPHERTEXT_LEN + 1) as u16).to_be_bytes());
        assert_eq!(
            parse_record(&huge),
            Err(Dtls13Error::TooLarge("DTLSCiphertext"))
        );
        let mut no_length = vec![0x2a, 0, 5];
        no_length.resize(3 + MAX_CIPHERTEXT_LEN + 1, 0);
        assert_eq!(
            parse_record(&no_length),
            Err(Dtls13Error::TooLarge("DTLSCiphertext"))
        );
        assert!(UnifiedHeader::new(2, 5, true, true)
            .encode(MAX_CIPHERTEXT_LEN + 1, &mut Vec::new())
            .is_err());
        // Shorter than the 16-byte sample.
        let short = ciphertext(UnifiedHeader::new(2, 5, false, false), &[1; 15]);
        assert!(parse_record(&short).is_err());
        // A connection ID.
        let mut cid = good.clone();
        cid[0] |= UnifiedHeader::CID_BIT;
        assert_eq!(parse_record(&cid), Err(Dtls13Error::UnexpectedConnectionId));
        // Wrong type bits.
        for first in [0x00, 0x17, 0x14, 0x40, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[0] = first;
            assert!(parse_record(&bad).is_err(), "{first:#x}");
        }
        // Plaintext: truncated, nonzero epoch, empty, oversized, beyond.
        let mut plain = Vec::new();
        PlaintextRecord::encode(22, 0, b"abc", &mut plain).unwrap();
        for cut in 0..plain.len() {
            assert!(parse_record(&plain[..cut]).is_err(), "cut at {cut}");
        }
        let mut epoch1 = plain.clone();
        epoch1[4] = 1;
        assert_eq!(
            parse_record(&epoch1),
            Err(Dtls13Error::Decode("DTLSPlaintext epoch"))
        );
        let mut empty = plain.clone();
        empty.truncate(13);
        empty[12] = 0;
        assert!(parse_record(&empty).is_err());
        let mut oversized = plain.clone();
        oversized[11..13].copy_from_slice(&((MAX_PLAINTEXT_LEN + 1) as u16).to_be_bytes());
        assert_eq!(
            parse_record(&oversized),
            Err(Dtls13Error::TooLarge("DTLSPlaintext"))
        );
        // A bad record after a good one: the good one is kept, the rest dropped.
        let mut datagram = plain.clone();
        datagram.extend_from_slice(&[0x17, 0xfe, 0xfd]);
        let (records, error) = split_datagram(&datagram);
        assert_eq!(records.len(), 1);
        assert!(error.is_some());
        assert_eq!(split_datagram(&[]), (vec![], None));
    }
}
