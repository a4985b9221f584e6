//! ICE scenarios: two `sansrtc-ice` agents through netsim NATs, with
//! netsim's STUN and TURN servers, loss, link failures and restarts.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sansrtc_config::IceHost;
use sansrtc_ice::{AgentConfig, IceServerEntry, SelectedPair};
use sansrtc_netsim::{
    LinkConfig, NatConfig, Network, NodeId, StunServer, TurnConfig, TurnServer, ZoneId,
};
use sansrtc_proto::Protocol;
use sansrtc_sdp::CandidateKind;

use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

pub mod call;
mod config;
mod failures;
mod paths;

use call::{agent, Call, Peer};

/// The ICE scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = vec![
        Scenario {
            name: "ice/lan",
            description: "two agents on one LAN connect on their host pair and exchange 50 datagrams each way",
            default_seeds: 20,
            cases: 1,
            run: lan,
        },
        Scenario {
            name: "ice/nat-matrix",
            description: "every pair of {no NAT, full cone, restricted, port-restricted, symmetric} (the seed picks the pair: the 50 default seeds cover each twice) with STUN and TURN servers: direct pairs where a direct path exists, the relay exactly where not (symmetric vs port-restricted/symmetric); data both ways",
            default_seeds: 50,
            cases: NAT_PAIRS,
            run: nat_matrix,
        },
    ];
    all.extend(paths::scenarios());
    all.extend(failures::scenarios());
    all.extend(config::scenarios());
    all
}

pub(crate) const STUN_SERVER: &str = "192.0.2.1:3478";
pub(crate) const TURN_SERVER: &str = "192.0.2.2:3478";
pub(crate) const TURN_USER: &str = "sansrtc";
pub(crate) const TURN_PASSWORD: &str = "relay-secret";

/// Where an agent sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nat {
    None,
    FullCone,
    Restricted,
    PortRestricted,
    Symmetric,
}

pub(crate) const NATS: [Nat; 5] = [
    Nat::None,
    Nat::FullCone,
    Nat::Restricted,
    Nat::PortRestricted,
    Nat::Symmetric,
];

impl Nat {
    fn config(self, public: IpAddr) -> Option<NatConfig> {
        match self {
            Nat::None => None,
            Nat::FullCone => Some(NatConfig::full_cone(public)),
            Nat::Restricted => Some(NatConfig::restricted_cone(public)),
            Nat::PortRestricted => Some(NatConfig::port_restricted_cone(public)),
            Nat::Symmetric => Some(NatConfig::symmetric(public)),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Nat::None => "none",
            Nat::FullCone => "full-cone",
            Nat::Restricted => "restricted",
            Nat::PortRestricted => "port-restricted",
            Nat::Symmetric => "symmetric",
        }
    }
}

pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))
}

pub(crate) fn access_link() -> LinkConfig {
    LinkConfig {
        delay: Duration::from_millis(10),
        jitter: Duration::from_millis(2),
        ..LinkConfig::default()
    }
}

pub(crate) fn stun_entry() -> IceServerEntry {
    let server = sa(STUN_SERVER);
    let IpAddr::V4(ip) = server.ip() else {
        unreachable!("the STUN server is IPv4")
    };
    IceServerEntry::stun(&format!("stun:{server}"), IceHost::Ipv4(ip), server.port())
}

/// Puts an agent behind `nat` (public IP `public`), or on the internet at
/// `public` with no NAT. Returns the node and its local address.
pub(crate) fn place(
    net: &mut Network,
    nat: Nat,
    public: IpAddr,
    stream: u64,
    config: AgentConfig,
    link: LinkConfig,
) -> Result<(NodeId<Peer>, SocketAddr), String> {
    let internet = net.internet();
    let (zone, local): (ZoneId, SocketAddr) = match nat.config(public) {
        None => (internet, SocketAddr::new(public, 50_000)),
        Some(config) => {
            let id = net.add_nat(internet, config, access_link()).map_err(err)?;
            let octet = u8::try_from(stream % 250).unwrap_or(0);
            (id.inside(), SocketAddr::from(([10, 0, octet, 2], 50_000)))
        }
    };
    let peer = agent(net, stream, config, local)?;
    let id = net.add_host(zone, &[local.ip()], link, peer).map_err(err)?;
    Ok((id, local))
}

