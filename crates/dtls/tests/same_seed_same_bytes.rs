//! Every random value comes from the injected RNG (hello randoms, cookie
//! secret, ECDHE keys, RSA blinding and PSS salts; ECDSA nonces are
//! RFC 6979), so the same seed, identities and inputs give the same
//! datagrams byte for byte, in every key-exchange group and signature
//! scheme, and another seed gives other bytes.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use sansrtc_dtls::{CipherSuite, Identity, NamedGroup, SignatureScheme};

fn datagrams(
    client: &Arc<Identity>,
    server: &Arc<Identity>,
    seed: u64,
    adjust: &dyn Fn(&mut sansrtc_dtls::DtlsConfig),
) -> Vec<(bool, Vec<u8>)> {
    let (mut c, mut s) = configs(client.clone(), server.clone());
    adjust(&mut c);
    adjust(&mut s);
    let mut p = Pair::new(c, s, seed);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "seed {seed}");
    p.sent
}

fn check(
    client: &Arc<Identity>,
    server: &Arc<Identity>,
    adjust: &dyn Fn(&mut sansrtc_dtls::DtlsConfig),
) {
    let first = datagrams(client, server, 3, adjust);
    assert_eq!(first, datagrams(client, server, 3, adjust));
    assert_ne!(first, datagrams(client, server, 4, adjust));
}

#[test]
fn ecdsa_with_x25519_and_with_p256() {
    let (a, b) = (ecdsa_identity(), ecdsa_identity());
    check(&a, &b, &|_| {});
    check(&a, &b, &|c| c.groups = vec![NamedGroup::Secp256r1]);
}

#[test]
fn rsa_with_pss_and_with_pkcs1() {
    let dir = scratch("same_seed_same_bytes");
    let (cert, key) = openssl_cert(&dir, "rsa");
    let rsa = pem_identity(&cert, &key);
    let rsa_only = |c: &mut sansrtc_dtls::DtlsConfig| {
        c.cipher_suites = vec![CipherSuite::EcdheRsaAes128GcmSha256];
    };
    check(&rsa, &rsa, &rsa_only);
    check(&rsa, &rsa, &|c| {
        rsa_only(c);
        c.signature_schemes = vec![SignatureScheme::RsaPkcs1Sha256];
    });
}
