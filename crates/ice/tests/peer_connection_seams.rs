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

/// Two agents on one socket (a connection with a transport per section):
/// every datagram arriving there is claimed by exactly one of them — checks
/// by the USERNAME's ufrag, responses by transaction, data by the peer's
/// address — and a stranger's by none.
#[test]
fn agents_sharing_a_socket_each_claim_their_own_datagrams() {
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
    use sansrtc_ice::{Agent, Received};
    use sansrtc_proto::Receive;

    let shared = addr("10.0.0.1:5000");
    let peers = [addr("10.0.0.2:6000"), addr("10.0.0.3:7000")];
    let mut now = std::time::Instant::now();
    let controlling = AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    };
    let new =
        |config: AgentConfig, seed| Agent::new(config, ChaCha20Rng::seed_from_u64(seed)).unwrap();
    let mut ours = [new(controlling.clone(), 31), new(controlling, 32)];
    let mut theirs = [
        new(AgentConfig::default(), 33),
        new(AgentConfig::default(), 34),
    ];
    for i in 0..2 {
        ours[i].add_local_address(now, shared).unwrap();
        theirs[i].add_local_address(now, peers[i]).unwrap();
        let (o, t) = (
            ours[i].local_credentials().clone(),
            theirs[i].local_credentials().clone(),
        );
        ours[i]
            .set_remote_credentials(now, &t.ufrag, &t.pwd)
            .unwrap();
        theirs[i]
            .set_remote_credentials(now, &o.ufrag, &o.pwd)
            .unwrap();
        ours[i].gather(now);
        theirs[i].gather(now);
        for c in ours[i].local_candidates() {
            theirs[i].add_remote_candidate(now, &c).unwrap();
        }
        for c in theirs[i].local_candidates() {
            ours[i].add_remote_candidate(now, &c).unwrap();
        }
    }
    let mut claimed = [0usize; 2];
    let mut data_sent = false;
    for _ in 0..2000 {
        let mut wire = Vec::new();
        let mut next = None;
        for agent in ours.iter_mut().chain(theirs.iter_mut()) {
            loop {
                match agent.poll_output() {
                    Output::Transmit(t) => wire.push(t),
                    Output::Event(_) => {}
                    Output::Timeout(at) => {
                        next = [next, at].into_iter().flatten().min();
                        break;
                    }
                }
            }
        }
        if wire.is_empty() {
            if ours.iter().all(|a| a.selected_pair(1).is_some()) && !data_sent {
                for (i, t) in theirs.iter_mut().enumerate() {
                    t.send(now, 1, &[0x17, 0xfe, 0xfd, i as u8]).unwrap();
                }
                data_sent = true;
                continue;
            }
            if data_sent {
                break;
            }
            now = next.unwrap_or(now + Duration::from_millis(50)).max(now);
            for agent in ours.iter_mut().chain(theirs.iter_mut()) {
                agent.handle_timeout(now);
            }
            continue;
        }
        for t in wire {
            let rx = t.as_received();
            if t.destination == shared {
                let claims: Vec<bool> = ours.iter().map(|a| a.claims(&rx)).collect();
                assert_eq!(claims.iter().filter(|c| **c).count(), 1, "{claims:?}");
                let i = claims.iter().position(|c| *c).unwrap();
                assert_eq!(t.source, peers[i], "claimed by the right agent");
                claimed[i] += 1;
                if let Received::Data { data, .. } = ours[i].handle_receive(now, rx) {
                    assert_eq!(data, [0x17, 0xfe, 0xfd, i as u8]);
                }
            } else if let Some(i) = peers.iter().position(|p| *p == t.destination) {
                theirs[i].handle_receive(now, rx);
            }
        }
    }
    assert!(data_sent, "both pairs selected");
    assert!(claimed.iter().all(|&n| n >= 3), "{claimed:?}");
    let stranger = Receive {
        protocol: sansrtc_proto::Protocol::Udp,
        source: addr("10.9.9.9:1"),
        destination: shared,
        contents: &[0x17, 0xfe, 0xfd, 0],
    };
    assert!(ours.iter().all(|a| !a.claims(&stranger)));
}