pub(crate) fn turn_entry() -> IceServerEntry {
    let server = sa(TURN_SERVER);
    let IpAddr::V4(ip) = server.ip() else {
        unreachable!("the TURN server is IPv4")
    };
    IceServerEntry::turn(
        &format!("turn:{server}?transport=udp"),
        IceHost::Ipv4(ip),
        server.port(),
        Protocol::Udp,
        TURN_USER,
        TURN_PASSWORD,
    )
}

pub(crate) fn add_turn_server(net: &mut Network) -> Result<(), String> {
    add_turn_server_at(net, sa(TURN_SERVER), 99)
}

/// A netsim TURN server at `server` (relaying from its own IP) with the
/// scenarios' user.
pub(crate) fn add_turn_server_at(
    net: &mut Network,
    server: SocketAddr,
    stream: u64,
) -> Result<(), String> {
    let internet = net.internet();
    let turn = TurnServer::new(
        TurnConfig::new(server, server.ip(), TURN_USER, TURN_PASSWORD),
        net.rng_for(stream),
    );
    net.add_host(internet, &[server.ip()], access_link(), turn)
        .map_err(err)?;
    Ok(())
}

pub(crate) fn add_stun_server(net: &mut Network) -> Result<(), String> {
    let internet = net.internet();
    net.add_host(
        internet,
        &[sa(STUN_SERVER).ip()],
        access_link(),
        StunServer::new(),
    )
    .map_err(err)?;
    Ok(())
}

/// The network for one run with the STUN server on it.
pub(crate) fn network_with_stun(input: &ScenarioInput) -> Result<Network, String> {
    let (mut net, _) = network(input);
    add_stun_server(&mut net)?;
    Ok(net)
}

/// A placed agent: its node and its local address.
pub(crate) type Placed = (NodeId<Peer>, SocketAddr);

/// Places A (stream 1, `config(true)`) behind `nats.0` with public IP
/// 203.0.113.1 and B (stream 2, `config(false)`) behind `nats.1` with
/// 203.0.113.2, on the access links `links`.
pub(crate) fn place_pair_on(
    net: &mut Network,
    nats: (Nat, Nat),
    config: impl Fn(bool) -> AgentConfig,
    links: (LinkConfig, LinkConfig),
) -> Result<(Placed, Placed), String> {
    let a = place(
        net,
        nats.0,
        sa("203.0.113.1:0").ip(),
        1,
        config(true),
        links.0,
    )?;
    let b = place(
        net,
        nats.1,
        sa("203.0.113.2:0").ip(),
        2,
        config(false),
        links.1,
    )?;
    Ok((a, b))
}

/// [`place_pair_on`] with the default access link on both sides.
pub(crate) fn place_pair(
    net: &mut Network,
    nats: (Nat, Nat),
    config: impl Fn(bool) -> AgentConfig,
) -> Result<(Placed, Placed), String> {
    place_pair_on(net, nats, config, (access_link(), access_link()))
}

/// The pair `id`'s agent selected for component 1; `missing` if none.
pub(crate) fn selected(
    call: &Call,
    id: &NodeId<Peer>,
    missing: &str,
) -> Result<SelectedPair, String> {
    call.net
        .node(id)
        .agent
        .selected_pair(1)
        .ok_or_else(|| missing.to_string())
}

/// Sends `count` datagrams each way 20 ms apart; `Err` unless all arrive.
pub(crate) fn expect_delivered(call: &mut Call, count: usize) -> Result<(), String> {
    let (to_b, to_a) = call.exchange(count, Duration::from_millis(20))?;
    if to_b < count || to_a < count {
        return Err(format!("delivered {to_b}/{count} and {to_a}/{count}"));
    }
    Ok(())
}

pub(crate) fn outcome(call: &Call, time: Duration, capture: bool) -> Outcome {
    Outcome {
        time_to_goal: time,
        throughput_bytes_per_sec: None,
        pcap: if capture {
            call.net.pcap().map(<[u8]>::to_vec)
        } else {
            None
        },
    }
}

pub(crate) fn controlling() -> AgentConfig {
    AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    }
}

