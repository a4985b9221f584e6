//! DTLS 1.3 record protection (RFC 9147 §4, §4.2.3; RFC 8446 §5.2, §5.3):
//!
//! - the AEAD nonce is the IV XOR the 64-bit record sequence number
//!   (left-padded to the IV length; unlike DTLS 1.2, the epoch is not in
//!   it, RFC 9147 §4);
//! - the additional data is the unified header as sent, with the length
//!   filled in and the sequence number in the clear (before record number
//!   encryption, RFC 9147 §4);
//! - record number encryption XORs the header's sequence number bytes with
//!   a mask from the first 16 bytes of the encrypted record under the `sn`
//!   key (§4.2.3) — ring's QUIC header protection mask, which is the same
//!   function (AES-ECB; ChaCha20 with counter ‖ nonce from the sample).
//!
//! One [`RecordProtection`] holds one direction's keys for one epoch.

use ring::aead::{self, quic};

use super::cipher_suite::Tls13CipherSuite;
use super::error::Dtls13Error;
use super::inner_plaintext::{decode_inner_plaintext, finish_inner_plaintext};
use super::record_header::{
    CiphertextRecord, SequenceNumberBits, UnifiedHeader, MIN_ENCRYPTED_RECORD_LEN,
};
use super::record_number::{reconstruct_sequence_number, MAX_SEQUENCE_NUMBER};
use super::traffic_keys::TrafficKeys;

/// The unified header form a sender chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderForm {
    /// A 16-bit sequence number (else 8 bits).
    pub(crate) sixteen_bit_sequence: bool,
    /// The 16-bit length field (required unless the record ends the
    /// datagram).
    pub(crate) length_present: bool,
}

impl Default for HeaderForm {
    /// 16-bit sequence number and length present: the form that tolerates
    /// the most reordering and lets another record follow in the datagram.
    fn default() -> Self {
        HeaderForm {
            sixteen_bit_sequence: true,
            length_present: true,
        }
    }
}

/// A record after deprotection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenedRecord {
    /// The full sequence number.
    pub(crate) sequence_number: u64,
    /// The true content type from the inner plaintext.
    pub(crate) content_type: u8,
    /// The content, padding removed.
    pub(crate) content: Vec<u8>,
}

/// One direction's record keys of one epoch.
pub(crate) struct RecordProtection {
    suite: Tls13CipherSuite,
    epoch: u64,
    key: aead::LessSafeKey,
    iv: [u8; Tls13CipherSuite::IV_LEN],
    sn_key: quic::HeaderProtectionKey,
    /// The `sn` key's bytes, from which a clone rebuilds `sn_key` (ring's
    /// `HeaderProtectionKey` is not `Clone`).
    #[cfg(feature = "snapshot")]
    sn_key_bytes: Vec<u8>,
}

#[cfg(feature = "snapshot")]
impl Clone for RecordProtection {
    fn clone(&self) -> Self {
        let sn_key = quic::HeaderProtectionKey::new(
            self.suite.record_number_mask_algorithm(),
            &self.sn_key_bytes,
        )
        .expect("the same bytes made a key when the original was built");
        RecordProtection {
            suite: self.suite,
            epoch: self.epoch,
            key: self.key.clone(),
            iv: self.iv,
            sn_key,
            sn_key_bytes: self.sn_key_bytes.clone(),
        }
    }
}

