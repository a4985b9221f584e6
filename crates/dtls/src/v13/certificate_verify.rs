//! CertificateVerify in DTLS 1.3 (RFC 8446 §4.4.3, unchanged by RFC 9147):
//! the signature covers 64 spaces, a context string naming the signer's
//! side, a zero byte and the transcript hash; only
//! ecdsa_secp256r1_sha256 and rsa_pss_rsae_sha256 of our schemes are
//! allowed (RSA PKCS#1 v1.5 is not, in 1.3 handshake signatures).
//! Signing and verification reuse the 1.2 code's [`Identity`] (randomness
//! injected) and [`PeerCertificate`] (ring).

use rand_core::CryptoRngCore;

use super::error::Dtls13Error;
use crate::codec::{put_u16, put_vec16, Reader};
use crate::identity::Identity;
use crate::peer::PeerCertificate;
use crate::suite::SignatureScheme;

/// Which side signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signer {
    /// The server ("TLS 1.3, server CertificateVerify").
    Server,
    /// The client ("TLS 1.3, client CertificateVerify").
    Client,
}

impl Signer {
    /// The context string.
    fn context(self) -> &'static [u8] {
        match self {
            Signer::Server => b"TLS 1.3, server CertificateVerify",
            Signer::Client => b"TLS 1.3, client CertificateVerify",
        }
    }
}

/// The bytes that are signed.
pub(crate) fn signed_content(signer: Signer, transcript_hash: &[u8]) -> Vec<u8> {
    let mut content = vec![0x20u8; 64];
    content.extend_from_slice(signer.context());
    content.push(0);
    content.extend_from_slice(transcript_hash);
    content
}

/// Whether `scheme` may sign a DTLS 1.3 CertificateVerify.
pub(crate) fn scheme_allowed(scheme: SignatureScheme) -> bool {
    matches!(
        scheme,
        SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::RsaPssRsaeSha256
    )
}

