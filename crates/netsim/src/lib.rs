//! A seeded, deterministic discrete-event network simulator that drives
//! sansrtc's Sans-IO machines.
//!
//! - **Clock**: [`Network::new`] anchors an `Instant` the caller passes in;
//!   simulated time only moves as events are processed, and every machine
//!   gets `now` from the network. Nothing here reads the wall clock.
//! - **Randomness**: one ChaCha20 RNG seeded from the seed drives every link
//!   and NAT decision; [`Network::rng_for`] derives more for the machines.
//!   Same seed, same topology, same machines → the same trace, byte for byte.
//! - **Topology**: zones (the internet, and the inside of each NAT), hosts
//!   with IPv4/IPv6 addresses and an access link each, NATs between zones
//!   (RFC 4787 mapping and filtering behaviours, timeouts, hairpinning).
//! - **Links** ([`LinkConfig`]): delay, jitter, independent or
//!   Gilbert–Elliott loss, reordering, duplication, MTU, a bandwidth cap
//!   with a bounded queue, down/up at scheduled times.
//! - **Nodes**: any machine implementing [`Node`] (the workspace's Sans-IO
//!   contract: `handle_receive`, `handle_timeout`, drain `poll_output`
//!   until a timeout). Machines from other crates plug in through
//!   [`MachineNode`] (address-aware) or [`FixedPeerNode`] (byte-oriented).
//! - **Servers**: a STUN Binding server ([`StunServer`]) and a TURN server
//!   ([`TurnServer`]: long-term credentials, allocations, permissions,
//!   channels) built on `sansrtc-stun`, for srflx and relay candidates;
//!   plus small test nodes ([`Probe`], [`Echo`], [`Reflector`]).
//! - **Observability**: a per-packet [`Trace`] with each packet's [`Fate`],
//!   [`Counters`], and a pcap capture ([`Network::enable_capture`]).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sansrtc_netsim::{Echo, Flow, LinkConfig, Network, Probe};
//!
//! let start = Instant::now(); // the caller's anchor; the simulator never reads the clock
//! let mut net = Network::new(start, 7);
//! let internet = net.internet();
//! let server: std::net::SocketAddr = "192.0.2.1:7".parse().unwrap();
//! let client: std::net::SocketAddr = "192.0.2.2:5000".parse().unwrap();
//! net.add_host(internet, &[server.ip()], LinkConfig::default(), Echo::new()).unwrap();
//! let flow = Flow { destination: server, start, interval: Duration::from_millis(10), count: 5, size: 100 };
//! let probe = net
//!     .add_host(internet, &[client.ip()], LinkConfig::default(), Probe::with_flow(client, flow))
//!     .unwrap();
//! let outcome = net.run_until(start + Duration::from_secs(1), |net| net.events(&probe).count() == 5);
//! assert!(outcome.reached());
//! // 4 links of 5 ms on the way there and back, the last datagram sent at 40 ms.
//! assert_eq!(net.elapsed(), Duration::from_millis(60));
//! assert_eq!(net.counters().delivered, 10);
//! ```
//!
//! # Plugging in a byte-oriented machine
//!
//! A DTLS endpoint or an SCTP association reads and writes bytes, not
//! addressed datagrams. [`FixedPeerNode`] places one at a local address,
//! talking to one peer address; three non-capturing closures say how to
//! feed it, time it out and poll it:
//!
//! ```
//! # use std::time::{Duration, Instant};
//! # use sansrtc_proto::Output;
//! # struct Endpoint { sent: bool }
//! # impl Endpoint {
//! #   fn handle_receive(&mut self, _: Instant, _: &[u8]) -> Result<(), ()> { Ok(()) }
//! #   fn handle_timeout(&mut self, _: Instant) {}
//! #   fn poll_output(&mut self) -> Output<Vec<u8>, &'static str> {
//! #       if self.sent { Output::Timeout(None) } else { self.sent = true; Output::Transmit(b"hello".to_vec()) }
//! #   }
//! # }
//! use sansrtc_netsim::{FixedPeerNode, LinkConfig, Network};
//!
//! let start = Instant::now();
//! let mut net = Network::new(start, 1);
//! let a: std::net::SocketAddr = "10.0.0.1:4444".parse().unwrap();
//! let b: std::net::SocketAddr = "10.0.0.2:4444".parse().unwrap();
//! let node = |me, peer| {
//!     FixedPeerNode::new(
//!         Endpoint { sent: false },
//!         me,
//!         peer,
//!         |e, now, bytes| { let _ = e.handle_receive(now, bytes); },
//!         |e, now| e.handle_timeout(now),
//!         |e| e.poll_output(),
//!     )
//! };
//! let zone = net.internet();
//! let client = net.add_host(zone, &[a.ip()], LinkConfig::default(), node(a, b)).unwrap();
//! let server = net.add_host(zone, &[b.ip()], LinkConfig::default(), node(b, a)).unwrap();
//! net.run_for(Duration::from_millis(100));
//! assert_eq!(net.counters().delivered, 2);
//! assert!(net.node(&client).machine().sent);
//! net.node_mut(&server).machine_mut().sent = false; // a command: drained at the next step
//! net.run_for(Duration::from_millis(100));
//! assert_eq!(net.counters().delivered, 3);
//! ```
//!
//! The closures cannot capture; when a call needs more than the machine
//! (an RNG, an application buffer), make `M` a tuple or a small local struct
//! holding both, e.g. `FixedPeerNode<(Association, ChaCha20Rng), Event>`,
//! and map output types in `poll` (`|m| m.0.poll_output().map_transmit(|b|
//! b.to_vec())`).
//!
//! See `docs/netsim.md` for the model's details and its limits.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod adapters;
mod error;
mod event;
mod link;
mod nat;
mod network;
mod node;
mod nodes;
mod pcap;
mod routing;
mod servers;
mod topology;
mod trace;

pub use adapters::{FixedPeerNode, MachineNode};
pub use error::NetsimError;
pub use link::{Bandwidth, Direction, LinkConfig, Loss};
pub use nat::{NatBehavior, NatConfig, NatCounters, PortAssignment};
pub use network::{Network, RunOutcome, DEFAULT_EVENT_LIMIT};
pub use node::{Node, NodeId, DRAIN_LIMIT, EVENT_QUEUE_LIMIT};
pub use nodes::{Echo, Flow, Probe, Received, Reflector};
pub use pcap::{PcapWriter, EPOCH_OFFSET_SECS, LINKTYPE_RAW};
pub use servers::stun_server::{StunServer, StunServerCounters};
pub use servers::turn_server::{TurnConfig, TurnCounters, TurnEvent, TurnServer};
pub use servers::SERVER_SOFTWARE;
pub use topology::{HostCounters, HostId, LinkId, NatId, ZoneId};
pub use trace::{Counters, Fate, Trace, TraceRecord, DEFAULT_TRACE_LIMIT};

/// Re-exported so scenarios name the RNG the network derives.
pub use rand_chacha::ChaCha20Rng;