impl std::fmt::Debug for RecordProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordProtection")
            .field("suite", &self.suite)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl RecordProtection {
    /// The protection of `epoch` with `keys` of `suite`.
    pub(crate) fn new(
        suite: Tls13CipherSuite,
        epoch: u64,
        keys: &TrafficKeys,
    ) -> Result<Self, Dtls13Error> {
        let key = aead::UnboundKey::new(suite.aead_algorithm(), &keys.key)
            .map_err(|_| Dtls13Error::Crypto("AEAD key"))?;
        let sn_key =
            quic::HeaderProtectionKey::new(suite.record_number_mask_algorithm(), &keys.sn_key)
                .map_err(|_| Dtls13Error::Crypto("sn key"))?;
        Ok(RecordProtection {
            suite,
            epoch,
            key: aead::LessSafeKey::new(key),
            iv: keys.iv,
            sn_key,
            #[cfg(feature = "snapshot")]
            sn_key_bytes: keys.sn_key.clone(),
        })
    }

    /// The epoch these keys belong to.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The cipher suite.
    pub(crate) fn suite(&self) -> Tls13CipherSuite {
        self.suite
    }

    /// The per-record nonce (RFC 8446 §5.3).
    fn nonce(&self, sequence_number: u64) -> aead::Nonce {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(sequence_number.to_be_bytes()) {
            *n ^= s;
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// Encrypts `inner_plaintext` in place and appends the tag.
    #[cfg(test)]
    pub(crate) fn seal_payload(
        &self,
        sequence_number: u64,
        additional_data: &[u8],
        inner_plaintext: &mut Vec<u8>,
    ) -> Result<(), Dtls13Error> {
        self.key
            .seal_in_place_append_tag(
                self.nonce(sequence_number),
                aead::Aad::from(additional_data),
                inner_plaintext,
            )
            .map_err(|_| Dtls13Error::Crypto("AEAD seal"))
    }

    /// Decrypts and authenticates `ciphertext` (with its tag) in place;
    /// returns the inner plaintext.
    #[cfg(test)]
    pub(crate) fn open_payload<'a>(
        &self,
        sequence_number: u64,
        additional_data: &[u8],
        ciphertext: &'a mut [u8],
    ) -> Result<&'a mut [u8], Dtls13Error> {
        self.key
            .open_in_place(
                self.nonce(sequence_number),
                aead::Aad::from(additional_data),
                ciphertext,
            )
            .map_err(|_| Dtls13Error::BadRecordMac)
    }

    /// The record number mask from the first 16 bytes of an encrypted
    /// record.
    fn mask(&self, encrypted_record: &[u8]) -> Result<[u8; 5], Dtls13Error> {
        let sample =
            encrypted_record
                .get(..MIN_ENCRYPTED_RECORD_LEN)
                .ok_or(Dtls13Error::Decode(
                    "DTLSCiphertext shorter than the mask sample",
                ))?;
        self.sn_key
            .new_mask(sample)
            .map_err(|_| Dtls13Error::Crypto("record number mask"))
    }

    /// Appends record `sequence_number` of this epoch carrying `content`
    /// of `content_type`, with `padding` zero bytes, in header `form`.
    pub(crate) fn seal_record(
        &self,
        sequence_number: u64,
        form: HeaderForm,
        content_type: u8,
        content: &[u8],
        padding: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Dtls13Error> {
        let header = Self::header(self.epoch, sequence_number, form)?;
        // Header, inner plaintext and tag written once into `out` and
        // sealed where they lie: no buffer of its own per record.
        let start = out.len();
        out.reserve(header.encoded_len() + content.len() + 1 + padding + Tls13CipherSuite::TAG_LEN);
        out.resize(start + header.encoded_len(), 0);
        out.extend_from_slice(content);
        let sealed =
            self.seal_laid_out(sequence_number, &header, content_type, padding, out, start);
        if sealed.is_err() {
            out.truncate(start);
        }
        sealed
    }

    /// [`Self::seal_record`] for content already in `buffer`, after room
    /// for a header of `form` (5 bytes for the default), whatever it holds: the
    /// header is written there and the buffer becomes the record, with no
    /// copy of the content. On an error the buffer holds no record.
    pub(crate) fn seal_record_in_place(
        &self,
        sequence_number: u64,
        form: HeaderForm,
        content_type: u8,
        padding: usize,
        buffer: &mut Vec<u8>,
    ) -> Result<(), Dtls13Error> {
        let header = Self::header(self.epoch, sequence_number, form)?;
        if buffer.len() < header.encoded_len() {
            return Err(Dtls13Error::Crypto("no room for the record header"));
        }
        self.seal_laid_out(sequence_number, &header, content_type, padding, buffer, 0)
    }

    fn header(
        epoch: u64,
        sequence_number: u64,
        form: HeaderForm,
    ) -> Result<UnifiedHeader, Dtls13Error> {
        if sequence_number > MAX_SEQUENCE_NUMBER {
            return Err(Dtls13Error::Exhausted);
        }
        Ok(UnifiedHeader::new(
            epoch,
            sequence_number,
            form.sixteen_bit_sequence,
            form.length_present,
        ))
    }

    /// Seals the record laid out in `out` from `start`: room for `header`,
    /// then the content, to the end. Writes the header, appends the
    /// content type and padding, seals, appends the tag and encrypts the
    /// record number.
    fn seal_laid_out(
        &self,
        sequence_number: u64,
        header: &UnifiedHeader,
        content_type: u8,
        padding: usize,
        out: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), Dtls13Error> {
        let payload_start = start + header.encoded_len();
        let content_len = out.len() - payload_start;
        finish_inner_plaintext(content_len, content_type, padding, out)?;
        let inner_len = out.len() - payload_start;
        let (bytes, header_len) = header.wire_bytes(inner_len + Tls13CipherSuite::TAG_LEN)?;
        out[start..payload_start].copy_from_slice(&bytes[..header_len]);
        out.reserve(Tls13CipherSuite::TAG_LEN);
        let (head, payload) = out.split_at_mut(payload_start);
        let tag = self
            .key
            .seal_in_place_separate_tag(
                self.nonce(sequence_number),
                aead::Aad::from(&head[start..]),
                payload,
            )
            .map_err(|_| Dtls13Error::Crypto("AEAD seal"))?;
        out.extend_from_slice(tag.as_ref());
        let mask = self.mask(&out[payload_start..])?;
        let range = header.sequence_number_range();
        for (byte, m) in out[start + range.start..start + range.end]
            .iter_mut()
            .zip(mask)
        {
            *byte ^= m;
        }
        Ok(())
    }

    /// Deprotects a received record of this epoch, borrowed from its
    /// datagram: [`Self::open`] on a copy of its ciphertext.
    #[cfg(test)]
    pub(crate) fn open_record(
        &self,
        record: &CiphertextRecord<'_>,
        next_expected: u64,
    ) -> Result<OpenedRecord, Dtls13Error> {
        self.open(Sealed::Borrowed(record), next_expected)
    }

    /// Deprotects a received record of this epoch: removes the record
    /// number mask, reconstructs the sequence number from `next_expected`
    /// (one above the highest record deprotected in this epoch), checks
    /// the AEAD and strips the padding. A borrowed record's ciphertext is
    /// copied once, an owned datagram's is opened where it lies (the
    /// content then starts its buffer). Any failure is an error the caller
    /// drops the record for (RFC 9147 §4.5.2).
    pub(crate) fn open(
        &self,
        record: Sealed<'_>,
        next_expected: u64,
    ) -> Result<OpenedRecord, Dtls13Error> {
        let header = record.header();
        if u64::from(header.epoch_low_bits) != self.epoch & 3 {
            return Err(Dtls13Error::Decode(
                "record epoch bits do not match the keys",
            ));
        }
        let mask = self.mask(record.encrypted_record())?;
        // The header (at most 5 bytes without a connection ID) unmasked
        // on the stack, for the additional data.
        let received_header = record.header_bytes();
        let mut header_buffer = [0u8; 5];
        let header_bytes = header_buffer
            .get_mut(..received_header.len())
            .ok_or(Dtls13Error::Decode("unified header longer than 5 bytes"))?;
        header_bytes.copy_from_slice(received_header);
        let range = header.sequence_number_range();
        for (byte, m) in header_bytes[range.clone()].iter_mut().zip(mask) {
            *byte ^= m;
        }
        let low_bits = match header.sequence_number {
            SequenceNumberBits::Eight(_) => SequenceNumberBits::Eight(header_bytes[range.start]),
            SequenceNumberBits::Sixteen(_) => SequenceNumberBits::Sixteen(u16::from_be_bytes([
                header_bytes[range.start],
                header_bytes[range.start + 1],
            ])),
        };
        let sequence_number = reconstruct_sequence_number(next_expected, low_bits);
        let (mut buffer, start) = record.into_buffer();
        // Opened within the buffer, the inner plaintext moves to its front
        // in the same pass; the content is its prefix.
        let inner = self
            .key
            .open_within(
                self.nonce(sequence_number),
                aead::Aad::from(&header_bytes[..]),
                &mut buffer,
                start..,
            )
            .map_err(|_| Dtls13Error::BadRecordMac)?;
        let (content_type, content) = decode_inner_plaintext(inner)?;
        let content_len = content.len();
        buffer.truncate(content_len);
        Ok(OpenedRecord {
            sequence_number,
            content_type,
            content: buffer,
        })
    }
}

/// A received DTLSCiphertext record as [`RecordProtection::open`] gets it.
#[derive(Debug)]
pub(crate) enum Sealed<'a> {
    /// Borrowed from its datagram: its ciphertext is copied to be opened.
    Borrowed(&'a CiphertextRecord<'a>),
    /// The last record of a datagram we own: opened in place, its content
    /// then starts the datagram's buffer.
    Owned {
        /// The record's parsed header.
        header: UnifiedHeader,
        /// The datagram: from `record_start`, the header's bytes, then
        /// ciphertext and tag to its end.
        datagram: Vec<u8>,
        /// Where the record starts.
        record_start: usize,
        /// The header's length.
        header_len: usize,
    },
}

