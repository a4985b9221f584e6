//! `peerIdentity` (W3C webrtc-identity, RFC 8827 §7): identity assertions
//! bound to the DTLS fingerprints.
//!
//! A Sans-IO machine cannot run an identity provider (IdP) — that is a web
//! service or a script — so the work is requested by events and answered by
//! methods, as DNS is:
//! - [`IdentityRequest::Generate`]: our fingerprints must be asserted; the
//!   application asks its IdP and answers with
//!   [`crate::RtcPeerConnection::identity_assertion`]. The assertion goes
//!   into our next description as `a=identity`.
//! - [`IdentityRequest::Validate`]: the remote description carried
//!   `a=identity`; the application asks the IdP named in it and answers
//!   with [`crate::RtcPeerConnection::identity_validated`]. The connection
//!   checks that the validated contents bind the remote's DTLS fingerprints
//!   and, when `peerIdentity` is configured, that the identity is that one.
//!
//! With `peerIdentity` set, no data channel opens until the remote identity
//! is asserted and matches; a mismatch fails the connection.
//! [`IdentityProvider`] is the pluggable side: [`IdentityProvider::answer`]
//! serves one request with any implementation of it.

use base64::Engine;
use sansrtc_sdp::attributes::Fingerprint;
use serde_json::{json, Value};

use crate::error::RtcError;

/// A request for the application's identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityRequest {
    /// Generate an assertion over `contents` (RFC 8827 §7.4: the JSON
    /// list of our fingerprints).
    Generate {
        /// Quote it in the answer.
        id: u64,
        /// The contents to assert.
        contents: String,
        /// The IdP's domain (from [`crate::RtcPeerConnection::set_identity_provider`]).
        domain: String,
        /// The IdP protocol name.
        protocol: String,
    },
    /// Validate the remote's assertion.
    Validate {
        /// Quote it in the answer.
        id: u64,
        /// The IdP's domain, from the assertion.
        domain: String,
        /// The IdP protocol name, from the assertion.
        protocol: String,
        /// The opaque assertion the IdP made.
        assertion: String,
    },
}

/// What an IdP's validation yields (`RTCIdentityValidationResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedAssertion {
    /// The asserted identity (`user@domain`).
    pub identity: String,
    /// The contents the assertion was made over.
    pub contents: String,
}

/// An identity provider, pluggable: tests use one in memory, a browser-like
/// application would call a web IdP. Errors are the IdP's own words.
pub trait IdentityProvider {
    /// `generateAssertion(contents, origin, options)`: an opaque assertion.
    fn generate_assertion(&mut self, contents: &str) -> Result<String, String>;
    /// `validateAssertion(assertion, origin)`.
    fn validate_assertion(&mut self, assertion: &str) -> Result<ValidatedAssertion, String>;

    /// Serves `request` on `pc` with this provider.
    fn answer(
        &mut self,
        now: std::time::Instant,
        pc: &mut crate::RtcPeerConnection,
        request: &IdentityRequest,
    ) -> Result<(), RtcError>
    where
        Self: Sized,
    {
        match request {
            IdentityRequest::Generate { id, contents, .. } => {
                let result = self.generate_assertion(contents);
                pc.identity_assertion(*id, result)
            }
            IdentityRequest::Validate { id, assertion, .. } => {
                let result = self.validate_assertion(assertion);
                pc.identity_validated(now, *id, result)
            }
        }
    }
}

/// The contents an assertion binds: our fingerprints as RFC 8827 §7.4
/// writes them, `{"fingerprint":[{"algorithm":…,"digest":…}]}`.
pub fn fingerprint_contents(fingerprints: &[Fingerprint]) -> String {
    let list: Vec<Value> = named(fingerprints)
        .into_iter()
        .map(|(algorithm, digest)| json!({"algorithm": algorithm, "digest": digest}))
        .collect();
    json!({ "fingerprint": list }).to_string()
}

/// Whether `contents` binds exactly these fingerprints (order aside, case
/// of hex digits aside).
pub fn contents_bind(contents: &str, fingerprints: &[Fingerprint]) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(contents) else {
        return false;
    };
    let Some(list) = value.get("fingerprint").and_then(Value::as_array) else {
        return false;
    };
    let mut asserted: Vec<(String, String)> = list
        .iter()
        .filter_map(|f| {
            Some((
                f.get("algorithm")?.as_str()?.to_ascii_lowercase(),
                f.get("digest")?.as_str()?.to_ascii_uppercase(),
            ))
        })
        .collect();
    let mut ours = named(fingerprints);
    asserted.sort();
    ours.sort();
    asserted.len() == list.len() && !ours.is_empty() && asserted == ours
}

/// `(algorithm, digest)` as RFC 8827 writes them: `sha-256`, `AB:CD:…`.
fn named(fingerprints: &[Fingerprint]) -> Vec<(String, String)> {
    fingerprints
        .iter()
        .map(|f| (f.algorithm.as_str().to_ascii_lowercase(), f.digest_hex()))
        .collect()
}

/// The `a=identity` value: base64 of `{"idp":{"domain","protocol"},"assertion"}`.
pub fn encode_identity_attribute(domain: &str, protocol: &str, assertion: &str) -> String {
    let value = json!({"idp": {"domain": domain, "protocol": protocol}, "assertion": assertion});
    base64::engine::general_purpose::STANDARD.encode(value.to_string())
}

/// Reads an `a=identity` value: (domain, protocol, assertion).
pub fn decode_identity_attribute(value: &str) -> Option<(String, String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let json: Value = serde_json::from_slice(&bytes).ok()?;
    let idp = json.get("idp")?;
    Some((
        idp.get("domain")?.as_str()?.to_owned(),
        idp.get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_owned(),
        json.get("assertion")?.as_str()?.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansrtc_sdp::attributes::HashAlgorithm;

    #[test]
    fn contents_bind_the_same_set_only() {
        let sha256 = |bytes: &[u8]| Fingerprint::new(HashAlgorithm::Sha256, bytes.to_vec());
        let ours = vec![sha256(&[0xab, 0xcd])];
        let contents = fingerprint_contents(&ours);
        assert_eq!(
            contents,
            r#"{"fingerprint":[{"algorithm":"sha-256","digest":"AB:CD"}]}"#
        );
        assert!(contents_bind(&contents, &ours));
        // The IdP's spelling of the algorithm and the digest's case do not matter.
        let lower = r#"{"fingerprint":[{"algorithm":"SHA-256","digest":"ab:cd"}]}"#;
        assert!(contents_bind(lower, &ours));
        assert!(!contents_bind(&contents, &[sha256(&[0xab, 0xce])]));
        assert!(!contents_bind("not json", &ours));
        assert!(!contents_bind(r#"{"fingerprint":[]}"#, &[]));
        let extra = vec![
            sha256(&[0xab, 0xcd]),
            Fingerprint::new(HashAlgorithm::Sha1, vec![0]),
        ];
        assert!(!contents_bind(&contents, &extra));
    }

    #[test]
    fn identity_attribute_round_trip_and_garbage() {
        let value = encode_identity_attribute("idp.example", "default", "opaque");
        assert_eq!(
            decode_identity_attribute(&value),
            Some(("idp.example".into(), "default".into(), "opaque".into()))
        );
        assert_eq!(decode_identity_attribute("!!!"), None);
        assert_eq!(decode_identity_attribute("e30="), None); // "{}"
    }
}
