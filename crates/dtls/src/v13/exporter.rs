//! The TLS 1.3 exporter (RFC 8446 §7.5), the RFC 5705 interface DTLS-SRTP
//! takes its keys from (RFC 5764 §4.2, label `"EXTRACTOR-dtls_srtp"`):
//!
//! ```text
//! TLS-Exporter(label, context_value, key_length) =
//!     HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
//!                       "exporter", Hash(context_value), key_length)
//! ```
//!
//! In TLS 1.3 an absent context and an empty one give the same output.

use super::error::Dtls13Error;
use super::hkdf::{expand_label, max_expand_len, Secret};
use super::key_schedule::KeySchedule;

/// `TLS-Exporter(label, context, len)` from the exporter master secret.
/// Fails when `len` exceeds HKDF's `255 * Hash.length` (or the label is
/// longer than HkdfLabel allows).
pub(crate) fn export_keying_material(
    schedule: &KeySchedule,
    exporter_master_secret: &Secret,
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Vec<u8>, Dtls13Error> {
    if len > max_expand_len(schedule.hash) {
        return Err(Dtls13Error::TooLarge("exporter output"));
    }
    let hash = schedule.hash;
    let per_label = schedule.derive_secret(exporter_master_secret, label, &hash.digest(b""))?;
    expand_label(
        hash,
        schedule.prefix,
        per_label.as_bytes(),
        b"exporter",
        &hash.digest(context),
        len,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::cipher_suite::SuiteHash;
    use crate::v13::hkdf::LabelPrefix;
    use crate::v13::test_support::Vectors;

    fn openssl_vectors() -> Vectors {
        Vectors::parse(include_str!("../../tests/data/tls13-exporter-openssl.json"))
    }

    /// OpenSSL's exporter output for its own EXPORTER_SECRET, SHA-256 and
    /// SHA-384 suites.
    #[test]
    fn matches_openssl_for_both_hashes() {
        let v = openssl_vectors();
        for (hash, prefix) in [(SuiteHash::Sha256, "sha256"), (SuiteHash::Sha384, "sha384")] {
            let schedule = KeySchedule {
                hash,
                prefix: LabelPrefix::Tls13,
            };
            let secret = Secret::new(v.get(&format!("{prefix}_exporter_master_secret")));
            let out = export_keying_material(
                &schedule,
                &secret,
                crate::DTLS_SRTP_LABEL.as_bytes(),
                b"",
                60,
            )
            .unwrap();
            assert_eq!(
                out,
                v.get(&format!("{prefix}_keying_material_60")),
                "{prefix}"
            );
        }
    }

    #[test]
    fn label_context_and_prefix_each_change_the_output() {
        let secret = Secret::new(vec![3u8; 32]);
        let dtls = KeySchedule::dtls13(SuiteHash::Sha256);
        let tls = KeySchedule {
            prefix: LabelPrefix::Tls13,
            ..dtls
        };
        let base = export_keying_material(&dtls, &secret, b"EXTRACTOR-dtls_srtp", b"", 60).unwrap();
        assert_eq!(base.len(), 60);
        for other in [
            export_keying_material(&dtls, &secret, b"EXTRACTOR-other", b"", 60).unwrap(),
            export_keying_material(&dtls, &secret, b"EXTRACTOR-dtls_srtp", b"ctx", 60).unwrap(),
            export_keying_material(&tls, &secret, b"EXTRACTOR-dtls_srtp", b"", 60).unwrap(),
        ] {
            assert_ne!(other, base);
        }
        // The length is part of HkdfLabel: a 30-byte export is not the
        // first 30 bytes of a 60-byte one.
        let short =
            export_keying_material(&dtls, &secret, b"EXTRACTOR-dtls_srtp", b"", 30).unwrap();
        assert_ne!(short[..], base[..30]);
    }

    #[test]
    fn oversized_requests_are_errors() {
        let secret = Secret::new(vec![3u8; 32]);
        let dtls = KeySchedule::dtls13(SuiteHash::Sha256);
        assert!(export_keying_material(&dtls, &secret, b"x", b"", 255 * 32).is_ok());
        assert_eq!(
            export_keying_material(&dtls, &secret, b"x", b"", 255 * 32 + 1),
            Err(Dtls13Error::TooLarge("exporter output"))
        );
        assert!(export_keying_material(&dtls, &secret, &[b'l'; 250], b"", 16).is_err());
    }
}
