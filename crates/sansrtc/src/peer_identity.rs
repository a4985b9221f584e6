//! The identity flow on the connection (webrtc-identity, RFC 8827 §7):
//! asking for our assertion, validating the remote's, and opening delivery
//! when the remote identity is the configured `peerIdentity`.

use std::time::Instant;

use crate::error::RtcError;
use crate::event::PeerEvent;
use crate::identity::{
    contents_bind, decode_identity_attribute, encode_identity_attribute, fingerprint_contents,
    IdentityRequest, ValidatedAssertion,
};
use crate::peer_connection::RtcPeerConnection;
use crate::remote::RemoteParams;

/// Identity requests pending at once, at most.
pub const MAX_IDENTITY_REQUESTS: usize = 8;

impl RtcPeerConnection {
    /// `setIdentityProvider(domain, {protocol})`: an
    /// [`IdentityRequest::Generate`] event follows; once answered, our
    /// descriptions carry `a=identity`.
    pub fn set_identity_provider(&mut self, domain: &str, protocol: &str) -> Result<(), RtcError> {
        self.ensure_open()?;
        self.identity_provider = Some((domain.to_owned(), protocol.to_owned()));
        let id = self.next_identity_request;
        self.next_identity_request += 1;
        let request = IdentityRequest::Generate {
            id,
            contents: fingerprint_contents(&self.local_fingerprints()),
            domain: domain.to_owned(),
            protocol: protocol.to_owned(),
        };
        self.push_identity_request(id, request);
        Ok(())
    }

    fn push_identity_request(&mut self, id: u64, request: IdentityRequest) {
        if self.identity_requests.len() >= MAX_IDENTITY_REQUESTS {
            self.identity_requests.remove(0);
        }
        self.identity_requests.push((id, request.clone()));
        self.emit(PeerEvent::Identity(request));
    }

    fn take_identity_request(&mut self, id: u64) -> Result<IdentityRequest, RtcError> {
        let index = self
            .identity_requests
            .iter()
            .position(|(i, _)| *i == id)
            .ok_or(RtcError::UnknownIdentityRequest(id))?;
        Ok(self.identity_requests.remove(index).1)
    }

    /// The answer to [`IdentityRequest::Generate`]: the IdP's assertion (or
    /// its error, returned as an `OperationError`-like identity error).
    pub fn identity_assertion(
        &mut self,
        id: u64,
        assertion: Result<String, String>,
    ) -> Result<(), RtcError> {
        let IdentityRequest::Generate {
            domain, protocol, ..
        } = self.take_identity_request(id)?
        else {
            return Err(RtcError::UnknownIdentityRequest(id));
        };
        let assertion = assertion.map_err(RtcError::Identity)?;
        self.identity_assertion = Some(encode_identity_attribute(&domain, &protocol, &assertion));
        Ok(())
    }

    /// A remote description with `a=identity`: ask for its validation once.
    pub(crate) fn request_validation(&mut self, params: &RemoteParams) {
        let Some(value) = &params.identity else {
            return;
        };
        if self.validated_assertion.as_deref() == Some(value.as_str()) {
            return;
        }
        let Some((domain, protocol, assertion)) = decode_identity_attribute(value) else {
            tracing::debug!("unreadable a=identity");
            return;
        };
        let id = self.next_identity_request;
        self.next_identity_request += 1;
        self.validated_assertion = Some(value.clone());
        self.push_identity_request(
            id,
            IdentityRequest::Validate {
                id,
                domain,
                protocol,
                assertion,
            },
        );
    }

    /// The answer to [`IdentityRequest::Validate`]. The contents must bind
    /// the remote's fingerprints and, with `peerIdentity` configured, the
    /// identity must be that one; otherwise the connection fails and this
    /// returns the `InvalidModificationError`. On success delivery opens.
    pub fn identity_validated(
        &mut self,
        now: Instant,
        id: u64,
        result: Result<ValidatedAssertion, String>,
    ) -> Result<(), RtcError> {
        let IdentityRequest::Validate { .. } = self.take_identity_request(id)? else {
            return Err(RtcError::UnknownIdentityRequest(id));
        };
        let remote = self
            .current_remote
            .as_ref()
            .or(self.pending_remote.as_ref())
            .and_then(|r| r.params.primary())
            .map(|t| t.fingerprints.clone())
            .unwrap_or_default();
        let outcome = match result {
            Err(e) => Err(format!("the identity provider refused the assertion: {e}")),
            Ok(v) if !contents_bind(&v.contents, &remote) => {
                Err("the assertion does not bind the remote DTLS fingerprints".to_owned())
            }
            Ok(v) => match self.config.target_peer_identity() {
                Some(target) if target != v.identity => Err(format!(
                    "the remote identity {} is not the peerIdentity {target}",
                    v.identity
                )),
                _ => Ok(v.identity),
            },
        };
        match outcome {
            Ok(identity) => {
                self.peer_identity = Some(identity.clone());
                self.emit(PeerEvent::PeerIdentity(identity));
                for t in &mut self.transports {
                    t.open_gate(now);
                }
                self.drain(now);
                Ok(())
            }
            Err(reason) => {
                if self.config.target_peer_identity().is_some() {
                    self.identity_failed = true;
                    for t in &mut self.transports {
                        t.agent.close(now);
                        t.pump(now);
                    }
                    self.drain(now);
                }
                Err(RtcError::Identity(reason))
            }
        }
    }
}
