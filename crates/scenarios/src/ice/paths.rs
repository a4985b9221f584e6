//! Relay-only policy (asserted on the trace) and lossy paths.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use sansrtc_config::IceTransportPolicy;
use sansrtc_ice::AgentConfig;
use sansrtc_netsim::{LinkConfig, Loss};
use sansrtc_sdp::CandidateKind;

use super::{
    access_link, add_turn_server, expect_delivered, network_with_stun, outcome, place, place_pair,
    place_pair_on, sa, selected, stun_entry, turn_entry, Call, Nat, TURN_SERVER,
};
use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "ice/relay-only",
            description: "iceTransportPolicy relay on both agents behind port-restricted NATs: only relay candidates are signalled, the pair is relay-relay, and the trace shows every datagram from either agent going to the TURN server",
            default_seeds: 20,
            cases: 1,
            run: relay_only,
        },
        Scenario {
            name: "ice/turn-servers",
            description: "symmetric NATs on both sides with three TURN servers configured: one unreachable, one refusing the password, one working: connected through the working relay at once; candidate errors 401 and (after RFC 8489's 39.5 s) 701, then gathering complete",
            default_seeds: 10,
            cases: 1,
            run: turn_servers,
        },
        Scenario {
            name: "ice/lite-server",
            description: "an ICE-lite server on a public address and a full agent behind a symmetric NAT: the full agent controls, the lite side never sends a check and learns the client as peer-reflexive; data both ways",
            default_seeds: 20,
            cases: 1,
            run: lite_server,
        },
        Scenario {
            name: "ice/dual-stack",
            description: "two dual-stack agents (IPv4 and IPv6 host addresses): pairs form within a family, the IPv6 pair is selected, data both ways",
            default_seeds: 10,
            cases: 1,
            run: dual_stack,
        },
        Scenario {
            name: "ice/loss-10",
            description: "both agents behind port-restricted NATs with STUN and TURN servers, 10% independent loss on both access links (each direction): connect and exchange data",
            default_seeds: 20,
            cases: 1,
            run: |input| lossy(input, 0.10),
        },
        Scenario {
            name: "ice/loss-30",
            description: "as ice/loss-10 with 30% loss, on A's access link only (each direction: a round trip survives 49% of the time)",
            default_seeds: 20,
            cases: 1,
            run: |input| lossy(input, 0.30),
        },
    ]
}

fn relay_only(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut net = network_with_stun(input)?;
    add_turn_server(&mut net)?;
    let config = |controlling| AgentConfig {
        controlling,
        transport_policy: IceTransportPolicy::Relay,
        servers: vec![stun_entry(), turn_entry()],
        ..AgentConfig::default()
    };
    let ((a, la), (b, lb)) =
        place_pair(&mut net, (Nat::PortRestricted, Nat::PortRestricted), config)?;
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(20))?;
    for id in [&call.a, &call.b] {
        let agent = &call.net.node(id).agent;
        let sel = agent.selected_pair(1).ok_or("no selected pair")?;
        if sel.local_kind != CandidateKind::Relay || sel.remote_kind != CandidateKind::Relay {
            return Err(format!("selected {sel:?}: not relay-relay"));
        }
        if let Some(c) = agent
            .local_candidates()
            .iter()
            .find(|c| c.kind != CandidateKind::Relay)
        {
            return Err(format!(
                "signalled a non-relay candidate under the relay policy: {c}"
            ));
        }
    }
    expect_delivered(&mut call, 20)?;
    // The trace: everything either agent sent went to the TURN server.
    let agents: BTreeSet<IpAddr> = [la.ip(), lb.ip()].into();
    let turn = sa(TURN_SERVER);
    let records = call.net.trace().records();
    let from_agents = records
        .iter()
        .filter(|r| agents.contains(&r.from.ip()))
        .count();
    if let Some(r) = records
        .iter()
        .find(|r| agents.contains(&r.from.ip()) && r.to != turn)
    {
        return Err(format!("relay policy broken: {r}"));
    }
    if from_agents < 40 {
        return Err(format!(
            "only {from_agents} datagrams from the agents in the trace"
        ));
    }
    Ok(outcome(&call, t, input.capture))
}

fn lossy(input: &ScenarioInput, loss: f64) -> Result<Outcome, String> {
    let mut net = network_with_stun(input)?;
    // A TURN server as a deployment has one: at 30% loss a Binding request
    // to the STUN server fails all 7 transmissions for ~1% of agents, and
    // without a srflx candidate two port-restricted NATs have no direct path.
    add_turn_server(&mut net)?;
    let link = LinkConfig {
        loss: Loss::Independent(loss),
        ..access_link()
    };
    let config = |controlling| AgentConfig {
        controlling,
        servers: vec![stun_entry(), turn_entry()],
        ..AgentConfig::default()
    };
    // 30%: only A's link is lossy (on both, a round trip would survive 24%
    // of the time and srflx gathering itself fails in ~1% of agents).
    let link_b = if loss > 0.2 {
        access_link()
    } else {
        link.clone()
    };
    let ((a, _), (b, _)) = place_pair_on(
        &mut net,
        (Nat::PortRestricted, Nat::PortRestricted),
        config,
        (link, link_b),
    )?;
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(60))?;
    let count = 100;
    let (to_b, to_a) = call.exchange(count, Duration::from_millis(10))?;
    // Each datagram crosses two lossy links (one at 30%): expect that share, within a wide margin.
    let crossings = if loss > 0.2 { 1 } else { 2 };
    let expected = count as f64 * (1.0 - loss).powi(crossings);
    for (got, side) in [(to_b, "B"), (to_a, "A")] {
        if (got as f64) < expected * 0.6 || got > count {
            return Err(format!(
                "{side} got {got}/{count}, expected about {expected:.0}"
            ));
        }
    }
    Ok(outcome(&call, t, input.capture))
}

