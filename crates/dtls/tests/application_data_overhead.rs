//! `application_data_overhead` / `max_application_data`: the largest
//! payload they allow fills a datagram to exactly the MTU, for every suite.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{CipherSuite, DtlsEvent, DtlsVersion, Tls13CipherSuite, MAX_PLAINTEXT};
use sansrtc_proto::Output;

#[test]
fn before_the_handshake_the_worst_configured_suite_counts() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.mtu = 1200;
    let p = Pair::new(c.clone(), s.clone(), 1);
    // AES-GCM: 13 header + 8 explicit nonce + 16 tag.
    assert_eq!(p.client.application_data_overhead(), 37);
    assert_eq!(p.client.max_application_data(), 1200 - 37);
    assert_eq!(p.server.max_application_data(), 1200 - 37);
    c.cipher_suites = vec![CipherSuite::EcdheEcdsaChacha20Poly1305Sha256];
    let p = Pair::new(c, s, 1);
    // ChaCha20-Poly1305: no explicit nonce.
    assert_eq!(p.client.application_data_overhead(), 29);
    assert_eq!(
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256.record_overhead(),
        29
    );
    assert_eq!(CipherSuite::EcdheRsaAes128GcmSha256.record_overhead(), 37);
}

#[test]
fn the_largest_allowed_payload_fills_the_mtu_exactly_for_every_suite() {
    let dir = scratch("overhead");
    let (cert, key) = openssl_cert(&dir, "rsa");
    let rsa = pem_identity(&cert, &key);
    for suite in CipherSuite::ALL {
        for mtu in [300, 1200] {
            let server = if suite.is_ecdsa() {
                ecdsa_identity()
            } else {
                rsa.clone()
            };
            let (mut c, mut s) = configs(ecdsa_identity(), server);
            c.max_version = DtlsVersion::Dtls12;
            c.cipher_suites = vec![suite];
            (c.mtu, s.mtu) = (mtu, mtu);
            let mut p = Pair::new(c, s, 2);
            p.run(Duration::from_secs(10), &mut perfect);
            assert!(p.connected(), "{suite:?}: {:?}", p.client_events);
            for ep in [&p.client, &p.server] {
                assert_eq!(ep.application_data_overhead(), suite.record_overhead());
                assert_eq!(ep.max_application_data(), mtu - suite.record_overhead());
            }
            let max = p.client.max_application_data();
            for (len, fits) in [(max, true), (max + 1, false)] {
                let payload = vec![0x5a; len];
                p.client.send_application_data(&payload).unwrap();
                let Output::Transmit(datagram) = p.client.poll_output() else {
                    panic!("no datagram");
                };
                assert_eq!(datagram.len() <= mtu, fits, "{suite:?} {mtu} {len}");
                assert_eq!(datagram.len(), len + suite.record_overhead());
                p.server.handle_receive(p.now, &datagram);
                assert_eq!(
                    p.server.poll_output(),
                    Output::Event(DtlsEvent::ApplicationData(payload))
                );
            }
        }
    }
}

#[test]
fn the_largest_allowed_payload_fills_the_mtu_exactly_in_dtls13() {
    for suite in Tls13CipherSuite::ALL {
        for mtu in [300, 1200] {
            let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
            c.dtls13_cipher_suites = vec![suite];
            (c.mtu, s.mtu) = (mtu, mtu);
            let mut p = Pair::new(c, s, 2);
            p.run(Duration::from_secs(10), &mut perfect);
            assert!(p.connected(), "{suite:?}: {:?}", p.client_events);
            assert_eq!(p.client.connection().unwrap().cipher_suite, suite);
            // Unified header with a 16-bit sequence number and a length
            // (5), the inner content type (1), the tag (16).
            for ep in [&p.client, &p.server] {
                assert_eq!(ep.application_data_overhead(), 22);
                assert_eq!(ep.max_application_data(), mtu - 22);
            }
            let max = p.client.max_application_data();
            for (len, fits) in [(max, true), (max + 1, false)] {
                let payload = vec![0x5a; len];
                p.client.send_application_data(&payload).unwrap();
                let Output::Transmit(datagram) = p.client.poll_output() else {
                    panic!("no datagram");
                };
                assert_eq!(datagram.len() <= mtu, fits, "{suite:?} {mtu} {len}");
                assert_eq!(datagram.len(), len + 22);
                p.server.handle_receive(p.now, &datagram);
                assert_eq!(
                    p.server.poll_output(),
                    Output::Event(DtlsEvent::ApplicationData(payload))
                );
            }
        }
    }
}

#[test]
fn the_limit_never_exceeds_one_record() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.mtu = 65_535;
    let p = Pair::new(c, s, 3);
    assert_eq!(p.client.max_application_data(), MAX_PLAINTEXT);
}
