//! Certificate fingerprints as SDP carries them (RFC 8122 §5, RFC 4572).

use std::fmt;

use crate::error::DtlsError;

/// A hash function SDP allows for `a=fingerprint`. MD5 and MD2 (also in the
/// RFC 4572 registry) are refused as broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// `sha-1`.
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
}

impl HashAlgorithm {
    /// The SDP token (`sha-256`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha224 => "sha-224",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }

    /// The algorithm with this SDP token (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use ring::digest;
        match self {
            HashAlgorithm::Sha1 => digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data)
                .as_ref()
                .to_vec(),
            HashAlgorithm::Sha224 => {
                use sha2::Digest;
                sha2::Sha224::digest(data).to_vec()
            }
            HashAlgorithm::Sha256 => digest::digest(&digest::SHA256, data).as_ref().to_vec(),
            HashAlgorithm::Sha384 => digest::digest(&digest::SHA384, data).as_ref().to_vec(),
            HashAlgorithm::Sha512 => digest::digest(&digest::SHA512, data).as_ref().to_vec(),
        }
    }
}

/// A certificate fingerprint: `sha-256 AB:CD:…` in SDP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub algorithm: HashAlgorithm,
    /// The digest of the DER certificate.
    pub value: Vec<u8>,
}

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(algorithm: HashAlgorithm, certificate_der: &[u8]) -> Self {
        Self {
            algorithm,
            value: algorithm.digest(certificate_der),
        }
    }

    /// Parses the value of an SDP `a=fingerprint:` line (`sha-256 AB:CD:…`).
    pub fn parse(s: &str) -> Result<Self, DtlsError> {
        let mut parts = s.split_whitespace();
        let alg = parts.next().ok_or(DtlsError::InvalidFingerprint("empty"))?;
        let algorithm = HashAlgorithm::from_name(alg)
            .ok_or(DtlsError::InvalidFingerprint("unsupported hash function"))?;
        let hex = parts
            .next()
            .ok_or(DtlsError::InvalidFingerprint("missing value"))?;
        if parts.next().is_some() {
            return Err(DtlsError::InvalidFingerprint("trailing text"));
        }
        let value = hex
            .split(':')
            .map(|b| {
                if b.len() == 2 {
                    u8::from_str_radix(b, 16).map_err(|_| DtlsError::InvalidFingerprint("not hex"))
                } else {
                    Err(DtlsError::InvalidFingerprint("not hex"))
                }
            })
            .collect::<Result<Vec<u8>, _>>()?;
        if value.len() != algorithm.digest(b"").len() {
            return Err(DtlsError::InvalidFingerprint("wrong length for the hash"));
        }
        Ok(Self { algorithm, value })
    }

    /// Whether this fingerprint matches a DER certificate.
    pub fn matches(&self, certificate_der: &[u8]) -> bool {
        crate::prf::ct_eq(&self.algorithm.digest(certificate_der), &self.value)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.algorithm.name())?;
        for (i, b) in self.value.iter().enumerate() {
            if i > 0 {
                write!(f, ":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_round_trip_and_errors() {
        let fp = Fingerprint::of(HashAlgorithm::Sha256, b"cert");
        let text = fp.to_string();
        assert!(text.starts_with("sha-256 "));
        assert_eq!(Fingerprint::parse(&text).unwrap(), fp);
        assert_eq!(Fingerprint::parse(&text.to_lowercase()).unwrap(), fp);
        assert!(fp.matches(b"cert"));
        assert!(!fp.matches(b"other"));
        assert!(Fingerprint::parse("md5 AB").is_err());
        assert!(Fingerprint::parse("sha-256 AB:CD").is_err());
        assert!(Fingerprint::parse("sha-256").is_err());
        assert!(Fingerprint::parse("sha-1 zz:00").is_err());
        for alg in ["sha-1", "sha-224", "sha-384", "sha-512"] {
            let a = HashAlgorithm::from_name(alg).unwrap();
            let fp = Fingerprint::of(a, b"x");
            assert_eq!(Fingerprint::parse(&fp.to_string()).unwrap(), fp);
        }
        // SHA-224 of "abc" (FIPS 180-2 example).
        assert_eq!(
            hex_of(&HashAlgorithm::Sha224.digest(b"abc")),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
