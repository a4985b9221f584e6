//! Scenarios that check the simulated network itself: delivery, loss
//! rates, NAT behaviour, the bandwidth cap, a link going down and up. They
//! keep `cargo xtask sim` honest before (and besides) the protocol
//! scenarios.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sansrtc_netsim::{
    Bandwidth, Echo, Fate, Flow, LinkConfig, Loss, NatBehavior, NatConfig, Network, NodeId, Probe,
    Reflector,
};

use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The network scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "network/delivery",
            description: "200 echoed datagrams over IPv4 and IPv6 with jitter and reordering all come back",
            default_seeds: 20,
            cases: 1,
            run: delivery,
        },
        Scenario {
            name: "network/loss-rate",
            description: "5000 datagrams over a 10% independent-loss link lose 10% within 3 sigma",
            default_seeds: 20,
            cases: 1,
            run: loss_rate,
        },
        Scenario {
            name: "network/bursty-loss",
            description: "Gilbert-Elliott loss: the mean rate matches the model and losses come in bursts",
            default_seeds: 20,
            cases: 1,
            run: bursty_loss,
        },
        Scenario {
            name: "network/nat-behaviour",
            description: "each RFC 4787 mapping/filtering combination maps and filters as defined",
            default_seeds: 10,
            cases: 1,
            run: nat_behaviour,
        },
        Scenario {
            name: "network/bandwidth",
            description: "a 2 Mbit/s flow through a 1 Mbit/s cap is delivered at 1 Mbit/s, the rest dropped at the queue",
            default_seeds: 10,
            cases: 1,
            run: bandwidth,
        },
        Scenario {
            name: "network/link-flap",
            description: "a link down from 1 s to 2 s drops exactly what tries to cross it then",
            default_seeds: 10,
            cases: 1,
            run: link_flap,
        },
    ]
}

fn addr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
}

fn finish(net: &Network, throughput: Option<f64>) -> Outcome {
    Outcome {
        time_to_goal: net.elapsed(),
        throughput_bytes_per_sec: throughput,
        pcap: net.pcap().map(<[u8]>::to_vec),
    }
}

fn err(e: sansrtc_netsim::NetsimError) -> String {
    e.to_string()
}

/// Two probes (IPv4 and IPv6) echo 100 datagrams each off one server.
fn delivery(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let zone = net.internet();
    let link = LinkConfig {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(5),
        reorder: 0.05,
        ..LinkConfig::default()
    };
    let s4 = addr("192.0.2.10:7");
    let s6 = addr("[2001:db8::10]:7");
    net.add_host(zone, &[s4.ip(), s6.ip()], link.clone(), Echo::new())
        .map_err(err)?;
    let mut probes: Vec<NodeId<Probe>> = Vec::new();
    for (local, server) in [
        (addr("192.0.2.20:5000"), s4),
        (addr("[2001:db8::20]:5000"), s6),
    ] {
        let flow = Flow {
            destination: server,
            start,
            interval: Duration::from_millis(5),
            count: 100,
            size: 200,
        };
        probes.push(
            net.add_host(
                zone,
                &[local.ip()],
                link.clone(),
                Probe::with_flow(local, flow),
            )
            .map_err(err)?,
        );
    }
    let outcome = net.run_until(start + Duration::from_secs(10), |net| {
        probes.iter().all(|p| net.events(p).count() == 100)
    });
    if !outcome.reached() {
        let got: Vec<usize> = probes.iter().map(|p| net.events(p).count()).collect();
        return Err(format!("echoes received {got:?} of 100 each"));
    }
    let bytes = net.counters().delivered_bytes as f64;
    Ok(finish(&net, Some(bytes / net.elapsed().as_secs_f64())))
}