fn lite_server(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut net = network_with_stun(input)?;
    let client = AgentConfig {
        servers: vec![stun_entry()],
        ..AgentConfig::default()
    };
    let server = AgentConfig {
        lite: true,
        ..AgentConfig::default()
    };
    let (a, _) = place(
        &mut net,
        Nat::Symmetric,
        sa("203.0.113.1:0").ip(),
        1,
        client,
        access_link(),
    )?;
    let (b, lb) = place(
        &mut net,
        Nat::None,
        sa("198.51.100.80:0").ip(),
        2,
        server,
        access_link(),
    )?;
    net.node_mut(&a).agent.set_remote_lite(true);
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(20))?;
    if !call.net.node(&call.a).agent.is_controlling() {
        return Err("the full agent must control a lite peer".into());
    }
    let sel = selected(&call, &call.b, "lite: no pair")?;
    if sel.remote_kind != CandidateKind::PeerReflexive {
        return Err(format!(
            "lite side selected {sel:?}, expected the client's prflx address"
        ));
    }
    expect_delivered(&mut call, 20)?;
    // The lite agent only ever answered: no request from its address.
    let sent_by_lite = call
        .net
        .trace()
        .records()
        .iter()
        .filter(|r| r.from == lb)
        .count();
    let answered = call.net.node(&call.b).agent.stats();
    if answered.checks_sent != 0 || answered.consent_checks_sent != 0 || sent_by_lite == 0 {
        return Err(format!("lite agent sent checks: {answered:?}"));
    }
    Ok(outcome(&call, t, input.capture))
}

fn dual_stack(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, _) = network(input);
    let internet = net.internet();
    let (a4, a6) = (sa("198.51.100.1:50000"), sa("[2001:db8::1]:50000"));
    let (b4, b6) = (sa("198.51.100.2:50000"), sa("[2001:db8::2]:50000"));
    let mut pa = super::call::agent(&net, 1, super::controlling(), a4)?;
    let mut pb = super::call::agent(&net, 2, AgentConfig::default(), b4)?;
    let now = net.now();
    pa.agent.add_local_address(now, a6).map_err(super::err)?;
    pb.agent.add_local_address(now, b6).map_err(super::err)?;
    let a = net
        .add_host(internet, &[a4.ip(), a6.ip()], access_link(), pa)
        .map_err(super::err)?;
    let b = net
        .add_host(internet, &[b4.ip(), b6.ip()], access_link(), pb)
        .map_err(super::err)?;
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(10))?;
    let agent = &call.net.node(&call.a).agent;
    let sel = agent.selected_pair(1).ok_or("no pair")?;
    if (sel.local_base, sel.remote) != (a6, b6) || agent.pair_count() != 2 {
        return Err(format!(
            "selected {sel:?} with {} pairs; expected the IPv6 pair of 2",
            agent.pair_count()
        ));
    }
    expect_delivered(&mut call, 20)?;
    Ok(outcome(&call, t, input.capture))
}

fn turn_servers(input: &ScenarioInput) -> Result<Outcome, String> {
    use sansrtc_config::IceHost;
    use sansrtc_ice::IceServerEntry;
    use sansrtc_proto::Protocol;
    let (mut net, _) = network(input);
    add_turn_server(&mut net)?;
    super::add_turn_server_at(&mut net, sa("192.0.2.3:3478"), 98)?;
    let entry = |ip: [u8; 4], password: &str| {
        IceServerEntry::turn(
            &format!("turn:{}.{}.{}.{}:3478", ip[0], ip[1], ip[2], ip[3]),
            IceHost::Ipv4(ip.into()),
            3478,
            Protocol::Udp,
            super::TURN_USER,
            password,
        )
    };
    let servers = vec![
        entry([192, 0, 2, 250], super::TURN_PASSWORD), // nobody there
        entry([192, 0, 2, 3], "not-the-password"),
        turn_entry(),
    ];
    let config = |controlling| AgentConfig {
        controlling,
        servers: servers.clone(),
        ..AgentConfig::default()
    };
    let ((a, _), (b, _)) = place_pair(&mut net, (Nat::Symmetric, Nat::Symmetric), config)?;
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(10))?;
    let sel = selected(&call, &call.a, "no pair")?;
    if sel.local_kind != CandidateKind::Relay && sel.remote_kind != CandidateKind::Relay {
        return Err(format!("symmetric–symmetric without a relay: {sel:?}"));
    }
    let complete = |c: &Call| {
        c.net.node(&c.a).agent.gathering_state() == sansrtc_ice::IceGatheringState::Complete
    };
    if !call.run_until(Duration::from_secs(60), complete) {
        return Err("gathering never completed".into());
    }
    let mut errors: Vec<(String, u16)> = call.errors.clone();
    errors.sort();
    errors.dedup();
    let want = vec![
        ("turn:192.0.2.250:3478".to_string(), 701),
        ("turn:192.0.2.3:3478".to_string(), 401),
    ];
    if errors != want {
        return Err(format!("candidate errors {errors:?}, expected {want:?}"));
    }
    expect_delivered(&mut call, 20)?;
    Ok(outcome(&call, t, input.capture))
}
