//! Certificate fingerprints as SDP carries them (RFC 8122 §5, RFC 4572): the
//! digests behind [`Fingerprint`], whose type is `sansrtc-sdp`'s.
//!
//! We compute sha-1, sha-224, sha-256, sha-384 and sha-512. MD5 and MD2
//! (also in the RFC 4572 registry) are refused as broken, and other names
//! are unknown: a fingerprint with such an algorithm never matches.

use sansrtc_sdp::attributes::{Fingerprint, HashAlgorithm};

use crate::error::DtlsError;

/// The digest of `data` with `algorithm`, or `None` for an algorithm we do
/// not compute (MD5, MD2, unknown names).
pub fn digest(algorithm: &HashAlgorithm, data: &[u8]) -> Option<Vec<u8>> {
    use ring::digest;
    Some(match algorithm {
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
        HashAlgorithm::Md5 | HashAlgorithm::Md2 | HashAlgorithm::Other(_) => return None,
    })
}

/// Whether we compute `algorithm`'s digest (so a fingerprint with it can
/// match).
pub fn is_supported(algorithm: &HashAlgorithm) -> bool {
    digest(algorithm, b"").is_some()
}

/// The fingerprint of a DER certificate, or `None` for an algorithm we do
/// not compute.
pub fn fingerprint_of(algorithm: HashAlgorithm, certificate_der: &[u8]) -> Option<Fingerprint> {
    let bytes = digest(&algorithm, certificate_der)?;
    Some(Fingerprint::new(algorithm, bytes))
}

/// Whether `fingerprint` matches a DER certificate (in constant time); never
/// for an algorithm we do not compute.
pub fn fingerprint_matches(fingerprint: &Fingerprint, certificate_der: &[u8]) -> bool {
    digest(&fingerprint.algorithm, certificate_der)
        .is_some_and(|d| crate::prf::ct_eq(&d, &fingerprint.bytes))
}

/// The sha-256 fingerprint of a DER certificate (what
/// [`crate::Connected::peer_fingerprint`] reports).
pub(crate) fn sha256_fingerprint(certificate_der: &[u8]) -> Fingerprint {
    let d = ring::digest::digest(&ring::digest::SHA256, certificate_der);
    Fingerprint::new(HashAlgorithm::Sha256, d.as_ref().to_vec())
}

/// Parses the value of an SDP `a=fingerprint:` line (`sha-256 AB:CD:…`) as
/// `sansrtc-sdp` does, refusing algorithms we do not compute.
pub fn parse_fingerprint(s: &str) -> Result<Fingerprint, DtlsError> {
    let fingerprint: Fingerprint = s
        .trim()
        .parse()
        .map_err(|_| DtlsError::InvalidFingerprint("not `<hash-func> <XX:XX:...>`"))?;
    if !is_supported(&fingerprint.algorithm) {
        return Err(DtlsError::InvalidFingerprint("unsupported hash function"));
    }
    Ok(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_round_trip_and_errors() {
        let fp = fingerprint_of(HashAlgorithm::Sha256, b"cert").unwrap();
        let text = fp.to_string();
        assert!(text.starts_with("sha-256 "));
        assert_eq!(parse_fingerprint(&text).unwrap(), fp);
        assert_eq!(parse_fingerprint(&text.to_lowercase()).unwrap(), fp);
        assert!(fingerprint_matches(&fp, b"cert"));
        assert!(!fingerprint_matches(&fp, b"other"));
        assert!(parse_fingerprint("md5 AB").is_err());
        assert!(parse_fingerprint(&format!("md5 {}", ["AB"; 16].join(":"))).is_err());
        assert!(parse_fingerprint("sha-256 AB:CD").is_err());
        assert!(parse_fingerprint("sha-256").is_err());
        assert!(parse_fingerprint("sha-1 zz:00").is_err());
        for alg in ["sha-1", "sha-224", "sha-384", "sha-512"] {
            let a = HashAlgorithm::from_name(alg);
            let fp = fingerprint_of(a, b"x").unwrap();
            assert_eq!(parse_fingerprint(&fp.to_string()).unwrap(), fp);
        }
        // SHA-224 of "abc" (FIPS 180-2 example).
        assert_eq!(
            hex_of(&digest(&HashAlgorithm::Sha224, b"abc").unwrap()),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
    }

    #[test]
    fn algorithms_we_do_not_compute_never_match() {
        for a in [
            HashAlgorithm::Md5,
            HashAlgorithm::Md2,
            HashAlgorithm::Other("sha3-256".to_owned()),
        ] {
            assert!(digest(&a, b"cert").is_none());
            assert!(fingerprint_of(a.clone(), b"cert").is_none());
            let fp = Fingerprint::new(a, vec![0; 16]);
            assert!(!fingerprint_matches(&fp, b"cert"));
        }
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
