//! Generated certificates verify, their fingerprints match independent
//! computations, and PEM round-trips.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256};
use sansrtc_config::{
    CertificateOptions, ConfigError, FingerprintAlgorithm, KeyKind, RtcCertificate,
    DEFAULT_CERTIFICATE_LIFETIME,
};
use sha2::Digest;
use x509_parser::prelude::{FromDer, X509Certificate};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn ecdsa() -> &'static RtcCertificate {
    static CERT: OnceLock<RtcCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        RtcCertificate::generate(&CertificateOptions::default(), now(), &mut rng).unwrap()
    })
}

fn rsa() -> &'static RtcCertificate {
    static CERT: OnceLock<RtcCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let options = CertificateOptions {
            key_kind: KeyKind::RsaPkcs1Sha256,
            lifetime: Duration::from_secs(3600),
        };
        RtcCertificate::generate(&options, now(), &mut rng).unwrap()
    })
}

/// Parses the certificate and checks its self-signature with ring.
fn verify_self_signed(cert: &RtcCertificate) -> X509Certificate<'_> {
    let (rest, x509) = X509Certificate::from_der(cert.certificate_der()).unwrap();
    assert!(rest.is_empty());
    assert_eq!(x509.subject(), x509.issuer());
    let algorithm: &dyn ring::signature::VerificationAlgorithm = match cert.key_kind() {
        KeyKind::EcdsaP256Sha256 => &ECDSA_P256_SHA256_ASN1,
        KeyKind::RsaPkcs1Sha256 => &RSA_PKCS1_2048_8192_SHA256,
    };
    let key = UnparsedPublicKey::new(
        algorithm,
        x509.public_key().subject_public_key.data.as_ref(),
    );
    key.verify(
        x509.tbs_certificate.as_ref(),
        x509.signature_value.data.as_ref(),
    )
    .expect("the self-signature verifies");
    // A flipped bit in the signed data must not verify.
    let mut tampered = x509.tbs_certificate.as_ref().to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(key
        .verify(&tampered, x509.signature_value.data.as_ref())
        .is_err());
    x509
}

#[test]
fn ecdsa_certificate_verifies_and_has_the_requested_shape() {
    let cert = ecdsa();
    assert_eq!(cert.key_kind(), KeyKind::EcdsaP256Sha256);
    let x509 = verify_self_signed(cert);
    assert_eq!(
        x509.signature_algorithm.algorithm.to_id_string(),
        "1.2.840.10045.4.3.2" // ecdsa-with-SHA256
    );
    let cn = x509
        .subject()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(cn.len(), 16);
    assert!(cn.chars().all(|c| c.is_ascii_hexdigit()));
    let not_after = x509.validity().not_after.timestamp();
    let expected = now() + DEFAULT_CERTIFICATE_LIFETIME;
    assert_eq!(
        not_after as u64,
        expected.duration_since(UNIX_EPOCH).unwrap().as_secs()
    );
    assert_eq!(cert.expires(), expected);
    assert!(x509.validity().not_before.timestamp() < 1_800_000_000);
}

#[test]
fn rsa_certificate_verifies() {
    let cert = rsa();
    assert_eq!(cert.key_kind(), KeyKind::RsaPkcs1Sha256);
    let x509 = verify_self_signed(cert);
    assert_eq!(
        x509.signature_algorithm.algorithm.to_id_string(),
        "1.2.840.113549.1.1.11" // sha256WithRSAEncryption
    );
    let rsa_key = match x509.public_key().parsed().unwrap() {
        x509_parser::public_key::PublicKey::RSA(k) => k,
        other => panic!("not RSA: {other:?}"),
    };
    assert_eq!(rsa_key.key_size(), 2048);
    assert_eq!(rsa_key.exponent, &[1, 0, 1]);
    assert_eq!(cert.expires(), now() + Duration::from_secs(3600));
}

#[test]
fn common_names_and_serials_come_from_the_rng() {
    let mut a = ChaCha20Rng::seed_from_u64(5);
    let mut b = ChaCha20Rng::seed_from_u64(6);
    let ca = RtcCertificate::generate(&CertificateOptions::default(), now(), &mut a).unwrap();
    let cb = RtcCertificate::generate(&CertificateOptions::default(), now(), &mut b).unwrap();
    let name = |c: &RtcCertificate| {
        let (_, x) = X509Certificate::from_der(c.certificate_der()).unwrap();
        (x.subject().to_string(), x.raw_serial().to_vec())
    };
    assert_ne!(name(&ca), name(&cb));
}

