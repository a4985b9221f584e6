//! Retransmission, backoff, fragmentation and reassembly under loss,
//! reordering and duplication (in memory, seeded).

mod common;

use std::time::Duration;

use common::*;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use sansrtc_dtls::{DtlsError, DtlsEvent, DtlsVersion};
use sansrtc_proto::Output;

/// A seeded link: drops `loss`, holds back 10 % (delivered after the next
/// datagram: reordering), duplicates 10 %.
fn lossy(seed: u64, loss: f64) -> impl FnMut(bool, Vec<u8>) -> Vec<Vec<u8>> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut held: [Option<Vec<u8>>; 2] = [None, None];
    move |from_client, d| {
        let r = (rng.next_u32() as f64) / (u32::MAX as f64);
        let slot = usize::from(from_client);
        let mut out = Vec::new();
        if r < loss {
            return out;
        }
        if r < loss + 0.1 && held[slot].is_none() {
            held[slot] = Some(d);
            return out;
        }
        out.push(d.clone());
        if r > 0.9 {
            out.push(d);
        }
        if let Some(h) = held[slot].take() {
            out.push(h);
        }
        out
    }
}

#[test]
fn handshakes_complete_at_20_percent_loss_over_many_seeds() {
    let (a, b) = (ecdsa_identity(), ecdsa_identity());
    let mut times = Vec::new();
    for seed in 0..150 {
        let (c, s) = configs(a.clone(), b.clone());
        let mut p = Pair::new(c, s, seed);
        p.run(Duration::from_secs(200), &mut lossy(seed, 0.2));
        assert!(
            p.connected(),
            "seed {seed}: {:?} {:?}",
            p.client_events,
            p.server_events
        );
        assert_eq!(
            p.client.srtp_keying_material(),
            p.server.srtp_keying_material()
        );
        times.push(p.now - p.start);
    }
    times.sort();
    // Loss must have cost retransmissions in some runs.
    assert!(times[times.len() - 1] > Duration::from_secs(1));
}

#[test]
fn a_small_mtu_fragments_every_flight_and_reassembles() {
    let dir = scratch("mtu");
    let (cert, key) = openssl_cert(&dir, "rsa");
    let rsa = pem_identity(&cert, &key);
    for seed in 0..20 {
        let (mut c, mut s) = configs(ecdsa_identity(), rsa.clone());
        c.mtu = 256;
        s.mtu = 256;
        let mut p = Pair::new(c, s, seed);
        p.run(Duration::from_secs(200), &mut lossy(seed, 0.1));
        assert!(p.connected(), "seed {seed}: {:?}", p.client_events);
        let over: Vec<(bool, usize)> = p
            .sent
            .iter()
            .filter(|(_, d)| d.len() > 256)
            .map(|(c, d)| (*c, d.len()))
            .collect();
        assert!(over.is_empty(), "seed {seed}: {over:?}");
        // The RSA certificate (~800 bytes) cannot fit one datagram.
        let server_datagrams = p.sent.iter().filter(|(c, _)| !c).count();
        assert!(server_datagrams >= 5, "{server_datagrams}");
    }
}

#[test]
fn retransmissions_back_off_exponentially_then_fail() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.initial_retransmit_timeout = Duration::from_millis(100);
    c.max_retransmit_timeout = Duration::from_millis(1000);
    c.max_retransmissions = 6;
    // Nothing reaches the server: the client only retransmits.
    let mut p = Pair::new(c, s, 1);
    p.client.start(p.now);
    let mut sends = Vec::new();
    loop {
        let timeout = loop {
            match p.client.poll_output() {
                Output::Transmit(_) => sends.push(p.now - p.start),
                Output::Event(e) => p.client_events.push(e),
                Output::Timeout(t) => break t,
            }
        };
        let Some(at) = timeout else { break };
        p.now = at;
        p.client.handle_timeout(p.now);
    }
    let mut ms: Vec<u128> = sends.iter().map(|d| d.as_millis()).collect();
    // The ClientHello with its DTLS 1.3 key shares takes two datagrams.
    assert_eq!(ms.len(), 14);
    ms.dedup();
    assert_eq!(ms, vec![0, 100, 300, 700, 1500, 2500, 3500]);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::HandshakeTimeout)
    );
    assert!(p.client.is_closed());
}

