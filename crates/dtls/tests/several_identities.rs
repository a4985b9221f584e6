//! Several local identities (the W3C `certificates` list): each side
//! authenticates with the first identity the peer accepts and reports its
//! index; when none fits, the handshake fails with a typed error.

mod common;

use std::slice::from_ref;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use sansrtc_dtls::{
    CipherSuite, DtlsConfig, DtlsEndpoint, DtlsError, HashAlgorithm, Identity, Role,
    SignatureScheme,
};

/// A fresh RSA 2048 identity (ring cannot generate RSA keys: openssl does).
fn rsa_identity(name: &str) -> Arc<Identity> {
    let dir = scratch(name);
    let (cert, key) = openssl_cert(&dir, "rsa");
    pem_identity(&cert, &key)
}

/// A config for `ids` in preference order that expects any of `peer`'s
/// fingerprints (an SDP lists one `a=fingerprint` per certificate).
fn config(ids: &[Arc<Identity>], peer: &[Arc<Identity>]) -> DtlsConfig {
    let mut c = DtlsConfig::with_identities(ids.iter().cloned()).unwrap();
    // The choice among identities by cipher suite is DTLS 1.2's; a DTLS
    // 1.3 connection authenticates with the first identity.
    c.max_version = sansrtc_dtls::DtlsVersion::Dtls12;
    c.expected_fingerprints = peer
        .iter()
        .map(|id| id.fingerprint(HashAlgorithm::Sha256).unwrap())
        .collect();
    c
}

const ECDSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::EcdheEcdsaAes128GcmSha256,
    CipherSuite::EcdheEcdsaAes256GcmSha384,
    CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
];
const RSA_SCHEMES: [SignatureScheme; 2] = [
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPkcs1Sha256,
];

/// Runs a handshake on a perfect link.
fn handshake(c: DtlsConfig, s: DtlsConfig) -> Pair {
    let mut p = Pair::new(c, s, 7);
    p.run(Duration::from_secs(10), &mut perfect);
    p
}

/// The index each side reports and the fingerprint each saw of the other.
fn local_index(ep: &DtlsEndpoint) -> Option<usize> {
    ep.connection().unwrap().local_certificate_index
}

fn seen_by(ep: &DtlsEndpoint) -> String {
    ep.connection().unwrap().peer_fingerprint.to_string()
}

fn fp(id: &Identity) -> String {
    id.fingerprint(HashAlgorithm::Sha256).unwrap().to_string()
}

#[test]
fn a_single_identity_reports_index_zero_on_both_sides() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let p = handshake(c, s);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.client), Some(0));
    assert_eq!(local_index(&p.server), Some(0));
}

#[test]
fn server_rsa_then_ecdsa_uses_ecdsa_for_an_ecdsa_only_client() {
    let (rsa, ecdsa, client) = (rsa_identity("srv-re"), ecdsa_identity(), ecdsa_identity());
    let servers = [rsa.clone(), ecdsa.clone()];
    let mut c = config(from_ref(&client), &servers);
    c.cipher_suites = ECDSA_SUITES.to_vec();
    let s = config(&servers, &[client]);
    let p = handshake(c, s);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.server), Some(1));
    assert_eq!(seen_by(&p.client), fp(&ecdsa));
    let suite = p.client.connection().unwrap().cipher_suite;
    assert!(
        matches!(suite, sansrtc_dtls::NegotiatedCipherSuite::Dtls12(s) if s.is_ecdsa()),
        "{suite:?}"
    );

    // A client offering every suite gets the server's preferred (RSA) one.
    let client = ecdsa_identity();
    let c = config(from_ref(&client), &servers);
    let p = handshake(c, config(&servers, &[client]));
    assert!(p.connected(), "{:?}", p.client_events);
    assert_eq!(local_index(&p.server), Some(0));
    assert_eq!(seen_by(&p.client), fp(&rsa));
    assert_eq!(
        p.client.connection().unwrap().cipher_suite,
        CipherSuite::EcdheRsaAes128GcmSha256
    );
}

#[test]
fn server_ecdsa_then_rsa_uses_rsa_for_an_rsa_only_client() {
    let (ecdsa, rsa, client) = (ecdsa_identity(), rsa_identity("srv-er"), ecdsa_identity());
    let servers = [ecdsa, rsa.clone()];
    let mut c = config(from_ref(&client), &servers);
    c.cipher_suites = vec![CipherSuite::EcdheRsaAes128GcmSha256];
    let p = handshake(c, config(&servers, &[client]));
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.server), Some(1));
    assert_eq!(local_index(&p.client), Some(0));
    assert_eq!(seen_by(&p.client), fp(&rsa));
    assert_eq!(
        p.client.connection().unwrap().cipher_suite,
        CipherSuite::EcdheRsaAes128GcmSha256
    );
}

