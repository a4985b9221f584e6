//! Configuration in the network: `iceCandidatePoolSize` (pre-gathering
//! makes the first offer immediate) and `rtcpMuxPolicy: negotiate`
//! (component 2 through NATs).

use std::net::SocketAddr;
use std::time::Duration;

use sansrtc_ice::{AgentConfig, IceEvent, IceGatheringState};
use sansrtc_netsim::Network;

use super::{
    access_link, add_turn_server, err, network_with_stun, outcome, place, place_pair, sa,
    stun_entry, turn_entry, Call, Nat,
};
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "ice/candidate-pool",
            description: "iceCandidatePoolSize 1 behind a NAT with STUN and TURN: pre-gathered at t=0, the offer at t=2 s gets host, srflx and relay candidates and gathering complete at once (time: offer → complete); without a pool it takes the server round trips",
            default_seeds: 10,
            cases: 1,
            run: candidate_pool,
        },
        Scenario {
            name: "ice/rtcp-mux-negotiate",
            description: "rtcpMuxPolicy negotiate on both agents behind restricted/port-restricted NATs: components 1 and 2 gathered, checked and selected, RTCP datagrams delivered on component 2",
            default_seeds: 10,
            cases: 1,
            run: rtcp_mux_negotiate,
        },
    ]
}

/// Time from `gather` at 2 s to gathering complete, with a pool of `pool`,
/// and the capture when asked for.
fn offer_delay(seed: u64, pool: u8, capture: bool) -> Result<(Duration, Option<Vec<u8>>), String> {
    let mut net = network_with_stun(&ScenarioInput { seed, capture })?;
    add_turn_server(&mut net)?;
    let config = AgentConfig {
        candidate_pool_size: pool,
        servers: vec![stun_entry(), turn_entry()],
        ..AgentConfig::default()
    };
    let (a, _) = place(
        &mut net,
        Nat::PortRestricted,
        sa("203.0.113.1:0").ip(),
        1,
        config,
        access_link(),
    )?;
    let now = net.now();
    net.node_mut(&a).agent.prepare(now);
    net.run_for(Duration::from_secs(2));
    if net
        .events(&a)
        .any(|e| matches!(e, IceEvent::LocalCandidate(_)))
    {
        return Err("candidates came out before the offer".into());
    }
    let offer = net.elapsed();
    let now = net.now();
    net.node_mut(&a).agent.gather(now);
    let done = |net: &Network| {
        net.events(&a)
            .any(|e| *e == IceEvent::GatheringState(IceGatheringState::Complete))
    };
    if !net
        .run_until(net.start() + Duration::from_secs(10), done)
        .reached()
        && !done(&net)
    {
        return Err(format!("pool {pool}: gathering not complete"));
    }
    let kinds = net
        .events(&a)
        .filter(|e| matches!(e, IceEvent::LocalCandidate(_)))
        .count();
    if kinds != 3 {
        return Err(format!(
            "pool {pool}: {kinds} candidates, expected host, srflx and relay"
        ));
    }
    Ok((net.elapsed() - offer, net.pcap().map(<[u8]>::to_vec)))
}

fn candidate_pool(input: &ScenarioInput) -> Result<Outcome, String> {
    // The capture is the pooled run's.
    let (pooled, pcap) = offer_delay(input.seed, 1, input.capture)?;
    let (unpooled, _) = offer_delay(input.seed, 0, false)?;
    if pooled != Duration::ZERO || unpooled < Duration::from_millis(40) {
        return Err(format!(
            "offer → complete: {pooled:?} with a pool, {unpooled:?} without"
        ));
    }
    Ok(Outcome {
        time_to_goal: pooled,
        throughput_bytes_per_sec: None,
        pcap,
    })
}

fn rtcp_mux_negotiate(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut net = network_with_stun(input)?;
    let config = |controlling| AgentConfig {
        controlling,
        components: 2,
        servers: vec![stun_entry()],
        ..AgentConfig::default()
    };
    let ((a, la), (b, lb)) = place_pair(&mut net, (Nat::Restricted, Nat::PortRestricted), config)?;
    let now = net.now();
    for (id, local) in [(&a, la), (&b, lb)] {
        let rtcp = SocketAddr::new(local.ip(), local.port() + 1);
        net.node_mut(id)
            .agent
            .add_component_address(now, 2, rtcp)
            .map_err(err)?;
    }
    let mut call = Call::new(net, a, b)?;
    let t = call.connect(Duration::from_secs(20))?;
    for id in [&call.a, &call.b] {
        let agent = &call.net.node(id).agent;
        let (rtp, rtcp) = (agent.selected_pair(1), agent.selected_pair(2));
        match (rtp, rtcp) {
            (Some(p1), Some(p2)) if p1.local_base.port() + 1 == p2.local_base.port() => {}
            other => return Err(format!("selected pairs {other:?}")),
        }
    }
    let before = call.net.node(&call.b).received.len();
    for i in 0..10 {
        let now = call.net.now();
        call.net
            .node_mut(&call.a)
            .agent
            .send(now, 2, format!("rtcp {i}").as_bytes())
            .map_err(err)?;
        call.run_until(call.net.elapsed() + Duration::from_millis(20), |_| false);
    }
    call.run_until(call.net.elapsed() + Duration::from_millis(500), |_| false);
    let got = call.net.node(&call.b).received.len() - before;
    if got != 10 {
        return Err(format!("{got}/10 RTCP datagrams on component 2"));
    }
    Ok(outcome(&call, t, input.capture))
}