/// Sends `count` datagrams through a link with `loss` on the sender's
/// uplink; returns the network and which sequence numbers arrived.
fn lossy_flow(
    input: &ScenarioInput,
    loss: Loss,
    count: u64,
) -> Result<(Network, Vec<bool>), String> {
    let (mut net, start) = network(input);
    let zone = net.internet();
    let sink = addr("198.51.100.1:9");
    let sender = addr("198.51.100.2:9000");
    let receiver = net
        .add_host(zone, &[sink.ip()], LinkConfig::default(), Probe::new(sink))
        .map_err(err)?;
    let flow = Flow {
        destination: sink,
        start,
        interval: Duration::from_millis(1),
        count,
        size: 100,
    };
    let lossy = LinkConfig {
        loss,
        ..LinkConfig::default()
    };
    net.add_host(zone, &[sender.ip()], lossy, Probe::with_flow(sender, flow))
        .map_err(err)?;
    net.run_for(Duration::from_millis(count + 1000));
    let mut arrived = vec![false; count as usize];
    for r in net.take_events(&receiver) {
        let seq = r
            .contents
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes)
            .ok_or("short datagram")?;
        if let Some(slot) = arrived.get_mut(seq as usize) {
            *slot = true;
        }
    }
    Ok((net, arrived))
}

fn check_rate(measured: f64, expected: f64, n: u64) -> Result<(), String> {
    let sigma = (expected * (1.0 - expected) / n as f64).sqrt();
    if (measured - expected).abs() > 3.0 * sigma {
        return Err(format!(
            "measured loss {measured:.4}, configured {expected:.4} (3 sigma = {:.4})",
            3.0 * sigma
        ));
    }
    Ok(())
}

fn loss_rate(input: &ScenarioInput) -> Result<Outcome, String> {
    let n = 5000;
    let (net, arrived) = lossy_flow(input, Loss::Independent(0.1), n)?;
    let lost = arrived.iter().filter(|a| !**a).count() as u64;
    if lost != net.counters().lost {
        return Err(format!(
            "{lost} missing but {} counted lost",
            net.counters().lost
        ));
    }
    check_rate(lost as f64 / n as f64, 0.1, n)?;
    Ok(finish(&net, None))
}

fn bursty_loss(input: &ScenarioInput) -> Result<Outcome, String> {
    let n = 20_000;
    let loss = Loss::GilbertElliott {
        good_to_bad: 0.02,
        bad_to_good: 0.25,
        loss_good: 0.0,
        loss_bad: 1.0,
    };
    let (net, arrived) = lossy_flow(input, loss, n)?;
    let lost = arrived.iter().filter(|a| !**a).count();
    let bursts = arrived.windows(2).filter(|w| w[0] && !w[1]).count().max(1);
    let mean_burst = lost as f64 / bursts as f64;
    // Bursts of a bad state last 1/bad_to_good = 4 packets on average; the
    // mean rate's spread is wider than binomial, so allow 25% relative.
    let expected = loss.mean_rate();
    let measured = lost as f64 / n as f64;
    if (measured - expected).abs() > 0.25 * expected {
        return Err(format!("measured loss {measured:.4}, model {expected:.4}"));
    }
    if !(3.0..=5.0).contains(&mean_burst) {
        return Err(format!("mean burst {mean_burst:.2} packets, model 4"));
    }
    Ok(finish(&net, None))
}

/// What a host behind a NAT learns from two reflectors and a third party.
struct NatObservation {
    /// External address seen by reflector A, port 3478.
    seen_a: SocketAddr,
    /// Seen by reflector A on its other port.
    seen_a_other_port: SocketAddr,
    /// Seen by reflector B (another IP).
    seen_b: SocketAddr,
    /// Whether a datagram from A's other (unused) port got in.
    admitted_same_ip_other_port: bool,
    /// Whether a datagram from a never-contacted IP got in.
    admitted_other_ip: bool,
}

