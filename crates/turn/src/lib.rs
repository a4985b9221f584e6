//! A Sans-IO TURN client (RFC 8656) for sansrtc: one [`TurnClient`] per
//! allocation on one TURN server, over UDP, TCP, or TLS (`turns:`, where
//! the driver terminates TLS and hands the client the plaintext bytes).
//!
//! The client owns no socket, clock or thread. It follows the workspace
//! contract: feed it input (`handle_receive`, `handle_timeout`, commands),
//! then drain [`TurnClient::poll_output`] until it returns
//! `Output::Timeout`. Every `Transmit` goes from `config.local` to the
//! server on `config.protocol`.
//!
//! What it does:
//!
//! - **Allocation**: [`TurnClient::start`] sends Allocate without
//!   credentials; the 401 challenge is answered with long-term credentials
//!   (`sansrtc_stun::LongTermAuth`), 438 Stale Nonce retried (at most 3
//!   times per request), a 300 Try Alternate followed once over UDP. The
//!   answer becomes [`TurnEvent::Allocated`] (relayed and mapped address).
//! - **Refresh** at the lifetime minus 60 s (or half of it when shorter);
//!   a refresh that times out is retried until the allocation expires.
//! - **Permissions** per peer IP, installed by `send_to` or
//!   [`TurnClient::create_permission`], refreshed every 240 s while used
//!   (a send or a receive within the last 300 s), then left to lapse.
//! - **Channels**: with `auto_channel_bind` (default) every peer that
//!   `send_to` is used with gets a channel once its permission is
//!   installed; channels are refreshed every 540 s while used. Numbers
//!   count up from 0x4000 and never move to another peer.
//! - **Data**: ChannelData for bound peers, Send indications otherwise;
//!   data to a peer without an installed permission waits in a bounded
//!   queue. Data indications (from peers with a permission) and
//!   ChannelData (on a known channel) become [`TurnEvent::Data`].
//! - **Close**: [`TurnClient::close`] sends Refresh with LIFETIME 0, then
//!   [`TurnEvent::Closed`].
//! - **Failures** become [`TurnEvent::Failed`] `{ url, code, text }`, like
//!   the browser's `icecandidateerror`: the server's error code and reason
//!   (401 for wrong credentials), or 701 when it does not answer or the
//!   stream breaks.
//! - **Transactions**: over UDP, RFC 8489 §6.2.1 retransmissions (RTO
//!   500 ms doubling, Rc = 7, Rm = 16: failure after 39.5 s); over TCP/TLS
//!   one request and a 39.5 s timeout.
//! - **Hostile input**: a response is acted on only when it matches an
//!   outstanding transaction and method, its FINGERPRINT (if any) and its
//!   MESSAGE-INTEGRITY check out (401/438 challenges excepted, as RFC 8489
//!   §9.2.5 says); anything else is dropped and counted in [`TurnStats`].
//!
//! Several TURN servers are several clients; a driver offers each received
//! datagram to them in turn ([`TurnClient::handle_receive`] returns whether
//! it was taken).
//!
//! A whole allocation against netsim's simulated TURN server, driven by
//! hand (the server is a `sansrtc_netsim::Node`):
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::Instant;
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc_netsim::{Node, TurnConfig, TurnServer};
//! use sansrtc_proto::{Output, Protocol, Receive, Transmit};
//! use sansrtc_turn::{TurnClient, TurnClientConfig, TurnEvent, TurnState};
//!
//! let server_addr: SocketAddr = "127.0.0.1:3478".parse().unwrap();
//! let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
//! let peer: SocketAddr = "127.0.0.1:6000".parse().unwrap();
//! let mut server = TurnServer::new(
//!     TurnConfig::new(server_addr, server_addr.ip(), "user", "secret"),
//!     ChaCha20Rng::seed_from_u64(1),
//! );
//! let config = TurnClientConfig::new(
//!     server_addr, Protocol::Udp, local, "user", "secret", "turn:127.0.0.1:3478",
//! );
//! let mut client = TurnClient::new(config, ChaCha20Rng::seed_from_u64(2));
//!
//! // Shuttles datagrams between client and server until both are idle;
//! // returns the client's events and what the server relayed to peers.
//! fn pump(now: Instant, c: &mut TurnClient, s: &mut TurnServer) -> (Vec<TurnEvent>, Vec<Transmit>) {
//!     let (mut events, mut to_peers) = (Vec::new(), Vec::new());
//!     loop {
//!         let mut moved = false;
//!         while let Some(out) = match c.poll_output() { Output::Timeout(_) => None, o => Some(o) } {
//!             match out {
//!                 Output::Transmit(t) => {
//!                     moved = true;
//!                     s.handle_receive(now, Receive { protocol: t.protocol,
//!                         source: t.source, destination: t.destination, contents: &t.contents });
//!                 }
//!                 Output::Event(e) => events.push(e),
//!                 Output::Timeout(_) => unreachable!(),
//!             }
//!         }
//!         while let Some(out) = match s.poll_output() { Output::Timeout(_) => None, o => Some(o) } {
//!             if let Output::Transmit(t) = out {
//!                 moved = true;
//!                 if t.destination == c.local_address() {
//!                     c.handle_receive(now, Receive { protocol: t.protocol,
//!                         source: t.source, destination: t.destination, contents: &t.contents });
//!                 } else {
//!                     to_peers.push(t);
//!                 }
//!             }
//!         }
//!         if !moved { return (events, to_peers); }
//!     }
//! }
//!
//! let now = Instant::now();
//! client.start(now)?; // Allocate → 401 → authenticated Allocate → success
//! let (events, _) = pump(now, &mut client, &mut server);
//! let relayed = client.relayed_address().unwrap();
//! assert_eq!(events, vec![TurnEvent::Allocated {
//!     relayed, mapped: Some(local), lifetime: std::time::Duration::from_secs(600) }]);
//!
//! // Data to a peer: CreatePermission, then a Send indication (and a ChannelBind).
//! client.send_to(now, peer, b"hello peer")?;
//! let (_, to_peers) = pump(now, &mut client, &mut server);
//! assert_eq!(to_peers.len(), 1);
//! assert_eq!((to_peers[0].source, to_peers[0].destination), (relayed, peer));
//! assert_eq!(to_peers[0].contents, b"hello peer");
//!
//! // The peer answers the relayed address; it arrives as ChannelData.
//! server.handle_receive(now, Receive { protocol: Protocol::Udp, source: peer,
//!     destination: relayed, contents: b"hello client" });
//! let (events, _) = pump(now, &mut client, &mut server);
//! assert_eq!(events, vec![TurnEvent::Data { peer, data: b"hello client".to_vec() }]);
//!
//! client.close(now); // Refresh LIFETIME 0
//! let (events, _) = pump(now, &mut client, &mut server);
//! assert_eq!(events, vec![TurnEvent::Closed]);
//! assert_eq!(client.state(), TurnState::Closed);
//! assert!(server.allocations().is_empty());
//! # Ok::<(), sansrtc_turn::TurnError>(())
//! ```
//!
//! See `docs/turn.md` for the RFC sections, bounds and deviations.
//!
//! **The `snapshot` feature** (off by default): `TurnClient` is `Clone`,
//! for fuzz harnesses that build a client once and clone it per input.
//! Never clone a live connection: two copies that both send would reuse
//! nonces and sequence numbers under the same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod config;
mod error;
mod event;
mod peers;
mod receive;
mod requests;
mod transaction;

pub use client::{TurnClient, TurnStats};
pub use config::{
    TurnClientConfig, ALLOCATION_REFRESH_MARGIN, CHANNEL_LIFETIME, CHANNEL_REFRESH,
    ERROR_SERVER_NOT_REACHABLE, MAX_PAYLOAD, PERMISSION_LIFETIME, PERMISSION_REFRESH,
};
pub use error::TurnError;
pub use event::{TurnEvent, TurnState};
pub use peers::BindingState;
