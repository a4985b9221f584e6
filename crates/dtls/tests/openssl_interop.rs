//! Interop with the `openssl` command line (OpenSSL 3): our client against
//! `openssl s_server -dtls1_2`, our server against `openssl s_client
//! -dtls1_2`, with ECDSA and RSA certificates, every suite OpenSSL offers
//! of ours, both groups, the three signature schemes; the exported
//! DTLS-SRTP keying material must equal what OpenSSL prints, and
//! application data flows both ways. Also: which of several local
//! identities OpenSSL's offers select.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::udp::{free_port, OpenSsl, UdpDriver};
use common::*;
use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{
    CipherSuite, DtlsConfig, DtlsEndpoint, DtlsEvent, HashAlgorithm, NamedGroup, Role,
    SignatureScheme, SrtpKeyingMaterial, SrtpProfile, DTLS_SRTP_LABEL,
};

struct Case {
    /// OpenSSL's flags beyond the common ones.
    extra: Vec<&'static str>,
    /// Our MTU, when not the default.
    mtu: Option<usize>,
    kind: &'static str,
    suite: CipherSuite,
    group: NamedGroup,
    schemes: Vec<SignatureScheme>,
    srtp: SrtpProfile,
}

fn cases() -> Vec<Case> {
    let ec = vec![SignatureScheme::EcdsaSecp256r1Sha256];
    let mut v = Vec::new();
    for suite in [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
    ] {
        v.push(Case {
            extra: vec![],
            mtu: None,
            kind: "ec",
            suite,
            group: NamedGroup::X25519,
            schemes: ec.clone(),
            srtp: SrtpProfile::AeadAes128Gcm,
        });
    }
    v.push(Case {
        extra: vec![],
        mtu: None,
        kind: "ec",
        suite: CipherSuite::EcdheEcdsaAes128GcmSha256,
        group: NamedGroup::Secp256r1,
        schemes: ec.clone(),
        srtp: SrtpProfile::Aes128CmHmacSha1_80,
    });
    for schemes in [
        vec![
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ],
        vec![
            SignatureScheme::RsaPkcs1Sha256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ],
    ] {
        v.push(Case {
            extra: vec![],
            mtu: None,
            kind: "rsa",
            suite: CipherSuite::EcdheRsaAes128GcmSha256,
            group: NamedGroup::X25519,
            schemes,
            srtp: SrtpProfile::AeadAes256Gcm,
        });
    }
    v.push(Case {
        extra: vec![],
        mtu: None,
        kind: "ec",
        suite: CipherSuite::EcdheEcdsaAes128GcmSha256,
        group: NamedGroup::X25519,
        schemes: ec,
        srtp: SrtpProfile::Aes128CmHmacSha1_32,
    });
    // Small MTUs on both sides: every flight is fragmented (an RSA
    // certificate does not fit 300 bytes) and reassembled by each side.
    v.push(Case {
        extra: vec!["-mtu", "300"],
        mtu: Some(300),
        kind: "rsa",
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        group: NamedGroup::X25519,
        schemes: vec![
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ],
        srtp: SrtpProfile::AeadAes128Gcm,
    });
    v
}

/// OpenSSL's groups: an ECDSA P-256 certificate needs P-256 in
/// supported_groups under TLS 1.2 (RFC 8422 §5.1.1), so X25519 cases list both.
fn group_name(g: NamedGroup) -> &'static str {
    match g {
        NamedGroup::X25519 => "X25519:P-256",
        _ => "P-256",
    }
}

fn common_args(case: &Case, cert: &Path, key: &Path) -> Vec<String> {
    let export_len = SrtpKeyingMaterial::export_len(case.srtp);
    [
        "-dtls1_2",
        "-cert",
        cert.to_str().unwrap(),
        "-key",
        key.to_str().unwrap(),
        "-cipher",
        case.suite.openssl_name(),
        "-groups",
        group_name(case.group),
        "-use_srtp",
        case.srtp.name(),
        "-keymatexport",
        DTLS_SRTP_LABEL,
        "-keymatexportlen",
        &export_len.to_string(),
    ]
    .iter()
    .chain(case.extra.iter())
    .map(|s| s.to_string())
    .collect()
}

