//! The agent's timeout is computed once per change, not per datagram:
//! application data on the selected pair leaves it where it was, a check
//! or a timer moves it. (In debug builds `poll_output` also recomputes it
//! whenever it answers from the cache and asserts both agree, so every
//! test of the crate and of the peer connection checks the cache too.)

mod common;

use std::time::{Duration, Instant};

use common::Pair;
use sansrtc_ice::{Agent, AgentConfig, Received};
use sansrtc_proto::{Output, Transmit};

fn controlling() -> AgentConfig {
    AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    }
}

/// Drains `agent`: its transmits and its timeout.
fn drain(agent: &mut Agent) -> (Vec<Transmit>, Option<Instant>) {
    let mut out = Vec::new();
    loop {
        match agent.poll_output() {
            Output::Transmit(t) => out.push(t),
            Output::Event(_) => {}
            Output::Timeout(t) => return (out, t),
        }
    }
}

fn connected_pair(seed: u64) -> Pair {
    let mut p = Pair::lan(controlling(), AgentConfig::default(), seed);
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    // Past nomination: the timers left are consent and its deadlines.
    p.run_until(p.elapsed() + Duration::from_secs(1), |_| false);
    p
}

#[test]
fn data_on_the_selected_pair_leaves_the_timeout_and_consent_moves_it() {
    let mut p = connected_pair(31);
    let (_, before_a) = drain(&mut p.a);
    let (_, before_b) = drain(&mut p.b);
    let before_a = before_a.expect("a connected agent has a consent timer");
    assert!(before_a > p.now);

    // A thousand datagrams each way, the clock moving but short of the
    // deadline: every poll answers the same instant.
    for i in 0..1000u32 {
        let now = p.now + Duration::from_micros(u64::from(i));
        assert!(now < before_a);
        p.a.send_owned(now, 1, i.to_be_bytes().repeat(300)).unwrap();
        let (out, timeout) = drain(&mut p.a);
        assert_eq!(timeout, Some(before_a));
        assert_eq!(out.len(), 1);
        let received = p.b.handle_receive(now, out[0].as_received());
        assert!(matches!(received, Received::Data { component: 1, .. }));
        let (_, timeout_b) = drain(&mut p.b);
        assert_eq!(timeout_b, before_b);
    }

    // The deadline comes: the consent check goes out, and the next
    // timeout is later.
    p.now = before_a;
    let now = p.now;
    p.a.handle_timeout(now);
    let (out, after) = drain(&mut p.a);
    assert!(!out.is_empty(), "the consent check is sent");
    assert!(after.expect("still armed") > before_a);
}