/// Two agents on one LAN (the same zone, private addresses).
fn lan(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, _) = network(input);
    let internet = net.internet();
    let la = sa("192.168.1.10:50000");
    let lb = sa("192.168.1.20:50000");
    let pa = agent(&net, 1, controlling(), la)?;
    let pb = agent(&net, 2, AgentConfig::default(), lb)?;
    let a = net
        .add_host(internet, &[la.ip()], access_link(), pa)
        .map_err(err)?;
    let b = net
        .add_host(internet, &[lb.ip()], access_link(), pb)
        .map_err(err)?;
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(10))?;
    let sel = selected(&call, &call.a, "no selected pair")?;
    if (sel.local_base, sel.remote) != (la, lb) {
        return Err(format!("selected {sel:?}, expected the host pair"));
    }
    let (to_b, to_a) = call.exchange(50, Duration::from_millis(20))?;
    if (to_b, to_a) != (50, 50) {
        return Err(format!(
            "delivered {to_b}/50 to B and {to_a}/50 to A on a clean LAN"
        ));
    }
    Ok(outcome(&call, t, input.capture))
}

/// How many NAT pairs the seed chooses among (every combination).
const NAT_PAIRS: u64 = NATS.len() as u64 * NATS.len() as u64;

/// The NAT pair for a seed: 25 consecutive seeds cover every combination.
pub(crate) fn nat_pair(seed: u64) -> (Nat, Nat) {
    let i = (seed % NAT_PAIRS) as usize;
    (NATS[i / NATS.len()], NATS[i % NATS.len()])
}

/// Whether a direct path exists without a relay: fails only when one side
/// is symmetric and the other filters by port (port-restricted or symmetric).
pub(crate) fn direct_possible(a: Nat, b: Nat) -> bool {
    let strict = |n| matches!(n, Nat::PortRestricted | Nat::Symmetric);
    !((a == Nat::Symmetric && strict(b)) || (b == Nat::Symmetric && strict(a)))
}

fn nat_matrix(input: &ScenarioInput) -> Result<Outcome, String> {
    let (na, nb) = nat_pair(input.seed);
    let mut net = network_with_stun(input)?;
    add_turn_server(&mut net)?;
    let config = |controlling| AgentConfig {
        controlling,
        servers: vec![stun_entry(), turn_entry()],
        ..AgentConfig::default()
    };
    let ((a, _), (b, _)) = place_pair(&mut net, (na, nb), config)?;
    let mut call = Call::new(net, a, b)?;
    let label = format!("A {} / B {}", na.name(), nb.name());
    let t = call
        .connect(Duration::from_secs(20))
        .map_err(|e| format!("{label}: {e}"))?;
    let pair = selected(&call, &call.a, "no selected pair")?;
    let relayed =
        pair.local_kind == CandidateKind::Relay || pair.remote_kind == CandidateKind::Relay;
    if relayed == direct_possible(na, nb) {
        return Err(format!(
            "{label}: selected {pair:?}; a relay must be used exactly when no direct path exists"
        ));
    }
    expect_delivered(&mut call, 20).map_err(|e| format!("{label}: {e}"))?;
    Ok(outcome(&call, t, input.capture))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, seed: u64) -> Outcome {
        let s = scenarios().into_iter().find(|s| s.name == name).unwrap();
        (s.run)(&ScenarioInput {
            seed,
            capture: true,
        })
        .unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"))
    }

    #[test]
    fn the_same_seed_gives_the_same_capture() {
        // Symmetric-to-symmetric through TURN, the relay policy, and a restart.
        for (name, seed) in [
            ("ice/nat-matrix", 24),
            ("ice/relay-only", 3),
            ("ice/restart-new-path", 2),
        ] {
            let (a, b) = (run(name, seed), run(name, seed));
            assert_eq!(a.time_to_goal, b.time_to_goal, "{name}");
            assert!(a.pcap.as_ref().is_some_and(|p| p.len() > 1000), "{name}");
            assert_eq!(a.pcap, b.pcap, "{name}");
        }
        assert_ne!(run("ice/loss-10", 1).pcap, run("ice/loss-10", 2).pcap);
    }

    #[test]
    fn every_nat_combination_is_covered_by_25_seeds() {
        let pairs: std::collections::BTreeSet<(&str, &str)> = (1..=25)
            .map(nat_pair)
            .map(|(a, b)| (a.name(), b.name()))
            .collect();
        assert_eq!(pairs.len(), 25);
        assert!(!direct_possible(Nat::Symmetric, Nat::Symmetric));
        assert!(!direct_possible(Nat::PortRestricted, Nat::Symmetric));
        assert!(direct_possible(Nat::Restricted, Nat::Symmetric));
    }
}