fn our_config(case: &Case, dir: &Path, peer_cert: &Path) -> DtlsConfig {
    // Our own identity is ECDSA; the peer's is `case.kind`.
    let (cert, key) = openssl_cert(dir, "ours-ec");
    let mut cfg = DtlsConfig::new(pem_identity(&cert, &key));
    let peer_der = pem::parse(std::fs::read_to_string(peer_cert).unwrap())
        .unwrap()
        .into_contents();
    cfg.expected_fingerprints =
        vec![sansrtc_dtls::fingerprint_of(HashAlgorithm::Sha256, &peer_der).unwrap()];
    cfg.cipher_suites = vec![case.suite];
    cfg.groups = match case.group {
        NamedGroup::X25519 => NamedGroup::ALL.to_vec(),
        g => vec![g],
    };
    cfg.signature_schemes = case.schemes.clone();
    cfg.srtp_profiles = vec![case.srtp, SrtpProfile::Aes128CmHmacSha1_80];
    cfg.initial_retransmit_timeout = Duration::from_millis(200);
    if let Some(m) = case.mtu {
        cfg.mtu = m;
    }
    cfg
}

fn check_connected(d: &mut UdpDriver, case: &Case, ossl: &OpenSsl) {
    let info = d.ep.connection().unwrap();
    assert_eq!(info.cipher_suite, case.suite);
    assert_eq!(info.group, case.group);
    assert_eq!(info.srtp_profile, Some(case.srtp));
    assert!(info.extended_master_secret);
    let ours =
        d.ep.export_keying_material(
            DTLS_SRTP_LABEL,
            None,
            SrtpKeyingMaterial::export_len(case.srtp),
        )
        .unwrap();
    let ours_hex = hex::encode_upper(ours);
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while ossl.keying_material().is_none() && std::time::Instant::now() < end {
        d.step();
    }
    assert_eq!(
        ossl.keying_material().as_deref(),
        Some(ours_hex.as_str()),
        "{:?} {:?}\n{}",
        d.events,
        d.ep.stats(),
        ossl.text()
    );
}

/// `openssl s_server` on 127.0.0.1:`port` with the case's common flags.
fn s_server_args(port: u16, case: &Case, cert: &Path, key: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "s_server".into(),
        "-accept".into(),
        format!("127.0.0.1:{port}"),
    ];
    args.extend(common_args(case, cert, key));
    args
}

/// `openssl s_client` to 127.0.0.1:`port` with the case's common flags.
fn s_client_args(port: u16, case: &Case, cert: &Path, key: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "s_client".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
    ];
    args.extend(common_args(case, cert, key));
    args
}

/// Steps `d` until its handshake with OpenSSL ends or `limit` passes, and
/// asserts it connected; a failure names `what` and shows OpenSSL's output.
fn handshake(d: &mut UdpDriver, ossl: &OpenSsl, limit: Duration, what: &str) {
    let ok = d.run_until(limit, |d| d.ep.is_connected() || d.ep.is_closed());
    assert!(
        ok && d.ep.is_connected(),
        "{what}: {:?} {:?}\n{}",
        d.events,
        d.ep.stats(),
        ossl.text()
    );
}

fn exchange_data(d: &mut UdpDriver, ossl: &mut OpenSsl) {
    d.ep.send_application_data(b"hello-from-sansrtc\n").unwrap();
    ossl.send_line("hello-from-openssl");
    let got = d.run_until(Duration::from_secs(5), |d| {
        d.events.iter().any(
            |e| matches!(e, DtlsEvent::ApplicationData(x) if x.starts_with(b"hello-from-openssl")),
        )
    });
    assert!(got, "no data from openssl: {:?}\n{}", d.events, ossl.text());
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while !ossl.text().contains("hello-from-sansrtc") && std::time::Instant::now() < end {
        d.step();
    }
    assert!(
        ossl.text().contains("hello-from-sansrtc"),
        "{}",
        ossl.text()
    );
}

#[test]
fn our_client_against_openssl_s_server() {
    let dir = scratch("interop-client");
    for (i, case) in cases().iter().enumerate() {
        let (cert, key) = openssl_cert(&dir, case.kind);
        let port = free_port();
        let mut args = s_server_args(port, case, &cert, &key);
        args.extend(["-verify".into(), "1".into(), "-naccept".into(), "1".into()]);
        if i % 2 == 1 {
            // DTLSv1_listen: OpenSSL's HelloVerifyRequest cookie exchange.
            args.push("-listen".into());
        }
        let mut ossl = OpenSsl::spawn(&args);
        let cfg = our_config(case, &dir, &cert);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(i as u64);
        let ep = DtlsEndpoint::new(Role::Client, cfg, &mut rng).unwrap();
        let peer: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut d = UdpDriver::new(ep, "127.0.0.1:0", Some(peer));
        d.ep.start(std::time::Instant::now());
        let what = format!("{} {:?}", case.kind, case.suite);
        handshake(&mut d, &ossl, Duration::from_secs(10), &what);
        check_connected(&mut d, case, &ossl);
        exchange_data(&mut d, &mut ossl);
        d.ep.close();
        d.step();
    }
}

