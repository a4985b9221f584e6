//! sansrtc on tokio: an async WebRTC [`PeerConnection`], and underneath it
//! the [`Driver`] that runs any address-aware sansrtc machine (anything
//! implementing [`sansrtc_proto::Machine`]) over tokio UDP sockets and a
//! tokio timer.
//!
//! # The async API
//!
//! [`PeerConnection`] runs one [`sansrtc::RtcPeerConnection`] on its own
//! task, in a [`Driver`] over UDP sockets bound to the local addresses
//! ([`PeerConnectionOptions`]: every interface by default), with tokio's
//! clock. The handle is cheap to clone and `Send + Sync`; its methods are
//! the W3C ones, `async`, each a command to the task. Data channels are
//! [`DataChannel`]s (`send`, `recv`, `wait_open`, `close`, a backpressured
//! `send`, and [`DataChannelStream`] for `AsyncRead + AsyncWrite`); media
//! goes through [`TrackSender`] and [`TrackReceiver`]; the other events
//! come from one [`Events`] stream. Two peers on 127.0.0.1, one message:
//!
//! ```
//! use sansrtc_tokio::sansrtc::{DataChannelInit, DataChannelMessage, RtcConfiguration};
//! use sansrtc_tokio::{PeerConnection, PeerConnectionOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! let loopback = || PeerConnectionOptions::with_local_addresses(["127.0.0.1".parse().unwrap()]);
//! let alice = PeerConnection::new(RtcConfiguration::default(), loopback()).await?;
//! let bob = PeerConnection::new(RtcConfiguration::default(), loopback()).await?;
//! let chat = alice.create_data_channel(DataChannelInit::new("chat")).await?;
//!
//! // Signaling (here without trickle: host candidates on loopback are
//! // gathered at once, so each description carries them).
//! let offer = alice.create_offer().await?;
//! alice.set_local_description(offer).await?;
//! bob.set_remote_description(alice.local_description().await?.unwrap()).await?;
//! let answer = bob.create_answer().await?;
//! bob.set_local_description(answer).await?;
//! alice.set_remote_description(bob.local_description().await?.unwrap()).await?;
//!
//! let incoming = bob.accept_data_channel().await?;
//! chat.wait_open().await?;
//! chat.send("hello").await?;
//! assert_eq!(incoming.recv().await, Some(DataChannelMessage::Text("hello".into())));
//!
//! alice.close().await; // bob's channel ends too
//! assert_eq!(incoming.recv().await, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! **Backpressure.** Sending: [`DataChannel::send`] and stream writes wait
//! while the channel's `bufferedAmount` is above a high-water mark, and
//! are woken by the `bufferedamountlow` event at the low-water mark.
//! Receiving: each channel's queue is bounded in bytes, and so are all
//! of them together; while one bound is reached the data channels are
//! paused: received messages wait in SCTP
//! (`RtcPeerConnection::set_data_channel_read_budget`), whose receive
//! window closes, so the remote stops at it, while SACKs (our own sending),
//! ICE, DTLS and media go on; nothing is dropped and no stall is too long.
//! When the queues have room again, what waited is delivered up to that
//! room. Media is real time: a remote track's queue drops its oldest sample
//! when full.
//!
//! **Cancel safety.** Waiting methods (`recv`, `accept_*`, `wait_open`,
//! the room wait of `send`) take nothing until they return it. Commands
//! are queued on first poll and run even if the future is then dropped.
//!
//! **Shutdown.** The connection runs while a [`PeerConnection`],
//! [`DataChannel`] or [`TrackSender`] exists. [`PeerConnection::close`], or
//! dropping the last of them, closes the machine (SCTP ABORT, DTLS
//! close_notify), sends that for at most
//! [`PeerConnectionOptions::close_timeout`], and ends the task; later calls
//! fail with [`Error::TaskEnded`].
//!
//! **Tracing.** Each connection's task runs in a `peer_connection` span
//! with a process-wide `id` ([`PeerConnection::id`]).
//!
//! # The driver
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
