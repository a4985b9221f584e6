//! `sansrtc-config`: the `RTCPeerConnection` configuration, validated as the
//! W3C webrtc-pc specification says.
//!
//! - [`RtcConfiguration`] with its seven members and the spec's defaults,
//!   read from the W3C JSON shape with the WebIDL conversions a browser
//!   applies ([`RtcConfiguration::from_json_str`]).
//! - [`IceServerUrl`]: `stun:`/`stuns:`/`turn:`/`turns:` URLs validated with
//!   the WHATWG URL parser, as "validate an ICE server URL" does.
//! - [`RtcCertificate`]: ECDSA P-256 or RSA-2048 self-signed certificates,
//!   fingerprints in SDP form, PEM export and import.
//! - [`RtcConfigurationState`]: the constructor, `setConfiguration`,
//!   `getConfiguration` and `close` with the spec's order of checks.
//! - [`ConfigError`]: one error type; [`ConfigError::dom_name`] gives the DOM
//!   exception a browser would throw.
//!
//! No clock and no I/O: the time comes in as `now` arguments and randomness
//! from an injected RNG (ring's ECDSA key generation aside, see
//! `docs/config.md`).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//! use sansrtc_config::{
//!     CertificateOptions, CertificateRegistry, FingerprintAlgorithm, IceTransportPolicy,
//!     RtcCertificate, RtcConfiguration, RtcConfigurationState,
//! };
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let mut rng = ChaCha20Rng::seed_from_u64(7);
//!
//! // generateCertificate(): ECDSA P-256, valid for 30 days.
//! let mut certificates = CertificateRegistry::new();
//! let certificate = RtcCertificate::generate(&CertificateOptions::default(), now, &mut rng)?;
//! assert!(certificate.fingerprint(FingerprintAlgorithm::Sha256).unwrap().to_string().starts_with("sha-256 "));
//! certificates.insert("mine", certificate);
//!
//! // What a signaling server sends to browsers, plus our certificate.
//! let json = r#"{
//!     "iceServers": [
//!         {"urls": "stun:stun.example.net"},
//!         {"urls": ["turn:turn.example.net?transport=udp"], "username": "u", "credential": "p"}
//!     ],
//!     "iceTransportPolicy": "relay",
//!     "iceCandidatePoolSize": "2",
//!     "certificates": [{"$cert": "mine"}]
//! }"#;
//! let config = RtcConfiguration::from_json_str(json, &certificates)?;
//! assert_eq!(config.ice_transport_policy, IceTransportPolicy::Relay);
//! assert_eq!(config.ice_candidate_pool_size, 2);
//!
//! let connection = RtcConfigurationState::construct(config, now)?;
//! assert_eq!(connection.ice_servers()[1].urls[0].effective_port(), 3478);
//!
//! // A TURN server without credentials is an InvalidAccessError.
//! let bad = RtcConfiguration::from_json_str(r#"{"iceServers":[{"urls":"turn:t.example"}]}"#, &certificates)?;
//! let err = RtcConfigurationState::construct(bad, now).unwrap_err();
//! assert_eq!(err.dom_name(), "InvalidAccessError");
//! # Ok::<(), sansrtc_config::ConfigError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod certificate;
mod configuration;
pub mod conformance;
mod credentials;
mod error;
mod ice_url;
mod json;
mod policy;
mod registry;
mod state;
mod webidl;

pub use certificate::{
    fingerprint_of, CertificateOptions, Fingerprint, FingerprintAlgorithm, KeyKind, RtcCertificate,
    DEFAULT_CERTIFICATE_LIFETIME, FINGERPRINT_ALGORITHMS, RSA_MODULUS_BITS,
};
pub use configuration::{IceServer, RtcConfiguration};
pub use credentials::{is_opaque_string, MAX_TURN_USERNAME_BYTES};
pub use error::{ConfigError, UrlSyntaxError};
pub use ice_url::{
    IceHost, IceScheme, IceServerUrl, IceTransportProtocol, DEFAULT_PORT, DEFAULT_SECURE_PORT,
};
pub use policy::{BundlePolicy, IceTransportPolicy, RtcpMuxPolicy};
pub use registry::{CertificateRegistry, CERTIFICATE_KEY};
pub use state::{RtcConfigurationState, ValidatedIceServer, MAX_ICE_SERVERS};
