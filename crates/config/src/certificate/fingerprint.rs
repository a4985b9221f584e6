//! Certificate fingerprints in the SDP `a=fingerprint` form (RFC 8122 §5):
//! the digests behind [`Fingerprint`], whose type is `sansrtc-sdp`'s.

use ring::digest;
use sansrtc_sdp::attributes::{Fingerprint, HashAlgorithm};

/// The hash functions `RTCCertificate.getFingerprints()` and SDP use, which
/// [`fingerprint_of`] computes: sha-1, sha-256, sha-384, sha-512, weakest
/// first.
pub const FINGERPRINT_ALGORITHMS: [HashAlgorithm; 4] = [
    HashAlgorithm::Sha1,
    HashAlgorithm::Sha256,
    HashAlgorithm::Sha384,
    HashAlgorithm::Sha512,
];

fn ring_algorithm(algorithm: &HashAlgorithm) -> Option<&'static digest::Algorithm> {
    match algorithm {
        HashAlgorithm::Sha1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        HashAlgorithm::Sha256 => Some(&digest::SHA256),
        HashAlgorithm::Sha384 => Some(&digest::SHA384),
        HashAlgorithm::Sha512 => Some(&digest::SHA512),
        _ => None,
    }
}

/// Hashes `der` with `algorithm`; `None` for an algorithm not in
/// [`FINGERPRINT_ALGORITHMS`].
pub fn fingerprint_of(algorithm: HashAlgorithm, der: &[u8]) -> Option<Fingerprint> {
    let bytes = digest::digest(ring_algorithm(&algorithm)?, der)
        .as_ref()
        .to_vec();
    Some(Fingerprint::new(algorithm, bytes))
}

/// The sha-256 fingerprint of `der` (what browsers put in SDP).
pub(crate) fn sha256_fingerprint(der: &[u8]) -> Fingerprint {
    Fingerprint::new(
        HashAlgorithm::Sha256,
        digest::digest(&digest::SHA256, der).as_ref().to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_form_of_a_known_digest() {
        // SHA-256("abc") from FIPS 180-2 appendix B.1.
        let fp = fingerprint_of(HashAlgorithm::Sha256, b"abc").unwrap();
        assert_eq!(
            fp.to_string(),
            "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
        assert_eq!(sha256_fingerprint(b"abc"), fp);
        for (alg, len) in [
            (HashAlgorithm::Sha1, 20),
            (HashAlgorithm::Sha384, 48),
            (HashAlgorithm::Sha512, 64),
        ] {
            assert_eq!(fingerprint_of(alg, b"abc").unwrap().bytes.len(), len);
        }
    }

    #[test]
    fn only_the_listed_algorithms_are_computed() {
        for a in FINGERPRINT_ALGORITHMS {
            let fp = fingerprint_of(a.clone(), b"abc").unwrap();
            assert_eq!(Some(fp.bytes.len()), a.digest_len());
            assert_eq!(HashAlgorithm::from_name(&a.as_str().to_uppercase()), a);
        }
        for a in [
            HashAlgorithm::Md5,
            HashAlgorithm::Md2,
            HashAlgorithm::Sha224,
            HashAlgorithm::Other("x".to_owned()),
        ] {
            assert_eq!(fingerprint_of(a, b"abc"), None);
        }
    }
}
