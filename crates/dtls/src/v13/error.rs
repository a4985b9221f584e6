//! The error of the DTLS 1.3 building blocks. It stays separate from
//! [`crate::DtlsError`] until the 1.3 handshake machine lands; every
//! variant maps onto one of DtlsError's causes then.

/// What can go wrong in the DTLS 1.3 record layer, key schedule or key
/// exchange. One variant per cause; none carries peer bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Dtls13Error {
    /// A record, header, message or key share is malformed.
    #[error("malformed {0}")]
    Decode(&'static str),
    /// A peer-controlled or caller-given size exceeds a bound.
    #[error("too large: {0}")]
    TooLarge(&'static str),
    /// A record failed authentication (wrong key, tampered, or forged).
    #[error("record failed AEAD authentication")]
    BadRecordMac,
    /// The record carries a connection ID, which we never negotiate.
    #[error("record carries a connection ID that was not negotiated")]
    UnexpectedConnectionId,
    /// A sequence number or epoch would wrap or exceed its limit.
    #[error("sequence number or epoch exhausted")]
    Exhausted,
    /// The peer's key share is invalid (wrong length, invalid point,
    /// low-order point, ML-KEM key failing the modulus check).
    #[error("invalid key share: {0}")]
    KeyShare(&'static str),
    /// A CertificateVerify signature does not verify.
    #[error("bad CertificateVerify signature")]
    BadSignature,
    /// The peer used a parameter this version does not allow (e.g. an
    /// RSA PKCS#1 v1.5 CertificateVerify).
    #[error("illegal parameter: {0}")]
    IllegalParameter(&'static str),
    /// Signing failed in the crypto library.
    #[error("signing failed")]
    Signing,
    /// The crypto library refused a key (wrong length for the suite).
    #[error("crypto library rejected {0}")]
    Crypto(&'static str),
}

impl From<crate::DtlsError> for Dtls13Error {
    /// The shared TLS vector reader (`crate::codec::Reader`) reports
    /// `DtlsError::Decode`; its causes carry over.
    fn from(e: crate::DtlsError) -> Self {
        match e {
            crate::DtlsError::Decode(what) => Dtls13Error::Decode(what),
            crate::DtlsError::TooLarge(what) => Dtls13Error::TooLarge(what),
            _ => Dtls13Error::Decode("message"),
        }
    }
}

impl From<Dtls13Error> for crate::DtlsError {
    /// Each 1.3 cause onto the 1.2 error the endpoint reports (and whose
    /// alert it sends).
    fn from(e: Dtls13Error) -> Self {
        use crate::DtlsError as E;
        match e {
            Dtls13Error::Decode(what) => E::Decode(what),
            Dtls13Error::TooLarge(what) => E::TooLarge(what),
            Dtls13Error::BadRecordMac => E::Decode("record authentication"),
            Dtls13Error::UnexpectedConnectionId => E::Decode("connection ID"),
            Dtls13Error::Exhausted => E::TooLarge("sequence number"),
            Dtls13Error::KeyShare(_) => E::KeyAgreement,
            Dtls13Error::BadSignature => E::BadSignature,
            Dtls13Error::IllegalParameter(what) => E::IllegalParameter(what),
            Dtls13Error::Signing => E::Signing,
            Dtls13Error::Crypto(what) => E::InvalidIdentity(what),
        }
    }
}