#[test]
fn the_server_skips_an_identity_the_client_offers_no_signature_scheme_for() {
    // Every suite is offered, but only RSA signatures: the ECDSA identity
    // fits a suite and still cannot sign a ServerKeyExchange.
    let (ecdsa, rsa) = (ecdsa_identity(), rsa_identity("srv-scheme"));
    let client = rsa_identity("cli-scheme");
    let servers = [ecdsa, rsa.clone()];
    let mut c = config(from_ref(&client), &servers);
    c.signature_schemes = RSA_SCHEMES.to_vec();
    let p = handshake(c, config(&servers, &[client]));
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.server), Some(1));
    assert_eq!(seen_by(&p.client), fp(&rsa));
}

#[test]
fn a_client_uses_the_identity_whose_signature_family_the_server_requests() {
    let (ecdsa, rsa) = (ecdsa_identity(), rsa_identity("cli-two"));
    // The server asks for ECDSA signatures only (its CertificateRequest
    // lists its own schemes); the client prefers RSA.
    let server = ecdsa_identity();
    let clients = [rsa.clone(), ecdsa.clone()];
    let mut s = config(from_ref(&server), &clients);
    s.signature_schemes = vec![SignatureScheme::EcdsaSecp256r1Sha256];
    let p = handshake(config(&clients, &[server]), s);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.client), Some(1));
    assert_eq!(seen_by(&p.server), fp(&ecdsa));

    // And the other way round: RSA signatures only, the client prefers ECDSA.
    let server = rsa_identity("srv-two");
    let clients = [ecdsa, rsa.clone()];
    let mut s = config(from_ref(&server), &clients);
    s.signature_schemes = RSA_SCHEMES.to_vec();
    let p = handshake(config(&clients, &[server]), s);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(local_index(&p.client), Some(1));
    assert_eq!(seen_by(&p.server), fp(&rsa));
}

#[test]
fn no_server_identity_fitting_a_common_suite_fails_with_no_common_cipher_suite() {
    let client = ecdsa_identity();
    let servers = [rsa_identity("srv-none"), rsa_identity("srv-none2")];
    let mut c = config(from_ref(&client), &servers);
    c.cipher_suites = ECDSA_SUITES.to_vec();
    let p = handshake(c, config(&servers, &[client]));
    assert!(!p.connected());
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::NoCommonCipherSuite)
    );
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(40)));
}

#[test]
fn no_server_identity_signing_an_offered_scheme_fails_with_no_common_signature_scheme() {
    // ECDSA suites only and RSA signatures only: the ECDSA identity fits
    // the suites but cannot sign, the RSA one signs but fits no suite.
    let client = rsa_identity("cli-none");
    let servers = [ecdsa_identity(), rsa_identity("srv-none3")];
    let mut c = config(from_ref(&client), &servers);
    c.cipher_suites = ECDSA_SUITES.to_vec();
    c.signature_schemes = RSA_SCHEMES.to_vec();
    let p = handshake(c, config(&servers, &[client]));
    assert!(!p.connected());
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::NoCommonSignatureScheme)
    );
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(40)));
}

#[test]
fn no_client_identity_the_server_requests_fails_with_no_common_signature_scheme() {
    let server = ecdsa_identity();
    let clients = [rsa_identity("cli-none2"), rsa_identity("cli-none3")];
    let mut s = config(from_ref(&server), &clients);
    s.signature_schemes = vec![SignatureScheme::EcdsaSecp256r1Sha256];
    let p = handshake(config(&clients, &[server]), s);
    assert!(!p.connected());
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::NoCommonSignatureScheme)
    );
    assert_eq!(failure(&p.server_events), Some(&DtlsError::PeerAlert(40)));
}

#[test]
fn a_server_config_is_accepted_when_any_identity_fits_its_suites() {
    let mut rng =
        <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(1);
    let rsa = rsa_identity("srv-cfg");
    let client = [ecdsa_identity()];
    let mut only_rsa = config(std::slice::from_ref(&rsa), &client);
    only_rsa.cipher_suites = ECDSA_SUITES.to_vec();
    assert_eq!(
        DtlsEndpoint::new(Role::Server, only_rsa, &mut rng).err(),
        Some(DtlsError::NoCommonCipherSuite)
    );
    let mut both = config(&[rsa, ecdsa_identity()], &client);
    both.cipher_suites = ECDSA_SUITES.to_vec();
    assert!(DtlsEndpoint::new(Role::Server, both.clone(), &mut rng).is_ok());
    // An identity must also sign with one of the configured schemes.
    both.signature_schemes = RSA_SCHEMES.to_vec();
    assert_eq!(
        DtlsEndpoint::new(Role::Server, both, &mut rng).err(),
        Some(DtlsError::NoCommonSignatureScheme)
    );
    assert_eq!(
        DtlsConfig::with_identities([]).err(),
        Some(DtlsError::InvalidIdentity("no identity"))
    );
}
