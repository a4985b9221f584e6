//! `sansrtc-ice`: an ICE agent (RFC 8445) with trickle (RFC 8838) and
//! consent freshness (RFC 7675), Sans-IO.
//!
//! The application adds the local addresses it bound sockets on
//! ([`Agent::add_local_address`]); the agent never enumerates interfaces,
//! resolves names (it asks with [`IceEvent::Resolve`]) or opens sockets: it
//! says what to send from which local address ([`sansrtc_proto::Transmit`]).
//!
//! **Contract**: after every `&mut self` call, drain [`Agent::poll_output`]
//! until it returns [`Output::Timeout`], and call [`Agent::handle_timeout`]
//! at that instant. Received datagrams go to [`Agent::handle_receive`],
//! which returns application data ([`Received::Data`]) without copying.
//!
//! Two agents connecting in memory (one LAN, instant delivery):
//!
//! ```
//! use std::time::{Duration, Instant};
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, Received};
//! use sansrtc_proto::{Output, Receive};
//!
//! let start = Instant::now(); // the driver's clock; the agent never reads one
//! let mut a = Agent::new(AgentConfig { controlling: true, ..AgentConfig::default() },
//!                        ChaCha20Rng::seed_from_u64(1))?;
//! let mut b = Agent::new(AgentConfig::default(), ChaCha20Rng::seed_from_u64(2))?;
//! a.add_local_address(start, "10.0.0.1:5000".parse().unwrap())?;
//! b.add_local_address(start, "10.0.0.2:6000".parse().unwrap())?;
//! let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
//! a.set_remote_credentials(start, &cb.ufrag, &cb.pwd)?;
//! b.set_remote_credentials(start, &ca.ufrag, &ca.pwd)?;
//! a.gather(start);
//! b.gather(start);
//!
//! /// Drains `me`: candidates are trickled to `other`, transmits returned.
//! fn drain(me: &mut Agent, other: &mut Agent, now: Instant, next: &mut Instant)
//!     -> Result<Vec<sansrtc_proto::Transmit>, sansrtc_ice::IceError> {
//!     let mut wires = Vec::new();
//!     loop {
//!         match me.poll_output() {
//!             Output::Transmit(t) => wires.push(t),
//!             Output::Event(IceEvent::LocalCandidate(c)) => other.add_remote_candidate(now, &c)?,
//!             Output::Event(_) => {}
//!             Output::Timeout(t) => {
//!                 *next = (*next).min(t.unwrap_or(*next));
//!                 return Ok(wires);
//!             }
//!         }
//!     }
//! }
//!
//! let mut now = start;
//! let mut got = Vec::new();
//! for _ in 0..200 {
//!     let mut next = now + Duration::from_secs(1);
//!     let to_b = drain(&mut a, &mut b, now, &mut next)?;
//!     let to_a = drain(&mut b, &mut a, now, &mut next)?;
//!     for (to, wires) in [(&mut b, to_b), (&mut a, to_a)] {
//!         for t in &wires {
//!             let rx = Receive { protocol: t.protocol, source: t.source,
//!                                destination: t.destination, contents: &t.contents };
//!             if let Received::Data { data, .. } = to.handle_receive(now, rx) {
//!                 got.push(data.to_vec());
//!             }
//!         }
//!     }
//!     if !got.is_empty() { break; }
//!     if a.connection_state() == IceConnectionState::Connected
//!         && b.connection_state() == IceConnectionState::Connected {
//!         a.send(now, 1, b"hello over ICE")?; // the next round delivers it
//!         continue;
//!     }
//!     now = next.max(now);
//!     a.handle_timeout(now);
//!     b.handle_timeout(now);
//! }
//! assert_eq!(got, vec![b"hello over ICE".to_vec()]);
//! assert_eq!(a.selected_pair(1).unwrap().remote, "10.0.0.2:6000".parse().unwrap());
//! # Ok::<(), sansrtc_ice::IceError>(())
//! ```
//!
//! See `docs/ice.md` for the RFC sections implemented and the deviations.
//!
//! **The `snapshot` feature** (off by default): `Agent` is `Clone` (with
//! its relays: [`RelayClient`] and [`RelayFactory`] gain a `clone_box`
//! method, and [`IceRng`] requires `Clone`), for fuzz harnesses that build
//! an agent once and clone it per input. Never clone a live connection: two
//! copies that both send would reuse nonces and sequence numbers under the
//! same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod agent;
mod candidate;
#[cfg(test)]
mod checklist_tests;
mod checks;
mod config;
mod consent;
mod credentials;
mod error;
mod event;
mod gather;
mod inbound;
mod outbox;
mod pair;
mod relay;
mod snapshot;
mod stats;
mod turn_relay;

pub use agent::{Agent, IceRng};
pub use candidate::{candidate_priority, local_preference, pair_priority, type_preference};
pub use config::{AgentConfig, IceServerEntry, Nomination, TurnTransport};
pub use credentials::Credentials;
pub use error::IceError;
pub use event::{IceConnectionState, IceEvent, IceGatheringState, ResolveId, SelectedPair};
pub use inbound::Received;
pub use pair::PairState;
pub use relay::{RelayClient, RelayEvent, RelayFactory, RelayRequest};
pub use sansrtc_proto::Output;
pub use snapshot::{CandidateSnapshot, IceSnapshot, PairSnapshot};
pub use stats::IceStats;
pub use turn_relay::TurnRelayFactory;