impl Sealed<'_> {
    /// The parsed header (its sequence number bits still masked).
    pub(crate) fn header(&self) -> UnifiedHeader {
        match self {
            Sealed::Borrowed(r) => r.header,
            Sealed::Owned { header, .. } => *header,
        }
    }

    /// The header's bytes as received.
    fn header_bytes(&self) -> &[u8] {
        match self {
            Sealed::Borrowed(r) => r.header_bytes,
            Sealed::Owned {
                datagram,
                record_start,
                header_len,
                ..
            } => &datagram[*record_start..*record_start + *header_len],
        }
    }

    /// The ciphertext and tag.
    fn encrypted_record(&self) -> &[u8] {
        match self {
            Sealed::Borrowed(r) => r.encrypted_record,
            Sealed::Owned {
                datagram,
                record_start,
                header_len,
                ..
            } => &datagram[*record_start + *header_len..],
        }
    }

    /// A buffer whose bytes from the returned offset to its end are the
    /// ciphertext and tag.
    fn into_buffer(self) -> (Vec<u8>, usize) {
        match self {
            Sealed::Borrowed(r) => (r.encrypted_record.to_vec(), 0),
            Sealed::Owned {
                datagram,
                record_start,
                header_len,
                ..
            } => (datagram, record_start + header_len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::hkdf::{LabelPrefix, Secret};
    use crate::v13::inner_plaintext::encode_inner_plaintext;
    use crate::v13::record_header::{
        parse_record, split_datagram, Record, CONTENT_TYPE_APPLICATION_DATA, CONTENT_TYPE_HANDSHAKE,
    };
    use crate::v13::test_support::rfc8448;

    fn protection(suite: Tls13CipherSuite, epoch: u64, seed: u8) -> RecordProtection {
        let secret = Secret::new(vec![seed; suite.hash().output_len()]);
        let keys = TrafficKeys::derive(suite, LabelPrefix::Dtls13, &secret).unwrap();
        RecordProtection::new(suite, epoch, &keys).unwrap()
    }

    fn ciphertext(wire: &[u8]) -> CiphertextRecord<'_> {
        match parse_record(wire).unwrap().0 {
            Record::Ciphertext(c) => c,
            other => panic!("{other:?}"),
        }
    }

    /// RFC 8448 §3's TLS 1.3 records, through the same nonce, AEAD and
    /// inner plaintext code with TLS's 5-byte header as the additional
    /// data: the client Finished (sequence 0 of the client handshake keys)
    /// and the server's application data (sequence 1 of the server
    /// application keys, after the NewSessionTicket).
    #[test]
    fn rfc8448_records() {
        let v = rfc8448();
        let suite = Tls13CipherSuite::Aes128GcmSha256;
        for (secret, seq, content_type, content, record) in [
            (
                "client_handshake_traffic_secret",
                0u64,
                CONTENT_TYPE_HANDSHAKE,
                v.get("client_finished_message"),
                v.get("client_finished_record_seq0"),
            ),
            (
                "server_application_traffic_secret_0",
                1,
                CONTENT_TYPE_APPLICATION_DATA,
                (0u8..50).collect(),
                v.get("server_application_data_record_seq1"),
            ),
        ] {
            let keys = TrafficKeys::derive(suite, LabelPrefix::Tls13, &Secret::new(v.get(secret)))
                .unwrap();
            let p = RecordProtection::new(suite, 0, &keys).unwrap();
            let mut payload = Vec::new();
            encode_inner_plaintext(&content, content_type, 0, &mut payload).unwrap();
            p.seal_payload(seq, &record[..5], &mut payload).unwrap();
            assert_eq!(payload, record[5..], "{secret}");
            let mut received = record[5..].to_vec();
            let inner = p.open_payload(seq, &record[..5], &mut received).unwrap();
            assert_eq!(
                decode_inner_plaintext(inner).unwrap(),
                (content_type, &content[..])
            );
            let mut wrong_seq = record[5..].to_vec();
            assert_eq!(
                p.open_payload(seq + 1, &record[..5], &mut wrong_seq),
                Err(Dtls13Error::BadRecordMac)
            );
        }
    }

    #[test]
    fn seal_open_round_trip_per_suite_and_header_form() {
        for suite in Tls13CipherSuite::ALL {
            let sender = protection(suite, 3, 7);
            let receiver = protection(suite, 3, 7);
            for (i, form) in [
                HeaderForm::default(),
                HeaderForm {
                    sixteen_bit_sequence: false,
                    length_present: true,
                },
                HeaderForm {
                    sixteen_bit_sequence: true,
                    length_present: false,
                },
                HeaderForm {
                    sixteen_bit_sequence: false,
                    length_present: false,
                },
            ]
            .into_iter()
            .enumerate()
            {
                let seq = 0x1_2345 + i as u64;
                let mut wire = Vec::new();
                sender
                    .seal_record(
                        seq,
                        form,
                        CONTENT_TYPE_APPLICATION_DATA,
                        b"media keys",
                        5,
                        &mut wire,
                    )
                    .unwrap();
                let record = ciphertext(&wire);
                assert_eq!(record.header.epoch_low_bits, 3);
                assert_eq!(record.encrypted_record.len(), 10 + 1 + 5 + 16);
                let opened = receiver.open_record(&record, 0x1_2340).unwrap();
                assert_eq!(
                    opened,
                    OpenedRecord {
                        sequence_number: seq,
                        content_type: CONTENT_TYPE_APPLICATION_DATA,
                        content: b"media keys".to_vec()
                    },
                    "{suite:?} {form:?}"
                );
            }
        }
    }

    #[test]
    fn the_sequence_number_is_encrypted_on_the_wire() {
        let p = protection(Tls13CipherSuite::Aes128GcmSha256, 2, 1);
        let mut masked = 0;
        for seq in 0..64u64 {
            let mut wire = Vec::new();
            p.seal_record(seq, HeaderForm::default(), 23, b"x", 0, &mut wire)
                .unwrap();
            if wire[1..3] != (seq as u16).to_be_bytes() {
                masked += 1;
            }
            assert_eq!(
                p.open_record(&ciphertext(&wire), seq)
                    .unwrap()
                    .sequence_number,
                seq
            );
        }
        assert!(masked > 60, "only {masked} of 64 sequence numbers masked");
    }

    #[test]
    fn several_records_in_one_datagram_open_in_order() {
        let p = protection(Tls13CipherSuite::ChaCha20Poly1305Sha256, 2, 9);
        let mut datagram = Vec::new();
        p.seal_record(
            0,
            HeaderForm::default(),
            22,
            b"EncryptedExtensions",
            0,
            &mut datagram,
        )
        .unwrap();
        p.seal_record(
            1,
            HeaderForm::default(),
            22,
            b"Certificate",
            0,
            &mut datagram,
        )
        .unwrap();
        p.seal_record(
            2,
            HeaderForm {
                sixteen_bit_sequence: false,
                length_present: false,
            },
            22,
            b"Finished",
            0,
            &mut datagram,
        )
        .unwrap();
        let (records, error) = split_datagram(&datagram);
        assert_eq!(error, None);
        let mut next = 0;
        let mut contents = Vec::new();
        for r in records {
            let Record::Ciphertext(c) = r else { panic!() };
            let opened = p.open_record(&c, next).unwrap();
            next = opened.sequence_number + 1;
            contents.push(opened.content);
        }
        assert_eq!(
            contents,
            [&b"EncryptedExtensions"[..], b"Certificate", b"Finished"]
        );
    }

    #[test]
    fn tampering_wrong_keys_and_wrong_epoch_fail() {
        let suite = Tls13CipherSuite::Aes256GcmSha384;
        let p = protection(suite, 2, 4);
        let mut wire = Vec::new();
        p.seal_record(77, HeaderForm::default(), 23, b"payload", 0, &mut wire)
            .unwrap();
        // Every single-bit flip fails (header bits via the AAD or the
        // header parse, body bits via the tag or the mask).
        for i in 0..wire.len() {
            for bit in 0..8 {
                let mut bad = wire.clone();
                bad[i] ^= 1 << bit;
                let result = match parse_record(&bad) {
                    Ok((Record::Ciphertext(c), [])) => p.open_record(&c, 77),
                    Ok(_) => Err(Dtls13Error::Decode("reframed")),
                    Err(e) => Err(e),
                };
                assert!(result.is_err(), "flip byte {i} bit {bit}");
            }
        }
        // Other keys of the same suite and epoch.
        assert_eq!(
            protection(suite, 2, 5).open_record(&ciphertext(&wire), 77),
            Err(Dtls13Error::BadRecordMac)
        );
        // Keys of another epoch.
        assert!(protection(suite, 3, 4)
            .open_record(&ciphertext(&wire), 77)
            .is_err());
        // A reconstructed sequence number far off (wrong expectation) fails
        // authentication instead of returning a wrong number.
        assert_eq!(
            p.open_record(&ciphertext(&wire), 77 + 0x1_0000),
            Err(Dtls13Error::BadRecordMac)
        );
    }

    #[test]
    fn all_zero_inner_plaintext_and_limits_are_rejected() {
        let p = protection(Tls13CipherSuite::Aes128GcmSha256, 2, 3);
        // Build a record whose inner plaintext is all padding.
        let header = UnifiedHeader::new(2, 0, true, true);
        let mut payload = vec![0u8; 8];
        let mut header_bytes = Vec::new();
        header
            .encode(payload.len() + 16, &mut header_bytes)
            .unwrap();
        p.seal_payload(0, &header_bytes, &mut payload).unwrap();
        let mask = p.mask(&payload).unwrap();
        header_bytes[1] ^= mask[0];
        header_bytes[2] ^= mask[1];
        let wire = [header_bytes, payload].concat();
        assert_eq!(
            p.open_record(&ciphertext(&wire), 0),
            Err(Dtls13Error::Decode(
                "DTLSInnerPlaintext without a content type"
            ))
        );
        assert_eq!(
            p.seal_record(
                MAX_SEQUENCE_NUMBER + 1,
                HeaderForm::default(),
                23,
                b"x",
                0,
                &mut Vec::new()
            ),
            Err(Dtls13Error::Exhausted)
        );
        // A refused record leaves what the datagram already held as it was.
        let mut datagram = b"earlier record".to_vec();
        assert!(p
            .seal_record(
                0,
                HeaderForm::default(),
                23,
                &vec![0; (1 << 14) + 1],
                0,
                &mut datagram
            )
            .is_err());
        assert_eq!(datagram, b"earlier record");
        assert!(p
            .seal_record(0, HeaderForm::default(), 0, b"type 0", 0, &mut datagram)
            .is_err());
        assert_eq!(datagram, b"earlier record");
        assert!(p
            .seal_record(
                0,
                HeaderForm::default(),
                23,
                &vec![0; 1 << 14],
                0,
                &mut Vec::new()
            )
            .is_ok());
        // A key of the wrong length is refused.
        let bad = TrafficKeys {
            key: vec![0; 15],
            iv: [0; 12],
            sn_key: vec![0; 16],
        };
        assert!(RecordProtection::new(Tls13CipherSuite::Aes128GcmSha256, 2, &bad).is_err());
    }
}
