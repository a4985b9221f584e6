//! `send_application_data_in_place`: a payload built after
//! `application_data_headroom` bytes of room is sealed where it lies, and
//! the datagram is byte for byte the one `send_application_data` makes
//! from a copy, in both versions and every suite (two pairs from the
//! same seed and identities are in the same state). Another headroom
//! falls back to the copy; bad calls are refused. The `seal_` calls
//! return the same datagram instead of queuing it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use sansrtc_dtls::{
    CipherSuite, DtlsConfig, DtlsError, DtlsEvent, DtlsVersion, Identity, Tls13CipherSuite,
};
use sansrtc_proto::Output;

/// How a test connection's configuration differs from the default.
#[derive(Clone, Copy, Debug)]
enum Suite {
    V12(CipherSuite),
    V13(Tls13CipherSuite),
}

fn pair(ids: &(Arc<Identity>, Arc<Identity>), suite: Suite) -> Pair {
    let (mut c, mut s) = configs(ids.0.clone(), ids.1.clone());
    let adjust = |c: &mut DtlsConfig| match suite {
        Suite::V12(suite) => {
            c.max_version = DtlsVersion::Dtls12;
            c.cipher_suites = vec![suite];
        }
        Suite::V13(suite) => c.dtls13_cipher_suites = vec![suite],
    };
    adjust(&mut c);
    adjust(&mut s);
    let mut p = Pair::new(c, s, 7);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{suite:?}");
    p
}

fn suites() -> Vec<Suite> {
    let v12 = [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
    ];
    v12.into_iter()
        .map(Suite::V12)
        .chain(Tls13CipherSuite::ALL.into_iter().map(Suite::V13))
        .collect()
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}

fn datagram(p: &mut Pair) -> Vec<u8> {
    let Output::Transmit(d) = p.client.poll_output() else {
        panic!("no datagram");
    };
    d
}

/// The server of `p` reads `expected` from `d`.
fn delivered(p: &mut Pair, d: &[u8], expected: &[u8]) {
    p.server.handle_receive(p.now, d);
    assert_eq!(
        p.server.poll_output(),
        Output::Event(DtlsEvent::ApplicationData(expected.to_vec()))
    );
}

#[test]
fn sealed_in_place_equals_sealed_from_a_copy_in_every_suite() {
    let ids = (ecdsa_identity(), ecdsa_identity());
    for suite in suites() {
        let (mut copied, mut in_place) = (pair(&ids, suite), pair(&ids, suite));
        let headroom = in_place.client.application_data_headroom().unwrap();
        let expected = match suite {
            Suite::V13(_) => 5,
            Suite::V12(CipherSuite::EcdheEcdsaChacha20Poly1305Sha256) => 13,
            Suite::V12(_) => 21,
        };
        assert_eq!(headroom, expected, "{suite:?}");
        let tailroom = in_place.client.application_data_tailroom();
        let max = in_place.client.max_application_data();
        for len in [0, 1, 15, 16, 17, 100, 1000, max - 1, max, max + 50, 16_384] {
            let data = payload(len);
            copied.client.send_application_data(&data).unwrap();
            let from_copy = datagram(&mut copied);

            let mut buffer = Vec::with_capacity(headroom + len + tailroom);
            buffer.resize(headroom, 0xee);
            buffer.extend_from_slice(&data);
            let start = buffer.as_ptr();
            in_place
                .client
                .send_application_data_in_place(buffer, headroom)
                .unwrap();
            let sealed = datagram(&mut in_place);
            assert_eq!(sealed, from_copy, "{suite:?} {len}");
            if len <= max {
                // Within the tailroom: the payload's own buffer, not a new
                // one (a larger payload still fits, but may be padded past
                // the reserve in DTLS 1.3: it is not checked).
                assert_eq!(sealed.as_ptr(), start, "{suite:?} {len}: copied");
            }
            delivered(&mut in_place, &sealed, &data);
        }
    }
}

#[test]
fn another_headroom_is_sealed_from_a_copy_with_the_same_bytes() {
    let ids = (ecdsa_identity(), ecdsa_identity());
    for suite in [
        Suite::V12(CipherSuite::EcdheEcdsaAes128GcmSha256),
        Suite::V13(Tls13CipherSuite::Aes128GcmSha256),
    ] {
        let (mut copied, mut other) = (pair(&ids, suite), pair(&ids, suite));
        let right = other.client.application_data_headroom().unwrap();
        for headroom in [0, right - 1, right + 1, 64] {
            let data = payload(300);
            copied.client.send_application_data(&data).unwrap();
            let from_copy = datagram(&mut copied);
            let mut buffer = vec![0xee; headroom];
            buffer.extend_from_slice(&data);
            other
                .client
                .send_application_data_in_place(buffer, headroom)
                .unwrap();
            let sealed = datagram(&mut other);
            assert_eq!(sealed, from_copy, "{suite:?} headroom {headroom}");
            delivered(&mut other, &sealed, &data);
        }
    }
}

