//! Unit tests of the check list's internal states (RFC 8445 §6.1.2).

use std::time::Instant;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_sdp::{Candidate, CandidateAddress, CandidateKind, CandidateTransport};

use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_stun::attributes::XorMappedAddress;
use sansrtc_stun::{Class, Message, MessageBuilder};

use crate::candidate::pair_priority;
use crate::pair::PairState;
use crate::{Agent, AgentConfig};

fn remote(component: u16, ip: &str, port: u16, foundation: &str) -> Candidate {
    Candidate::new(
        foundation,
        component,
        CandidateTransport::Udp,
        crate::candidate_priority(CandidateKind::Host, 65535, component),
        CandidateAddress::Ip(ip.parse().unwrap()),
        port,
        CandidateKind::Host,
    )
}

fn agent() -> (Agent, Instant) {
    let now = Instant::now();
    let config = AgentConfig {
        controlling: true,
        components: 2,
        ..AgentConfig::default()
    };
    let mut a = Agent::new(config, ChaCha20Rng::seed_from_u64(1)).unwrap();
    a.add_local_address(now, "10.0.0.1:5000".parse().unwrap())
        .unwrap();
    a.add_component_address(now, 2, "10.0.0.1:5001".parse().unwrap())
        .unwrap();
    a.gather(now);
    (a, now)
}

#[test]
fn one_pair_per_foundation_starts_waiting_and_a_success_unfreezes_its_foundation() {
    let (mut a, now) = agent();
    for c in [
        remote(1, "10.0.0.2", 6000, "r1"),
        remote(2, "10.0.0.2", 6001, "r1"),
    ] {
        a.add_remote_candidate(now, &c).unwrap();
    }
    for c in [
        remote(1, "10.0.0.3", 7000, "r2"),
        remote(2, "10.0.0.3", 7001, "r2"),
    ] {
        a.add_remote_candidate(now, &c).unwrap();
    }
    assert_eq!(a.pairs.len(), 4);
    let states: Vec<(u16, String, PairState)> = a
        .pairs
        .iter()
        .map(|p| (p.component, p.foundation.clone(), p.state))
        .collect();
    // Both foundations (host:r1, host:r2) have their component-1 pair Waiting, component 2 Frozen.
    for (component, _, state) in &states {
        let expected = if *component == 1 {
            PairState::Waiting
        } else {
            PairState::Frozen
        };
        assert_eq!(*state, expected, "{states:?}");
    }
    // The best Waiting pair is checked first; answer it: its component-2
    // sibling (same foundation) unfreezes, the other foundation's does not.
    let pwd = "peerpassword1234567890abc";
    a.set_remote_credentials(now, "peerufrag", pwd).unwrap();
    a.handle_timeout(now);
    let check = loop {
        match a.poll_output() {
            Output::Transmit(t) => break t,
            Output::Event(_) => {}
            Output::Timeout(_) => panic!("no check sent"),
        }
    };
    let request = Message::parse(&check.contents).unwrap();
    let mut response = Vec::new();
    let mut b = MessageBuilder::new(
        &mut response,
        request.message_type().with_class(Class::SuccessResponse),
        request.transaction_id(),
    );
    b.add(&XorMappedAddress(check.source)).unwrap();
    b.add_message_integrity(pwd.as_bytes()).unwrap();
    b.add_fingerprint().unwrap();
    b.finish();
    let rx = Receive {
        protocol: Protocol::Udp,
        source: check.destination,
        destination: check.source,
        contents: &response,
    };
    assert_eq!(a.handle_receive(now, rx), crate::Received::Stun);
    let checked = a
        .pairs
        .iter()
        .find(|p| p.state == PairState::Succeeded)
        .unwrap();
    assert_eq!(checked.component, 1);
    let winner = checked.foundation.clone();
    let sibling = a
        .pairs
        .iter()
        .find(|p| p.component == 2 && p.foundation == winner)
        .unwrap();
    assert_eq!(sibling.state, PairState::Waiting);
    let other = a
        .pairs
        .iter()
        .find(|p| p.component == 2 && p.foundation != winner)
        .unwrap();
    assert_eq!(other.state, PairState::Frozen);
}

#[test]
fn a_role_change_recomputes_pair_priorities() {
    let (mut a, now) = agent();
    let mut c = remote(1, "10.0.0.2", 6000, "r1");
    c.priority = 1000;
    a.add_remote_candidate(now, &c).unwrap();
    let local = a.locals[a.pairs[0].local].priority;
    assert_eq!(a.pairs[0].priority, pair_priority(local, 1000));
    a.set_role(false);
    assert_eq!(a.pairs[0].priority, pair_priority(1000, local));
    assert_ne!(pair_priority(local, 1000), pair_priority(1000, local));
}

#[test]
fn pairs_are_formed_per_component_and_family_only() {
    let (mut a, now) = agent();
    a.add_local_address(now, "[fd00::1]:5000".parse().unwrap())
        .unwrap();
    a.add_remote_candidate(now, &remote(1, "fd00::2", 6000, "r6"))
        .unwrap();
    a.add_remote_candidate(now, &remote(2, "10.0.0.2", 6001, "r4"))
        .unwrap();
    let shapes: Vec<(u16, bool)> = a
        .pairs
        .iter()
        .map(|p| (p.component, a.locals[p.local].address.is_ipv6()))
        .collect();
    assert_eq!(shapes, vec![(1, true), (2, false)]);
}
