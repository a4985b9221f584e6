//! An async driver that runs any address-aware sansrtc machine (anything
//! implementing [`sansrtc_proto::Machine`]) over tokio UDP sockets and a
//! tokio timer.
//!
//! The machine stays Sans-IO; the [`Driver`] does the I/O it asks for,
//! following the workspace's one contract: after every input (a received
//! datagram, an expired timer, an application command) drain
//! `poll_output()` until it returns a timeout, send every transmit from the
//! socket bound to its `source`, hand every event to the application, and
//! arm the timer for the returned instant. `now` is tokio's clock.
//!
//! An echo machine on 127.0.0.1, asked by a plain tokio socket:
//!
//! ```
//! use std::collections::VecDeque;
//! use std::time::Instant;
//! use sansrtc_proto::{Machine, Output, Receive, Transmit};
//! use sansrtc_tokio::Driver;
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
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let mut driver = Driver::new(Echo::default());
//!     let server = driver.bind("127.0.0.1:0".parse()?).await?;
//!
//!     let client = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
//!     client.send_to(b"hello", server).await?;
//!     // The loop: receive, drain, send; the event is the length.
//!     assert_eq!(driver.next_event().await?, 5);
//!     driver.flush().await;
//!     let mut buf = [0; 16];
//!     let (n, from) = client.recv_from(&mut buf).await?;
//!     assert_eq!((&buf[..n], from), (&b"hello"[..], server));
//!     assert_eq!(driver.counters().sent, 1);
//!     Ok(())
//! })
//! # }
//! ```
//!
//! Commands from elsewhere in the application: [`Driver::next_event`] is
//! cancel-safe, so it can share a `tokio::select!` with a channel, and
//! [`Driver::with_machine`] applies the command (its outputs are drained
//! and sent on the next turn of the loop):
//!
//! ```no_run
//! # use sansrtc_proto::Machine;
//! # async fn example<M: Machine>(mut driver: sansrtc_tokio::Driver<M>,
//! #     mut commands: tokio::sync::mpsc::Receiver<Box<dyn FnOnce(&mut M) + Send>>)
//! #     -> Result<(), sansrtc_tokio::DriverError> {
//! loop {
//!     tokio::select! {
//!         event = driver.next_event() => { let _event = event?; /* handle it */ }
//!         Some(command) = commands.recv() => driver.with_machine(command),
//!         else => break,
//!     }
//! }
//! # Ok(()) }
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
mod mdns;
mod peer;
mod streams;

pub use driver::Driver;
pub use error::DriverError;
pub use mdns::{MdnsHandle, MdnsInterfaces, MdnsRegisterError, MdnsStartError};
pub use peer::{
    DataChannel, DataChannelStream, Error, Events, IntoMessage, MediaSample, PeerConnection,
    PeerConnectionCounters, PeerConnectionEvent, PeerConnectionOptions, Resolver, Resolving,
    SystemResolver, TrackReceiver, TrackSender,
};
/// The sansrtc types the async API takes and returns.
pub use sansrtc;
pub use sansrtc_adapter_core::{
    ring_client_config, rustls, webpki_roots, DriverCounters, StreamClose, StreamCloseReason,
    StreamKey, DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT, STREAM_LIMIT, STREAM_QUEUE_LIMIT,
};
