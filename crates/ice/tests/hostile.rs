//! Hostile and malformed input: integrity first, nothing changes without
//! it, every bound holds, and no input panics.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{addr, Pair};
use rand_chacha::{
    rand_core::{RngCore, SeedableRng},
    ChaCha20Rng,
};
use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceError, Received};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_sdp::{Candidate, CandidateAddress, CandidateKind, CandidateTransport};
use sansrtc_stun::attributes::{IceControlled, Priority, UseCandidate, Username};
use sansrtc_stun::{MessageBuilder, MessageType, TransactionId};

const LOCAL: &str = "10.0.0.1:5000";

fn agent(config: AgentConfig) -> (Agent, Instant) {
    let now = Instant::now();
    let mut a = Agent::new(config, ChaCha20Rng::seed_from_u64(5)).unwrap();
    a.add_local_address(now, addr(LOCAL)).unwrap();
    a.set_remote_credentials(now, "peerufrag", "peerpassword1234567890abc")
        .unwrap();
    a.gather(now);
    drain(&mut a);
    (a, now)
}

fn drain(a: &mut Agent) -> usize {
    let mut transmits = 0;
    loop {
        match a.poll_output() {
            Output::Transmit(_) => transmits += 1,
            Output::Event(_) => {}
            Output::Timeout(_) => return transmits,
        }
    }
}

/// A Binding request to `agent` with the given USERNAME, signed with `key`.
fn request(username: &str, key: Option<&[u8]>, rng: &mut ChaCha20Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(
        &mut out,
        MessageType::BINDING_REQUEST,
        TransactionId::random(rng),
    );
    b.add(&Username(username)).unwrap();
    b.add(&Priority(0x6e00_00ff)).unwrap();
    b.add(&IceControlled(1)).unwrap();
    b.add(&UseCandidate).unwrap();
    if let Some(key) = key {
        b.add_message_integrity(key).unwrap();
    }
    b.add_fingerprint().unwrap();
    b.finish();
    out
}

fn receive<'a>(a: &mut Agent, now: Instant, from: SocketAddr, bytes: &'a [u8]) -> Received<'a> {
    a.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: from,
            destination: addr(LOCAL),
            contents: bytes,
        },
    )
}

#[test]
fn unauthenticated_checks_change_nothing_and_get_no_answer() {
    let (mut a, now) = agent(AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    });
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let ufrag = a.local_credentials().ufrag.clone();
    let pwd = a.local_credentials().pwd.clone();
    let attacker = addr("192.0.2.66:4444");
    let cases: Vec<Vec<u8>> = vec![
        request(&format!("{ufrag}:peerufrag"), None, &mut rng), // no integrity
        request(
            &format!("{ufrag}:peerufrag"),
            Some(b"wrong password"),
            &mut rng,
        ), // wrong key
        request("someoneelse:peerufrag", Some(pwd.as_bytes()), &mut rng), // wrong ufrag, right key
    ];
    for bytes in &cases {
        assert_eq!(receive(&mut a, now, attacker, bytes), Received::Dropped);
        assert_eq!(drain(&mut a), 0, "no answer to an unauthenticated check");
    }
    assert_eq!(a.stats().unauthenticated_dropped, 3);
    assert_eq!(a.remote_candidate_count(), 0, "no prflx learned");
    assert_eq!(a.pair_count(), 0);
    assert_eq!(a.connection_state(), IceConnectionState::Checking);
    // The same check signed correctly is answered and teaches a prflx candidate.
    let good = request(
        &format!("{ufrag}:peerufrag"),
        Some(pwd.as_bytes()),
        &mut rng,
    );
    assert_eq!(receive(&mut a, now, attacker, &good), Received::Stun);
    assert!(drain(&mut a) >= 1);
    assert_eq!(a.remote_candidate_count(), 1);
}

