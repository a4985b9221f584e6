//! What the peer connection needs of the agent: the role set after
//! construction, data on a valid pair before nomination, replies on the
//! path the peer's data came from, servers changed by `setConfiguration`.

mod common;

use std::time::Duration;

use common::{addr, Pair};
use sansrtc_config::{IceHost, IceTransportPolicy};
use sansrtc_ice::{AgentConfig, IceError, IceServerEntry};
use sansrtc_proto::Output;

#[test]
fn the_role_set_after_construction_decides_who_nominates() {
    // Both built controlled; a becomes controlling, as an offerer does.
    let mut p = Pair::lan(AgentConfig::default(), AgentConfig::default(), 21);
    p.a.set_controlling(true);
    assert!(p.a.is_controlling() && !p.b.is_controlling());
    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    assert_eq!(p.a.stats().role_conflicts + p.b.stats().role_conflicts, 0);
}

/// Whether a STUN message carries USE-CANDIDATE (0x0025).
fn nominates(datagram: &[u8]) -> bool {
    let mut at = 20;
    while at + 4 <= datagram.len() {
        let kind = u16::from_be_bytes([datagram[at], datagram[at + 1]]);
        let len = usize::from(u16::from_be_bytes([datagram[at + 2], datagram[at + 3]]));
        if kind == 0x0025 {
            return true;
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    false
}

#[test]
fn data_flows_on_a_valid_pair_before_selection() {
    // a's nominations never arrive, so b (controlled) selects nothing; its
    // own check still makes a pair valid, and data flows on it.
    let config = AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    };
    let mut p = Pair::lan(config, AgentConfig::default(), 22);
    p.filter = Box::new(|from_a, t| !(from_a && nominates(&t.contents)));
    let now = p.now;
    assert_eq!(p.b.send(now, 1, b"x"), Err(IceError::NotConnected(1)));
    assert!(p.run_until(Duration::from_secs(5), |p| p.b.has_valid_pair(1)));
    assert!(p.b.selected_pair(1).is_none());
    let now = p.now;
    p.b.send(now, 1, b"early").unwrap();
    p.settle();
    assert_eq!(p.data_a, vec![b"early".to_vec()]);
}

#[test]
fn servers_from_set_configuration_apply_before_gathering_or_at_restart() {
    let server = |port| {
        IceServerEntry::stun(
            &format!("stun:192.0.2.1:{port}"),
            IceHost::Ipv4("192.0.2.1".parse().unwrap()),
            port,
        )
    };
    let mut p = Pair::new(AgentConfig::default(), AgentConfig::default(), 23);
    let now = p.now;
    p.a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
    p.a.set_servers(vec![server(3478)], IceTransportPolicy::All);
    p.a.gather(now);
    let sent_to = |p: &mut Pair| {
        let mut to = Vec::new();
        loop {
            match p.a.poll_output() {
                Output::Transmit(t) => to.push(t.destination),
                Output::Event(_) => {}
                Output::Timeout(_) => return to,
            }
        }
    };
    assert_eq!(sent_to(&mut p), vec![addr("192.0.2.1:3478")]);
    // Gathering has started: a new server waits for the restart.
    p.a.set_servers(vec![server(3479)], IceTransportPolicy::All);
    assert!(!sent_to(&mut p).contains(&addr("192.0.2.1:3479")));
    p.a.restart(now);
    assert!(sent_to(&mut p).contains(&addr("192.0.2.1:3479")));
}
