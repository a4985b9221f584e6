//! What a DTLS 1.3 connection is configured with: the shared
//! [`DtlsConfig`] (identity, expected fingerprints, SRTP profiles, MTU,
//! timers, bounds) and the 1.3 cipher suites and groups.

use std::sync::Arc;

use super::cipher_suite::Tls13CipherSuite;
use super::key_share::KeyShareGroup;
use crate::config::DtlsConfig;

/// A DTLS 1.3 connection's configuration.
#[derive(Debug, Clone)]
pub(crate) struct Dtls13Config {
    /// Identity, peer authentication, SRTP profiles, MTU, retransmission
    /// timers and bounds, as for DTLS 1.2.
    pub(crate) shared: Arc<DtlsConfig>,
    /// The 1.3 cipher suites, in preference order.
    pub(crate) cipher_suites: Vec<Tls13CipherSuite>,
    /// The groups we accept, in preference order (supported_groups).
    pub(crate) groups: Vec<KeyShareGroup>,
    /// The groups a client sends key shares for (a subset of `groups`).
    pub(crate) client_key_shares: Vec<KeyShareGroup>,
}

impl Dtls13Config {
    /// The suites and groups of `shared` (by default all of them); a
    /// client sends shares of its first two groups (X25519MLKEM768 and
    /// X25519 by default, as Chromium does).
    pub(crate) fn new(shared: Arc<DtlsConfig>) -> Self {
        Self {
            cipher_suites: shared.dtls13_cipher_suites.clone(),
            groups: shared.dtls13_groups.clone(),
            client_key_shares: shared.dtls13_groups.iter().copied().take(2).collect(),
            shared,
        }
    }
}
