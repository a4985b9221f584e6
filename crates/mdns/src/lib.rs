//! Sans-IO multicast DNS for ICE: the codec (RFC 1035 wire format with the
//! mDNS bits of RFC 6762), a resolver for the `<uuid>.local` names of
//! remote candidates and a responder for our own hidden host addresses
//! (draft-ietf-mmusic-mdns-ice-candidates).
//!
//! Nothing here owns a socket, a clock, a thread or an RNG. The driver (the
//! tokio and mio adapters, or a test) binds the multicast sockets
//! (`224.0.0.251:5353`, `[ff02::fb]:5353`), gives their local addresses in the
//! configurations, passes every datagram they receive to
//! `handle_receive`, calls `handle_timeout` at the instant asked for, and
//! sends what comes out. The contract is the workspace's: **after every
//! `&mut self` call, drain `poll_output()` until it returns
//! [`Output::Timeout`]**. Both machines implement
//! [`sansrtc_proto::Machine`].
//!
//! - [`Message`] parses and writes DNS messages: header, questions (with
//!   the QU bit), A and AAAA records (with the cache-flush bit), other
//!   records kept raw; names are decompressed under a loop guard and a
//!   255-byte limit, and hostile input gives an [`MdnsError`], never a
//!   panic.
//! - [`MdnsResolver`] resolves `.local` names: a query for A and AAAA,
//!   retransmitted after 1 s and 2 s more, given up after 5 s
//!   ([`ResolverEvent::Resolved`] with no addresses); answers are cached
//!   within bounds.
//! - [`MdnsResponder`] answers for registered names, which
//!   [`generate_name`] makes `<uuid-v4>.local` from the injected RNG.
//! - [`MdnsService`] is both on the same sockets, one machine for a
//!   driver to run.
//!
//! A responder hiding 192.168.1.20 and a resolver on another host of the
//! link, with the "network" a loop that hands every multicast datagram to
//! the other side:
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::Instant;
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc_mdns::*;
//! use sansrtc_proto::{Machine, Output, Receive, Transmit};
//!
//! let ours: SocketAddr = "192.168.1.20:5353".parse().unwrap();
//! let theirs: SocketAddr = "192.168.1.30:5353".parse().unwrap();
//! let now = Instant::now();
//!
//! let mut config = ResponderConfig::new(vec![ours]);
//! config.announce = false;
//! let mut responder = MdnsResponder::new(config);
//! let name = responder
//!     .register_new(now, &mut ChaCha20Rng::seed_from_u64(1), "192.168.1.20".parse().unwrap())?;
//! // `name` (like "6c5f…-4…-….local") goes into our host candidate instead of the address.
//!
//! let mut resolver = MdnsResolver::new(ResolverConfig::new(vec![theirs]));
//! let id = resolver.resolve(now, &name.to_string())?;
//!
//! /// Drains a machine; its transmits are what the network carries next.
//! fn drain<M: Machine>(m: &mut M, events: &mut Vec<M::Event>) -> Vec<Transmit> {
//!     let mut sent = Vec::new();
//!     loop {
//!         match m.poll_output() {
//!             Output::Transmit(t) => sent.push(t),
//!             Output::Event(e) => events.push(e),
//!             Output::Timeout(_) => return sent,
//!         }
//!     }
//! }
//! fn deliver(t: &Transmit, to: SocketAddr) -> Receive<'_> {
//!     Receive { protocol: t.protocol, source: t.source, destination: to, contents: &t.contents }
//! }
//!
//! let mut events = Vec::new();
//! let queries = drain(&mut resolver, &mut events);
//! assert_eq!(queries[0].destination, "224.0.0.251:5353".parse().unwrap());
//! for q in &queries {
//!     responder.handle_receive(now, deliver(q, ours));
//! }
//! for r in drain(&mut responder, &mut Vec::new()) {
//!     resolver.handle_receive(now, deliver(&r, theirs));
//! }
//! drain(&mut resolver, &mut events);
//! assert_eq!(events, vec![ResolverEvent::Resolved {
//!     id,
//!     name,
//!     addresses: vec!["192.168.1.20".parse().unwrap()],
//! }]);
//! # Ok::<(), MdnsError>(())
//! ```
//!
//! Design, bounds and what is left out: `docs/mdns.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cache;
mod error;
mod message;
mod multicast;
mod name;
mod record;
mod resolver;
mod responder;
mod service;
mod uuid_name;

pub use cache::{MAX_ADDRESSES_PER_NAME, MAX_CACHE_TTL};
pub use error::{MdnsError, Section};
pub use message::{Flags, Message, HEADER_LEN, MAX_MESSAGE_LEN};
pub use multicast::{group_for, MDNS_IPV4, MDNS_IPV6, MDNS_PORT};
pub use name::{Labels, Name, MAX_LABEL_LEN, MAX_NAME_LEN, MAX_POINTER_HOPS};
pub use record::{Question, Record, RecordData, RecordType, CLASS_ANY, CLASS_IN};
pub use resolver::{
    MdnsResolver, QueryId, ResolverConfig, ResolverEvent, ResolverStats, DEFAULT_MAX_CACHE_ENTRIES,
    DEFAULT_MAX_QUERIES, FIRST_RETRANSMIT, QUERY_TRANSMISSIONS, RESOLVE_TIMEOUT,
};
pub use responder::{
    MdnsResponder, ResponderConfig, ResponderStats, ANNOUNCEMENTS, ANNOUNCE_INTERVAL,
    DEFAULT_MAX_NAMES, LEGACY_TTL, MAX_ADDRESSES_PER_REGISTERED_NAME, MULTICAST_INTERVAL,
    RECORD_TTL,
};
pub use service::MdnsService;
pub use uuid_name::{generate_name, is_uuid_local};

#[doc(no_inline)]
pub use sansrtc_proto::Output;
