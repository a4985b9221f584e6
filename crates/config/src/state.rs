//! A peer connection's configuration over its life: the webrtc-pc
//! constructor steps, "set the configuration", `getConfiguration()` and
//! `close()`.

use std::sync::Arc;
use std::time::SystemTime;

use crate::configuration::{IceServer, RtcConfiguration};
use crate::credentials::{is_opaque_string, MAX_TURN_USERNAME_BYTES};
use crate::error::ConfigError;
use crate::ice_url::IceServerUrl;

/// The implementation limit on `iceServers`: servers past it are dropped
/// before validation. The spec asks for at least 32.
pub const MAX_ICE_SERVERS: usize = 64;

/// An ICE server whose URLs passed validation, for the ICE agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedIceServer {
    /// The parsed URLs, in the order given.
    pub urls: Vec<IceServerUrl>,
    /// TURN username, if given.
    pub username: Option<String>,
    /// TURN credential, if given.
    pub credential: Option<String>,
}

/// The configuration of one peer connection and the connection facts its
/// rules depend on (closed, local description applied, target peer identity).
#[derive(Debug, Clone)]
pub struct RtcConfigurationState {
    configuration: RtcConfiguration,
    ice_servers: Vec<ValidatedIceServer>,
    closed: bool,
    local_description_applied: bool,
    target_peer_identity: Option<String>,
}

impl RtcConfigurationState {
    /// The constructor: certificate checks (expired: `expires < now`,
    /// strictly; then another origin), then "set the configuration".
    /// Certificates made elsewhere ([`crate::RtcCertificate::with_origin`]) are rejected.
    pub fn construct(
        configuration: RtcConfiguration,
        now: SystemTime,
    ) -> Result<Self, ConfigError> {
        Self::construct_in_origin(configuration, now, None)
    }

    /// [`RtcConfigurationState::construct`] for a connection living in
    /// `origin`: certificates with no origin, or this one, are accepted.
    pub fn construct_in_origin(
        configuration: RtcConfiguration,
        now: SystemTime,
        origin: Option<&str>,
    ) -> Result<Self, ConfigError> {
        for (index, certificate) in configuration.certificates.iter().enumerate() {
            if certificate.expires() < now {
                return Err(ConfigError::CertificateExpired { index });
            }
            if let Some(cert_origin) = certificate.origin() {
                if Some(cert_origin) != origin {
                    return Err(ConfigError::CertificateOrigin { index });
                }
            }
        }
        let mut state = RtcConfigurationState {
            configuration: RtcConfiguration::default(),
            ice_servers: Vec::new(),
            closed: false,
            local_description_applied: false,
            target_peer_identity: None,
        };
        state.set_the_configuration(configuration, false)?;
        Ok(state)
    }

    /// `setConfiguration()`. On error the previous configuration stays.
    pub fn set_configuration(
        &mut self,
        configuration: RtcConfiguration,
    ) -> Result<(), ConfigError> {
        if self.closed {
            return Err(ConfigError::Closed);
        }
        self.set_the_configuration(configuration, true)
    }

    /// `getConfiguration()`: the stored configuration (also after `close()`).
    pub fn get_configuration(&self) -> &RtcConfiguration {
        &self.configuration
    }

    /// The stored ICE servers with their parsed URLs.
    pub fn ice_servers(&self) -> &[ValidatedIceServer] {
        &self.ice_servers
    }

    /// The target peer identity (the first `peerIdentity` applied), if any.
    pub fn target_peer_identity(&self) -> Option<&str> {
        self.target_peer_identity.as_deref()
    }

    /// Records that `setLocalDescription` succeeded: from now on
    /// `iceCandidatePoolSize` cannot change. A closed connection refuses.
    pub fn set_local_description_applied(&mut self) -> Result<(), ConfigError> {
        if self.closed {
            return Err(ConfigError::Closed);
        }
        self.local_description_applied = true;
        Ok(())
    }

