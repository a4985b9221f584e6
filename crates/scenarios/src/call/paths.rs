//! Paths through NATs and relays: the NAT matrix with STUN and TURN
//! servers, and `iceTransportPolicy: relay` checked on the packet trace.

use std::net::SocketAddr;
use std::time::Duration;

use sansrtc::{DataChannelInit, DataChannelMessage, IceTransportPolicy, RtcConfiguration};
use sansrtc_netsim::{Fate, NatBehavior, NatConfig, Network, NodeId};
use sansrtc_sdp::CandidateKind;

use super::harness::{Call, PeerNode, Side, SignalingOptions};
use super::{
    nat_ip, outcome, payload, place_behind, place_public, stun_server, turn_server, PUBLIC_A,
    PUBLIC_B,
};
use crate::ice::{access_link, add_stun_server, add_turn_server, sa, TURN_SERVER};
use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "call/nat-matrix",
            description: "both peers behind one of {none, full cone, restricted, port-restricted, address-dependent, symmetric} (RFC 4787 mapping × filtering; the seed picks the pair, 36 seeds cover all), STUN and TURN servers, trickle: connects; a relay is selected exactly where no direct path exists; 20 messages each way",
            default_seeds: 36,
            cases: NAT_PAIRS,
            run: nat_matrix,
        },
        Scenario {
            name: "call/relay-only",
            description: "iceTransportPolicy relay on A (odd seeds) or on both (even seeds), on public addresses with a TURN server: only relay candidates signalled, a relay pair selected, and the netsim trace and counters show every datagram of a relay-only peer to or from the TURN server; 100 KiB each way",
            default_seeds: 10,
            cases: 2,
            run: relay_only,
        },
    ]
}

/// Where a peer sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nat {
    None,
    /// Endpoint-independent mapping and filtering.
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering.
    Restricted,
    /// Endpoint-independent mapping, address-and-port-dependent filtering.
    PortRestricted,
    /// Address-dependent mapping and filtering.
    AddressDependent,
    /// Address-and-port-dependent mapping and filtering.
    Symmetric,
}

pub(crate) const NATS: [Nat; 6] = [
    Nat::None,
    Nat::FullCone,
    Nat::Restricted,
    Nat::PortRestricted,
    Nat::AddressDependent,
    Nat::Symmetric,
];

impl Nat {
    fn config(self, side: Side) -> Option<NatConfig> {
        let public = nat_ip(side);
        match self {
            Nat::None => None,
            Nat::FullCone => Some(NatConfig::full_cone(public)),
            Nat::Restricted => Some(NatConfig::restricted_cone(public)),
            Nat::PortRestricted => Some(NatConfig::port_restricted_cone(public)),
            Nat::AddressDependent => Some(NatConfig::new(
                public,
                NatBehavior::AddressDependent,
                NatBehavior::AddressDependent,
            )),
            Nat::Symmetric => Some(NatConfig::symmetric(public)),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Nat::None => "none",
            Nat::FullCone => "full-cone",
            Nat::Restricted => "restricted",
            Nat::PortRestricted => "port-restricted",
            Nat::AddressDependent => "address-dependent",
            Nat::Symmetric => "symmetric",
        }
    }

    /// The mapping towards the peer is not the one the STUN server saw.
    fn dependent_mapping(self) -> bool {
        matches!(self, Nat::AddressDependent | Nat::Symmetric)
    }

    /// A packet from an unknown port of an address the peer sent to gets
    /// through to its server-reflexive mapping.
    fn admits_unknown_port(self) -> bool {
        matches!(self, Nat::None | Nat::FullCone | Nat::Restricted)
    }
}

/// Whether a direct path exists: a side whose mapping depends on the
/// destination reaches the other from a port nobody signalled, which only
/// an endpoint-independent mapping without port filtering (or no NAT)
/// lets in.
pub(crate) fn direct_possible(a: Nat, b: Nat) -> bool {
    let reaches = |from: Nat, to: Nat| !from.dependent_mapping() || to.admits_unknown_port();
    reaches(a, b) && reaches(b, a)
}

/// How many NAT pairs the seed chooses among (every combination).
const NAT_PAIRS: u64 = NATS.len() as u64 * NATS.len() as u64;

/// The NAT pair for a seed: 36 consecutive seeds cover every combination.
pub(crate) fn nat_pair(seed: u64) -> (Nat, Nat) {
    let i = (seed % NAT_PAIRS) as usize;
    (NATS[i / NATS.len()], NATS[i % NATS.len()])
}

