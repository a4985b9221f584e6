//! Certificate fingerprints in the SDP `a=fingerprint` form (RFC 8122 §5).

use core::fmt;

use ring::digest;

/// The hash functions `RTCCertificate.getFingerprints()` and SDP use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerprintAlgorithm {
    /// `sha-1`
    Sha1,
    /// `sha-256` (what browsers put in SDP)
    Sha256,
    /// `sha-384`
    Sha384,
    /// `sha-512`
    Sha512,
}

impl FingerprintAlgorithm {
    /// All four, weakest first.
    pub const ALL: [FingerprintAlgorithm; 4] = [
        FingerprintAlgorithm::Sha1,
        FingerprintAlgorithm::Sha256,
        FingerprintAlgorithm::Sha384,
        FingerprintAlgorithm::Sha512,
    ];

    /// The RFC 8122 hash function name (`sha-256`).
    pub fn as_str(self) -> &'static str {
        match self {
            FingerprintAlgorithm::Sha1 => "sha-1",
            FingerprintAlgorithm::Sha256 => "sha-256",
            FingerprintAlgorithm::Sha384 => "sha-384",
            FingerprintAlgorithm::Sha512 => "sha-512",
        }
    }

    /// Parses a hash function name, case-insensitively as RFC 8122 tokens are.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }

    fn ring_algorithm(self) -> &'static digest::Algorithm {
        match self {
            FingerprintAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            FingerprintAlgorithm::Sha256 => &digest::SHA256,
            FingerprintAlgorithm::Sha384 => &digest::SHA384,
            FingerprintAlgorithm::Sha512 => &digest::SHA512,
        }
    }
}

/// A certificate fingerprint: the hash of the certificate's DER.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub algorithm: FingerprintAlgorithm,
    /// The digest bytes.
    pub bytes: Vec<u8>,
}

impl Fingerprint {
    /// Hashes `der` with `algorithm`.
    pub fn of_der(algorithm: FingerprintAlgorithm, der: &[u8]) -> Self {
        Fingerprint {
            algorithm,
            bytes: digest::digest(algorithm.ring_algorithm(), der)
                .as_ref()
                .to_vec(),
        }
    }

    /// The value alone: upper-case hex pairs joined by `:` (`AB:CD:…`).
    pub fn value(&self) -> String {
        let mut out = String::with_capacity(self.bytes.len() * 3);
        for (i, b) in self.bytes.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push_str(&format!("{b:02X}"));
        }
        out
    }
}

impl fmt::Display for Fingerprint {
    /// The SDP form: `sha-256 AB:CD:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.algorithm.as_str(), self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_form_of_a_known_digest() {
        // SHA-256("abc") from FIPS 180-2 appendix B.1.
        let fp = Fingerprint::of_der(FingerprintAlgorithm::Sha256, b"abc");
        assert_eq!(
            fp.to_string(),
            "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
        assert_eq!(
            Fingerprint::of_der(FingerprintAlgorithm::Sha1, b"abc")
                .bytes
                .len(),
            20
        );
        assert_eq!(
            Fingerprint::of_der(FingerprintAlgorithm::Sha384, b"abc")
                .bytes
                .len(),
            48
        );
        assert_eq!(
            Fingerprint::of_der(FingerprintAlgorithm::Sha512, b"abc")
                .bytes
                .len(),
            64
        );
    }

    #[test]
    fn names_parse_case_insensitively() {
        for a in FingerprintAlgorithm::ALL {
            assert_eq!(FingerprintAlgorithm::from_name(a.as_str()), Some(a));
        }
        assert_eq!(
            FingerprintAlgorithm::from_name("SHA-256"),
            Some(FingerprintAlgorithm::Sha256)
        );
        assert_eq!(FingerprintAlgorithm::from_name("md5"), None);
    }
}
