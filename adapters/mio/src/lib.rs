//! An event-loop driver that runs any address-aware sansrtc machine
//! (anything implementing [`sansrtc_proto::Machine`]) over mio UDP sockets,
//! for applications that own their loop.
//!
//! The machine stays Sans-IO; the [`Driver`] does the I/O it asks for,
//! following the workspace's one contract: after every input (a received
//! datagram, an expired timer, an application command) drain
//! `poll_output()` until it returns a timeout, send every transmit from the
//! socket bound to its `source`, keep every event for the application, and
//! wake the machine at the returned instant: the driver's `mio::Poll`
//! never blocks past it. `now` is `std::time::Instant::now()`.
//!
//! An echo machine on 127.0.0.1, asked by a plain std socket:
//!
//! ```
//! use std::collections::VecDeque;
//! use std::time::{Duration, Instant};
//! use sansrtc_mio::Driver;
//! use sansrtc_proto::{Machine, Output, Receive, Transmit};
//!
//! /// Echoes every datagram and reports its length.
//! #[derive(Default)]
//! struct Echo(VecDeque<Output<Transmit, usize>>);
//! impl Machine for Echo {
//!     type Event = usize;
//!     fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
//!         self.0.push_back(Output::Event(d.contents.len()));
//!         self.0.push_back(Output::Transmit(Transmit {
//!             protocol: d.protocol,
//!             source: d.destination,
//!             destination: d.source,
//!             contents: d.contents.to_vec(),
//!         }));
//!     }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_output(&mut self) -> Output<Transmit, usize> {
//!         self.0.pop_front().unwrap_or(Output::Timeout(None))
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut driver = Driver::new(Echo::default())?;
//! let server = driver.bind("127.0.0.1:0".parse()?)?;
//!
//! let client = std::net::UdpSocket::bind("127.0.0.1:0")?;
//! client.set_read_timeout(Some(Duration::from_secs(5)))?;
//! client.send_to(b"hello", server)?;
//!
//! // The application's loop: one turn at a time, events in between.
//! let give_up = Instant::now() + Duration::from_secs(5);
//! let length = loop {
//!     driver.poll_once(Some(Duration::from_millis(100)))?;
//!     if let Some(length) = driver.take_event() { break length; }
//!     assert!(Instant::now() < give_up);
//! };
//! assert_eq!(length, 5);
//! let mut buf = [0; 16];
//! let (n, from) = client.recv_from(&mut buf)?;
//! assert_eq!((&buf[..n], from), (&b"hello"[..], server));
//! # Ok(())
//! # }
//! ```
//!
//! Commands from other threads: register a `mio::Waker` in
//! [`Driver::registry`] with a token below [`FIRST_SOCKET_TOKEN`], wake it
//! after queueing the command, and apply queued commands with
//! [`Driver::with_machine`] when [`Driver::foreign_tokens`] holds it. Keep
//! the waker alive: dropping it closes its descriptor, and a wake-up not
//! yet polled goes with it.
//!
//! # Many connections on one port: [`Server`]
//!
//! A [`Server`] runs many connections (any [`ServerConnection`]: a
//! [`Machine`](sansrtc_proto::Machine) that can be told the server's
//! addresses and names its ICE ufrags; `sansrtc::RtcPeerConnection` is one,
//! with the default feature `peer-connection`) over the same socket, in one
//! thread, the way an SFU is built. A STUN Binding request goes to the
//! connection whose ufrag its USERNAME names first (`"<ours>:<theirs>"`);
//! answered with a success response (its integrity was good), it teaches
//! the server a route from its source address (at most
//! [`ROUTES_PER_CONNECTION`] per connection); a STUN response goes to the
//! connection that sent the request (by transaction id); every other
//! datagram follows the route of its source address; the rest is dropped and counted in
//! [`ServerCounters`]. Deadlines live in one heap, so a poll touches only
//! the connections with a datagram or a due deadline
//! ([`Server::touched_last_poll`]). See `docs/adapters-server.md`.
//!
//! ```
//! use std::collections::VecDeque;
//! use std::net::SocketAddr;
//! use std::ops::ControlFlow;
//! use std::time::{Duration, Instant};
//! use sansrtc_mio::{Server, ServerConnection};
//! use sansrtc_proto::{Machine, Output, Receive, Transmit};
//! use sansrtc_stun::{attributes::Username, Message, MessageBuilder, MessageType, TransactionId};
//!
//! /// Answers a Binding request with a success response and anything else
//! /// with its own name; reports the sender.
//! struct Named(&'static str, VecDeque<Output<Transmit, SocketAddr>>);
//! impl Machine for Named {
//!     type Event = SocketAddr;
//!     fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
//!         self.1.push_back(Output::Event(d.source));
//!         let contents = match Message::parse(d.contents) {
//!             // (An ICE agent checks MESSAGE-INTEGRITY with its password first.)
//!             Ok(m) if m.message_type() == MessageType::BINDING_REQUEST => {
//!                 let mut response = Vec::new();
//!                 let tid = m.transaction_id();
//!                 MessageBuilder::new(&mut response, MessageType::BINDING_SUCCESS, tid).finish();
//!                 response
//!             }
//!             _ => self.0.as_bytes().to_vec(),
//!         };
//!         self.1.push_back(Output::Transmit(Transmit {
//!             protocol: d.protocol,
//!             source: d.destination,
//!             destination: d.source,
//!             contents,
//!         }));
//!     }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_output(&mut self) -> Output<Transmit, SocketAddr> {
//!         self.1.pop_front().unwrap_or(Output::Timeout(None))
//!     }
//! }
//! impl ServerConnection for Named {
//!     fn add_server_address(&mut self, _now: Instant, _local: SocketAddr) {}
//!     fn local_ufrags(&self) -> Vec<String> {
//!         vec![self.0.to_string()]
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut server = Server::new()?;
//! let port = server.bind("127.0.0.1:0".parse()?)?;
//! let alice = server.add_connection(Named("alice", VecDeque::new()));
//! let bob = server.add_connection(Named("bob", VecDeque::new()));
//!
//! // A peer checks connectivity with bob: USERNAME "bob:<its own ufrag>".
//! let mut request = Vec::new();
//! let mut b = MessageBuilder::new(&mut request, MessageType::BINDING_REQUEST, TransactionId([1; 12]));
//! b.add(&Username("bob:peer"))?;
//! b.finish();
//! let peer = std::net::UdpSocket::bind("127.0.0.1:0")?;
//! peer.set_read_timeout(Some(Duration::from_secs(5)))?;
//! peer.send_to(&request, port)?;
//! // Once bob answered it, the server knows the peer's address: the
//! // peer's other datagrams go to bob too.
//! peer.send_to(b"DTLS, say", port)?;
//!
//! let mut heard_by = Vec::new();
//! server.run_until(Instant::now() + Duration::from_secs(5), |_server, id, _peer| {
//!     heard_by.push(id);
//!     if heard_by.len() == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
//! })?;
//! assert_eq!(heard_by, vec![bob, bob]);
//! let mut buf = [0; 64];
//! let (n, _) = peer.recv_from(&mut buf)?;
//! assert!(Message::parse(&buf[..n]).is_ok()); // bob's success response
//! let (n, from) = peer.recv_from(&mut buf)?;
//! assert_eq!((&buf[..n], from), (&b"bob"[..], port));
//! assert_eq!(server.counters().routed_by_ufrag, 1);
//! assert_eq!(server.counters().routed_by_address, 1);
//! # let _ = alice;
//! # Ok(())
//! # }
//! ```
//!
//! TCP and TLS transmits ([`sansrtc_proto::Protocol::Tcp`] / `Tls`: TURN
//! over TCP and `turns:`) go over streams the driver opens, with TLS by
//! rustls (see [`Driver`] and `docs/adapters-streams.md`).
//!
//! Not done: ICE-TCP candidates (no listening sockets); the received
//! `destination` of a datagram is the socket's bound address (bind
//! specific addresses, not `0.0.0.0`, when the machine needs to know which
//! local IP was hit). See `docs/adapters.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod driver;
mod error;
mod resolver;
mod server;
mod sockets;
mod streams;

pub use driver::{Driver, FIRST_SOCKET_TOKEN, RECEIVE_BATCH};
pub use error::DriverError;
pub use resolver::{system_lookup, NameAnswer, NameResolver, MAX_PENDING_NAMES};
pub use sansrtc_adapter_core::{
    ring_client_config, rustls, webpki_roots, DriverCounters, StreamClose, StreamCloseReason,
    StreamKey, DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT, STREAM_LIMIT, STREAM_QUEUE_LIMIT,
};
pub use server::{
    ConnectionId, Server, ServerConnection, ServerCounters, ROUTES_PER_CONNECTION,
    SERVER_EVENT_LIMIT, SERVER_RECEIVE_BATCH, SERVER_SOCKET_BUFFER, TRANSACTIONS_PER_CONNECTION,
};
