//! The TLS 1.3 cipher suites DTLS 1.3 uses (RFC 8446 §B.4): the AEAD, its
//! key length and the hash of the key schedule, and ring's algorithms for
//! each.

use ring::aead::{self, quic};

/// The hash function of a TLS 1.3 cipher suite, which drives HKDF and the
/// transcript hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SuiteHash {
    /// SHA-256 (32-byte output).
    Sha256,
    /// SHA-384 (48-byte output).
    Sha384,
}

impl SuiteHash {
    /// The output length in bytes (`Hash.length` in RFC 8446).
    pub(crate) fn output_len(self) -> usize {
        match self {
            SuiteHash::Sha256 => 32,
            SuiteHash::Sha384 => 48,
        }
    }

    /// `Hash(data)`.
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.digest_algorithm(), data)
            .as_ref()
            .to_vec()
    }

    /// ring's digest algorithm.
    pub(crate) fn digest_algorithm(self) -> &'static ring::digest::Algorithm {
        match self {
            SuiteHash::Sha256 => &ring::digest::SHA256,
            SuiteHash::Sha384 => &ring::digest::SHA384,
        }
    }

    /// ring's HMAC algorithm.
    pub(crate) fn hmac_algorithm(self) -> ring::hmac::Algorithm {
        match self {
            SuiteHash::Sha256 => ring::hmac::HMAC_SHA256,
            SuiteHash::Sha384 => ring::hmac::HMAC_SHA384,
        }
    }

    /// ring's HKDF algorithm.
    pub(crate) fn hkdf_algorithm(self) -> ring::hkdf::Algorithm {
        match self {
            SuiteHash::Sha256 => ring::hkdf::HKDF_SHA256,
            SuiteHash::Sha384 => ring::hkdf::HKDF_SHA384,
        }
    }
}

/// A TLS 1.3 cipher suite (RFC 8446 §B.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tls13CipherSuite {
    /// TLS_AES_128_GCM_SHA256 (0x1301): what two Chromiums negotiate.
    Aes128GcmSha256,
    /// TLS_AES_256_GCM_SHA384 (0x1302).
    Aes256GcmSha384,
    /// TLS_CHACHA20_POLY1305_SHA256 (0x1303).
    ChaCha20Poly1305Sha256,
}

impl Tls13CipherSuite {
    /// Every suite, in our preference order.
    pub const ALL: [Tls13CipherSuite; 3] = [
        Tls13CipherSuite::Aes128GcmSha256,
        Tls13CipherSuite::Aes256GcmSha384,
        Tls13CipherSuite::ChaCha20Poly1305Sha256,
    ];

    /// The IANA name, as `getStats()` reports `dtlsCipher`.
    pub fn name(self) -> &'static str {
        match self {
            Tls13CipherSuite::Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
            Tls13CipherSuite::Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
            Tls13CipherSuite::ChaCha20Poly1305Sha256 => "TLS_CHACHA20_POLY1305_SHA256",
        }
    }

    /// The IANA code point.
    pub fn code(self) -> u16 {
        match self {
            Tls13CipherSuite::Aes128GcmSha256 => 0x1301,
            Tls13CipherSuite::Aes256GcmSha384 => 0x1302,
            Tls13CipherSuite::ChaCha20Poly1305Sha256 => 0x1303,
        }
    }

    /// The suite with code point `code`, if we implement it.
    pub(crate) fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The key schedule's hash.
    pub(crate) fn hash(self) -> SuiteHash {
        match self {
            Tls13CipherSuite::Aes256GcmSha384 => SuiteHash::Sha384,
            _ => SuiteHash::Sha256,
        }
    }

    /// The AEAD key length, which is also the `sn` key length (RFC 9147
    /// §4.2.3).
    pub(crate) fn key_len(self) -> usize {
        match self {
            Tls13CipherSuite::Aes128GcmSha256 => 16,
            _ => 32,
        }
    }

    /// The AEAD nonce length (`iv_length`): 12 bytes for all three.
    pub(crate) const IV_LEN: usize = 12;

    /// The AEAD tag length: 16 bytes for all three.
    pub(crate) const TAG_LEN: usize = 16;

    /// ring's AEAD.
    pub(crate) fn aead_algorithm(self) -> &'static aead::Algorithm {
        match self {
            Tls13CipherSuite::Aes128GcmSha256 => &aead::AES_128_GCM,
            Tls13CipherSuite::Aes256GcmSha384 => &aead::AES_256_GCM,
            Tls13CipherSuite::ChaCha20Poly1305Sha256 => &aead::CHACHA20_POLY1305,
        }
    }

    /// ring's mask function for record number encryption: QUIC header
    /// protection (RFC 9001 §5.4) computes the same mask as RFC 9147
    /// §4.2.3 (AES-ECB of the 16-byte sample; ChaCha20 with the sample's
    /// first 4 bytes as the little-endian counter and the other 12 as the
    /// nonce).
    pub(crate) fn record_number_mask_algorithm(self) -> &'static quic::Algorithm {
        match self {
            Tls13CipherSuite::Aes128GcmSha256 => &quic::AES_128,
            Tls13CipherSuite::Aes256GcmSha384 => &quic::AES_256,
            Tls13CipherSuite::ChaCha20Poly1305Sha256 => &quic::CHACHA20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_round_trip_and_lengths_match_ring() {
        for suite in Tls13CipherSuite::ALL {
            assert_eq!(Tls13CipherSuite::from_code(suite.code()), Some(suite));
            assert_eq!(suite.aead_algorithm().key_len(), suite.key_len());
            assert_eq!(
                suite.record_number_mask_algorithm().key_len(),
                suite.key_len()
            );
            assert_eq!(suite.aead_algorithm().nonce_len(), Tls13CipherSuite::IV_LEN);
            assert_eq!(suite.aead_algorithm().tag_len(), Tls13CipherSuite::TAG_LEN);
            assert_eq!(
                suite.hash().digest(b"").len(),
                suite.hash().output_len(),
                "{suite:?}"
            );
        }
        assert_eq!(
            Tls13CipherSuite::from_code(0x1304),
            None,
            "CCM is not offered"
        );
        assert_eq!(Tls13CipherSuite::from_code(0xc02b), None, "a 1.2 suite");
    }
}