    /// `close()`. Closing twice is a no-op.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Whether `close()` was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// "Set the configuration" (webrtc-pc 4.4.1.6 and webrtc-identity),
    /// all-or-nothing: nothing is stored unless every check passes.
    fn set_the_configuration(
        &mut self,
        mut new: RtcConfiguration,
        has_old: bool,
    ) -> Result<(), ConfigError> {
        if let (Some(wanted), Some(target)) = (&new.peer_identity, &self.target_peer_identity) {
            if wanted != target {
                return Err(ConfigError::PeerIdentityChanged);
            }
        }
        if has_old {
            self.check_unchangeable_members(&new)?;
        }
        new.ice_servers.truncate(MAX_ICE_SERVERS);
        let ice_servers = new
            .ice_servers
            .iter()
            .enumerate()
            .map(|(index, server)| validate_ice_server(index, server))
            .collect::<Result<Vec<_>, _>>()?;
        if self.target_peer_identity.is_none() {
            self.target_peer_identity.clone_from(&new.peer_identity);
        }
        self.ice_servers = ice_servers;
        self.configuration = new;
        Ok(())
    }

    fn check_unchangeable_members(&self, new: &RtcConfiguration) -> Result<(), ConfigError> {
        let old = &self.configuration;
        if old.certificates.len() != new.certificates.len() {
            return Err(ConfigError::CertificatesLengthChanged {
                old: old.certificates.len(),
                new: new.certificates.len(),
            });
        }
        if let Some(index) = old
            .certificates
            .iter()
            .zip(&new.certificates)
            .position(|(a, b)| !Arc::ptr_eq(a, b))
        {
            return Err(ConfigError::CertificateChanged { index });
        }
        if old.bundle_policy != new.bundle_policy {
            return Err(ConfigError::BundlePolicyChanged {
                old: old.bundle_policy,
                new: new.bundle_policy,
            });
        }
        if old.rtcp_mux_policy != new.rtcp_mux_policy {
            return Err(ConfigError::RtcpMuxPolicyChanged {
                old: old.rtcp_mux_policy,
                new: new.rtcp_mux_policy,
            });
        }
        if self.local_description_applied
            && old.ice_candidate_pool_size != new.ice_candidate_pool_size
        {
            return Err(ConfigError::PoolSizeChangedAfterLocalDescription {
                old: old.ice_candidate_pool_size,
                new: new.ice_candidate_pool_size,
            });
        }
        Ok(())
    }
}

/// One server: non-empty `urls`, then each URL in order through "validate an
/// ICE server URL" (syntax, then the TURN credential checks).
fn validate_ice_server(
    index: usize,
    server: &IceServer,
) -> Result<ValidatedIceServer, ConfigError> {
    if server.urls.is_empty() {
        return Err(ConfigError::EmptyUrls { server: index });
    }
    let mut urls = Vec::with_capacity(server.urls.len());
    for text in &server.urls {
        let url = IceServerUrl::parse(text).map_err(|cause| ConfigError::InvalidUrl {
            server: index,
            url: text.clone(),
            cause,
        })?;
        if url.scheme.is_turn() {
            check_turn_credentials(index, text, server)?;
        }
        urls.push(url);
    }
    Ok(ValidatedIceServer {
        urls,
        username: server.username.clone(),
        credential: server.credential.clone(),
    })
}

fn check_turn_credentials(index: usize, url: &str, server: &IceServer) -> Result<(), ConfigError> {
    let (Some(username), Some(credential)) = (&server.username, &server.credential) else {
        return Err(ConfigError::TurnCredentialsMissing {
            server: index,
            url: url.to_owned(),
        });
    };
    if username.len() > MAX_TURN_USERNAME_BYTES {
        return Err(ConfigError::UsernameTooLong {
            server: index,
            bytes: username.len(),
        });
    }
    if !is_opaque_string(username) {
        return Err(ConfigError::UsernameNotOpaqueString { server: index });
    }
    if credential.is_empty() {
        return Err(ConfigError::CredentialEmpty { server: index });
    }
    if !is_opaque_string(credential) {
        return Err(ConfigError::CredentialNotOpaqueString { server: index });
    }
    Ok(())
}
