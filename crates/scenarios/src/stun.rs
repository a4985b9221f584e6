//! STUN scenarios: a minimal Binding client on the `sansrtc-stun` codec,
//! with RFC 8489 §6.2.1 retransmissions, against netsim's `StunServer`
//! through each RFC 4787 NAT type on lossy links. (`network/stun-srflx`
//! checks the server and NAT mappings on clean links; this one checks that
//! the retransmission schedule gets through 10% loss.)

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_netsim::{ChaCha20Rng, LinkConfig, Loss, NatConfig, Network, Node, NodeId, StunServer};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_stun::attributes::XorMappedAddress;
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};

use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The STUN scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        name: "stun/srflx-through-nats",
        description: "Binding clients with RFC 8489 retransmissions, behind no NAT and each RFC 4787 NAT type, learn their reflexive address from the STUN server over 10%-loss links",
        default_seeds: 20,
        cases: 1,
        run: srflx_through_nats,
    }]
}

/// What a Binding client reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientEvent {
    /// The reflexive address from XOR-MAPPED-ADDRESS.
    Mapped(SocketAddr),
    /// Every retransmission went unanswered (RFC 8489 §6.2.1).
    TimedOut,
}

/// RFC 8489 §6.2.1 defaults: RTO 500 ms doubling, Rc = 7, Rm = 16.
const RTO: Duration = Duration::from_millis(500);
const RC: u32 = 7;
const RM: u32 = 16;

/// A Binding client with one transaction and RFC 8489 retransmissions.
struct BindingClient {
    local: SocketAddr,
    server: SocketAddr,
    transaction_id: TransactionId,
    request: Vec<u8>,
    sent: u32,
    next: Option<Instant>,
    outbox: VecDeque<Output<Transmit, ClientEvent>>,
}

impl BindingClient {
    fn new(local: SocketAddr, server: SocketAddr, start: Instant, rng: &mut ChaCha20Rng) -> Self {
        let transaction_id = TransactionId::random(rng);
        let mut request = Vec::new();
        let mut b = MessageBuilder::new(&mut request, MessageType::BINDING_REQUEST, transaction_id);
        // Adding FINGERPRINT to an empty request cannot fail.
        let _ = b.add_fingerprint();
        BindingClient {
            local,
            server,
            transaction_id,
            request,
            sent: 0,
            next: Some(start),
            outbox: VecDeque::new(),
        }
    }

    fn transmit(&mut self, now: Instant) {
        self.sent += 1;
        self.outbox.push_back(Output::Transmit(Transmit {
            protocol: Protocol::Udp,
            source: self.local,
            destination: self.server,
            contents: self.request.clone(),
        }));
        // Wait RTO·2^(n-1) after the n-th send; after the last, Rm·RTO.
        self.next = Some(if self.sent < RC {
            now + RTO * (1 << (self.sent - 1))
        } else {
            now + RTO * RM
        });
    }
}

impl Node for BindingClient {
    type Event = ClientEvent;

    fn handle_receive(&mut self, _now: Instant, datagram: Receive<'_>) {
        let Ok(response) = Message::parse(datagram.contents) else {
            return;
        };
        if self.next.is_none()
            || response.transaction_id() != self.transaction_id
            || response.class() != Class::SuccessResponse
            || response.verify_fingerprint().is_err()
        {
            return;
        }
        if let Ok(XorMappedAddress(mapped)) = response.require::<XorMappedAddress>() {
            self.next = None;
            self.outbox
                .push_back(Output::Event(ClientEvent::Mapped(mapped)));
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        match self.next {
            Some(at) if at <= now && self.sent < RC => self.transmit(now),
            Some(at) if at <= now => {
                self.next = None;
                self.outbox.push_back(Output::Event(ClientEvent::TimedOut));
            }
            _ => {}
        }
    }

    fn poll_output(&mut self) -> Output<Transmit, ClientEvent> {
        self.outbox
            .pop_front()
            .unwrap_or(Output::Timeout(self.next))
    }
}

fn err(e: sansrtc_netsim::NetsimError) -> String {
    e.to_string()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// One client on the internet and one behind each NAT preset discover
/// their reflexive addresses from one server.
fn srflx_through_nats(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let lossy = LinkConfig {
        delay: Duration::from_millis(15),
        jitter: Duration::from_millis(5),
        loss: Loss::Independent(0.10),
        ..LinkConfig::default()
    };
    let internet = net.internet();
    let server = SocketAddr::new(ip("192.0.2.1"), 3478);
    net.add_host(
        internet,
        &[server.ip()],
        LinkConfig::default(),
        StunServer::new(),
    )
    .map_err(err)?;

    type Nat = fn(IpAddr) -> NatConfig;
    let nats: [(&str, Option<Nat>); 5] = [
        ("no NAT", None),
        ("full cone", Some(NatConfig::full_cone)),
        ("restricted cone", Some(NatConfig::restricted_cone)),
        (
            "port-restricted cone",
            Some(NatConfig::port_restricted_cone),
        ),
        ("symmetric", Some(NatConfig::symmetric)),
    ];
    let mut clients: Vec<(&str, IpAddr, NodeId<BindingClient>)> = Vec::new();
    for (i, (name, nat)) in nats.iter().enumerate() {
        let i = i as u8;
        let mut rng = net.rng_for(u64::from(i));
        let (zone, local, public) = match nat {
            None => {
                let local = SocketAddr::new(IpAddr::from([198, 51, 100, 10 + i]), 50000);
                (internet, local, local.ip())
            }
            Some(config) => {
                let public = IpAddr::from([203, 0, 113, 10 + i]);
                let nat = net
                    .add_nat(internet, config(public), lossy.clone())
                    .map_err(err)?;
                let local = SocketAddr::new(IpAddr::from([10, 0, 0, 2]), 50000);
                (nat.inside(), local, public)
            }
        };
        let client = BindingClient::new(local, server, start, &mut rng);
        let id = net
            .add_host(zone, &[local.ip()], lossy.clone(), client)
            .map_err(err)?;
        clients.push((name, public, id));
    }

    let done = |net: &Network| {
        clients
            .iter()
            .all(|(_, _, id)| net.events(id).next().is_some())
    };
    net.run_until(start + Duration::from_secs(60), done);
    for (name, public, id) in &clients {
        match net.events(id).next() {
            Some(ClientEvent::Mapped(mapped)) if mapped.ip() == *public => {}
            Some(ClientEvent::Mapped(mapped)) => {
                return Err(format!("{name}: mapped {mapped}, expected IP {public}"))
            }
            Some(ClientEvent::TimedOut) => return Err(format!("{name}: Binding timed out")),
            None => return Err(format!("{name}: no answer by the deadline")),
        }
    }
    Ok(Outcome {
        time_to_goal: net.elapsed(),
        throughput_bytes_per_sec: None,
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srflx_discovery_succeeds_and_is_deterministic() {
        let run = |seed| {
            srflx_through_nats(&ScenarioInput {
                seed,
                capture: true,
            })
            .unwrap()
        };
        for seed in 0..5 {
            let (a, b) = (run(seed), run(seed));
            assert_eq!(a.time_to_goal, b.time_to_goal);
            assert_eq!(a.pcap, b.pcap);
        }
    }
}