fn hex_colon(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn fingerprints_match_an_independent_hash() {
    for cert in [ecdsa(), rsa()] {
        let der = cert.certificate_der();
        let cases = [
            (
                FingerprintAlgorithm::Sha1,
                "sha-1",
                sha1::Sha1::digest(der).to_vec(),
            ),
            (
                FingerprintAlgorithm::Sha256,
                "sha-256",
                sha2::Sha256::digest(der).to_vec(),
            ),
            (
                FingerprintAlgorithm::Sha384,
                "sha-384",
                sha2::Sha384::digest(der).to_vec(),
            ),
            (
                FingerprintAlgorithm::Sha512,
                "sha-512",
                sha2::Sha512::digest(der).to_vec(),
            ),
        ];
        for (alg, name, digest) in cases {
            let fp = cert.fingerprint(alg).unwrap();
            assert_eq!(fp.to_string(), format!("{name} {}", hex_colon(&digest)));
            assert_eq!(fp.digest_hex(), hex_colon(&digest));
        }
        assert_eq!(
            cert.fingerprints(),
            vec![cert.fingerprint(FingerprintAlgorithm::Sha256).unwrap()]
        );
        assert_eq!(cert.fingerprints(), vec![cert.sha256_fingerprint()]);
        assert_eq!(cert.fingerprint(FingerprintAlgorithm::Md5), None);
    }
}

#[test]
fn fingerprints_match_openssl() {
    // A missing `openssl` fails the test (CI installs it; see `.ci/run`).
    let version = Command::new("openssl")
        .arg("version")
        .output()
        .expect("this test needs the `openssl` command (apt package openssl)");
    assert!(version.status.success(), "`openssl version` failed");
    for cert in [ecdsa(), rsa()] {
        for (alg, flag) in [
            (FingerprintAlgorithm::Sha1, "-sha1"),
            (FingerprintAlgorithm::Sha256, "-sha256"),
            (FingerprintAlgorithm::Sha512, "-sha512"),
        ] {
            let mut child = Command::new("openssl")
                .args(["x509", "-noout", "-fingerprint", flag])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(cert.to_pem().as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success());
            // "SHA256 Fingerprint=AB:CD:..."
            let text = String::from_utf8(out.stdout).unwrap();
            let value = text.trim().split_once('=').unwrap().1;
            assert_eq!(value, cert.fingerprint(alg).unwrap().digest_hex());
        }
    }
}

#[test]
fn pem_round_trips() {
    for cert in [ecdsa(), rsa()] {
        let pem = cert.to_pem();
        assert!(pem.contains("-----BEGIN CERTIFICATE-----"));
        assert!(pem.contains("-----BEGIN PRIVATE KEY-----"));
        let back = RtcCertificate::from_pem(&pem).unwrap();
        assert_eq!(&back, cert);
        assert_eq!(back.to_pem(), pem);
    }
}

#[test]
fn pem_import_accepts_openssl_keys_and_any_block_order() {
    let pem = ecdsa().to_pem();
    let (cert_part, key_part) = pem.split_at(pem.find("-----BEGIN PRIVATE KEY").unwrap());
    let swapped = format!("{key_part}\n{cert_part}");
    assert_eq!(&RtcCertificate::from_pem(&swapped).unwrap(), ecdsa());
}

#[test]
fn pem_import_rejects_bad_input() {
    let ec = ecdsa().to_pem();
    let rs = rsa().to_pem();
    let cert_only = &ec[..ec.find("-----BEGIN PRIVATE KEY").unwrap()];
    let key_only = &ec[ec.find("-----BEGIN PRIVATE KEY").unwrap()..];
    let rsa_key = &rs[rs.find("-----BEGIN PRIVATE KEY").unwrap()..];
    assert_eq!(
        RtcCertificate::from_pem(""),
        Err(ConfigError::PemMissingCertificate)
    );
    assert_eq!(
        RtcCertificate::from_pem(cert_only),
        Err(ConfigError::PemMissingPrivateKey)
    );
    assert_eq!(
        RtcCertificate::from_pem(key_only),
        Err(ConfigError::PemMissingCertificate)
    );
    assert_eq!(
        RtcCertificate::from_pem("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
        Err(ConfigError::PemMalformed)
    );
    // Key of another certificate.
    let mismatched = format!("{cert_only}{rsa_key}");
    assert_eq!(
        RtcCertificate::from_pem(&mismatched),
        Err(ConfigError::KeyMismatch)
    );
    let other = RtcCertificate::generate(
        &CertificateOptions::default(),
        now(),
        &mut ChaCha20Rng::seed_from_u64(3),
    )
    .unwrap();
    let other_pem = other.to_pem();
    let other_key = &other_pem[other_pem.find("-----BEGIN PRIVATE KEY").unwrap()..];
    assert_eq!(
        RtcCertificate::from_pem(&format!("{cert_only}{other_key}")),
        Err(ConfigError::KeyMismatch)
    );
    // Garbage DER in well-formed PEM.
    let junk_cert = pem::encode(&pem::Pem::new("CERTIFICATE", vec![0x30, 0x03, 1, 2, 3]));
    assert_eq!(
        RtcCertificate::from_pem(&format!("{junk_cert}{key_only}")),
        Err(ConfigError::CertificateMalformed)
    );
    let junk_key = pem::encode(&pem::Pem::new("PRIVATE KEY", vec![0x30, 0x00]));
    assert_eq!(
        RtcCertificate::from_pem(&format!("{cert_only}{junk_key}")),
        Err(ConfigError::UnsupportedPrivateKey)
    );
}

#[test]
fn debug_does_not_print_the_private_key() {
    let text = format!("{:?}", ecdsa());
    assert!(text.contains("sha-256"));
    assert!(!text.contains(&format!("{:?}", &ecdsa().private_key_pkcs8_der()[..8])));
}

#[test]
fn rsa_generation_is_deterministic_for_a_seed() {
    let options = CertificateOptions {
        key_kind: KeyKind::RsaPkcs1Sha256,
        lifetime: Duration::from_secs(3600),
    };
    let again =
        RtcCertificate::generate(&options, now(), &mut ChaCha20Rng::seed_from_u64(12)).unwrap();
    // Same seed, same time: the same key and the same certificate as rsa().
    assert_eq!(&again, rsa());
}

#[test]
fn impossible_lifetime_is_a_generation_error() {
    let options = CertificateOptions {
        key_kind: KeyKind::EcdsaP256Sha256,
        lifetime: Duration::MAX,
    };
    let err =
        RtcCertificate::generate(&options, now(), &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert_eq!(err, ConfigError::CertificateGeneration);
    assert_eq!(err.dom_name(), "OperationError");
}

#[test]
fn pem_import_rejects_other_key_algorithms() {
    for alg in [&rcgen::PKCS_ECDSA_P384_SHA384, &rcgen::PKCS_ED25519] {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["x.test".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem = format!("{}{}", cert.pem(), key.serialize_pem());
        let err = RtcCertificate::from_pem(&pem).unwrap_err();
        assert_eq!(err, ConfigError::UnsupportedPrivateKey);
        assert_eq!(err.dom_name(), "DataError");
    }
}

#[test]
fn the_identity_is_the_certificate_and_its_key_for_generated_and_imported_certificates() {
    for cert in [ecdsa(), rsa()] {
        let imported = RtcCertificate::from_pem(&cert.to_pem()).unwrap();
        for c in [cert, &imported] {
            let identity = c.identity();
            assert_eq!(
                identity.certificate_chain(),
                &[c.certificate_der().to_vec()]
            );
            assert_eq!(
                identity
                    .fingerprint(FingerprintAlgorithm::Sha256)
                    .unwrap()
                    .to_string(),
                c.sha256_fingerprint().to_string()
            );
            assert_eq!(
                identity.is_ecdsa(),
                c.key_kind() == KeyKind::EcdsaP256Sha256
            );
        }
        // A clone shares the identity rather than rebuilding it.
        assert!(std::sync::Arc::ptr_eq(
            cert.clone().identity(),
            cert.identity()
        ));
    }
}

#[test]
fn an_ecdsa_key_whose_embedded_public_key_lies_is_refused() {
    // PKCS#8 P-256 keys carry the public key; one that does not belong to
    // the private key must not be believed (it would sign for the wrong key).
    let der = ecdsa().private_key_pkcs8_der().to_vec();
    let mut lying = der.clone();
    let last = lying.len() - 1;
    lying[last] ^= 1;
    assert_eq!(
        RtcCertificate::from_der(ecdsa().certificate_der().to_vec(), lying),
        Err(ConfigError::UnsupportedPrivateKey)
    );
    assert_eq!(
        &RtcCertificate::from_der(ecdsa().certificate_der().to_vec(), der).unwrap(),
        ecdsa()
    );
}