/// What the in-place calls refuse `buffer` with: the returning call
/// (`seal_`) and the queuing one (`send_`) alike.
fn refusal(p: &mut Pair, buffer: Vec<u8>, headroom: usize) -> DtlsError {
    let returned = p
        .client
        .seal_application_data_in_place(buffer.clone(), headroom)
        .unwrap_err();
    let queued = p
        .client
        .send_application_data_in_place(buffer, headroom)
        .unwrap_err();
    assert_eq!(returned, queued);
    queued
}

/// What the copying calls refuse `data` with, both alike.
fn copy_refusal(p: &mut Pair, data: &[u8]) -> DtlsError {
    let returned = p.client.seal_application_data(data).unwrap_err();
    let queued = p.client.send_application_data(data).unwrap_err();
    assert_eq!(returned, queued);
    queued
}

#[test]
fn bad_calls_are_refused_and_send_nothing() {
    let ids = (ecdsa_identity(), ecdsa_identity());
    // Before the handshake: no headroom yet, and nothing can be sent.
    let (c, s) = configs(ids.0.clone(), ids.1.clone());
    let mut fresh = Pair::new(c, s, 7);
    assert_eq!(fresh.client.application_data_headroom(), None);
    assert!(matches!(
        refusal(&mut fresh, vec![0; 40], 5),
        DtlsError::NotConnected
    ));
    assert!(matches!(
        copy_refusal(&mut fresh, &[0; 40]),
        DtlsError::NotConnected
    ));

    for suite in [
        Suite::V12(CipherSuite::EcdheEcdsaAes128GcmSha256),
        Suite::V13(Tls13CipherSuite::Aes128GcmSha256),
    ] {
        let mut p = pair(&ids, suite);
        let headroom = p.client.application_data_headroom().unwrap();
        // Shorter than its headroom.
        assert!(matches!(
            refusal(&mut p, vec![0; headroom - 1], headroom),
            DtlsError::Decode(_)
        ));
        // Over the record's limit.
        assert!(matches!(
            refusal(&mut p, vec![0; headroom + 16_385], headroom),
            DtlsError::TooLarge(_)
        ));
        assert!(matches!(
            copy_refusal(&mut p, &[0; 16_385]),
            DtlsError::TooLarge(_)
        ));
        assert!(matches!(p.client.poll_output(), Output::Timeout(_)));
        // The connection goes on: the next record is the next one (the
        // refused calls took no sequence number).
        let data = payload(64);
        let mut buffer = vec![0; headroom];
        buffer.extend_from_slice(&data);
        p.client
            .send_application_data_in_place(buffer, headroom)
            .unwrap();
        let d = datagram(&mut p);
        delivered(&mut p, &d, &data);
        // After close, refused like the copying call.
        p.client.close();
        while !matches!(p.client.poll_output(), Output::Timeout(_)) {}
        assert!(matches!(
            refusal(&mut p, vec![0; headroom + 4], headroom),
            DtlsError::Closed
        ));
        assert!(matches!(copy_refusal(&mut p, &[0; 4]), DtlsError::Closed));
    }
}

/// `seal_application_data_in_place` and `seal_application_data` return
/// the datagram the `send_` calls queue, byte for byte (three pairs from
/// the same seed), and leave nothing in the queue; a headroom that is not
/// the endpoint's falls back to a copy, as the queuing call does.
#[test]
fn sealed_and_returned_equals_sent_and_queued_in_every_suite() {
    let ids = (ecdsa_identity(), ecdsa_identity());
    for suite in suites() {
        let mut queued = pair(&ids, suite);
        let mut returned = pair(&ids, suite);
        let mut copied = pair(&ids, suite);
        let right = returned.client.application_data_headroom().unwrap();
        for (len, headroom) in [
            (0, right),
            (1, right),
            (1000, right),
            (300, 0),
            (300, right + 3),
        ] {
            let data = payload(len);
            let buffer = || {
                let mut b = vec![0xee; headroom];
                b.extend_from_slice(&data);
                b
            };
            queued
                .client
                .send_application_data_in_place(buffer(), headroom)
                .unwrap();
            let expected = datagram(&mut queued);
            let sealed = returned
                .client
                .seal_application_data_in_place(buffer(), headroom)
                .unwrap();
            assert_eq!(sealed, expected, "{suite:?} {len} headroom {headroom}");
            assert!(matches!(returned.client.poll_output(), Output::Timeout(_)));
            let from_copy = copied.client.seal_application_data(&data).unwrap();
            assert_eq!(from_copy, expected, "{suite:?} {len}");
            assert!(matches!(copied.client.poll_output(), Output::Timeout(_)));
            delivered(&mut returned, &sealed, &data);
        }
    }
}
