//! DTLS identities and fingerprints from untrusted text: `Identity::from_pem`
//! and `from_der` (certificate chain and PKCS#8 key, key/certificate
//! match) and `parse_fingerprint` (SDP `a=fingerprint` values). No panic; a
//! parsed fingerprint writes back to text that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::{fingerprint_matches, parse_fingerprint, HashAlgorithm, Identity};

fuzz_target!(|data: &[u8]| {
    if let Some((&split, rest)) = data.split_first() {
        let at = (usize::from(split) * rest.len() / 255).min(rest.len());
        if let Ok(id) = Identity::from_der(vec![rest[..at].to_vec()], &rest[at..]) {
            let fp = id.fingerprint(HashAlgorithm::Sha256).expect("sha-256");
            assert!(fingerprint_matches(&fp, &id.certificate_chain()[0]));
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fp) = parse_fingerprint(text) {
        let again = parse_fingerprint(&fp.to_string()).expect("a written fingerprint parses");
        assert_eq!(again, fp);
    }
    // PEM: the text up to the first "-----BEGIN PRIVATE KEY" is the chain.
    let (cert, key) = text.split_at(text.find("-----BEGIN PRIVATE").unwrap_or(text.len()));
    if let Ok(id) = Identity::from_pem(cert, key) {
        assert!(!id.certificate_chain().is_empty());
        let _ = id.is_ecdsa();
    }
});
