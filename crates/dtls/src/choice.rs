//! Which of our identities a handshake uses (the W3C `certificates` list:
//! "the DTLS handshake uses one the peer accepts").
//!
//! Identities are tried in preference order ([`DtlsConfig::identities`]);
//! an identity is judged by its key type (ECDSA or RSA) against what the
//! peer offers. Within an identity, suites and schemes follow our own
//! preference order, as before.

use std::sync::Arc;

use crate::config::{DtlsConfig, Role};
use crate::error::DtlsError;
use crate::identity::Identity;
use crate::messages::CertificateRequest;
use crate::suite::{CipherSuite, SignatureScheme};

/// ClientCertificateType `rsa_sign` (RFC 5246 §7.4.4).
pub(crate) const RSA_SIGN: u8 = 1;
/// ClientCertificateType `ecdsa_sign` (RFC 8422 §5.5).
pub(crate) const ECDSA_SIGN: u8 = 64;

/// The identity a handshake authenticates with, and how it signs.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    /// The identity's index in [`DtlsConfig::identities`].
    pub(crate) index: usize,
    pub(crate) identity: Arc<Identity>,
    /// The ServerKeyExchange or CertificateVerify signature scheme.
    pub(crate) scheme: SignatureScheme,
}

/// Our first suite (our order) that `identity`'s key type authenticates
/// and that is in `offered` (code points).
fn suite_for(config: &DtlsConfig, identity: &Identity, offered: &[u16]) -> Option<CipherSuite> {
    config
        .cipher_suites
        .iter()
        .copied()
        .find(|s| s.is_ecdsa() == identity.is_ecdsa() && offered.contains(&s.id()))
}

/// Our first scheme (our order) that `identity` signs with and that is in
/// `offered` (code points).
fn scheme_for(
    config: &DtlsConfig,
    identity: &Identity,
    offered: &[u16],
) -> Option<SignatureScheme> {
    config
        .signature_schemes
        .iter()
        .copied()
        .find(|s| identity.can_sign(*s) && offered.contains(&s.id()))
}

/// Server: the first identity whose key type fits a suite both sides
/// support and that signs with a scheme the client offers, and that
/// suite. Fails with
/// [`DtlsError::NoCommonCipherSuite`] when no identity fits any common
/// suite, else [`DtlsError::NoCommonSignatureScheme`].
pub(crate) fn server_choice(
    config: &DtlsConfig,
    offered_suites: &[u16],
    offered_schemes: &[u16],
) -> Result<(CipherSuite, Chosen), DtlsError> {
    let mut some_suite_fits = false;
    for (index, identity) in config.identities().enumerate() {
        let Some(suite) = suite_for(config, identity, offered_suites) else {
            continue;
        };
        some_suite_fits = true;
        if let Some(scheme) = scheme_for(config, identity, offered_schemes) {
            let identity = identity.clone();
            let chosen = Chosen {
                index,
                identity,
                scheme,
            };
            return Ok((suite, chosen));
        }
    }
    Err(if some_suite_fits {
        DtlsError::NoCommonSignatureScheme
    } else {
        DtlsError::NoCommonCipherSuite
    })
}

/// Client: the first identity whose certificate type the server's
/// CertificateRequest lists and that signs with one of its signature
/// algorithms, with the CertificateVerify scheme. None fits:
/// [`DtlsError::NoCommonSignatureScheme`].
pub(crate) fn client_choice(
    config: &DtlsConfig,
    request: &CertificateRequest,
) -> Result<Chosen, DtlsError> {
    config
        .identities()
        .enumerate()
        .find_map(|(index, identity)| {
            let cert_type = if identity.is_ecdsa() {
                ECDSA_SIGN
            } else {
                RSA_SIGN
            };
            if !request.cert_types.contains(&cert_type) {
                return None;
            }
            let scheme = scheme_for(config, identity, &request.schemes)?;
            Some(Chosen {
                index,
                identity: identity.clone(),
                scheme,
            })
        })
        .ok_or(DtlsError::NoCommonSignatureScheme)
}

