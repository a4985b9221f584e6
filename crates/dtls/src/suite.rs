//! The cipher suites, groups, signature schemes and SRTP profiles we speak.

use crate::prf::PrfHash;

/// A TLS 1.2 cipher suite (RFC 5289, RFC 7905).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CipherSuite {
    /// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256` (0xC02B), the WebRTC baseline.
    EcdheEcdsaAes128GcmSha256,
    /// `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384` (0xC02C).
    EcdheEcdsaAes256GcmSha384,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` (0xC02F).
    EcdheRsaAes128GcmSha256,
    /// `TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256` (0xCCA9).
    EcdheEcdsaChacha20Poly1305Sha256,
}

/// The bulk cipher of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bulk {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

impl CipherSuite {
    /// Every suite, in our default preference order.
    pub const ALL: [CipherSuite; 4] = [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
        CipherSuite::EcdheRsaAes128GcmSha256,
    ];

    /// The IANA code point.
    pub fn id(self) -> u16 {
        match self {
            CipherSuite::EcdheEcdsaAes128GcmSha256 => 0xC02B,
            CipherSuite::EcdheEcdsaAes256GcmSha384 => 0xC02C,
            CipherSuite::EcdheRsaAes128GcmSha256 => 0xC02F,
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => 0xCCA9,
        }
    }

    /// The suite with this code point, if we implement it.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The IANA name (as OpenSSL's `-cipher` help and RFCs spell it).
    pub fn name(self) -> &'static str {
        match self {
            CipherSuite::EcdheEcdsaAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            CipherSuite::EcdheEcdsaAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            CipherSuite::EcdheRsaAes128GcmSha256 => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => {
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
            }
        }
    }

    /// The OpenSSL name of the suite.
    pub fn openssl_name(self) -> &'static str {
        match self {
            CipherSuite::EcdheEcdsaAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
            CipherSuite::EcdheEcdsaAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
            CipherSuite::EcdheRsaAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        }
    }

    /// The PRF hash.
    pub fn prf_hash(self) -> PrfHash {
        match self {
            CipherSuite::EcdheEcdsaAes256GcmSha384 => PrfHash::Sha384,
            _ => PrfHash::Sha256,
        }
    }

    /// Whether the suite authenticates with an ECDSA (else RSA) certificate.
    pub fn is_ecdsa(self) -> bool {
        !matches!(self, CipherSuite::EcdheRsaAes128GcmSha256)
    }

    /// Bytes one protected record of this suite adds to its plaintext: the
    /// 13-byte DTLS 1.2 record header, the explicit nonce (8 for AES-GCM,
    /// none for ChaCha20-Poly1305) and the 16-byte AEAD tag.
    pub fn record_overhead(self) -> usize {
        crate::record::HEADER_LEN + self.bulk().overhead()
    }

    pub(crate) fn bulk(self) -> Bulk {
        match self {
            CipherSuite::EcdheEcdsaAes256GcmSha384 => Bulk::Aes256Gcm,
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => Bulk::Chacha20Poly1305,
            _ => Bulk::Aes128Gcm,
        }
    }
}

impl Bulk {
    pub(crate) fn key_len(self) -> usize {
        match self {
            Bulk::Aes128Gcm => 16,
            Bulk::Aes256Gcm | Bulk::Chacha20Poly1305 => 32,
        }
    }

    /// The implicit (fixed) IV length: 4 for GCM (RFC 5288), 12 for
    /// ChaCha20-Poly1305 (RFC 7905).
    pub(crate) fn fixed_iv_len(self) -> usize {
        match self {
            Bulk::Chacha20Poly1305 => 12,
            _ => 4,
        }
    }

    /// The explicit nonce carried in each record.
    pub(crate) fn explicit_nonce_len(self) -> usize {
        match self {
            Bulk::Chacha20Poly1305 => 0,
            _ => 8,
        }
    }

    /// Bytes a protected record adds to its plaintext.
    pub(crate) fn overhead(self) -> usize {
        self.explicit_nonce_len() + 16
    }
}

/// An ECDHE group (RFC 8422 §5.1.1, RFC 7748).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamedGroup {
    /// x25519 (29).
    X25519,
    /// secp256r1 (23).
    Secp256r1,
}

impl NamedGroup {
    /// Every group, in our default preference order.
    pub const ALL: [NamedGroup; 2] = [NamedGroup::X25519, NamedGroup::Secp256r1];

    /// The IANA code point.
    pub fn id(self) -> u16 {
        match self {
            NamedGroup::X25519 => 29,
            NamedGroup::Secp256r1 => 23,
        }
    }

    /// The group with this code point, if we implement it.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.id() == id)
    }
}

/// A TLS 1.2 SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3 code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// ecdsa_secp256r1_sha256 (0x0403).
    EcdsaSecp256r1Sha256,
    /// rsa_pkcs1_sha256 (0x0401).
    RsaPkcs1Sha256,
    /// rsa_pss_rsae_sha256 (0x0804).
    RsaPssRsaeSha256,
}

impl SignatureScheme {
    /// Every scheme, in our default preference order.
    pub const ALL: [SignatureScheme; 3] = [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPkcs1Sha256,
    ];

    /// The code point.
    pub fn id(self) -> u16 {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => 0x0403,
            SignatureScheme::RsaPkcs1Sha256 => 0x0401,
            SignatureScheme::RsaPssRsaeSha256 => 0x0804,
        }
    }

    /// The scheme with this code point, if we implement it.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Whether it is an ECDSA (else RSA) scheme.
    pub fn is_ecdsa(self) -> bool {
        matches!(self, SignatureScheme::EcdsaSecp256r1Sha256)
    }
}

/// An SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2):
/// `sansrtc-srtp`'s [`sansrtc_srtp::Profile`], the one definition in the
/// workspace. Its `ALL` is in identifier order; our offer/choice order is
/// [`SRTP_PREFERENCE`].
pub use sansrtc_srtp::Profile as SrtpProfile;

/// The SRTP profiles in our default preference order (the default of
/// [`crate::DtlsConfig::srtp_profiles`]): AES-128-GCM, AES-256-GCM,
/// AES-128-CM-HMAC-SHA1-80, AES-128-CM-HMAC-SHA1-32.
pub const SRTP_PREFERENCE: [SrtpProfile; 4] = [
    SrtpProfile::AeadAes128Gcm,
    SrtpProfile::AeadAes256Gcm,
    SrtpProfile::Aes128CmHmacSha1_80,
    SrtpProfile::Aes128CmHmacSha1_32,
];