fn place(
    net: &mut Network,
    side: Side,
    nat: Nat,
    config: RtcConfiguration,
) -> Result<NodeId<PeerNode>, String> {
    match nat.config(side) {
        None => {
            let local = match side {
                Side::A => nat_ip(Side::A),
                Side::B => nat_ip(Side::B),
            };
            place_public(
                net,
                side,
                SocketAddr::new(local, 50_000),
                config,
                access_link(),
            )
        }
        Some(nat) => Ok(place_behind(net, side, nat, config, access_link())?.0),
    }
}

/// Sends `count` messages of `size` each way and waits for all of them;
/// returns the bytes moved and how long it took.
fn exchange(
    call: &mut Call,
    channels: (sansrtc::ChannelId, sansrtc::ChannelId),
    count: usize,
    size: usize,
) -> Result<(u64, Duration), String> {
    let (ours, theirs) = channels;
    let t0 = call.elapsed();
    let before = (
        call.messages(Side::B, theirs).len(),
        call.messages(Side::A, ours).len(),
    );
    let sent: Vec<DataChannelMessage> = (0..count).map(|i| payload(i, size)).collect();
    for m in &sent {
        call.send(Side::A, ours, m.clone())?;
        call.send(Side::B, theirs, m.clone())?;
    }
    let done = call.run_until(t0 + Duration::from_secs(30), "data both ways", |c| {
        c.messages(Side::B, theirs).len() >= before.0 + count
            && c.messages(Side::A, ours).len() >= before.1 + count
    })?;
    for (side, ch, skip) in [(Side::B, theirs, before.0), (Side::A, ours, before.1)] {
        let got: Vec<&DataChannelMessage> = call.messages(side, ch)[skip..]
            .iter()
            .map(|d| &d.message)
            .collect();
        if got != sent.iter().collect::<Vec<_>>() {
            return Err(format!(
                "{} received corrupted or reordered data",
                side.name()
            ));
        }
    }
    Ok(((2 * count * size) as u64, done - t0))
}

