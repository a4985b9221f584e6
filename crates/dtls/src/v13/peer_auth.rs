//! Certificate authentication in the 1.3 handshake, both roles: our
//! Certificate and CertificateVerify, and the checks of the peer's (the
//! expected fingerprints of `DtlsConfig`, validity, the signature).

use rand_core::CryptoRngCore;

use super::certificate_message::CertificateMessage;
use super::certificate_verify::{self, Signer};
use crate::config::DtlsConfig;
use crate::error::DtlsError;
use crate::identity::Identity;
use crate::peer::PeerCertificate;
use crate::suite::SignatureScheme;

/// The signature schemes we offer and accept in 1.3 (no PKCS#1 v1.5).
pub(crate) const OFFERED_SIGNATURE_SCHEMES: [SignatureScheme; 2] = [
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::RsaPssRsaeSha256,
];

/// The codes of [`OFFERED_SIGNATURE_SCHEMES`].
pub(crate) fn offered_scheme_codes() -> Vec<u16> {
    OFFERED_SIGNATURE_SCHEMES.iter().map(|s| s.id()).collect()
}

/// The scheme our identity signs with, if the peer accepts it.
pub(crate) fn choose_scheme(
    identity: &Identity,
    peer_accepts: &[u16],
) -> Result<SignatureScheme, DtlsError> {
    OFFERED_SIGNATURE_SCHEMES
        .into_iter()
        .find(|s| identity.can_sign(*s) && peer_accepts.contains(&s.id()))
        .ok_or(DtlsError::NoCommonSignatureScheme)
}

/// Our Certificate body (with `context`).
pub(crate) fn certificate_body(identity: &Identity, context: &[u8]) -> Result<Vec<u8>, DtlsError> {
    Ok(CertificateMessage {
        request_context: context.to_vec(),
        certificates: identity.certificate_chain().to_vec(),
    }
    .encode()?)
}

/// Our CertificateVerify body over `transcript_hash`.
pub(crate) fn certificate_verify_body(
    identity: &Identity,
    scheme: SignatureScheme,
    signer: Signer,
    transcript_hash: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, DtlsError> {
    let signature = certificate_verify::sign(identity, scheme, signer, transcript_hash, rng)?;
    let mut body = Vec::new();
    certificate_verify::encode_body(scheme.id(), &signature, &mut body)?;
    Ok(body)
}

/// The peer's Certificate: a leaf that matches an expected fingerprint
/// (else `FingerprintMismatch`), parses, and is valid at
/// `DtlsConfig::unix_time` if set. Returns it and the chain.
pub(crate) fn check_peer_certificate(
    config: &DtlsConfig,
    expected_context: &[u8],
    body: &[u8],
) -> Result<(PeerCertificate, Vec<Vec<u8>>), DtlsError> {
    let message = CertificateMessage::parse(body)?;
    if message.request_context != expected_context {
        return Err(DtlsError::IllegalParameter("certificate_request_context"));
    }
    let chain = message.certificates;
    let leaf = chain.first().ok_or(DtlsError::MissingCertificate)?;
    if chain.iter().map(Vec::len).sum::<usize>() > config.max_certificate_chain {
        return Err(DtlsError::TooLarge("certificate chain"));
    }
    if !config.accepts_peer_leaf(leaf) {
        return Err(DtlsError::FingerprintMismatch);
    }
    let peer = PeerCertificate::parse(leaf)?;
    if let Some(now) = config.unix_time {
        peer.check_validity(now)?;
    }
    Ok((peer, chain))
}

/// Checks the peer's CertificateVerify body against `transcript_hash`.
pub(crate) fn check_certificate_verify(
    peer: &PeerCertificate,
    signer: Signer,
    transcript_hash: &[u8],
    body: &[u8],
) -> Result<(), DtlsError> {
    let (code, signature) = certificate_verify::parse_body(body)?;
    let scheme = OFFERED_SIGNATURE_SCHEMES
        .into_iter()
        .find(|s| s.id() == code)
        .ok_or(DtlsError::IllegalParameter(
            "signature scheme we did not offer",
        ))?;
    Ok(certificate_verify::verify(
        peer,
        scheme,
        signer,
        transcript_hash,
        signature,
    )?)
}