#[test]
fn openssl_s_client_against_our_server() {
    let dir = scratch("interop-server");
    for (i, case) in cases().iter().enumerate() {
        let (cert, key) = openssl_cert(&dir, case.kind);
        let mut cfg = our_config(case, &dir, &cert);
        // The server's certificate decides the suite family.
        if case.kind == "rsa" {
            let (rc, rk) = openssl_cert(&dir, "ours-rsa");
            cfg.identity = pem_identity(&rc, &rk);
        }
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(100 + i as u64);
        let ep = DtlsEndpoint::new(Role::Server, cfg, &mut rng).unwrap();
        let mut d = UdpDriver::new(ep, "127.0.0.1:0", None);
        let port = d.sock.local_addr().unwrap().port();
        let mut args = s_client_args(port, case, &cert, &key);
        if case.kind == "rsa" {
            let sigalgs = match case.schemes[0] {
                SignatureScheme::RsaPssRsaeSha256 => "rsa_pss_rsae_sha256",
                _ => "RSA+SHA256",
            };
            args.extend(["-sigalgs".into(), format!("{sigalgs}:ECDSA+SHA256")]);
        }
        let mut ossl = OpenSsl::spawn(&args);
        let what = format!("{} {:?}", case.kind, case.suite);
        handshake(&mut d, &ossl, Duration::from_secs(10), &what);
        check_connected(&mut d, case, &ossl);
        exchange_data(&mut d, &mut ossl);
        d.ep.close();
        d.step();
    }
}

/// 15 % loss each way between us and OpenSSL (both roles, a few seeds):
/// our retransmissions and OpenSSL's interleave and the handshake completes.
#[test]
fn handshakes_with_openssl_survive_loss() {
    let dir = scratch("interop-loss");
    let case = &cases()[0];
    let (cert, key) = openssl_cert(&dir, case.kind);
    let mut dropped = 0;
    for seed in 0..3u64 {
        for role in [Role::Client, Role::Server] {
            let cfg = our_config(case, &dir, &cert);
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
            let ep = DtlsEndpoint::new(role, cfg, &mut rng).unwrap();
            let (mut d, ossl) = match role {
                Role::Client => {
                    let port = free_port();
                    let mut args = s_server_args(port, case, &cert, &key);
                    args.extend(["-verify".into(), "1".into()]);
                    let ossl = OpenSsl::spawn(&args);
                    let peer: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
                    let mut d = UdpDriver::new(ep, "127.0.0.1:0", Some(peer));
                    d.ep.start(std::time::Instant::now());
                    (d, ossl)
                }
                Role::Server => {
                    let d = UdpDriver::new(ep, "127.0.0.1:0", None);
                    let port = d.sock.local_addr().unwrap().port();
                    let args = s_client_args(port, case, &cert, &key);
                    (d, OpenSsl::spawn(&args))
                }
            };
            d.loss = Some((rand_chacha::ChaCha20Rng::seed_from_u64(1000 + seed), 0.15));
            let what = format!("{role:?} seed {seed}");
            handshake(&mut d, &ossl, Duration::from_secs(40), &what);
            check_connected(&mut d, case, &ossl);
            dropped += d.dropped;
        }
    }
    assert!(dropped > 0, "the link lost nothing");
}