/// Our CertificateVerify signature.
pub(crate) fn sign(
    identity: &Identity,
    scheme: SignatureScheme,
    signer: Signer,
    transcript_hash: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, Dtls13Error> {
    if !scheme_allowed(scheme) {
        return Err(Dtls13Error::IllegalParameter(
            "signature scheme in DTLS 1.3",
        ));
    }
    identity
        .sign(scheme, &signed_content(signer, transcript_hash), rng)
        .map_err(|_| Dtls13Error::Signing)
}

/// Checks the peer's CertificateVerify signature.
pub(crate) fn verify(
    peer: &PeerCertificate,
    scheme: SignatureScheme,
    signer: Signer,
    transcript_hash: &[u8],
    signature: &[u8],
) -> Result<(), Dtls13Error> {
    if !scheme_allowed(scheme) {
        return Err(Dtls13Error::IllegalParameter(
            "signature scheme in DTLS 1.3",
        ));
    }
    peer.verify(scheme, &signed_content(signer, transcript_hash), signature)
        .map_err(|e| match e {
            crate::DtlsError::BadSignature => Dtls13Error::BadSignature,
            _ => Dtls13Error::IllegalParameter("signature scheme for the key"),
        })
}

/// The CertificateVerify body: `SignatureScheme algorithm; opaque
/// signature<0..2^16-1>`.
pub(crate) fn encode_body(
    scheme: u16,
    signature: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), Dtls13Error> {
    if signature.len() > usize::from(u16::MAX) {
        return Err(Dtls13Error::TooLarge("signature"));
    }
    put_u16(out, scheme);
    put_vec16(out, signature);
    Ok(())
}

/// Parses a CertificateVerify body into the scheme code point and the
/// signature.
pub(crate) fn parse_body(body: &[u8]) -> Result<(u16, &[u8]), Dtls13Error> {
    let mut r = Reader::new(body, "CertificateVerify");
    let scheme = r.u16()?;
    let signature = r.vec16()?;
    r.finish()?;
    Ok((scheme, signature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::Vectors;
    use rand_chacha::rand_core::SeedableRng;
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;

    fn messages() -> Vectors {
        Vectors::parse(include_str!(
            "../../tests/data/tls13-rfc8448-handshake-messages.json"
        ))
    }

    /// RFC 8448 §3's server CertificateVerify (rsa_pss_rsae_sha256 with a
    /// 1024-bit key, which ring refuses, so RustCrypto `rsa` checks it):
    /// our signed content is what the RFC's server signed.
    #[test]
    fn rfc8448_server_certificate_verify() {
        let v = messages();
        let (scheme, signature) = {
            let message = v.get("certificate_verify_message");
            let (scheme, signature) = parse_body(&message[4..]).unwrap();
            (scheme, signature.to_vec())
        };
        assert_eq!(scheme, 0x0804);
        assert_eq!(signature, v.get("certificate_verify_signature"));
        let der = v.get("server_certificate_der");
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        let key =
            rsa::RsaPublicKey::from_pkcs1_der(&cert.public_key().subject_public_key.data).unwrap();
        let key = rsa::pss::VerifyingKey::<sha2::Sha256>::new(key);
        let signature = rsa::pss::Signature::try_from(&signature[..]).unwrap();
        let hash = v.get("transcript_hash_through_certificate");
        key.verify(&signed_content(Signer::Server, &hash), &signature)
            .unwrap();
        assert!(key
            .verify(&signed_content(Signer::Client, &hash), &signature)
            .is_err());
        let mut other = hash.clone();
        other[0] ^= 1;
        assert!(key
            .verify(&signed_content(Signer::Server, &other), &signature)
            .is_err());
        let mut body = Vec::new();
        encode_body(0x0804, &v.get("certificate_verify_signature"), &mut body).unwrap();
        assert_eq!(body, v.get("certificate_verify_message")[4..]);
    }

    fn ecdsa_identity() -> Identity {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["t".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap()
    }

    fn rsa_identity() -> Identity {
        Identity::from_pem(
            include_str!("../../tests/data/dtls13-test-rsa2048-cert.pem"),
            include_str!("../../tests/data/dtls13-test-rsa2048-key.pem"),
        )
        .unwrap()
    }

    #[test]
    fn ecdsa_and_rsa_pss_sign_and_verify_and_pkcs1_is_refused() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let hash = [0x42u8; 32];
        for (identity, scheme) in [
            (ecdsa_identity(), SignatureScheme::EcdsaSecp256r1Sha256),
            (rsa_identity(), SignatureScheme::RsaPssRsaeSha256),
        ] {
            let peer = PeerCertificate::parse(&identity.certificate_chain()[0]).unwrap();
            let sig = sign(&identity, scheme, Signer::Client, &hash, &mut rng).unwrap();
            verify(&peer, scheme, Signer::Client, &hash, &sig).unwrap();
            assert_eq!(
                verify(&peer, scheme, Signer::Server, &hash, &sig),
                Err(Dtls13Error::BadSignature),
                "{scheme:?}: the context binds the side"
            );
            assert_eq!(
                verify(&peer, scheme, Signer::Client, &[0x43; 32], &sig),
                Err(Dtls13Error::BadSignature)
            );
        }
        let rsa = rsa_identity();
        assert!(sign(
            &rsa,
            SignatureScheme::RsaPkcs1Sha256,
            Signer::Server,
            &hash,
            &mut rng
        )
        .is_err());
        let peer = PeerCertificate::parse(&rsa.certificate_chain()[0]).unwrap();
        let pkcs1 = rsa
            .sign(
                SignatureScheme::RsaPkcs1Sha256,
                &signed_content(Signer::Server, &hash),
                &mut rng,
            )
            .unwrap();
        assert_eq!(
            verify(
                &peer,
                SignatureScheme::RsaPkcs1Sha256,
                Signer::Server,
                &hash,
                &pkcs1
            ),
            Err(Dtls13Error::IllegalParameter(
                "signature scheme in DTLS 1.3"
            ))
        );
        // An ECDSA scheme with the RSA key.
        assert!(verify(
            &peer,
            SignatureScheme::EcdsaSecp256r1Sha256,
            Signer::Server,
            &hash,
            &pkcs1
        )
        .is_err());
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let mut body = Vec::new();
        encode_body(0x0403, &[1, 2, 3], &mut body).unwrap();
        assert_eq!(parse_body(&body).unwrap(), (0x0403, &[1u8, 2, 3][..]));
        for cut in 0..body.len() {
            assert!(parse_body(&body[..cut]).is_err(), "cut {cut}");
        }
        body.push(0);
        assert!(parse_body(&body).is_err());
        assert!(encode_body(0x0403, &vec![0; 65_536], &mut Vec::new()).is_err());
    }
}