#[test]
fn forged_responses_are_ignored_and_the_real_one_still_counts() {
    let mut p = Pair::lan(
        AgentConfig {
            controlling: true,
            ..AgentConfig::default()
        },
        AgentConfig::default(),
        21,
    );
    // Corrupt every response B sends once (flip a byte under MESSAGE-INTEGRITY) the first 3 times.
    let mut corrupted = 0;
    p.filter = Box::new(move |from_a, t| {
        let is_response = t.contents.len() > 20 && t.contents[0] == 0x01 && t.contents[1] == 0x01;
        if !from_a && is_response && corrupted < 3 {
            corrupted += 1;
            return false;
        }
        true
    });
    assert!(p.run_until(Duration::from_secs(10), Pair::connected));
    // Now inject forged responses: a copy of a real response with one flipped byte.
    let response = p
        .wire
        .iter()
        .rev()
        .find(|(from_a, t)| !from_a && t.contents[0] == 0x01 && t.contents[1] == 0x01)
        .unwrap()
        .1
        .clone();
    let mut forged = response.contents.clone();
    forged[30] ^= 0x40;
    let before = p.a.stats();
    let now = p.now;
    let r = p.a.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: response.source,
            destination: response.destination,
            contents: &forged,
        },
    );
    assert_eq!(r, Received::Dropped);
    let after = p.a.stats();
    assert_eq!(
        after.unauthenticated_dropped + after.unknown_transaction_dropped + after.malformed_dropped,
        before.unauthenticated_dropped
            + before.unknown_transaction_dropped
            + before.malformed_dropped
            + 1
    );
    assert!(p.connected());
}

