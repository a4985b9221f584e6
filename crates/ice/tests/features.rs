//! Restart, candidate pool, rtcp-mux negotiate (component 2), mDNS
//! candidates, trickle end-of-candidates, consent.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::{addr, Pair};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::IceHost;
use sansrtc_ice::{
    Agent, AgentConfig, IceConnectionState, IceError, IceEvent, IceGatheringState, IceServerEntry,
};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_sdp::{CandidateAddress, CandidateKind};
use sansrtc_stun::attributes::XorMappedAddress;
use sansrtc_stun::{Class, Message, MessageBuilder};

fn controlling() -> AgentConfig {
    AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    }
}

fn selections(events: &[IceEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, IceEvent::Selected(_)))
        .count()
}

#[test]
fn ice_restart_keeps_the_old_pair_until_a_new_one_is_selected() {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 11);
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    let old_a = p.a.local_credentials().clone();
    let now = p.now;
    p.a.restart(now);
    p.b.restart(now);
    assert_ne!(p.a.local_credentials(), &old_a);
    // Before the new credentials are exchanged, data still flows on the old pair.
    p.a.send(now, 1, b"during restart").unwrap();
    p.b.send(now, 1, b"during restart too").unwrap();
    p.settle();
    assert_eq!(p.data_b, vec![b"during restart".to_vec()]);
    assert_eq!(p.data_a, vec![b"during restart too".to_vec()]);
    // A slow signalling channel: 40 s before the new credentials arrive.
    // Consent on the old pair continues with the old credentials, so the
    // state stays connected, and the timers do not spin.
    let consent_before = p.a.stats().consent_checks_sent;
    let mut steps = 0;
    p.run_until(p.elapsed() + Duration::from_secs(40), |_| {
        steps += 1;
        false
    });
    assert!(steps < 200, "{steps} timer rounds in 40 s");
    assert!(p.a.stats().consent_checks_sent >= consent_before + 6);
    assert!(
        p.connected(),
        "A {:?} B {:?}",
        p.a.connection_state(),
        p.b.connection_state()
    );
    let now = p.now;
    p.a.send(now, 1, b"still on the old pair").unwrap();
    p.settle();
    assert_eq!(p.data_b.last().unwrap(), b"still on the old pair");
    let before = selections(&p.events_a);
    p.exchange_credentials();
    let limit = p.elapsed() + Duration::from_secs(10);
    assert!(p.run_until(limit, |p| selections(&p.events_a) > before
        && selections(&p.events_b) > 1));
    // Re-signalled candidates carry the new ufrag.
    let ufrag = p.a.local_credentials().ufrag.clone();
    assert!(p.events_a.iter().rev().any(|e| matches!(e,
        IceEvent::LocalCandidate(c) if c.ufrag.as_deref() == Some(ufrag.as_str()))));
    let now = p.now;
    p.a.send(now, 1, b"after restart").unwrap();
    p.settle();
    assert_eq!(p.data_b.last().unwrap(), b"after restart");
    assert!(p.connected());
}

fn stun_server() -> IceServerEntry {
    IceServerEntry::stun(
        "stun:192.0.2.1:3478",
        IceHost::Ipv4("192.0.2.1".parse().unwrap()),
        3478,
    )
}

/// Drains an agent: (transmits, events).
fn drain(agent: &mut Agent) -> (Vec<Transmit>, Vec<IceEvent>) {
    let (mut t, mut e) = (Vec::new(), Vec::new());
    loop {
        match agent.poll_output() {
            Output::Transmit(x) => t.push(x),
            Output::Event(x) => e.push(x),
            Output::Timeout(_) => return (t, e),
        }
    }
}

/// Answers a Binding request as a STUN server behind which the client appears at `mapped`.
fn answer(request: &Transmit, mapped: std::net::SocketAddr) -> Vec<u8> {
    let m = Message::parse(&request.contents).unwrap();
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(
        &mut out,
        m.message_type().with_class(Class::SuccessResponse),
        m.transaction_id(),
    );
    b.add(&XorMappedAddress(mapped)).unwrap();
    b.add_fingerprint().unwrap();
    b.finish();
    out
}

