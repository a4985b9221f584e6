//! A Sans-IO SCTP association for WebRTC data channels.
//!
//! The profile of RFC 8831 / RFC 8261: one single-homed association per DTLS
//! connection. It implements RFC 9260 (association setup with an
//! HMAC-authenticated state cookie and the collision cases, DATA/SACK, RTO,
//! congestion control, shutdown, abort), RFC 3758 (FORWARD-TSN partial
//! reliability), RFC 6525 (outgoing SSN reset) and RFC 9653 (zero checksum
//! over DTLS). It owns no socket, clock or thread.
//!
//! **Contract:** after any `&mut self` call ([`Association::handle_receive`]
//! or [`Association::handle_receive_owned`],
//! [`Association::handle_timeout`], or a command such as
//! [`Association::connect`], [`Association::send`], [`Association::read`]),
//! drain [`Association::poll_output`] until it returns
//! [`Output::Timeout`](sansrtc_proto::Output::Timeout). Transmits are SCTP
//! packets for DTLS application data; on [`SctpEvent::Readable`] call
//! [`Association::read`] until it returns `None`.
//!
//! ```
//! use std::time::Instant;
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//! use sansrtc_proto::Output;
//! use sansrtc_sctp::{Association, SctpConfig, SctpEvent, SendOptions};
//!
//! let now = Instant::now();
//! let mut rng = ChaCha20Rng::seed_from_u64(1);
//! let mut a = Association::new(SctpConfig::default(), &mut rng, now);
//! let mut b = Association::new(SctpConfig::default(), &mut rng, now);
//! // Both ends open at once, whatever their DTLS role.
//! a.connect(now).unwrap();
//! b.connect(now).unwrap();
//! a.send(now, 1, 51, b"hello".to_vec(), SendOptions::default()).unwrap();
//!
//! /// Drains `from`, feeding its packets to `to`; returns messages read.
//! fn drain(from: &mut Association, to: &mut Association, now: Instant) -> Vec<sansrtc_sctp::Message> {
//!     let mut read = Vec::new();
//!     loop {
//!         match from.poll_output() {
//!             // Handing the packet over lets large payloads stay in it.
//!             Output::Transmit(packet) => to.handle_receive_owned(now, packet),
//!             Output::Event(SctpEvent::Readable) => {
//!                 while let Some(m) = from.read() {
//!                     read.push(m);
//!                 }
//!             }
//!             Output::Event(_) => {}
//!             Output::Timeout(_) => return read,
//!         }
//!     }
//! }
//! let mut received = Vec::new();
//! for _ in 0..10 {
//!     received.extend(drain(&mut a, &mut b, now));
//!     received.extend(drain(&mut b, &mut a, now));
//! }
//! assert!(a.is_established() && b.is_established());
//! assert_eq!(received.len(), 1);
//! assert_eq!((received[0].stream_id, received[0].ppid), (1, 51));
//! assert_eq!(&received[0].data[..], b"hello");
//! ```
//!
//! **The `snapshot` feature** (off by default): `Association` is `Clone`,
//! for fuzz harnesses that build an association once and clone it per
//! input. Never clone a live connection: two copies that both send would
//! reuse nonces and sequence numbers under the same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod association;
mod chunk;
mod config;
mod cookie;
mod crc;
mod error;
mod event;
mod packet;
mod param;
mod range_set;
mod serial;
mod stream_map;

pub use association::{Association, AssociationState, SctpStats, MAX_PACKET_ROOM};
pub use config::SctpConfig;
pub use error::SctpError;
pub use event::{CloseReason, Message, Reliability, SctpEvent, SendOptions};

/// The SCTP checksum of a packet (CRC-32c over the packet with a zero
/// checksum field, RFC 9260 Appendix A), as written little-endian on the
/// wire. Exposed for tests and tools.
pub fn packet_checksum(packet: &[u8]) -> u32 {
    crc::packet_checksum(packet)
}