/// Refuses a configuration that can never complete a handshake: a server
/// none of whose identities fits one of its suites and signs with one of
/// its schemes, a client without suites or with no identity that signs
/// with one of its schemes, either without groups.
pub(crate) fn check_config(role: Role, config: &DtlsConfig) -> Result<(), DtlsError> {
    if config.min_version > config.max_version {
        return Err(DtlsError::EmptyVersionRange);
    }
    if config.allows(crate::DtlsVersion::Dtls13) {
        if config.dtls13_cipher_suites.is_empty() {
            return Err(DtlsError::NoCommonCipherSuite);
        }
        if config.dtls13_groups.is_empty() {
            return Err(DtlsError::NoCommonGroup);
        }
    }
    let fits_suite = |id: &Identity| {
        config
            .cipher_suites
            .iter()
            .any(|s| s.is_ecdsa() == id.is_ecdsa())
    };
    let signs = |id: &Identity| config.signature_schemes.iter().any(|s| id.can_sign(*s));
    let suites_ok = match role {
        Role::Client => !config.cipher_suites.is_empty(),
        Role::Server => config.identities().any(|id| fits_suite(id)),
    };
    if !suites_ok {
        return Err(DtlsError::NoCommonCipherSuite);
    }
    if config.groups.is_empty() {
        return Err(DtlsError::NoCommonGroup);
    }
    let usable = match role {
        Role::Client => config.identities().any(|id| signs(id)),
        Role::Server => config.identities().any(|id| fits_suite(id) && signs(id)),
    };
    if !usable {
        return Err(DtlsError::NoCommonSignatureScheme);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecdsa() -> Arc<Identity> {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["t".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
    }

    #[test]
    fn the_first_fitting_identity_wins_and_misfits_are_typed_errors() {
        let config = DtlsConfig::with_identities([ecdsa(), ecdsa()]).unwrap();
        let ecdsa_suite = CipherSuite::EcdheEcdsaAes128GcmSha256.id();
        let ecdsa_scheme = SignatureScheme::EcdsaSecp256r1Sha256.id();
        let rsa_scheme = SignatureScheme::RsaPssRsaeSha256.id();
        let rsa_suite = CipherSuite::EcdheRsaAes128GcmSha256.id();
        let (suite, c) = server_choice(&config, &[ecdsa_suite], &[ecdsa_scheme]).unwrap();
        assert_eq!((suite.id(), c.index), (ecdsa_suite, 0));
        assert!(Arc::ptr_eq(&c.identity, &config.identity));
        let index_and_scheme = |r: Result<Chosen, DtlsError>| r.map(|c| (c.index, c.scheme));
        assert_eq!(
            server_choice(&config, &[rsa_suite], &[ecdsa_scheme]).map(|_| ()),
            Err(DtlsError::NoCommonCipherSuite)
        );
        assert_eq!(
            server_choice(&config, &[ecdsa_suite], &[rsa_scheme]).map(|_| ()),
            Err(DtlsError::NoCommonSignatureScheme)
        );
        let ask = |cert_types: Vec<u8>, schemes: Vec<u16>| CertificateRequest {
            cert_types,
            schemes,
        };
        let both = vec![ECDSA_SIGN, RSA_SIGN];
        assert_eq!(
            index_and_scheme(client_choice(
                &config,
                &ask(both.clone(), vec![rsa_scheme, ecdsa_scheme])
            )),
            Ok((0, SignatureScheme::EcdsaSecp256r1Sha256))
        );
        // An ECDSA scheme is not enough when only RSA certificates are asked for.
        assert_eq!(
            index_and_scheme(client_choice(
                &config,
                &ask(vec![RSA_SIGN], vec![ecdsa_scheme])
            )),
            Err(DtlsError::NoCommonSignatureScheme)
        );
        assert_eq!(
            index_and_scheme(client_choice(&config, &ask(both, vec![rsa_scheme]))),
            Err(DtlsError::NoCommonSignatureScheme)
        );
    }

    #[test]
    fn configurations_that_cannot_handshake_are_refused() {
        let mut config = DtlsConfig::with_identities([ecdsa(), ecdsa()]).unwrap();
        assert_eq!(check_config(Role::Server, &config), Ok(()));
        config.cipher_suites = vec![CipherSuite::EcdheRsaAes128GcmSha256];
        assert_eq!(
            check_config(Role::Server, &config),
            Err(DtlsError::NoCommonCipherSuite)
        );
        // A client's suites are about the server's certificate.
        assert_eq!(check_config(Role::Client, &config), Ok(()));
        config.signature_schemes = vec![SignatureScheme::RsaPkcs1Sha256];
        assert_eq!(
            check_config(Role::Client, &config),
            Err(DtlsError::NoCommonSignatureScheme)
        );
        assert!(DtlsConfig::with_identities([]).is_err());
    }
}