#[test]
fn garbage_and_mutations_never_panic_or_change_state() {
    let (mut a, now) = agent(AgentConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let ufrag = a.local_credentials().ufrag.clone();
    let valid = request(
        &format!("{ufrag}:peerufrag"),
        Some(b"not our password"),
        &mut rng,
    );
    let from = addr("192.0.2.1:1000");
    for i in 0..20_000u32 {
        let bytes: Vec<u8> = match i % 3 {
            0 => {
                let mut b = vec![0u8; (rng.next_u32() % 200) as usize];
                rng.fill_bytes(&mut b);
                b
            }
            1 => {
                let mut b = valid.clone();
                let at = (rng.next_u32() as usize) % b.len();
                b[at] ^= 1 << (rng.next_u32() % 8);
                b
            }
            _ => valid[..(rng.next_u32() as usize) % valid.len()].to_vec(),
        };
        let r = receive(&mut a, now, from, &bytes);
        // Dropped, or a Binding indication (a keepalive: accepted, changes nothing).
        let indication = bytes.len() >= 2 && bytes[0] == 0x00 && bytes[1] == 0x11;
        assert!(
            r == Received::Dropped || (r == Received::Stun && indication),
            "iteration {i}: {r:?}"
        );
    }
    assert_eq!(a.remote_candidate_count(), 0);
    assert_eq!(a.pair_count(), 0);
    assert_eq!(drain(&mut a), 0);
}

#[test]
fn bounds_on_remote_candidates_pairs_triggered_checks_and_transactions() {
    let config = AgentConfig {
        max_remote_candidates: 20,
        max_pairs: 30,
        max_triggered_checks: 8,
        max_transactions: 10,
        ..AgentConfig::default()
    };
    let (mut a, now) = agent(config);
    a.add_local_address(now, addr("10.0.0.3:5000")).unwrap();
    drain(&mut a);
    let mut refused = 0;
    for i in 0..100u16 {
        let c = Candidate::new(
            format!("f{i}"),
            1,
            CandidateTransport::Udp,
            1000 + u32::from(i),
            CandidateAddress::Ip("10.9.0.1".parse().unwrap()),
            1000 + i,
            CandidateKind::Host,
        );
        if a.add_remote_candidate(now, &c) == Err(IceError::TooManyRemoteCandidates(20)) {
            refused += 1;
        }
    }
    assert_eq!(refused, 80);
    assert_eq!(a.remote_candidate_count(), 20);
    assert_eq!(a.pair_count(), 30, "two bases × 20 remotes, capped at 30");
    assert!(a.stats().pairs_dropped >= 10);
    // A flood of authenticated checks from new ports: prflx capped, queue capped.
    let ufrag = a.local_credentials().ufrag.clone();
    let pwd = a.local_credentials().pwd.clone();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let mut t = now;
    for port in 0..300u16 {
        let bytes = request(
            &format!("{ufrag}:peerufrag"),
            Some(pwd.as_bytes()),
            &mut rng,
        );
        receive(
            &mut a,
            t,
            SocketAddr::new("10.8.0.1".parse().unwrap(), 2000 + port),
            &bytes,
        );
        drain(&mut a);
        t += Duration::from_millis(3);
        a.handle_timeout(t);
        drain(&mut a);
        assert!(a.triggered_queue_len() <= 8);
        assert!(a.transactions_in_flight() <= 10);
    }
    assert_eq!(a.remote_candidate_count(), 20);
    assert!(a.stats().remote_candidates_dropped > 0);
}

#[test]
fn bad_candidates_and_credentials_are_typed_errors() {
    let (mut a, now) = agent(AgentConfig::default());
    assert!(matches!(
        a.add_remote_candidate_str(now, "candidate:garbage"),
        Err(IceError::BadCandidate(_))
    ));
    assert_eq!(
        a.add_remote_candidate_str(
            now,
            "a=candidate:1 1 tcp 1518280447 10.0.0.9 9 typ host tcptype active"
        ),
        Err(IceError::UnsupportedTransport)
    );
    assert_eq!(
        a.add_remote_candidate_str(
            now,
            "candidate:1 1 udp 2130706431 10.0.0.9 9 typ host ufrag other"
        ),
        Err(IceError::UfragMismatch)
    );
    assert_eq!(
        a.add_remote_candidate_str(now, "candidate:1 2 udp 2130706431 10.0.0.9 9 typ host"),
        Err(IceError::NoSuchComponent(2))
    );
    assert!(a
        .add_remote_candidate_str(
            now,
            "candidate:1 1 udp 2130706431 10.0.0.9 9 typ host ufrag peerufrag"
        )
        .is_ok());
    assert_eq!(
        a.set_remote_credentials(now, "ab", "peerpassword1234567890abc"),
        Err(IceError::BadCredentials)
    );
    assert_eq!(
        a.set_remote_credentials(now, "abcd", "short"),
        Err(IceError::BadCredentials)
    );
    assert_eq!(
        a.add_local_address(now, addr(LOCAL)),
        Err(IceError::DuplicateLocalAddress(addr(LOCAL)))
    );
    assert_eq!(a.send(now, 1, b"x"), Err(IceError::NotConnected(1)));
    assert_eq!(
        a.resolved(now, sansrtc_ice::ResolveId(77), &[]),
        Err(IceError::UnknownResolution(77))
    );
    a.close(now);
    assert_eq!(a.send(now, 1, b"x"), Err(IceError::Closed));
    assert_eq!(a.connection_state(), IceConnectionState::Closed);
}

#[test]
fn oversized_datagrams_and_name_floods_are_bounded() {
    let (mut a, now) = agent(AgentConfig {
        max_pending_resolutions: 4,
        ..AgentConfig::default()
    });
    let huge = vec![0x00u8; 65_535];
    assert_eq!(
        receive(&mut a, now, addr("192.0.2.1:1"), &huge),
        Received::Dropped
    );
    let mut stun_like = vec![0u8; 65_535];
    stun_like[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes());
    assert_eq!(
        receive(&mut a, now, addr("192.0.2.1:1"), &stun_like),
        Received::Dropped
    );
    let mut refused = 0;
    for i in 0..10 {
        let line = format!("candidate:1 1 udp 2130706431 {i}-abcdef.local 9 typ host");
        match a.add_remote_candidate_str(now, &line) {
            Ok(()) => {}
            Err(IceError::TooManyPendingResolutions(4)) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(refused, 6);
    assert_eq!(a.remote_candidate_count(), 0);
}
