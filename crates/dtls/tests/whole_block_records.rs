//! Records sealed as whole 16-byte cipher blocks: DTLS 1.3 pads a
//! record's inner plaintext with zeros to whole blocks when the padded
//! record still fits the MTU (RFC 8446 §5.4), and
//! `max_whole_block_application_data` is the largest payload sent so, for
//! both versions; the receiver strips the padding.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{DtlsEvent, DtlsVersion, Tls13CipherSuite};
use sansrtc_proto::Output;

/// The unified header (5) and the tag (16) around the inner plaintext.
const AROUND_INNER: usize = 5 + 16;

fn connected(version: DtlsVersion, mtu: usize, suite: Option<Tls13CipherSuite>) -> Pair {
    let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    (c.max_version, s.max_version) = (version, version);
    (c.mtu, s.mtu) = (mtu, mtu);
    if let Some(suite) = suite {
        c.dtls13_cipher_suites = vec![suite];
    }
    let mut p = Pair::new(c, s, 4);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{:?}", p.client_events);
    p
}

/// Sends `len` bytes from the client; returns the datagram, after checking
/// that the server reads the payload back.
fn round_trip(p: &mut Pair, len: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8 + 1).collect();
    p.client.send_application_data(&payload).unwrap();
    let Output::Transmit(datagram) = p.client.poll_output() else {
        panic!("no datagram");
    };
    p.server.handle_receive(p.now, &datagram);
    assert_eq!(
        p.server.poll_output(),
        Output::Event(DtlsEvent::ApplicationData(payload)),
        "{len}"
    );
    datagram
}

#[test]
fn dtls13_records_are_whole_blocks_whenever_the_padding_fits() {
    for suite in Tls13CipherSuite::ALL {
        for mtu in [300, 1200] {
            let mut p = connected(DtlsVersion::Dtls13, mtu, Some(suite));
            let whole = p.client.max_whole_block_application_data();
            // The largest payload whose inner plaintext, padded, fits.
            assert_eq!(whole, (mtu - AROUND_INNER) / 16 * 16 - 1, "{mtu}");
            assert!(whole <= p.client.max_application_data());
            for len in
                (0..=p.client.max_application_data()).filter(|l| l % 7 == 0 || *l >= whole - 20)
            {
                let datagram = round_trip(&mut p, len);
                assert!(datagram.len() <= mtu, "{suite:?} {mtu} {len}");
                let inner = datagram.len() - AROUND_INNER;
                if len <= whole {
                    assert_eq!(inner % 16, 0, "{suite:?} {mtu} {len}: not padded");
                    assert!(inner - (len + 1) < 16, "{len}: padded more than a block");
                } else {
                    assert_eq!(inner, len + 1, "{suite:?} {mtu} {len}: padded over the MTU");
                }
            }
        }
    }
}

#[test]
fn dtls12_whole_block_payloads_are_a_multiple_of_the_block() {
    for mtu in [300, 1200] {
        let mut p = connected(DtlsVersion::Dtls12, mtu, None);
        let whole = p.client.max_whole_block_application_data();
        assert_eq!(whole, p.client.max_application_data() / 16 * 16);
        assert_eq!(whole % 16, 0);
        // AES-GCM in DTLS 1.2: header 13, explicit nonce 8, tag 16; the
        // ciphertext is the payload, whole blocks.
        let datagram = round_trip(&mut p, whole);
        assert_eq!(datagram.len(), whole + 37);
        assert!(datagram.len() <= mtu);
    }
}

#[test]
fn padded_records_open_over_the_owned_path_too() {
    let mut p = connected(DtlsVersion::Dtls13, 1200, None);
    let whole = p.client.max_whole_block_application_data();
    for len in [0, 1, 14, 15, 16, 100, whole] {
        let payload = vec![0u8; len]; // zeros, like the padding after it
        p.client.send_application_data(&payload).unwrap();
        let Output::Transmit(datagram) = p.client.poll_output() else {
            panic!("no datagram");
        };
        assert_eq!((datagram.len() - AROUND_INNER) % 16, 0, "{len}");
        p.server.handle_receive_owned(p.now, datagram);
        assert_eq!(
            p.server.poll_output(),
            Output::Event(DtlsEvent::ApplicationData(payload)),
            "{len}"
        );
    }
}