#[test]
fn candidate_pool_pre_gathers_and_the_first_gather_is_immediate() {
    let now = Instant::now();
    let config = AgentConfig {
        candidate_pool_size: 1,
        servers: vec![stun_server()],
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(config.clone(), ChaCha20Rng::seed_from_u64(1)).unwrap();
    let local = addr("10.0.0.1:5000");
    agent.add_local_address(now, local).unwrap();
    agent.prepare(now);
    let (tx, events) = drain(&mut agent);
    assert_eq!(tx.len(), 1, "the Binding request leaves before any offer");
    assert_eq!(tx[0].destination, addr("192.0.2.1:3478"));
    assert!(events.is_empty(), "candidates are held: {events:?}");
    let reply = answer(&tx[0], addr("203.0.113.7:40000"));
    let later = now + Duration::from_millis(80);
    // The same answer from another address is not the server's.
    let spoofed = Receive {
        protocol: Protocol::Udp,
        source: addr("192.0.2.99:3478"),
        destination: local,
        contents: &reply,
    };
    assert_eq!(
        agent.handle_receive(later, spoofed),
        sansrtc_ice::Received::Dropped
    );
    agent.handle_receive(
        later,
        Receive {
            protocol: Protocol::Udp,
            source: tx[0].destination,
            destination: local,
            contents: &reply,
        },
    );
    assert!(drain(&mut agent).1.is_empty());
    // createOffer/setLocalDescription: everything at once, no new request.
    agent.gather(later);
    let (tx, events) = drain(&mut agent);
    assert!(tx.is_empty());
    let kinds: Vec<CandidateKind> = events
        .iter()
        .filter_map(|e| match e {
            IceEvent::LocalCandidate(c) => Some(c.kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        vec![CandidateKind::Host, CandidateKind::ServerReflexive]
    );
    assert_eq!(
        events.last(),
        Some(&IceEvent::GatheringState(IceGatheringState::Complete))
    );

    // Pool size 0: prepare does nothing.
    let mut plain = Agent::new(
        AgentConfig {
            candidate_pool_size: 0,
            ..config
        },
        ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    plain.add_local_address(now, local).unwrap();
    plain.prepare(now);
    assert_eq!(drain(&mut plain), (Vec::new(), Vec::new()));
}

#[test]
fn srflx_equal_to_its_base_is_pruned_and_srflx_are_not_paired() {
    let now = Instant::now();
    let config = AgentConfig {
        servers: vec![stun_server()],
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(config, ChaCha20Rng::seed_from_u64(2)).unwrap();
    let local = addr("198.51.100.1:5000");
    agent.add_local_address(now, local).unwrap();
    agent.gather(now);
    let (tx, _) = drain(&mut agent);
    let reply = answer(&tx[0], local);
    agent.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: tx[0].destination,
            destination: local,
            contents: &reply,
        },
    );
    let (_, events) = drain(&mut agent);
    assert!(!events
        .iter()
        .any(|e| matches!(e, IceEvent::LocalCandidate(_))));
    assert_eq!(agent.stats().redundant_pruned, 1);
    assert_eq!(agent.gathering_state(), IceGatheringState::Complete);
}

#[test]
fn rtcp_mux_negotiate_gathers_and_connects_component_2() {
    let two = |controlling| AgentConfig {
        controlling,
        components: 2,
        ..AgentConfig::default()
    };
    let mut p = Pair::new(two(true), two(false), 12);
    let now = p.now;
    p.a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
    p.a.add_component_address(now, 2, addr("10.0.0.1:5001"))
        .unwrap();
    p.b.add_local_address(now, addr("10.0.0.2:6000")).unwrap();
    p.b.add_component_address(now, 2, addr("10.0.0.2:6001"))
        .unwrap();
    assert_eq!(
        p.a.add_component_address(now, 3, addr("10.0.0.1:5002")),
        Err(IceError::NoSuchComponent(3))
    );
    p.exchange_credentials();
    p.a.gather(now);
    p.b.gather(now);
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    let rtcp = p.a.selected_pair(2).unwrap();
    assert_eq!(
        (rtcp.local_base, rtcp.remote),
        (addr("10.0.0.1:5001"), addr("10.0.0.2:6001"))
    );
    assert_eq!(
        p.a.local_candidates()
            .iter()
            .filter(|c| c.component == 2)
            .count(),
        1
    );
    let now = p.now;
    p.a.send(now, 2, b"rtcp").unwrap();
    p.settle();
    assert_eq!(p.data_b, vec![b"rtcp".to_vec()]);
    // The answer says rtcp-mux after all: component 2 goes away.
    p.a.set_rtcp_mux(now, true);
    assert_eq!(p.a.send(now, 2, b"x"), Err(IceError::NotConnected(2)));
    assert!(p.a.selected_pair(1).is_some());
    // A single-component agent has no component 2.
    let mut one = Agent::new(AgentConfig::default(), ChaCha20Rng::seed_from_u64(0)).unwrap();
    assert_eq!(
        one.add_component_address(now, 2, addr("10.0.0.9:1")),
        Err(IceError::NoSuchComponent(2))
    );
}

/// Runs with manual trickle from B to A, rewriting B's host address as an mDNS name.
fn mdns_run(answer_with: Option<IpAddr>) -> Pair {
    let mut p = Pair::new(controlling(), AgentConfig::default(), 13);
    p.trickle = false;
    let now = p.now;
    p.a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
    p.b.add_local_address(now, addr("10.0.0.2:6000")).unwrap();
    p.exchange_credentials();
    p.a.gather(now);
    p.b.gather(now);
    let (mut fa, mut fb) = (0, 0);
    for _ in 0..400 {
        p.settle();
        let now = p.now;
        for e in p.events_a[fa..].iter().cloned() {
            if let IceEvent::LocalCandidate(c) = e {
                p.b.add_remote_candidate(now, &c).unwrap();
            }
        }
        fa = p.events_a.len();
        for e in p.events_b[fb..].iter().cloned() {
            if let IceEvent::LocalCandidate(mut c) = e {
                c.address =
                    CandidateAddress::Fqdn("1f4712db-ea17-4bcf-a596-105139dfd8bf.local".into());
                p.a.add_remote_candidate(now, &c).unwrap();
            }
        }
        fb = p.events_b.len();
        let resolves: Vec<_> = p
            .events_a
            .iter()
            .filter_map(|e| match e {
                IceEvent::Resolve { id, name } => Some((*id, name.clone())),
                _ => None,
            })
            .collect();
        for (id, name) in resolves {
            assert!(name.ends_with(".local"));
            let ips: Vec<IpAddr> = answer_with.into_iter().collect();
            let _ = p.a.resolved(now, id, &ips);
        }
        p.events_a
            .retain(|e| !matches!(e, IceEvent::Resolve { .. }));
        fa = fa.min(p.events_a.len());
        if p.connected() {
            break;
        }
        p.advance();
    }
    p
}

#[test]
fn mdns_candidates_are_resolved_through_the_application() {
    let p = mdns_run(Some("10.0.0.2".parse().unwrap()));
    assert!(p.connected());
    let sel = p.a.selected_pair(1).unwrap();
    assert_eq!(
        (sel.remote, sel.remote_kind),
        (addr("10.0.0.2:6000"), CandidateKind::Host)
    );
}

#[test]
fn unresolvable_mdns_candidates_are_found_as_peer_reflexive() {
    let p = mdns_run(None);
    assert!(p.connected());
    let sel = p.a.selected_pair(1).unwrap();
    assert_eq!(
        (sel.remote, sel.remote_kind),
        (addr("10.0.0.2:6000"), CandidateKind::PeerReflexive)
    );
}

#[test]
fn consent_is_checked_periodically_and_lost_after_30_s_of_silence() {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 14);
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    p.run_until(Duration::from_secs(31), |_| false);
    let consent = p.a.stats().consent_checks_sent;
    assert!(
        (5..=8).contains(&consent),
        "{consent} consent checks in ~30 s (every 4–6 s)"
    );
    assert!(p.connected(), "answered consent keeps the pair");
    // B vanishes: nothing it sends arrives any more.
    let silenced = p.now;
    p.filter = Box::new(|from_a, _| from_a);
    assert!(
        p.run_until(Duration::from_secs(80), |p| p.a.connection_state()
            == IceConnectionState::Failed)
    );
    let states = Pair::states(&p.events_a);
    let n = states.len();
    assert_eq!(
        &states[n - 2..],
        &[IceConnectionState::Disconnected, IceConnectionState::Failed]
    );
    let lost_after = p.now - silenced;
    assert!(
        lost_after >= Duration::from_secs(25) && lost_after <= Duration::from_secs(31),
        "{lost_after:?}"
    );
    let now = p.now;
    assert_eq!(p.a.send(now, 1, b"x"), Err(IceError::ConsentLost(1)));
    // Nothing more goes to B.
    let sent = p.wire.len();
    p.run_until(p.elapsed() + Duration::from_secs(20), |_| false);
    assert!(
        p.wire[sent..].iter().all(|(from_a, _)| !from_a),
        "A kept sending after consent loss"
    );
}

#[test]
fn without_end_of_candidates_the_state_stays_connected_with_it_completed() {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 15);
    p.trickle = true;
    assert!(
        p.run_until(Duration::from_secs(5), |p| p.a.connection_state()
            == IceConnectionState::Completed)
    );
    let mut q = Pair::new(controlling(), AgentConfig::default(), 15);
    let now = q.now;
    q.a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
    q.b.add_local_address(now, addr("10.0.0.2:6000")).unwrap();
    q.exchange_credentials();
    // Signal candidates but never end-of-candidates.
    q.a.gather(now);
    q.b.gather(now);
    q.trickle = false;
    q.settle();
    let ca = q.a.local_candidates();
    let cb = q.b.local_candidates();
    for c in &cb {
        q.a.add_remote_candidate(now, c).unwrap();
    }
    for c in &ca {
        q.b.add_remote_candidate(now, c).unwrap();
    }
    assert!(q.run_until(Duration::from_secs(5), Pair::connected));
    q.run_until(Duration::from_secs(6), |_| false);
    assert_eq!(q.a.connection_state(), IceConnectionState::Connected);
    let now = q.now;
    q.a.end_of_remote_candidates(now);
    assert_eq!(q.a.connection_state(), IceConnectionState::Completed);
}

#[test]
fn server_names_become_resolve_requests_and_gathering_waits_for_the_answers() {
    let now = Instant::now();
    let named = |name: &str| {
        IceServerEntry::stun(
            &format!("stun:{name}:3478"),
            IceHost::Domain(name.into()),
            3478,
        )
    };
    let config = AgentConfig {
        servers: vec![named("stun.example.net"), named("nowhere.example.net")],
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(config, ChaCha20Rng::seed_from_u64(7)).unwrap();
    let local = addr("10.0.0.1:5000");
    agent.add_local_address(now, local).unwrap();
    agent.gather(now);
    let (tx, events) = drain(&mut agent);
    assert!(
        tx.is_empty(),
        "nothing can be sent before the names resolve"
    );
    let ids: Vec<(sansrtc_ice::ResolveId, String)> = events
        .iter()
        .filter_map(|e| match e {
            IceEvent::Resolve { id, name } => Some((*id, name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
        ["stun.example.net", "nowhere.example.net"]
    );
    assert_eq!(agent.gathering_state(), IceGatheringState::Gathering);
    // The first resolves: a Binding request goes to it.
    agent
        .resolved(now, ids[0].0, &["192.0.2.1".parse().unwrap()])
        .unwrap();
    let (tx, _) = drain(&mut agent);
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].destination, addr("192.0.2.1:3478"));
    let reply = answer(&tx[0], addr("203.0.113.9:1234"));
    agent.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: tx[0].destination,
            destination: local,
            contents: &reply,
        },
    );
    let (_, events) = drain(&mut agent);
    assert!(events.iter().any(
        |e| matches!(e, IceEvent::LocalCandidate(c) if c.kind == CandidateKind::ServerReflexive)
    ));
    assert_eq!(
        agent.gathering_state(),
        IceGatheringState::Gathering,
        "the second name is pending"
    );
    // The second does not: a candidate error, and gathering completes.
    agent.resolved(now, ids[1].0, &[]).unwrap();
    let (_, events) = drain(&mut agent);
    assert!(events.contains(&IceEvent::CandidateError {
        url: "stun:nowhere.example.net:3478".into(),
        address: None,
        code: 701,
        text: "server name did not resolve".into()
    }));
    assert_eq!(
        events.last(),
        Some(&IceEvent::GatheringState(IceGatheringState::Complete))
    );
    assert_eq!(
        agent.resolved(now, ids[1].0, &[]),
        Err(IceError::UnknownResolution(ids[1].0 .0))
    );
}

#[test]
fn when_every_check_fails_after_end_of_candidates_both_agents_fail() {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 16);
    p.filter = Box::new(|_, _| false); // a firewall drops everything
    let failed = |p: &Pair| {
        p.a.connection_state() == IceConnectionState::Failed
            && p.b.connection_state() == IceConnectionState::Failed
    };
    assert!(p.run_until(Duration::from_secs(60), failed));
    // 16 transmissions (≈ 22.5 s of retransmissions), then given up.
    assert!(
        p.elapsed() >= Duration::from_secs(20) && p.elapsed() <= Duration::from_secs(30),
        "{:?}",
        p.elapsed()
    );
    assert_eq!(
        Pair::states(&p.events_a),
        vec![IceConnectionState::Checking, IceConnectionState::Failed]
    );
    assert_eq!(
        p.a.stats().checks_sent + p.a.stats().check_retransmissions,
        16
    );
    // Nothing is sent after failing.
    let sent = p.wire.len();
    p.run_until(p.elapsed() + Duration::from_secs(30), |_| false);
    assert_eq!(p.wire.len(), sent);
}
