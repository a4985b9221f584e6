//! DTLS 1.3 (RFC 9147), issue #20: building blocks, each self-contained and
//! tested on its own, and the handshake machine, which `DtlsEndpoint`
//! hands a connection to when the hellos choose 1.3 (`version_switch.rs`;
//! docs/dtls.md, "DTLS 1.3").
//!
//! - [`hkdf`]: HKDF, HKDF-Expand-Label with the `"tls13 "` or `"dtls13"`
//!   label prefix, Derive-Secret (RFC 8446 §7.1, RFC 9147 §5.9).
//! - [`key_schedule`]: early, handshake and master secrets, the traffic
//!   secrets, finished keys, key update (RFC 8446 §7.1, §4.4.4, §7.2).
//! - [`traffic_keys`]: `key`, `iv` and DTLS's `sn` key (RFC 8446 §7.3,
//!   RFC 9147 §4.2.3).
//! - [`exporter`]: the RFC 8446 §7.5 exporter (for the DTLS-SRTP keys).
//! - [`cipher_suite`]: the TLS 1.3 cipher suites we implement.
//! - [`record_header`]: the unified header and DTLSPlaintext (RFC 9147 §4).
//! - [`record_number`]: sequence number and epoch reconstruction (§4.2.2).
//! - [`inner_plaintext`]: DTLSInnerPlaintext (content type, padding).
//! - [`record_protection`]: AEAD and record number encryption (§4.2.3).
//! - [`hybrid_kem`]: X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem).
//! - [`key_share`]: the 1.3 key shares: X25519, secp256r1, X25519MLKEM768.
//! - Handshake encodings: [`supported_versions`], [`key_share_extension`]
//!   (ClientHello, ServerHello and HelloRetryRequest forms),
//!   [`hello_retry_request`] (the HRR random, cookie), [`downgrade`] (the
//!   RFC 8446 §4.1.3 sentinel), [`encrypted_extensions`] (use_srtp) and
//!   [`ack`] (RFC 9147 §7).
//! - [`transcript`]: the transcript hash (TLS-form messages, message_hash).
//! - [`certificate_verify`]: the 1.3 signed content, ECDSA and RSA-PSS.
//! - [`stateless_cookie`]: the HelloRetryRequest cookie of a stateless server.
//! - [`certificate_message`]: the 1.3 Certificate message.
//! - [`key_update`]: KeyUpdate and the Finished body.
//! - [`client_hello`]: the DTLS ClientHello with the 1.3 extensions.
//! - [`server_hello`]: the 1.3 ServerHello and HelloRetryRequest, told apart
//!   from a 1.2 ServerHello (with its downgrade sentinel).
//! - [`certificate_request`]: the 1.3 CertificateRequest.
//!
//! The handshake machine (second step; `DtlsEndpoint` runs it since the
//! third):
//!
//! - [`connection`]: a Sans-IO DTLS 1.3 connection of either role:
//!   records in and out, reassembly, ACKs, retransmission, application
//!   data, the exporter; configured by [`connection_config`], reporting
//!   [`connection_event`]s.
//! - [`handshake_client`], [`handshake_server`]: the 1-RTT handshake with
//!   certificates both ways; [`handshake_context`] is what they act on,
//!   [`peer_auth`] our and the peer's Certificate and CertificateVerify.
//! - [`epoch_keys`]: the epochs we read and write, sequence numbers,
//!   replay windows; [`flight`]: our flight, its ACK state and timer.
//! - [`key_update_state`]: our KeyUpdate in flight and the key update
//!   counters (RFC 9147 §8); [`aead_limits`]: the AEAD usage limits
//!   (§4.5.3); [`gap_detector`]: a gap in the peer's flight, to ACK at
//!   once (§7.1).

// Wired into `DtlsEndpoint` (version_switch.rs). A few items are used only
// by this module's tests, the `fuzzing` entry and the RFC 8448 vector tests
// (a 1.3 client that sends its own ClientHello, test accessors, key
// schedule values we do not use: resumption, the TLS 1.3 label prefix).
#![allow(dead_code)]

pub(crate) mod ack;
pub(crate) mod aead_limits;
pub(crate) mod certificate_message;
pub(crate) mod certificate_request;
pub(crate) mod certificate_verify;
pub(crate) mod cipher_suite;
pub(crate) mod client_hello;
pub(crate) mod client_offer;
pub(crate) mod connection;
pub(crate) mod connection_config;
pub(crate) mod connection_event;
pub(crate) mod downgrade;
pub(crate) mod encrypted_extensions;
pub(crate) mod epoch_keys;
pub(crate) mod error;
pub(crate) mod exporter;
pub(crate) mod flight;
pub(crate) mod gap_detector;
pub(crate) mod handshake_client;
pub(crate) mod handshake_context;
pub(crate) mod handshake_server;
pub(crate) mod hello_retry_request;
pub(crate) mod hkdf;
pub(crate) mod hybrid_kem;
pub(crate) mod inner_plaintext;
pub(crate) mod key_schedule;
pub(crate) mod key_share;
pub(crate) mod key_share_extension;
pub(crate) mod key_update;
pub(crate) mod key_update_state;
pub(crate) mod peer_auth;
pub(crate) mod record_drops;
pub(crate) mod record_header;
pub(crate) mod record_number;
pub(crate) mod record_protection;
pub(crate) mod server_hello;
pub(crate) mod stateless_cookie;
pub(crate) mod supported_versions;
pub(crate) mod traffic_keys;
pub(crate) mod transcript;

#[cfg(test)]
mod arbitrary_input_tests;
#[cfg(test)]
mod chromium_client_hello_tests;
#[cfg(test)]
mod composition_tests;
#[cfg(test)]
mod connection_arbitrary_input_tests;
#[cfg(test)]
mod connection_test_support;
#[cfg(test)]
mod connection_tests;
#[cfg(test)]
mod hello_retry_tests;
#[cfg(test)]
mod key_update_tests;
#[cfg(test)]
mod test_support;
