//! TURN scenarios: `sansrtc-turn`'s client behind each RFC 4787 NAT type,
//! on a 10%-loss access link, allocates on netsim's `TurnServer`, relays
//! to an echoing peer over a channel, and keeps the allocation, permission
//! and channel alive through a quarter of an hour of refreshes.

use std::net::SocketAddr;
use std::time::Duration;

use sansrtc_netsim::{Echo, LinkConfig, Loss, MachineNode, NatConfig, TurnConfig, TurnServer};
use sansrtc_proto::Protocol;
use sansrtc_turn::{TurnClient, TurnClientConfig, TurnEvent, TurnState};

use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The TURN scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        name: "turn/relay-through-nats",
        description: "a TURN client behind each RFC 4787 NAT type on a 10%-loss link allocates (401 challenge), relays to an echoing peer over a channel, and survives 15 simulated minutes of refreshes",
        default_seeds: 20,
        cases: 4,
        run: relay_through_nats,
    }]
}

const TURN: &str = "192.0.2.100:3478";
const RELAY_IP: &str = "192.0.2.101";
const PEER: &str = "198.51.100.7:7000";
const LOCAL: &str = "10.0.0.2:5000";

fn addr(s: &str) -> Result<SocketAddr, String> {
    s.parse().map_err(|e| format!("{s}: {e}"))
}

fn relay_through_nats(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let internet = net.internet();
    let turn = addr(TURN)?;
    let relay_ip = RELAY_IP.parse().map_err(|e| format!("{e}"))?;
    let config = TurnConfig::new(turn, relay_ip, "user", "secret");
    let server = TurnServer::new(config, net.rng_for(1));
    net.add_host(
        internet,
        &[turn.ip(), relay_ip],
        LinkConfig::default(),
        server,
    )
    .map_err(|e| e.to_string())?;
    let peer = addr(PEER)?;
    net.add_host(internet, &[peer.ip()], LinkConfig::default(), Echo::new())
        .map_err(|e| e.to_string())?;
    let public = "203.0.113.1".parse().map_err(|e| format!("{e}"))?;
    let nat = match input.seed % 4 {
        0 => NatConfig::full_cone(public),
        1 => NatConfig::restricted_cone(public),
        2 => NatConfig::port_restricted_cone(public),
        _ => NatConfig::symmetric(public),
    };
    let nat = net
        .add_nat(internet, nat, LinkConfig::default())
        .map_err(|e| e.to_string())?;
    let lossy = LinkConfig {
        loss: Loss::Independent(0.1),
        jitter: Duration::from_millis(10),
        ..LinkConfig::default()
    };
    let local = addr(LOCAL)?;
    let config = TurnClientConfig::new(turn, Protocol::Udp, local, "user", "secret", "turn:sim");
    let client = TurnClient::new(config, net.rng_for(2));
    let node = MachineNode::new(
        client,
        |c, now, d| {
            c.handle_receive(now, d);
        },
        |c, now| c.handle_timeout(now),
        |c| c.poll_output(),
    );
    let client = net
        .add_host(nat.inside(), &[local.ip()], lossy, node)
        .map_err(|e| e.to_string())?;
    {
        let now = net.now();
        net.node_mut(&client)
            .machine_mut()
            .start(now)
            .map_err(|e| e.to_string())?;
    }
    // The allocation (through the 401 challenge and any loss).
    net.run_until(start + Duration::from_secs(60), |net| {
        net.node(&client).machine().state() != TurnState::Allocating
    });
    let mut sent = 0u32;
    let mut echoed = 0u32;
    let mut first_echo = None;
    let mut check = |events: Vec<TurnEvent>, at: Duration, echoed: &mut u32| {
        for e in events {
            match e {
                TurnEvent::Data { peer: from, .. } if from == peer => {
                    *echoed += 1;
                    first_echo.get_or_insert(at);
                }
                TurnEvent::Failed { code, text, .. } => {
                    return Err(format!("failed at {at:?}: {code} {text}"))
                }
                _ => {}
            }
        }
        Ok(())
    };
    // Then data every 100 ms until the first echo, then every 5 s (as ICE
    // consent checks would go) for a quarter of an hour.
    for round in 0..500u32 {
        let now = net.now();
        let c = net.node_mut(&client).machine_mut();
        if c.state() != TurnState::Allocated {
            return Err(format!("state {:?} at {:?}", c.state(), net.elapsed()));
        }
        match c.send_to(now, peer, &sent.to_be_bytes()) {
            Ok(()) => sent += 1,
            // While a lost CreatePermission is retransmitted the bounded
            // queue fills up: that datagram is dropped, as designed.
            Err(sansrtc_turn::TurnError::QueueFull { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
        let step = if echoed == 0 {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(5)
        };
        let deadline = net.now() + step;
        let before = echoed;
        net.run_until(deadline, |net| {
            before == 0
                && net
                    .events(&client)
                    .any(|e| matches!(e, TurnEvent::Data { .. }))
        });
        check(net.take_events(&client), net.elapsed(), &mut echoed)?;
        if echoed > 0 && before == 0 {
            net.run_until(deadline, |_| false);
        }
        if net.elapsed() > Duration::from_secs(900) || round == 499 {
            break;
        }
    }
    let first_echo = first_echo.ok_or("no echo")?;
    let c = net.node(&client).machine();
    if c.state() != TurnState::Allocated {
        return Err(format!("state {:?} after 15 min", c.state()));
    }
    let (_, channel_state) = c.channel(peer).ok_or("no channel for the active peer")?;
    if channel_state != sansrtc_turn::BindingState::Installed {
        return Err(format!("channel {channel_state:?} after 15 min"));
    }
    // 10% loss each way of the client's link: about 81% round trips.
    if f64::from(echoed) < 0.6 * f64::from(sent) {
        return Err(format!("only {echoed} of {sent} datagrams echoed"));
    }
    Ok(Outcome {
        time_to_goal: first_echo,
        throughput_bytes_per_sec: None,
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relays_through_every_nat_type_and_is_deterministic() {
        for seed in 0..4 {
            let a = relay_through_nats(&ScenarioInput {
                seed,
                capture: true,
            })
            .unwrap();
            let b = relay_through_nats(&ScenarioInput {
                seed,
                capture: true,
            })
            .unwrap();
            assert_eq!(a.time_to_goal, b.time_to_goal, "seed {seed}");
            assert!(a.pcap == b.pcap, "seed {seed}: captures differ");
        }
    }
}
