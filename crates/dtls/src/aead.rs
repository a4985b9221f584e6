//! Record protection with AES-GCM (RFC 5288) and ChaCha20-Poly1305 (RFC 7905).

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};

use crate::error::DtlsError;
use crate::receive::RecordPayload;
use crate::record::{RecordHeader, HEADER_LEN};
use crate::suite::Bulk;

/// One direction's record cipher.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct RecordCipher {
    bulk: Bulk,
    key: LessSafeKey,
    iv: Vec<u8>,
}

impl std::fmt::Debug for RecordCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordCipher")
            .field("bulk", &self.bulk)
            .finish()
    }
}

impl RecordCipher {
    pub(crate) fn new(bulk: Bulk, key: &[u8], iv: &[u8]) -> Result<Self, DtlsError> {
        let alg = match bulk {
            Bulk::Aes128Gcm => &aead::AES_128_GCM,
            Bulk::Aes256Gcm => &aead::AES_256_GCM,
            Bulk::Chacha20Poly1305 => &aead::CHACHA20_POLY1305,
        };
        let key = UnboundKey::new(alg, key).map_err(|_| DtlsError::KeyAgreement)?;
        Ok(Self {
            bulk,
            key: LessSafeKey::new(key),
            iv: iv.to_vec(),
        })
    }

    fn nonce(&self, explicit: u64) -> Nonce {
        let mut n = [0u8; 12];
        match self.bulk {
            Bulk::Chacha20Poly1305 => {
                n.copy_from_slice(&self.iv);
                for (b, s) in n[4..].iter_mut().zip(explicit.to_be_bytes()) {
                    *b ^= s;
                }
            }
            _ => {
                n[..4].copy_from_slice(&self.iv);
                n[4..].copy_from_slice(&explicit.to_be_bytes());
            }
        }
        Nonce::assume_unique_for_key(n)
    }

    /// Bytes added to each record's plaintext.
    pub(crate) fn overhead(&self) -> usize {
        self.bulk.overhead()
    }

    /// Bytes before the plaintext in a record's buffer: the header and
    /// the explicit nonce (21 with AES-GCM, 13 with ChaCha20-Poly1305).
    pub(crate) fn headroom(&self) -> usize {
        HEADER_LEN + self.bulk.explicit_nonce_len()
    }

    /// Seals the record with header `h` that starts at `at` in `buffer`:
    /// [`Self::headroom`] bytes of room there, then the plaintext up to
    /// the buffer's end. The header (its length filled in) and the
    /// explicit nonce are written into the room, the plaintext is sealed
    /// where it lies and the tag appended. Whatever precedes `at` (earlier
    /// records of a datagram) is left alone.
    pub(crate) fn seal_record_at(
        &self,
        h: &RecordHeader,
        buffer: &mut Vec<u8>,
        at: usize,
    ) -> Result<(), DtlsError> {
        let room = at + self.headroom();
        let plaintext_len = buffer.len().checked_sub(room).ok_or(DtlsError::Decode(
            "record buffer without room for its header",
        ))?;
        let explicit = h.epoch_seq();
        buffer[at..at + HEADER_LEN].copy_from_slice(&h.wire_bytes(plaintext_len + self.overhead()));
        buffer[at + HEADER_LEN..room]
            .copy_from_slice(&explicit.to_be_bytes()[..room - at - HEADER_LEN]);
        let aad = h.aad(plaintext_len);
        let tag = self
            .key
            .seal_in_place_separate_tag(self.nonce(explicit), Aad::from(aad), &mut buffer[room..])
            .map_err(|_| DtlsError::TooLarge("record"))?;
        buffer.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// The protected payload of a record with header `h`, in a new buffer.
    #[cfg(test)]
    pub(crate) fn seal(&self, h: &RecordHeader, plaintext: &[u8]) -> Vec<u8> {
        let mut record = vec![0; self.headroom()];
        record.extend_from_slice(plaintext);
        self.seal_record_at(h, &mut record, 0).expect("sealable");
        record.split_off(HEADER_LEN)
    }

    /// The plaintext of a protected record payload, or `None` if it does
    /// not authenticate.
    #[cfg(test)]
    pub(crate) fn open(&self, h: &RecordHeader, payload: &[u8]) -> Option<Vec<u8>> {
        self.open_payload(h, RecordPayload::Borrowed(payload))
    }

    /// [`Self::open`] for a payload borrowed or owned: a borrowed one is
    /// copied once; an owned one is opened where it lies, the plaintext
    /// moved to its buffer's front in the same pass.
    pub(crate) fn open_payload(
        &self,
        h: &RecordHeader,
        payload: RecordPayload<'_>,
    ) -> Option<Vec<u8>> {
        let en = self.bulk.explicit_nonce_len();
        let bytes = payload.bytes();
        if bytes.len() < self.overhead() {
            return None;
        }
        let explicit = if en == 8 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            u64::from_be_bytes(b)
        } else {
            h.epoch_seq()
        };
        let aad = h.aad(bytes.len() - en - 16);
        let (mut buffer, start) = match payload {
            RecordPayload::Borrowed(p) => (p[en..].to_vec(), 0),
            RecordPayload::Owned { datagram, start } => (datagram, start + en),
        };
        let plain = self
            .key
            .open_within(self.nonce(explicit), Aad::from(aad), &mut buffer, start..)
            .ok()?;
        let n = plain.len();
        buffer.truncate(n);
        Some(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ContentType, DTLS12};

    #[test]
    fn seal_open_round_trip_and_tamper_detection() {
        for bulk in [Bulk::Aes128Gcm, Bulk::Aes256Gcm, Bulk::Chacha20Poly1305] {
            let key = vec![7u8; bulk.key_len()];
            let iv = vec![3u8; bulk.fixed_iv_len()];
            let c = RecordCipher::new(bulk, &key, &iv).unwrap();
            let h = RecordHeader {
                content_type: ContentType::ApplicationData,
                version: DTLS12,
                epoch: 1,
                seq: 9,
            };
            let sealed = c.seal(&h, b"hello");
            assert_eq!(sealed.len(), 5 + bulk.overhead());
            assert_eq!(c.open(&h, &sealed).unwrap(), b"hello");
            let mut bad = sealed.clone();
            *bad.last_mut().unwrap() ^= 1;
            assert!(c.open(&h, &bad).is_none());
            let other = RecordHeader { seq: 10, ..h };
            if bulk == Bulk::Chacha20Poly1305 {
                assert!(c.open(&other, &sealed).is_none(), "seq is in the nonce");
            } else {
                assert!(c.open(&other, &sealed).is_none(), "seq is in the AAD");
            }
            assert!(c.open(&h, &sealed[..10]).is_none());
        }
    }
}
