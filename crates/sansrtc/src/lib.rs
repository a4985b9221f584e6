//! `sansrtc`: a WebRTC `RTCPeerConnection` as one Sans-IO machine.
//!
//! [`RtcPeerConnection`] composes the workspace's protocol machines — the
//! ICE agent (`sansrtc-ice`), DTLS (`sansrtc-dtls`), SCTP and data channels
//! (`sansrtc-sctp`, `sansrtc-datachannel`) — under the W3C
//! `RTCPeerConnection` API and the JSEP rules (RFC 9429). It owns no socket,
//! clock or thread.
//!
//! **The contract**: after every `&mut self` call — a received datagram
//! ([`Machine::handle_receive`]), a timeout ([`Machine::handle_timeout`]) or
//! an API method — drain [`Machine::poll_output`] until it returns
//! [`Output::Timeout`]: send every [`Output::Transmit`] from its `source`,
//! handle every [`Output::Event`] ([`PeerEvent`]), and call
//! `handle_timeout` at the instant returned.
//!
//! Two peers with a data channel, in memory:
//!
//! ```
//! use std::time::{Duration, Instant, SystemTime};
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc::*;
//!
//! let (now, wall) = (Instant::now(), SystemTime::now());
//! let new_peer = |seed, addr: &str| -> Result<RtcPeerConnection, RtcError> {
//!     let mut pc = RtcPeerConnection::new(RtcConfiguration::default(),
//!         ChaCha20Rng::seed_from_u64(seed), now, wall)?;
//!     pc.add_local_address(now, addr.parse().unwrap())?;
//!     Ok(pc)
//! };
//! let mut a = new_peer(1, "127.0.0.1:5001")?;
//! let mut b = new_peer(2, "127.0.0.1:5002")?;
//! let chat = a.create_data_channel(now, DataChannelInit::new("chat"))?;
//!
//! // Signaling, without trickle: each side's description once gathering is done.
//! let offer = a.create_offer(now)?;
//! a.set_local_description(now, offer)?;
//! b.set_remote_description(now, a.local_description().unwrap())?;
//! let answer = b.create_answer()?;
//! b.set_local_description(now, answer)?;
//! a.set_remote_description(now, b.local_description().unwrap())?;
//!
//! // The network: every transmit is delivered at once; time advances to
//! // the earliest timeout.
//! let mut clock = now;
//! let (mut received, mut sent) = (Vec::new(), false);
//! for _ in 0..1000 {
//!     if !sent && a.data_channel(chat).unwrap().state == DataChannelState::Open {
//!         a.send(clock, chat, DataChannelMessage::Text("hello".into()))?;
//!         sent = true;
//!     }
//!     let (mut wire, mut next) = (Vec::new(), clock + Duration::from_secs(1));
//!     for pc in [&mut a, &mut b] {
//!         loop {
//!             match pc.poll_output() {
//!                 Output::Transmit(t) => wire.push(t),
//!                 Output::Event(PeerEvent::DataChannel(DataChannelEvent::Message { message, .. })) =>
//!                     received.push(message),
//!                 Output::Event(_) => {}
//!                 Output::Timeout(at) => { next = next.min(at.unwrap_or(next)); break; }
//!             }
//!         }
//!     }
//!     if !received.is_empty() && a.connection_state() == PeerConnectionState::Connected { break; }
//!     if wire.is_empty() {
//!         clock = next;
//!         a.handle_timeout(clock);
//!         b.handle_timeout(clock);
//!     }
//!     for t in &wire {
//!         let to = if t.destination.port() == 5001 { &mut a } else { &mut b };
//!         to.handle_receive(clock, Receive { protocol: t.protocol, source: t.source,
//!             destination: t.destination, contents: &t.contents });
//!     }
//! }
//! assert_eq!(received, vec![DataChannelMessage::Text("hello".into())]);
//! assert_eq!(a.connection_state(), PeerConnectionState::Connected);
//! # Ok::<(), RtcError>(())
//! ```
//!
//! See `docs/sansrtc.md` for the composition, the demultiplexing order, the
//! DTLS role and SCTP start decisions, and what is left out.
//!
//! **The `snapshot` feature** (off by default): `RtcPeerConnection` and
//! everything it holds are `Clone`, and `RtcPeerConnection::new` then wants
//! a `Clone` RNG ([`PeerRng`]). It exists for fuzz harnesses that connect a
//! pair once and clone it per input (`crates/sansrtc/fuzz`,
//! `tests/snapshot_clone.rs`). Never clone a live connection: two copies
//! that both send would reuse nonces and sequence numbers under the same
//! keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
mod channels;
mod configuration;
mod description;
mod dtls_versions;
mod early_dtls;
mod error;
mod event;
mod host_names;
pub mod identity;
mod jsep;
pub mod media;
mod peer_connection;
mod peer_identity;
mod remote;
mod rtcp_component;
pub mod signaling;
mod states;
pub mod stats;
mod stream_closed;
mod transport;
mod transport_map;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
mod readme {}

pub use error::{RemoteDescriptionError, RtcError};
pub use event::{IceCandidateErrorEvent, IceCandidateInit, PeerConnectionState, PeerEvent};
pub use identity::{IdentityProvider, IdentityRequest, ValidatedAssertion};
pub use media::{
    CodecName, MediaEvent, MediaKind, MediaStreamTrack, ReceiveMode, RtpCodecParameters,
    RtpEncodingParameters, RtpReceiver, RtpSender, RtpTransceiver, RtpTransceiverDirection,
    RtpTransceiverInit, TrackEvent, TransceiverId,
};
pub use peer_connection::{DtlsTransportState, RtcPeerConnection};
pub use peer_identity::MAX_IDENTITY_REQUESTS;
pub use remote::MAX_REMOTE_DESCRIPTION_CANDIDATES;
/// The RNG [`RtcPeerConnection::new`] takes: any cryptographic RNG
/// (`ChaCha20Rng` seeded by the caller, `OsRng`), `Clone` too with the
/// `snapshot` feature. The ICE agent's RNG trait, [`sansrtc_ice::IceRng`]:
/// one trait for both, so the connection hands its RNG's kind on unchanged.
pub use sansrtc_ice::IceRng as PeerRng;
pub use signaling::{RtcSessionDescription, SdpType, SignalingState};
pub use transport::{TransportStats, DTLS_MTU, EARLY_DTLS_LIMIT, GATED_PACKET_LIMIT};

pub use sansrtc_config::{
    BundlePolicy, IceServer, IceTransportPolicy, RtcCertificate, RtcConfiguration, RtcpMuxPolicy,
};
pub use sansrtc_datachannel::{
    ChannelId, DataChannelEvent, DataChannelInfo, DataChannelInit, DataChannelMessage,
    DataChannelState, Priority,
};
pub use sansrtc_dtls::DtlsVersion;
pub use sansrtc_ice::{IceConnectionState, IceGatheringState, ResolveId};
pub use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};
