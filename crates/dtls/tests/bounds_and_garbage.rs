//! Bounds on what the peer controls, and hostile input never panics.

mod common;

use std::time::Duration;

use common::*;
use proptest::prelude::*;
use sansrtc_dtls::{DtlsError, DtlsEvent, DtlsVersion};

fn record(content_type: u8, epoch: u16, seq: u64, payload: &[u8]) -> Vec<u8> {
    let mut d = vec![content_type, 0xfe, 0xfd];
    d.extend_from_slice(&epoch.to_be_bytes());
    d.extend_from_slice(&seq.to_be_bytes()[2..]);
    d.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    d.extend_from_slice(payload);
    d
}

fn fragment(msg_type: u8, length: u32, seq: u16, offset: u32, body: &[u8]) -> Vec<u8> {
    let mut f = vec![msg_type];
    f.extend_from_slice(&length.to_be_bytes()[1..]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&offset.to_be_bytes()[1..]);
    f.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    f.extend_from_slice(body);
    f
}

#[test]
fn an_oversized_handshake_message_is_refused() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 1);
    let frag = fragment(1, 1 << 20, 0, 0, &[0; 100]);
    p.server.handle_receive(p.now, &record(22, 0, 0, &frag));
    p.exchange(&mut perfect);
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::TooLarge("handshake message"))
    );
}

#[test]
fn an_oversized_certificate_chain_is_refused() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_certificate_chain = 100;
    let mut p = Pair::new(c, s, 2);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::TooLarge("certificate chain"))
    );
}

#[test]
fn future_epoch_records_are_buffered_within_the_bound() {
    // DTLS 1.2's epoch-1 buffer and its counters.
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_version = DtlsVersion::Dtls12;
    let limit = s.max_buffered_records as u64;
    let mut p = Pair::new(c, s, 3);
    for seq in 0..1000 {
        p.server
            .handle_receive(p.now, &record(23, 1, 1000 + seq, &[0; 40]));
    }
    assert_eq!(p.server.stats().buffer_full_records, 1000 - limit);
    // Records of epochs we never read are dropped outright.
    p.server.handle_receive(p.now, &record(23, 7, 1, &[0; 40]));
    assert_eq!(p.server.stats().wrong_epoch_records, 1);
    // The garbage does not stop a real handshake.
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected());
    assert!(p.server.stats().bad_record_mac >= limit);
}

#[test]
fn reassembly_memory_is_bounded() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_reassembly_bytes = 10_000;
    let mut p = Pair::new(c, s, 4);
    p.client.start(p.now);
    // Partial messages claiming 8000 bytes each, at message_seq 1..15.
    for seq in 1..15u16 {
        let frag = fragment(11, 8000, seq, 0, &[1; 10]);
        p.client
            .handle_receive(p.now, &record(22, 0, seq as u64, &frag));
    }
    assert!(p.client.stats().dropped_fragments >= 13);
    // Far-ahead message sequence numbers are dropped too.
    let frag = fragment(11, 10, 40, 0, &[1; 10]);
    p.client.handle_receive(p.now, &record(22, 0, 99, &frag));
    assert!(p.client.stats().dropped_fragments >= 14);
    assert!(!p.client.is_closed());
}

#[test]
fn malformed_datagrams_are_counted_and_dropped() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 5);
    for d in [
        vec![],
        vec![22],
        vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 1],
        vec![99; 30],
        vec![22, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ] {
        p.server.handle_receive(p.now, &d);
    }
    assert_eq!(p.server.stats().malformed_datagrams, 4);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected());
}

/// A handshake's real datagrams, to mutate.
fn real_datagrams() -> Vec<(bool, Vec<u8>)> {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 6);
    p.run(Duration::from_secs(5), &mut perfect);
    assert!(p.connected());
    p.client.send_application_data(b"data").unwrap();
    p.exchange(&mut perfect);
    p.sent
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_datagrams_never_panic_either_role(datagrams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..8)) {
        let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
        let mut p = Pair::new(c, s, 7);
        p.client.start(p.now);
        for d in &datagrams {
            p.client.handle_receive(p.now, d);
            p.server.handle_receive(p.now, d);
        }
        p.exchange(&mut perfect);
        p.now += Duration::from_secs(3);
        p.client.handle_timeout(p.now);
        p.server.handle_timeout(p.now);
        p.exchange(&mut perfect);
    }

    #[test]
    fn mutated_handshakes_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let sent = real_datagrams();
        let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
        let mut p = Pair::new(c, s, 8);
        let mut mutated = sent.clone();
        for (which, pos, x) in &flips {
            let (_, d) = &mut mutated[which.index(sent.len())];
            if !d.is_empty() {
                let i = pos.index(d.len());
                d[i] ^= x | 1;
            }
        }
        p.client.start(p.now);
        for (from_client, d) in &mutated {
            if *from_client {
                p.server.handle_receive(p.now, d);
            } else {
                p.client.handle_receive(p.now, d);
            }
        }
        p.exchange(&mut perfect);
        let _ = p.client_events.iter().filter(|e| matches!(e, DtlsEvent::Failed(_))).count();
    }
}

#[test]
fn forged_repeats_trigger_a_bounded_number_of_retransmissions() {
    // After the handshake the server answers a repeated flight 5 with its
    // final flight, but forged epoch-0 repeats (fresh record numbers, old
    // message_seq) get at most `max_retransmissions` answers (DTLS 1.2's
    // flights; 1.3's are in v13/connection_tests.rs).
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_version = DtlsVersion::Dtls12;
    let budget = s.max_retransmissions as u64;
    let mut p = Pair::new(c, s, 9);
    p.run(Duration::from_secs(5), &mut perfect);
    assert!(p.connected());
    let before = p.server.stats().retransmissions;
    for seq in 0..100u64 {
        let frag = fragment(11, 4, 2, 0, &[0; 4]);
        p.server
            .handle_receive(p.now, &record(22, 0, 10_000 + seq, &frag));
    }
    assert_eq!(p.server.stats().retransmissions - before, budget);
    assert!(p.server.is_connected());
}
