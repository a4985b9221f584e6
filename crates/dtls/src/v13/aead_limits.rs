//! AEAD usage limits (RFC 9147 §4.5.3, RFC 8446 §5.5): how many records
//! one key may protect (confidentiality) and how many records that fail
//! authentication a receiver tolerates per key (integrity), per suite.

use super::cipher_suite::Tls13CipherSuite;
use super::record_number::MAX_SEQUENCE_NUMBER;

/// 2^24.5 records, rounded down: the AES-GCM confidentiality limit of
/// RFC 8446 §5.5 (kept by RFC 9147 §4.5.3).
pub(crate) const AES_GCM_CONFIDENTIALITY_LIMIT: u64 = 23_726_566;
/// 2^36 records failing authentication: RFC 9147 §4.5.3's integrity limit
/// for AEAD_AES_128_GCM, AEAD_AES_256_GCM and AEAD_CHACHA20_POLY1305.
pub(crate) const INTEGRITY_LIMIT: u64 = 1 << 36;

/// The limits of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AeadLimits {
    /// Records we may seal under one key.
    pub(crate) confidentiality: u64,
    /// Records failing authentication under one key before we close.
    pub(crate) integrity: u64,
}

impl AeadLimits {
    /// The RFC's limits for `suite`. ChaCha20-Poly1305 has no practical
    /// confidentiality limit (RFC 8446 §5.5: the sequence number wraps
    /// first); ours is the 48-bit sequence number cap, so that a key
    /// update comes before it.
    pub(crate) fn for_suite(suite: Tls13CipherSuite) -> Self {
        let confidentiality = match suite {
            Tls13CipherSuite::Aes128GcmSha256 | Tls13CipherSuite::Aes256GcmSha384 => {
                AES_GCM_CONFIDENTIALITY_LIMIT
            }
            Tls13CipherSuite::ChaCha20Poly1305Sha256 => MAX_SEQUENCE_NUMBER + 1,
        };
        Self {
            confidentiality,
            integrity: INTEGRITY_LIMIT,
        }
    }

    /// Where a limit "nears": 7/8 of it. A key update starts there
    /// (RFC 9147 §4.5.3: "SHOULD initiate a key update before reaching
    /// this limit"), leaving 1/8 for it to be acknowledged.
    pub(crate) fn threshold(limit: u64) -> u64 {
        (limit - limit / 8).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_rfcs() {
        // 2^24.5 = 23726566.4…
        assert_eq!(
            AES_GCM_CONFIDENTIALITY_LIMIT,
            (2f64.powf(24.5)).floor() as u64
        );
        for suite in [
            Tls13CipherSuite::Aes128GcmSha256,
            Tls13CipherSuite::Aes256GcmSha384,
        ] {
            let l = AeadLimits::for_suite(suite);
            assert_eq!((l.confidentiality, l.integrity), (23_726_566, 1 << 36));
        }
        let c = AeadLimits::for_suite(Tls13CipherSuite::ChaCha20Poly1305Sha256);
        assert_eq!((c.confidentiality, c.integrity), (1 << 48, 1 << 36));
        assert_eq!(AeadLimits::threshold(16), 14);
        assert_eq!(AeadLimits::threshold(1), 1);
    }
}
