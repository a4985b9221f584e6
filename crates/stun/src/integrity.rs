//! MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
//! verification (RFC 8489 §14.5–§14.7).
//!
//! Each HMAC covers the header and every attribute before the integrity
//! attribute, with the header's length field set as if the message ended
//! right after the integrity attribute. FINGERPRINT covers everything
//! before it, with the length field counting FINGERPRINT (it is last).
//! Verification hashes the message in place: no copy, no allocation.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::HEADER_LEN;
use crate::message::Message;

/// The value FINGERPRINT's CRC-32 is xored with.
pub const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// HMAC over `prefix` (a message up to an integrity attribute) with the
/// length field replaced by `length_field`.
fn feed<M: Mac>(mut mac: M, prefix: &[u8], length_field: u16) -> M {
    mac.update(&prefix[..2]);
    mac.update(&length_field.to_be_bytes());
    mac.update(&prefix[4..]);
    mac
}

fn hmac_sha1(key: &[u8]) -> Hmac<Sha1> {
    // HMAC accepts keys of any length; new_from_slice cannot fail.
    <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length")
}

/// HMAC-SHA1 of `prefix` with its length field set to `length_field`.
pub(crate) fn compute_sha1(key: &[u8], prefix: &[u8], length_field: u16) -> [u8; 20] {
    feed(hmac_sha1(key), prefix, length_field)
        .finalize()
        .into_bytes()
        .into()
}

/// HMAC-SHA256 of `prefix` with its length field set to `length_field`.
pub(crate) fn compute_sha256(key: &[u8], prefix: &[u8], length_field: u16) -> [u8; 32] {
    feed(hmac_sha256(key), prefix, length_field)
        .finalize()
        .into_bytes()
        .into()
}

/// CRC-32 of `prefix` xor 0x5354554E.
pub(crate) fn compute_fingerprint(prefix: &[u8]) -> u32 {
    crc32fast::hash(prefix) ^ FINGERPRINT_XOR
}

/// The length field an integrity attribute at `offset` with a value of
/// `value_len` bytes is computed with.
fn length_through(offset: usize, value_len: usize) -> u16 {
    // Messages are at most 20 + 65535 bytes, so this fits.
    (offset + 4 + value_len - HEADER_LEN) as u16
}

impl Message<'_> {
    /// Verifies MESSAGE-INTEGRITY (HMAC-SHA1) with `key`: the password for
    /// short-term credentials (ICE), or the long-term key
    /// ([`crate::long_term_key`]).
    pub fn verify_integrity(&self, key: &[u8]) -> Result<(), StunError> {
        let t = AttributeType::MESSAGE_INTEGRITY;
        let offset = self.integrity.ok_or(StunError::NoIntegrity(t))?;
        let bytes = self.as_bytes();
        let (prefix, value) = (&bytes[..offset], &bytes[offset + 4..offset + 24]);
        feed(hmac_sha1(key), prefix, length_through(offset, 20))
            .verify_slice(value)
            .map_err(|_| StunError::IntegrityMismatch(t))
    }

    /// Verifies MESSAGE-INTEGRITY-SHA256 with `key` (a truncated value is
    /// compared against the leading bytes of the HMAC).
    pub fn verify_integrity_sha256(&self, key: &[u8]) -> Result<(), StunError> {
        let t = AttributeType::MESSAGE_INTEGRITY_SHA256;
        let offset = self.integrity_sha256.ok_or(StunError::NoIntegrity(t))?;
        let bytes = self.as_bytes();
        let len = usize::from(u16::from_be_bytes([bytes[offset + 2], bytes[offset + 3]]));
        let (prefix, value) = (&bytes[..offset], &bytes[offset + 4..offset + 4 + len]);
        feed(hmac_sha256(key), prefix, length_through(offset, len))
            .verify_truncated_left(value)
            .map_err(|_| StunError::IntegrityMismatch(t))
    }

    /// Verifies whichever integrity attributes are present: every present
    /// one must match; at least one must be present.
    pub fn verify_any_integrity(&self, key: &[u8]) -> Result<(), StunError> {
        match (self.has_integrity(), self.has_integrity_sha256()) {
            (false, false) => Err(StunError::NoIntegrity(AttributeType::MESSAGE_INTEGRITY)),
            (sha1, sha256) => {
                if sha256 {
                    self.verify_integrity_sha256(key)?;
                }
                if sha1 {
                    self.verify_integrity(key)?;
                }
                Ok(())
            }
        }
    }

    /// Verifies FINGERPRINT.
    pub fn verify_fingerprint(&self) -> Result<(), StunError> {
        let offset = self.fingerprint.ok_or(StunError::NoFingerprint)?;
        let bytes = self.as_bytes();
        let v = &bytes[offset + 4..offset + 8];
        let found = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
        let computed = compute_fingerprint(&bytes[..offset]);
        if computed == found {
            Ok(())
        } else {
            Err(StunError::FingerprintMismatch { computed, found })
        }
    }
}