/// Several identities against OpenSSL choosing: `s_client` offering only
/// the RSA suite gets the second (RSA) identity of our `[ECDSA, RSA]`
/// server; `s_server` requesting only ECDSA client signatures
/// (`-client_sigalgs`) gets the second (ECDSA) identity of our `[RSA,
/// ECDSA]` client, and the first (RSA) one without that restriction;
/// without `-verify` it requests no certificate and our client reports no
/// local identity.
#[test]
fn several_identities_with_openssl() {
    let dir = scratch("interop-identities");
    let (ours_ec, ours_rsa) = (
        openssl_cert(&dir, "multi-ec"),
        openssl_cert(&dir, "multi-rsa"),
    );
    let ec_id = pem_identity(&ours_ec.0, &ours_ec.1);
    let rsa_id = pem_identity(&ours_rsa.0, &ours_rsa.1);
    // (Not "ours-*": `our_config` rewrites those files.) OpenSSL prints
    // the peer's certificate as PEM once connected.
    let pem_of = |path: &Path| std::fs::read_to_string(path).unwrap().trim().to_string();

    // Our server [ECDSA, RSA], s_client with the RSA suite only.
    let case = &cases()[4];
    assert_eq!(case.suite, CipherSuite::EcdheRsaAes128GcmSha256);
    let (cert, key) = openssl_cert(&dir, case.kind);
    let mut cfg = our_config(case, &dir, &cert);
    cfg.identity = ec_id.clone();
    cfg.additional_identities = vec![rsa_id.clone()];
    cfg.cipher_suites = CipherSuite::ALL.to_vec();
    cfg.signature_schemes = SignatureScheme::ALL.to_vec();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(200);
    let ep = DtlsEndpoint::new(Role::Server, cfg, &mut rng).unwrap();
    let mut d = UdpDriver::new(ep, "127.0.0.1:0", None);
    let port = d.sock.local_addr().unwrap().port();
    let mut args = s_client_args(port, case, &cert, &key);
    args.extend(["-sigalgs".into(), "rsa_pss_rsae_sha256".into()]);
    let mut ossl = OpenSsl::spawn(&args);
    handshake(&mut d, &ossl, Duration::from_secs(10), "server [ec, rsa]");
    check_connected(&mut d, case, &ossl);
    assert_eq!(d.ep.connection().unwrap().local_certificate_index, Some(1));
    exchange_data(&mut d, &mut ossl);
    assert!(printed(&ossl, &pem_of(&ours_rsa.0)), "{}", ossl.text());
    d.ep.close();
    d.step();

    // Our client [RSA, ECDSA] against s_server asking for ECDSA client
    // signatures only, for any, and for no certificate.
    let case = &cases()[0];
    let (cert, key) = openssl_cert(&dir, case.kind);
    for (verify, client_sigalgs, expected) in [
        (true, Some("ECDSA+SHA256"), Some(1)),
        (true, None, Some(0)),
        (false, None, None),
    ] {
        let mut cfg = our_config(case, &dir, &cert);
        cfg.identity = rsa_id.clone();
        cfg.additional_identities = vec![ec_id.clone()];
        cfg.signature_schemes = SignatureScheme::ALL.to_vec();
        let port = free_port();
        let mut args = s_server_args(port, case, &cert, &key);
        args.extend(["-naccept".into(), "1".into()]);
        if verify {
            args.extend(["-verify".into(), "1".into()]);
        }
        if let Some(sigalgs) = client_sigalgs {
            args.extend(["-client_sigalgs".into(), sigalgs.into()]);
        }
        let mut ossl = OpenSsl::spawn(&args);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(201);
        let ep = DtlsEndpoint::new(Role::Client, cfg, &mut rng).unwrap();
        let peer: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut d = UdpDriver::new(ep, "127.0.0.1:0", Some(peer));
        d.ep.start(std::time::Instant::now());
        handshake(&mut d, &ossl, Duration::from_secs(10), "client [rsa, ec]");
        check_connected(&mut d, case, &ossl);
        assert_eq!(d.ep.connection().unwrap().local_certificate_index, expected);
        exchange_data(&mut d, &mut ossl);
        // s_server prints the client's certificate on its own schedule:
        // wait (bounded) for the one expected before judging.
        let (rsa_pem, ec_pem) = (pem_of(&ours_rsa.0), pem_of(&ours_ec.0));
        let wanted = match expected {
            Some(0) => Some(&rsa_pem),
            Some(1) => Some(&ec_pem),
            _ => None,
        };
        if let Some(pem) = wanted {
            printed(&ossl, pem);
        }
        let text = ossl.text();
        assert_eq!(text.contains(&rsa_pem), expected == Some(0));
        assert_eq!(text.contains(&ec_pem), expected == Some(1));
        d.ep.close();
        d.step();
    }
}

/// Whether openssl has printed `text`, waiting up to 5 s: it prints the
/// peer's certificate on its own schedule, after the handshake.
fn printed(ossl: &OpenSsl, text: &str) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if ossl.text().contains(text) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
