//! Host addresses hidden behind `<uuid>.local` names
//! (draft-ietf-mmusic-mdns-ice-candidates): what is signalled, and that two
//! connections still connect, through the name's resolution or without it.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::{Pair, ADDR_A};
use sansrtc::*;

/// a hides its host addresses and offers; b answers the resolution
/// request its offer causes with `answer(a, name)` before it answers, so
/// the checks start with the resolved candidate (or without one).
fn hidden_pair(answer: fn(&RtcPeerConnection, &str) -> Vec<IpAddr>) -> Pair {
    let mut p = Pair::new();
    let now = p.now;
    p.a.hide_host_addresses(now);
    p.a.create_data_channel(now, DataChannelInit::new("named"))
        .unwrap();
    p.offer_to_b();
    let mut wire = Vec::new();
    common::net::drain(&mut p.b, &mut p.events_b, &mut wire);
    let requests: Vec<(ResolveId, String)> = p
        .events_b
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Resolve { id, name } => Some((*id, name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 1, "one name, one request: {requests:?}");
    for (id, name) in requests {
        let addresses = answer(&p.a, &name);
        p.b.resolved(now, id, &addresses).unwrap();
    }
    let answer = p.answer_from_b();
    p.a.set_remote_description(now, answer).unwrap();
    assert!(p.run_until(Duration::from_secs(20), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
            && p.b.selected_candidate_pair().is_some()
            && !Pair::opened(&p.events_a).is_empty()
    }));
    p
}

fn a_name(p: &Pair) -> String {
    let names: Vec<(IpAddr, String)> =
        p.a.host_names()
            .map(|(ip, n)| (ip, n.to_string()))
            .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(
        names[0].0,
        ADDR_A.parse::<std::net::SocketAddr>().unwrap().ip()
    );
    names[0].1.clone()
}

#[test]
fn hidden_host_candidates_carry_the_name_and_never_the_address() {
    let mut p = Pair::new();
    let now = p.now;
    assert!(!p.a.hides_host_addresses());
    p.a.hide_host_addresses(now);
    assert!(p.a.hides_host_addresses());
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer).unwrap();
    p.step();
    p.run_until(Duration::from_secs(5), |p| {
        p.a.ice_gathering_state() == IceGatheringState::Complete
    });
    let name = a_name(&p);
    assert!(name.ends_with(".local") && name.len() == 36 + 6, "{name}");
    // Announced once, for the address.
    let announced: Vec<_> = p
        .events_a
        .iter()
        .filter_map(|e| match e {
            PeerEvent::HostName { name, address } => Some((name.clone(), *address)),
            _ => None,
        })
        .collect();
    assert_eq!(
        announced,
        vec![(name.clone(), "127.0.0.1".parse().unwrap())]
    );
    // The trickled candidates and the description name it, and never show
    // the address in a candidate.
    let trickled: Vec<String> = p
        .events_a
        .iter()
        .filter_map(|e| match e {
            PeerEvent::IceCandidate(Some(c)) => Some(c.candidate.clone()),
            _ => None,
        })
        .collect();
    assert!(!trickled.is_empty());
    for c in &trickled {
        assert!(c.contains(&format!(" {name} ")), "{c}");
        assert!(!c.contains("127.0.0.1"), "{c}");
    }
    let sdp = p.a.local_description().unwrap().sdp;
    let lines: Vec<&str> = sdp
        .lines()
        .filter(|l| l.starts_with("a=candidate"))
        .collect();
    assert!(!lines.is_empty(), "{sdp}");
    for l in lines {
        assert!(l.contains(&name) && !l.contains("127.0.0.1"), "{l}");
    }
}

#[test]
fn a_peer_that_resolves_the_name_connects_to_its_address() {
    let p = hidden_pair(|a, name| {
        a.host_names()
            .filter(|(_, n)| *n == name)
            .map(|(ip, _)| ip)
            .collect()
    });
    let name = a_name(&p);
    let asked: Vec<&String> = p
        .events_b
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Resolve { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec![&name], "b asks for a's name");
    let pair = p.b.selected_candidate_pair().expect("a selected pair");
    assert_eq!(pair.remote.to_string(), ADDR_A);
    assert_eq!(
        pair.remote_kind,
        sansrtc_sdp::CandidateKind::Host,
        "the resolved name"
    );
}

#[test]
fn a_peer_that_cannot_resolve_the_name_still_connects_through_the_checks() {
    let p = hidden_pair(|_, _| Vec::new());
    let pair = p.b.selected_candidate_pair().expect("a selected pair");
    assert_eq!(pair.remote.to_string(), ADDR_A);
    assert_eq!(
        pair.remote_kind,
        sansrtc_sdp::CandidateKind::PeerReflexive,
        "learnt from a's checks"
    );
}

#[test]
fn hiding_is_off_by_default_and_turning_it_on_twice_names_once() {
    let mut p = Pair::new();
    let now = p.now;
    assert_eq!(p.a.host_names().count(), 0);
    p.a.hide_host_addresses(now);
    p.a.hide_host_addresses(now);
    p.step();
    let announced = p
        .events_a
        .iter()
        .filter(|e| matches!(e, PeerEvent::HostName { .. }))
        .count();
    assert_eq!(announced, 1);
    // b's candidates are plain addresses.
    p.b.create_data_channel(now, DataChannelInit::new("y"))
        .unwrap();
    let offer = p.b.create_offer(now).unwrap();
    p.b.set_local_description(now, offer).unwrap();
    p.run_until(Duration::from_secs(5), |p| {
        p.b.ice_gathering_state() == IceGatheringState::Complete
    });
    let sdp = p.b.local_description().unwrap().sdp;
    assert!(sdp.contains("127.0.0.1 5002 typ host"), "{sdp}");
    assert!(!sdp.contains(".local"), "{sdp}");
}
