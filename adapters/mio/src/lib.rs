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
mod sockets;
mod streams;

pub use driver::{Driver, FIRST_SOCKET_TOKEN, RECEIVE_BATCH};
pub use error::DriverError;
pub use sansrtc_adapter_core::{
    ring_client_config, rustls, webpki_roots, DriverCounters, StreamClose, StreamCloseReason,
    StreamKey, DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT, STREAM_LIMIT, STREAM_QUEUE_LIMIT,
};