#[test]
fn a_lost_final_flight_is_resent_when_the_peer_retransmits() {
    // Drop the server's first CCS+Finished flight: the client retransmits
    // its flight 5 on its timer, and the (already connected) server answers
    // with its final flight again (DTLS 1.2's flights; 1.3 acknowledges
    // the final flight, see v13/connection_tests.rs).
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_version = DtlsVersion::Dtls12;
    let mut p = Pair::new(c, s, 3);
    let mut server_flights = 0;
    let mut link = |from_client: bool, d: Vec<u8>| {
        // The final flight starts with a ChangeCipherSpec record (type 20).
        if !from_client && d[0] == 20 {
            server_flights += 1;
            if server_flights == 1 {
                return vec![];
            }
        }
        vec![d]
    };
    p.run(Duration::from_secs(10), &mut link);
    assert!(p.connected());
    assert!(p.server.stats().retransmissions >= 1);
    assert!(p.client.stats().retransmissions >= 1);
}

#[test]
fn same_seed_same_timing_under_loss() {
    let (a, b) = (ecdsa_identity(), ecdsa_identity());
    let run = |seed| {
        let (c, s) = configs(a.clone(), b.clone());
        let mut p = Pair::new(c, s, seed);
        p.run(Duration::from_secs(200), &mut lossy(seed, 0.2));
        let directions: Vec<bool> = p.sent.iter().map(|(c, _)| *c).collect();
        (
            p.now - p.start,
            directions,
            p.client.stats().clone(),
            p.server.stats().clone(),
        )
    };
    for seed in [5, 6, 7] {
        assert_eq!(run(seed), run(seed));
    }
}

#[test]
fn events_after_connect_are_in_order() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 11);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(matches!(p.client_events[0], DtlsEvent::Connected(_)));
    assert!(matches!(p.server_events[0], DtlsEvent::Connected(_)));
}

#[test]
fn a_repeat_of_the_flight_being_received_triggers_no_retransmission() {
    // The server's flight 4 spans several datagrams (MTU 256) and its
    // second datagram is lost once. The server's timer (1 s) resends the
    // whole flight before the client's (5 s) fires; the repeated messages
    // the client already has are from the flight it is receiving, not the
    // previous one, so they must not make it resend its ClientHello
    // (RFC 6347 §4.2.4).
    for version in [DtlsVersion::Dtls12, DtlsVersion::Dtls13] {
        let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
        c.max_version = version;
        c.initial_retransmit_timeout = Duration::from_secs(5);
        s.mtu = 256;
        s.hello_verify_request = false;
        let mut p = Pair::new(c, s, 21);
        let mut server_datagrams = 0;
        let mut link = |from_client: bool, d: Vec<u8>| {
            if !from_client {
                server_datagrams += 1;
                if server_datagrams == 2 {
                    return vec![];
                }
            }
            vec![d]
        };
        p.run(Duration::from_secs(10), &mut link);
        assert!(p.connected());
        assert!(p.server.stats().retransmissions >= 1);
        // The ClientHello went out once: the repeated ServerHello was taken
        // as a duplicate. (Repeats arriving after flight 4 completed are a
        // retransmitted previous flight, and may make the client resend
        // flight 5; that is the rule.)
        let hellos = p
            .sent
            .iter()
            .filter(|(from_client, d)| {
                *from_client && d[0] == 22 && d[13] == 1 && d[19..22] == [0; 3]
            })
            .count();
        assert_eq!(hellos, 1, "{version:?}");
        if version == DtlsVersion::Dtls12 {
            assert!(p.client.stats().dropped_fragments >= 1);
        }
        assert!(p.now - p.start >= Duration::from_secs(1));
        assert!(p.now - p.start < Duration::from_secs(5));
    }
}
