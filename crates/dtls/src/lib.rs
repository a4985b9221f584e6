//! DTLS 1.3 (RFC 9147, with the X25519MLKEM768 hybrid key exchange
//! Chromium offers) and DTLS 1.2 (RFC 6347), with DTLS-SRTP (RFC 5764),
//! for WebRTC, written on `ring`, as a Sans-IO state machine: datagrams and
//! `now` in; datagrams, events and the next timeout out. The newest
//! version both sides allow wins ([`DtlsConfig::max_version`]); a 1.2
//! peer still gets 1.2.
//!
//! One [`DtlsEndpoint`] per connection plays the client or the server role
//! (SDP `a=setup`), authenticates the peer by the fingerprint from its SDP,
//! and exports the SRTP keys ([`DtlsEndpoint::srtp_keying_material`]).
//!
//! A client and a server handshake in memory:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use rand_chacha::rand_core::SeedableRng;
//! use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, HashAlgorithm, Identity, Role};
//! use sansrtc_proto::Output;
//!
//! # fn identity() -> Arc<Identity> {
//! #     let key = rcgen::KeyPair::generate().unwrap();
//! #     let cert = rcgen::CertificateParams::new(vec!["x".into()]).unwrap().self_signed(&key).unwrap();
//! #     Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
//! # }
//! let (client_id, server_id) = (identity(), identity());
//! let mut client_cfg = DtlsConfig::new(client_id.clone());
//! client_cfg.expected_fingerprints = vec![server_id.fingerprint(HashAlgorithm::Sha256).unwrap()];
//! let mut server_cfg = DtlsConfig::new(server_id);
//! server_cfg.expected_fingerprints = vec![client_id.fingerprint(HashAlgorithm::Sha256).unwrap()];
//!
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let mut client = DtlsEndpoint::new(Role::Client, client_cfg, &mut rng).unwrap();
//! let mut server = DtlsEndpoint::new(Role::Server, server_cfg, &mut rng).unwrap();
//! let now = Instant::now();
//! client.start(now);
//! // Moves every pending datagram of `from` to `to`; counts Connected events.
//! fn pump(from: &mut DtlsEndpoint, to: &mut DtlsEndpoint, now: Instant) -> usize {
//!     let mut connected = 0;
//!     loop {
//!         match from.poll_output() {
//!             Output::Transmit(datagram) => to.handle_receive(now, &datagram),
//!             Output::Event(DtlsEvent::Connected(_)) => connected += 1,
//!             Output::Event(other) => panic!("{other:?}"),
//!             Output::Timeout(_) => return connected,
//!         }
//!     }
//! }
//! let mut connected = 0;
//! for _ in 0..4 {
//!     connected += pump(&mut client, &mut server, now);
//!     connected += pump(&mut server, &mut client, now);
//! }
//! assert_eq!(connected, 2);
//! assert_eq!(client.version(), Some(sansrtc_dtls::DtlsVersion::Dtls13));
//! // Both sides derive the same SRTP keys.
//! assert_eq!(client.srtp_keying_material(), server.srtp_keying_material());
//! client.send_application_data(b"hello").unwrap();
//! let Output::Transmit(record) = client.poll_output() else { panic!() };
//! server.handle_receive(now, &record);
//! assert_eq!(server.poll_output(), Output::Event(DtlsEvent::ApplicationData(b"hello".to_vec())));
//! ```
//!
//! **The `snapshot` feature** (off by default): `DtlsEndpoint` and its
//! state (record keys, handshake machines, the RNG) are `Clone`, for fuzz
//! harnesses that build an endpoint once and clone it per input. Never
//! clone a live connection: two copies that both send would reuse nonces
//! and sequence numbers under the same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aead;
mod alert;
mod byte_set;
mod choice;
mod client;
mod codec;
mod config;
mod ecdhe;
mod ecdsa_key;
mod ecdsa_sign;
mod endpoint;
mod error;
mod event;
mod extensions;
mod fingerprint;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
mod identity;
mod keys;
mod messages;
mod overhead;
mod peer;
pub mod prf;
mod reassembly;
mod receive;
mod record;
mod replay;
mod server;
mod srtp;
mod stats;
mod suite;
mod v13;
mod version;
mod version_switch;
mod writer;

#[cfg(test)]
mod downgrade_tests;
#[cfg(test)]
mod dtls13_hello_tests;
#[cfg(test)]
mod endpoint_test_support;
#[cfg(test)]
mod finished_tests;

pub use config::{DtlsConfig, Role};
pub use ecdsa_key::EcdsaP256Key;
pub use endpoint::{DtlsEndpoint, MAX_PLAINTEXT};
pub use error::DtlsError;
pub use event::{Connected, DtlsEvent};
pub use fingerprint::{
    digest, fingerprint_matches, fingerprint_of, is_supported, parse_fingerprint,
};
pub use identity::Identity;
/// The output type of [`DtlsEndpoint::poll_output`] (from `sansrtc-proto`).
pub use sansrtc_proto::Output;
/// The certificate fingerprint and its hash function: `sansrtc-sdp`'s types,
/// the one definition in the workspace.
pub use sansrtc_sdp::attributes::{Fingerprint, HashAlgorithm};
pub use srtp::{SrtpKeyingMaterial, SrtpMasterKey, DTLS_SRTP_LABEL};
pub use stats::DtlsStats;
pub use suite::{CipherSuite, NamedGroup, SignatureScheme, SrtpProfile, SRTP_PREFERENCE};
pub use v13::cipher_suite::Tls13CipherSuite;
pub use v13::key_share::KeyShareGroup;
pub use version::{DtlsVersion, NegotiatedCipherSuite};
