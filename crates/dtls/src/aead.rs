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

    /// Appends the protected payload of a record with header `h` to `out`:
    /// the explicit nonce (AES-GCM), then `plaintext` copied once and
    /// sealed where it lies, then the tag. No other buffer is made.
    pub(crate) fn seal_append(&self, h: &RecordHeader, plaintext: &[u8], out: &mut Vec<u8>) {
        let explicit = h.epoch_seq();
        out.reserve(plaintext.len() + self.overhead());
        if self.bulk.explicit_nonce_len() == 8 {
            out.extend_from_slice(&explicit.to_be_bytes());
        }
        let start = out.len();
        out.extend_from_slice(plaintext);
        let aad = h.aad(plaintext.len());
        // Sealing only fails for inputs larger than ring's limit (~64 GiB).
        match self.key.seal_in_place_separate_tag(
            self.nonce(explicit),
            Aad::from(aad),
            &mut out[start..],
        ) {
            Ok(tag) => out.extend_from_slice(tag.as_ref()),
            Err(_) => out.truncate(start),
        }
    }

    /// Bytes before the plaintext in a record's buffer: the header and
    /// the explicit nonce (21 with AES-GCM, 13 with ChaCha20-Poly1305).
    pub(crate) fn headroom(&self) -> usize {
        HEADER_LEN + self.bulk.explicit_nonce_len()
    }

    /// The whole record with header `h` (its length filled in) for the
    /// plaintext already in `buffer` after [`Self::headroom`] bytes of
    /// room: the buffer is sealed where it lies and becomes the record.
    pub(crate) fn seal_in_place(
        &self,
        h: &RecordHeader,
        buffer: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        let room = self.headroom();
        let plaintext_len = buffer.len().checked_sub(room).ok_or(DtlsError::Decode(
            "record buffer without room for its header",
        ))?;
        let explicit = h.epoch_seq();
        buffer[..HEADER_LEN].copy_from_slice(&h.wire_bytes(plaintext_len + self.overhead()));
        buffer[HEADER_LEN..room].copy_from_slice(&explicit.to_be_bytes()[..room - HEADER_LEN]);
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
        let mut out = Vec::new();
        self.seal_append(h, plaintext, &mut out);
        out
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