fn observe_nat(
    input: &ScenarioInput,
    mapping: NatBehavior,
    filtering: NatBehavior,
) -> Result<(Network, NatObservation), String> {
    let (mut net, _start) = network(input);
    let internet = net.internet();
    let public: IpAddr = addr("203.0.113.1:0").ip();
    let nat = net
        .add_nat(
            internet,
            NatConfig::new(public, mapping, filtering),
            LinkConfig::default(),
        )
        .map_err(err)?;
    let a1 = addr("192.0.2.1:3478");
    let a2 = addr("192.0.2.1:3479");
    let a_unused = addr("192.0.2.1:4000");
    let b = addr("192.0.2.2:3478");
    let third = addr("192.0.2.3:5000");
    let reflector_a = net
        .add_host(
            internet,
            &[a1.ip()],
            LinkConfig::default(),
            Reflector::new(),
        )
        .map_err(err)?;
    net.add_host(internet, &[b.ip()], LinkConfig::default(), Reflector::new())
        .map_err(err)?;
    let outsider = net
        .add_host(
            internet,
            &[third.ip()],
            LinkConfig::default(),
            Probe::new(third),
        )
        .map_err(err)?;
    let local = addr("10.0.0.2:5000");
    let client = net
        .add_host(
            nat.inside(),
            &[local.ip()],
            LinkConfig::default(),
            Probe::new(local),
        )
        .map_err(err)?;
    // Ask A (both ports) and B for our address; the second A port also
    // exercises address-dependent mapping (same IP, other port).
    let mut seen = Vec::new();
    for server in [a1, a2, b] {
        net.node_mut(&client).send(server, b"who am i".to_vec());
        net.run_for(Duration::from_millis(100));
        let answers = net.take_events(&client);
        let answer = answers
            .first()
            .and_then(|r| Reflector::parse_answer(&r.contents))
            .ok_or_else(|| format!("no answer from {server}"))?;
        seen.push(answer);
    }
    let external = seen[0];
    // Unsolicited datagrams to the first mapping: from A's IP on a port
    // never used (injected from A's host), and from an IP never contacted.
    net.inject(
        reflector_a.host(),
        sansrtc_proto::Transmit {
            protocol: sansrtc_proto::Protocol::Udp,
            source: a_unused,
            destination: external,
            contents: b"unsolicited-port".to_vec(),
        },
    );
    net.node_mut(&outsider)
        .send(external, b"unsolicited-ip".to_vec());
    net.run_for(Duration::from_millis(100));
    let got: Vec<Vec<u8>> = net
        .take_events(&client)
        .into_iter()
        .map(|r| r.contents)
        .collect();
    Ok((
        net,
        NatObservation {
            seen_a: seen[0],
            seen_a_other_port: seen[1],
            seen_b: seen[2],
            admitted_same_ip_other_port: got.contains(&b"unsolicited-port".to_vec()),
            admitted_other_ip: got.contains(&b"unsolicited-ip".to_vec()),
        },
    ))
}

fn nat_behaviour(input: &ScenarioInput) -> Result<Outcome, String> {
    use NatBehavior::{
        AddressAndPortDependent as Apd, AddressDependent as Ad, EndpointIndependent as Ei,
    };
    let mut last = None;
    for mapping in [Ei, Ad, Apd] {
        for filtering in [Ei, Ad, Apd] {
            let (net, o) = observe_nat(input, mapping, filtering)?;
            let what = format!("mapping {mapping:?}, filtering {filtering:?}");
            let same_other_port = o.seen_a == o.seen_a_other_port;
            let same_other_ip = o.seen_a == o.seen_b;
            let expect_same_other_port = mapping != Apd;
            let expect_same_other_ip = mapping == Ei;
            if same_other_port != expect_same_other_port || same_other_ip != expect_same_other_ip {
                return Err(format!(
                    "{what}: mapped {} / {} / {}",
                    o.seen_a, o.seen_a_other_port, o.seen_b
                ));
            }
            let expect_port_admitted = filtering != Apd;
            let expect_ip_admitted = filtering == Ei;
            if o.admitted_same_ip_other_port != expect_port_admitted
                || o.admitted_other_ip != expect_ip_admitted
            {
                return Err(format!(
                    "{what}: admitted from same IP other port {}, from other IP {}",
                    o.admitted_same_ip_other_port, o.admitted_other_ip
                ));
            }
            last = Some(net);
        }
    }
    let net = last.ok_or("no NAT checked")?;
    Ok(finish(&net, None))
}

