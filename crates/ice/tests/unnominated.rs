//! A controlled agent whose peer never nominates: after `unnominated_wait`
//! it selects the best valid pair itself, so consent freshness watches the
//! path its data takes, and a peer that vanishes is noticed (disconnected,
//! then failed). A nomination that comes later takes over.

mod common;

use std::time::Duration;

use common::{addr, Pair};
use sansrtc_ice::{AgentConfig, IceConnectionState, IceEvent};
use sansrtc_proto::Transmit;
use sansrtc_stun::{AttributeType, Message};

fn controlling() -> AgentConfig {
    AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    }
}

/// Whether `t` is a Binding request carrying USE-CANDIDATE.
fn nominates(t: &Transmit) -> bool {
    Message::parse(&t.contents).is_ok_and(|m| m.has(AttributeType::USE_CANDIDATE))
}

fn selections(events: &[IceEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, IceEvent::Selected(_)))
        .count()
}

/// a controls but its nominations never reach b.
fn never_nominated() -> Pair {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 41);
    p.filter = Box::new(|from_a, t| !(from_a && nominates(t)));
    p
}

#[test]
fn a_controlled_agent_selects_the_valid_pair_itself_after_the_wait() {
    let mut p = never_nominated();
    assert!(p.run_until(Duration::from_secs(2), |p| p.b.has_valid_pair(1)));
    let valid_at = p.elapsed();
    assert!(p.b.selected_pair(1).is_none());
    assert!(p.run_until(Duration::from_secs(10), |p| p.b.selected_pair(1).is_some()));
    let waited = p.elapsed() - valid_at;
    let wait = AgentConfig::default().unnominated_wait;
    assert!(
        waited >= wait - Duration::from_millis(100) && waited <= wait + Duration::from_secs(1),
        "selected {waited:?} after the first valid pair"
    );
    let selected = p.b.selected_pair(1).unwrap();
    assert_eq!(selected.local, addr("10.0.0.2:6000"));
    assert_eq!(selected.remote, addr("10.0.0.1:5000"));
    assert_eq!(p.b.connection_state(), IceConnectionState::Connected);
    // Never "completed": nothing was nominated.
    p.run_until(Duration::from_secs(20), |_| false);
    assert_eq!(p.b.connection_state(), IceConnectionState::Connected);
    assert!(!Pair::states(&p.events_b).contains(&IceConnectionState::Completed));
}

#[test]
fn a_vanished_peer_is_noticed_on_a_pair_it_never_nominated() {
    let mut p = never_nominated();
    assert!(p.run_until(Duration::from_secs(10), |p| p.b.selected_pair(1).is_some()));
    // Consent checks on the self-selected pair are answered...
    let sent_before = p.b.stats().consent_checks_sent;
    p.run_until(p.elapsed() + Duration::from_secs(12), |_| false);
    assert!(p.b.stats().consent_checks_sent > sent_before);
    assert_eq!(p.b.connection_state(), IceConnectionState::Connected);
    // ...until the peer vanishes.
    p.filter = Box::new(|_, _| false);
    let vanished = p.elapsed();
    assert!(p.run_until(vanished + Duration::from_secs(15), |p| {
        p.b.connection_state() == IceConnectionState::Disconnected
    }));
    assert!(p.run_until(vanished + Duration::from_secs(40), |p| {
        p.b.connection_state() == IceConnectionState::Failed
    }));
    let states = Pair::states(&p.events_b);
    assert_eq!(
        &states[states.len() - 2..],
        &[IceConnectionState::Disconnected, IceConnectionState::Failed]
    );
}

#[test]
fn a_late_nomination_of_the_same_pair_completes_without_a_second_selection() {
    let mut p = never_nominated();
    assert!(p.run_until(Duration::from_secs(10), |p| p.b.selected_pair(1).is_some()));
    assert_eq!(selections(&p.events_b), 1);
    // Nominations get through from now on; a retries its nomination.
    p.filter = Box::new(|_, _| true);
    assert!(p.run_until(p.elapsed() + Duration::from_secs(30), |p| {
        p.b.connection_state() == IceConnectionState::Completed
    }));
    assert_eq!(selections(&p.events_b), 1, "the same pair, selected once");
}

#[test]
fn a_prompt_nomination_leaves_nothing_to_select_unnominated() {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), 42);
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    p.run_until(Duration::from_secs(20), |_| false);
    assert_eq!(selections(&p.events_b), 1);
    assert_eq!(p.b.connection_state(), IceConnectionState::Completed);
}
