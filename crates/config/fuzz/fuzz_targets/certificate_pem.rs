//! Certificates from PEM and DER (`RtcCertificate::from_pem`, `from_der`:
//! X.509 and PKCS#8 parsing, key type and key/certificate match): any
//! text. An accepted certificate writes back to PEM that reads to the same
//! certificate and key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_config::{FingerprintAlgorithm, RtcCertificate};

fuzz_target!(|data: &[u8]| {
    // The DER path: the first byte splits the rest into certificate and key.
    if let Some((&split, rest)) = data.split_first() {
        let at = (usize::from(split) * rest.len() / 255).min(rest.len());
        let _ = RtcCertificate::from_der(rest[..at].to_vec(), rest[at..].to_vec());
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cert) = RtcCertificate::from_pem(text) {
        let again = RtcCertificate::from_pem(&cert.to_pem()).expect("written PEM reads");
        assert_eq!(again.certificate_der(), cert.certificate_der());
        assert_eq!(again.private_key_pkcs8_der(), cert.private_key_pkcs8_der());
        let _ = cert.fingerprint(FingerprintAlgorithm::Sha256);
        let _ = cert.fingerprints();
        let _ = cert.expires_millis();
    }
});