fn bandwidth(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let zone = net.internet();
    let sink = addr("198.51.100.1:9");
    let sender = addr("198.51.100.2:9000");
    let receiver = net
        .add_host(zone, &[sink.ip()], LinkConfig::default(), Probe::new(sink))
        .map_err(err)?;
    let capped = LinkConfig {
        bandwidth: Some(Bandwidth {
            bits_per_second: 1_000_000,
            queue_bytes: 25_000,
        }),
        ..LinkConfig::default()
    };
    // 1000-byte payloads every 4 ms: 2 Mbit/s of UDP payload for 4 s.
    let flow = Flow {
        destination: sink,
        start,
        interval: Duration::from_millis(4),
        count: 1000,
        size: 1000,
    };
    net.add_host(zone, &[sender.ip()], capped, Probe::with_flow(sender, flow))
        .map_err(err)?;
    net.run_for(Duration::from_secs(6));
    let received = net.take_events(&receiver);
    let (Some(first), Some(last)) = (received.first(), received.last()) else {
        return Err("nothing received".into());
    };
    let span = (last.at - first.at).as_secs_f64();
    let ip_bytes: usize = received.iter().skip(1).map(|r| r.contents.len() + 28).sum();
    let rate_bits = ip_bytes as f64 * 8.0 / span;
    if !(950_000.0..=1_050_000.0).contains(&rate_bits) {
        return Err(format!(
            "delivered at {rate_bits:.0} bit/s through a 1 Mbit/s cap"
        ));
    }
    let dropped = net.counters().dropped_queue;
    if dropped < 400 || dropped as usize + received.len() != 1000 {
        return Err(format!(
            "{dropped} dropped at the queue, {} delivered",
            received.len()
        ));
    }
    let payload: usize = received.iter().map(|r| r.contents.len()).sum();
    let time_to_goal = last.at - start;
    Ok(Outcome {
        time_to_goal,
        throughput_bytes_per_sec: Some(payload as f64 / time_to_goal.as_secs_f64()),
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

fn link_flap(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let zone = net.internet();
    let sink = addr("198.51.100.1:9");
    let sender = addr("198.51.100.2:9000");
    let receiver = net
        .add_host(zone, &[sink.ip()], LinkConfig::default(), Probe::new(sink))
        .map_err(err)?;
    let flow = Flow {
        destination: sink,
        start,
        interval: Duration::from_millis(10),
        count: 300,
        size: 100,
    };
    let link = LinkConfig {
        jitter: Duration::from_millis(2),
        ..LinkConfig::default()
    };
    let id = net
        .add_host(zone, &[sender.ip()], link, Probe::with_flow(sender, flow))
        .map_err(err)?;
    let uplink = net.host_link(id.host());
    net.schedule_link_state(uplink, start + Duration::from_secs(1), false);
    net.schedule_link_state(uplink, start + Duration::from_secs(2), true);
    net.run_for(Duration::from_secs(4));
    let got = net.take_events(&receiver).len();
    // Sends at 1.00 s … 1.99 s hit the down link: 100 of 300.
    let down = net
        .trace()
        .records()
        .iter()
        .filter(|r| r.fate == Fate::DroppedLinkDown)
        .count();
    if down != 100 || got != 200 {
        return Err(format!(
            "{down} dropped while down, {got} delivered (expected 100, 200)"
        ));
    }
    Ok(finish(&net, None))
}
