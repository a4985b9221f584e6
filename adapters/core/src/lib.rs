//! The runtime-independent part of the sansrtc I/O adapters
//! (`sansrtc-tokio`, `sansrtc-mio`): what a driver does around a
//! [`sansrtc_proto::Machine`] that does not depend on how it waits.
//!
//! - [`DriverCore`] holds the machine, drains it after every input into a
//!   bounded outbox ([`OUTBOX_LIMIT`]) and event queue ([`EVENT_LIMIT`]),
//!   cuts off a drain that never ends ([`DRAIN_LIMIT`]), keeps the
//!   machine's deadline, and counts everything in [`DriverCounters`].
//! - [`SocketTable`] holds the runtime's sockets, one per local address,
//!   and picks the one a transmit leaves from: the socket bound to exactly
//!   its `source`, else one bound to the unspecified address of the same
//!   family on the same port.
//! - [`DriverCore::send_outbox`] sends the outbox in order through the
//!   runtime's send call, which answers with a [`SendOutcome`].
//! - TCP and TLS transmits (TURN over TCP and TLS) go to streams keyed by
//!   [`StreamKey`] (local, remote, protocol), at most [`STREAM_LIMIT`],
//!   each with at most [`STREAM_QUEUE_LIMIT`] bytes queued. The runtime
//!   connects ([`DriverCore::start_streams`]), writes
//!   ([`DriverCore::stream_output`]) and reads
//!   ([`DriverCore::stream_received`]) plain TCP sockets; TLS is rustls
//!   (ring provider) driven over the bytes here, with [`TlsSettings`]
//!   (roots, server names). Every end of a stream reaches the machine as
//!   `Machine::handle_stream_closed`.
//!
//! - [`bind_mdns_v4`] / [`bind_mdns_v6`] build the multicast sockets mDNS
//!   runs on, with the options RFC 6762 asks for, for either runtime to
//!   wrap.
//! - [`classify_name`] says how a name a machine asks for is answered:
//!   literal, mDNS or DNS.
//!
//! What stays in each adapter is the glue: its socket type, its clock, its
//! timer and how it waits for readiness. This crate reads and writes no
//! socket (it only builds the mDNS ones).
//!
//! A driver in miniature, with names for sockets and a `Vec` for a wire:
//!
//! ```
//! use std::collections::VecDeque;
//! use std::net::SocketAddr;
//! use std::time::Instant;
//! use sansrtc_adapter_core::{DriverCore, SendOutcome, SocketTable};
//! use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};
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
//! let local: SocketAddr = "192.0.2.1:5000".parse().unwrap();
//! let peer: SocketAddr = "192.0.2.2:6000".parse().unwrap();
//! // A wildcard socket on the same port serves a transmit from `local`.
//! let mut sockets = SocketTable::new();
//! sockets.push("0.0.0.0:5000".parse().unwrap(), "wildcard socket");
//!
//! let mut core = DriverCore::new(Echo::default());
//! core.receive(
//!     Instant::now(),
//!     Receive { protocol: Protocol::Udp, source: peer, destination: local, contents: b"hi" },
//! );
//! core.drain();
//! let mut wire = Vec::new();
//! core.send_outbox(&sockets, |socket, t| {
//!     wire.push((*socket, t.destination, t.contents.clone()));
//!     SendOutcome::Sent
//! });
//! assert_eq!(wire, vec![("wildcard socket", peer, b"hi".to_vec())]);
//! assert_eq!(core.take_event(), Some(2));
//! assert_eq!((core.counters().received, core.counters().sent), (1, 1));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod counters;
mod driver_core;
mod driver_streams;
mod limits;
mod multicast;
mod names;
mod sockets;
mod streams;

pub use counters::DriverCounters;
pub use driver_core::{DriverCore, SendOutcome};
pub use limits::{
    DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT, RECEIVE_BUFFER_SIZE, STREAM_LIMIT, STREAM_QUEUE_LIMIT,
};
pub use multicast::{
    bind_mdns_v4, bind_mdns_v6, mdns_source, MDNS_GROUP_V4, MDNS_GROUP_V6, MDNS_PORT,
};
pub use names::{classify_name, NameKind, MAX_NAME_LEN};
/// The rustls the drivers' TLS streams use (for [`TlsSettings`]' root
/// stores, client configurations and server names).
pub use rustls;
pub use sockets::{BoundSocket, SocketTable};
pub use streams::{
    ring_client_config, webpki_roots, StreamClose, StreamCloseReason, StreamId, StreamKey,
    TlsSettings,
};
