//! STUN and TURN messages (RFC 8489, RFC 8656) for sansrtc: zero-copy
//! parsing, building into a caller's buffer, MESSAGE-INTEGRITY(-SHA256),
//! FINGERPRINT, short- and long-term credentials, ChannelData and
//! TCP/TLS stream framing.
//!
//! This crate is a codec with no I/O, clock or global randomness:
//! transaction ids come from an injected RNG, and bytes go in and out as
//! slices.
//!
//! Building and parsing a Binding request (ICE connectivity check style):
//!
//! ```
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc_stun::attributes::{IceControlling, Priority, Username, XorMappedAddress};
//! use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};
//!
//! let mut rng = ChaCha20Rng::seed_from_u64(7);
//! let password = b"remote-ice-password";
//!
//! // Build into a Vec<u8> (a BytesMut works the same way).
//! let mut buf = Vec::new();
//! let tid = TransactionId::random(&mut rng);
//! let mut b = MessageBuilder::new(&mut buf, MessageType::BINDING_REQUEST, tid);
//! b.add(&Username("remote:local"))?;
//! b.add(&Priority(0x6e00_01ff))?;
//! b.add(&IceControlling(0x1234_5678_9abc_def0))?;
//! b.add_message_integrity(password)?;
//! b.add_fingerprint()?;
//! let len = b.finish();
//! assert_eq!(len, buf.len());
//!
//! // Parse it back without copying, verify and read typed attributes.
//! let msg = Message::parse(&buf)?;
//! assert_eq!(msg.message_type(), MessageType::BINDING_REQUEST);
//! assert_eq!(msg.transaction_id(), tid);
//! msg.verify_fingerprint()?;
//! msg.verify_integrity(password)?;
//! assert_eq!(msg.get::<Username>()?, Some(Username("remote:local")));
//! assert_eq!(msg.require::<Priority>()?.0, 0x6e00_01ff);
//!
//! // Answer it with the reflexive address.
//! let mut resp = Vec::new();
//! let mut b = MessageBuilder::new(
//!     &mut resp,
//!     msg.message_type().with_class(Class::SuccessResponse),
//!     msg.transaction_id(),
//! );
//! b.add(&XorMappedAddress("192.0.2.1:32853".parse().unwrap()))?;
//! b.add_message_integrity(password)?;
//! b.add_fingerprint()?;
//! let resp = Message::parse(&resp)?;
//! assert_eq!(resp.require::<XorMappedAddress>()?.0.port(), 32853);
//! # Ok::<(), sansrtc_stun::StunError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attribute_type;
pub mod attributes;
mod builder;
mod channel_data;
mod credentials;
mod error;
mod header;
mod integrity;
mod long_term_auth;
mod message;
mod stream_framing;

pub use attribute_type::AttributeType;
pub use builder::{MessageBuffer, MessageBuilder};
pub use channel_data::ChannelData;
pub use credentials::{
    long_term_key, long_term_key_for, long_term_key_sha256, short_term_key, user_hash,
};
pub use error::StunError;
pub use header::{Class, MessageType, Method, TransactionId, HEADER_LEN, MAGIC_COOKIE};
pub use integrity::FINGERPRINT_XOR;
pub use long_term_auth::{AuthStep, LongTermAuth};
pub use message::{AttributeIter, Message, RawAttribute, MAX_ATTRIBUTES};
pub use stream_framing::{Frame, StreamDeframer};
