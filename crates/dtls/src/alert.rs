//! Alerts (RFC 5246 §7.2) and which one each error sends.

use crate::error::DtlsError;

pub(crate) const WARNING: u8 = 1;
pub(crate) const FATAL: u8 = 2;
pub(crate) const CLOSE_NOTIFY: u8 = 0;
pub(crate) const NO_RENEGOTIATION: u8 = 100;

/// The fatal alert description for an error, or `None` when no alert is
/// sent (the peer's own alert, a timeout).
pub(crate) fn description_for(e: &DtlsError) -> Option<u8> {
    use DtlsError::*;
    Some(match e {
        PeerAlert(_) | HandshakeTimeout | Closed => return None,
        Decode(_) => 50,
        UnexpectedMessage(_) => 10,
        ProtocolVersion => 70,
        NoCommonCipherSuite
        | NoCommonGroup
        | NoCommonSignatureScheme
        | ExtendedMasterSecretRequired
        | BadRenegotiationInfo
        | MissingCertificate => 40,
        IllegalParameter(_) | KeyAgreement | Downgrade => 47,
        BadCertificate(_) | FingerprintMismatch | CertificateNotYetValid => 42,
        CertificateExpired => 45,
        BadSignature | BadFinished => 51,
        TooLarge(_) => 22,
        _ => 80,
    })
}