fn nat_matrix(input: &ScenarioInput) -> Result<Outcome, String> {
    let (na, nb) = nat_pair(input.seed);
    let label = format!("A {} / B {}", na.name(), nb.name());
    let (mut net, _) = network(input);
    add_stun_server(&mut net)?;
    add_turn_server(&mut net)?;
    let config = || RtcConfiguration {
        ice_servers: vec![stun_server(), turn_server()],
        ..RtcConfiguration::default()
    };
    let a = place(&mut net, Side::A, na, config())?;
    let b = place(&mut net, Side::B, nb, config())?;
    let options = SignalingOptions {
        trickle: true,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let chat = call.create_channel(Side::A, DataChannelInit::new("chat"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call
        .until_open(Side::A, chat, "chat", Duration::from_secs(30))
        .map_err(|e| format!("{label}: {e}"))?;
    // The channel may open on a valid pair before A nominates one (data
    // flows before nomination, RFC 8445 §12.1, and the connections say
    // `connected` then); the path is decided once both have selected.
    call.until_connected(Duration::from_secs(30))
        .map_err(|e| format!("{label}: {e}"))?;
    let limit = call.net.elapsed() + Duration::from_secs(30);
    call.run_until(limit, "a pair selected on both sides", |c| {
        [Side::A, Side::B]
            .iter()
            .all(|s| c.peer(*s).selected_candidate_pair().is_some())
    })
    .map_err(|e| format!("{label}: {e}"))?;
    let pair = call
        .peer(Side::A)
        .selected_candidate_pair()
        .ok_or_else(|| {
            format!(
                "{label}: connected without a selected pair: {}",
                call.status()
            )
        })?;
    let relayed =
        pair.local_kind == CandidateKind::Relay || pair.remote_kind == CandidateKind::Relay;
    if relayed == direct_possible(na, nb) {
        return Err(format!(
            "{label}: selected {pair:?}; a relay must be used exactly when no direct path exists"
        ));
    }
    let (bytes, during) =
        exchange(&mut call, (chat, theirs), 20, 1000).map_err(|e| format!("{label}: {e}"))?;
    call.check_errors().map_err(|e| format!("{label}: {e}"))?;
    Ok(outcome(
        &call,
        connected,
        Some((bytes, during)),
        input.capture,
    ))
}

fn relay_only(input: &ScenarioInput) -> Result<Outcome, String> {
    let both = input.seed % 2 == 0;
    let (mut net, _) = network(input);
    add_stun_server(&mut net)?;
    add_turn_server(&mut net)?;
    let config = |relay: bool| RtcConfiguration {
        ice_servers: vec![stun_server(), turn_server()],
        ice_transport_policy: if relay {
            IceTransportPolicy::Relay
        } else {
            IceTransportPolicy::All
        },
        ..RtcConfiguration::default()
    };
    let (la, lb) = (sa(PUBLIC_A), sa(PUBLIC_B));
    let a = place_public(&mut net, Side::A, la, config(true), access_link())?;
    let b = place_public(&mut net, Side::B, lb, config(both), access_link())?;
    let options = SignalingOptions {
        trickle: true,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let chat = call.create_channel(Side::A, DataChannelInit::new("relayed"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, chat, "relayed", Duration::from_secs(30))?;
    let (bytes, during) = exchange(&mut call, (chat, theirs), 100, 1024)?;
    call.check_errors()?;
    let mut relay_sides = vec![(Side::A, la)];
    if both {
        relay_sides.push((Side::B, lb));
    }
    let turn = sa(TURN_SERVER);
    let trace = call.net.trace();
    if trace.overflow() > 0 {
        return Err("the trace overflowed".into());
    }
    for (side, local) in relay_sides {
        let name = side.name();
        // Only relay candidates were signalled, in descriptions or trickled.
        for s in call.signals.iter().filter(|s| s.from == side) {
            if s.what.starts_with("candidate:") && !s.what.contains(" typ relay") {
                return Err(format!(
                    "{name} signalled a non-relay candidate: {}",
                    s.what
                ));
            }
        }
        let pair = call
            .peer(side)
            .selected_candidate_pair()
            .ok_or_else(|| format!("{name}: no selected pair"))?;
        if pair.local_kind != CandidateKind::Relay {
            return Err(format!("{name} selected {pair:?}: not from its relay"));
        }
        // The trace: everything it sent went to the TURN server, and
        // everything it received came from it.
        let host = call.net.host_counters(match side {
            Side::A => call.a.host(),
            Side::B => call.b.host(),
        });
        let records = trace.records();
        let node_sent = &call.node(side).sent;
        if let Some(s) = node_sent.iter().find(|s| s.destination != turn) {
            return Err(format!(
                "{name} sent to {} under the relay policy at {:?}",
                s.destination, s.at
            ));
        }
        let sent: Vec<_> = records.iter().filter(|r| r.from == local).collect();
        if let Some(r) = sent.iter().find(|r| r.to != turn) {
            return Err(format!(
                "{name} sent past the TURN server under the relay policy: {r}"
            ));
        }
        let received: Vec<_> = records
            .iter()
            .filter(|r| r.seen_to.ip() == local.ip() && r.fate == Fate::Delivered)
            .collect();
        if let Some(r) = received.iter().find(|r| r.seen_from != turn) {
            return Err(format!(
                "{name} received from someone other than the TURN server: {r}"
            ));
        }
        // Every datagram it sent has a trace record except those still in
        // flight (a few at most).
        let in_flight = host.sent.saturating_sub(sent.len() as u64);
        if sent.len() as u64 > host.sent || in_flight > 10 || received.len() as u64 != host.received
        {
            return Err(format!(
                "{name}: trace ({} sent, {} received) and counters ({host:?}) disagree",
                sent.len(),
                received.len()
            ));
        }
        if host.received_bytes < 100 * 1024 {
            return Err(format!(
                "{name} received only {} bytes through the relay",
                host.received_bytes
            ));
        }
        // And the network saw exactly what the node sent.
        if node_sent.len() as u64 != host.sent {
            return Err(format!(
                "{name}: the node sent {}, the network saw {}",
                node_sent.len(),
                host.sent
            ));
        }
    }
    Ok(outcome(
        &call,
        connected,
        Some((bytes, during)),
        input.capture,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_covers_every_pair_and_knows_where_a_relay_is_needed() {
        let pairs: std::collections::BTreeSet<(&str, &str)> = (1..=36)
            .map(nat_pair)
            .map(|(a, b)| (a.name(), b.name()))
            .collect();
        assert_eq!(pairs.len(), 36);
        assert!(!direct_possible(Nat::Symmetric, Nat::Symmetric));
        assert!(!direct_possible(Nat::Symmetric, Nat::PortRestricted));
        assert!(!direct_possible(
            Nat::AddressDependent,
            Nat::AddressDependent
        ));
        assert!(!direct_possible(Nat::PortRestricted, Nat::AddressDependent));
        assert!(direct_possible(Nat::Restricted, Nat::Symmetric));
        assert!(direct_possible(Nat::PortRestricted, Nat::PortRestricted));
        assert!(direct_possible(Nat::None, Nat::Symmetric));
    }
}
