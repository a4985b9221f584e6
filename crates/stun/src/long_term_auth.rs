//! The client side of STUN long-term credentials (RFC 8489 §9.2) as a small
//! Sans-IO piece: feed it the responses to authenticated requests, and it
//! says whether to retry (401 challenge, 438 stale nonce) and adds the
//! credential attributes and integrity to the next request.
//!
//! ```
//! use sansrtc_stun::{LongTermAuth, AuthStep, Message, MessageBuilder, MessageType,
//!     Method, Class, TransactionId};
//! use sansrtc_stun::attributes::{ErrorCode, Nonce, Realm};
//!
//! let mut auth = LongTermAuth::new("test", "test");
//! // The server's 401 challenge to an unauthenticated Allocate:
//! let mut buf = Vec::new();
//! let mut b = MessageBuilder::new(&mut buf,
//!     MessageType::new(Method::ALLOCATE, Class::ErrorResponse), TransactionId([1; 12]));
//! b.add(&ErrorCode::with_default_reason(401))?;
//! b.add(&Realm("sansrtc.test"))?;
//! b.add(&Nonce("abcd"))?;
//! let challenge = Message::parse(&buf)?;
//! assert_eq!(auth.handle_response(&challenge)?, AuthStep::Retry);
//!
//! // The retried request carries USERNAME, REALM, NONCE and integrity.
//! let mut req = Vec::new();
//! let mut b = MessageBuilder::new(&mut req,
//!     MessageType::new(Method::ALLOCATE, Class::Request), TransactionId([2; 12]));
//! auth.add_credentials(&mut b)?;
//! auth.add_integrity(&mut b)?;
//! let req = Message::parse(&req)?;
//! req.verify_integrity(auth.key().unwrap())?;
//! # Ok::<(), sansrtc_stun::StunError>(())
//! ```

use crate::attribute_type::AttributeType;
use crate::attributes::{
    ErrorCode, Nonce, PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, Realm, UserHash,
    Username,
};
use crate::builder::{MessageBuffer, MessageBuilder};
use crate::credentials::{long_term_key_for, user_hash};
use crate::error::StunError;
use crate::header::Class;
use crate::message::Message;

/// The nonce cookie announcing RFC 8489 security features (§9.2).
const NONCE_COOKIE: &str = "obMatJos2";
/// Security feature bit 0 (most significant of 24): password algorithms.
const FEATURE_PASSWORD_ALGORITHMS: u32 = 1 << 23;
/// Security feature bit 1: username anonymity.
const FEATURE_USERNAME_ANONYMITY: u32 = 1 << 22;

/// What to do after a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthStep {
    /// Send the request again, in a new transaction, with
    /// [`LongTermAuth::add_credentials`] and [`LongTermAuth::add_integrity`].
    Retry,
    /// A success response whose integrity checked out.
    Accepted,
    /// An error response that is not about authentication (its integrity,
    /// when present, checked out). Handle the code.
    Error(u16),
}

#[derive(Clone, Debug)]
struct Challenge {
    realm: String,
    nonce: String,
    algorithm: PasswordAlgorithmId,
    /// PASSWORD-ALGORITHMS as received, echoed in requests.
    offered_algorithms: Option<Vec<u8>>,
    anonymous: bool,
    rfc8489: bool,
    key: Vec<u8>,
}

/// Long-term credential state for one server (see the module docs).
#[derive(Clone, Debug)]
pub struct LongTermAuth {
    username: String,
    password: String,
    challenge: Option<Challenge>,
    stale_nonces: u32,
    max_stale_nonces: u32,
}

/// Decodes the 24 security-feature bits that follow the nonce cookie.
fn security_features(nonce: &str) -> Option<u32> {
    let rest = nonce.strip_prefix(NONCE_COOKIE)?;
    let mut bits = 0u32;
    for c in rest.bytes().take(4) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
    }
    (rest.len() >= 4).then_some(bits)
}

impl LongTermAuth {
    /// Credentials for one server. The strings are used as given
    /// (OpaqueString preparation is the caller's).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        LongTermAuth {
            username: username.into(),
            password: password.into(),
            challenge: None,
            stale_nonces: 0,
            max_stale_nonces: 3,
        }
    }

    /// Sets how many 438 Stale Nonce answers in a row are retried (default 3).
    pub fn with_max_stale_nonces(mut self, max: u32) -> Self {
        self.max_stale_nonces = max;
        self
    }

    /// Whether a challenge has been received (requests now carry
    /// credentials).
    pub fn is_ready(&self) -> bool {
        self.challenge.is_some()
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The realm from the last challenge.
    pub fn realm(&self) -> Option<&str> {
        self.challenge.as_ref().map(|c| c.realm.as_str())
    }

    /// The nonce from the last challenge.
    pub fn nonce(&self) -> Option<&str> {
        self.challenge.as_ref().map(|c| c.nonce.as_str())
    }

    /// The password algorithm in use.
    pub fn algorithm(&self) -> Option<PasswordAlgorithmId> {
        self.challenge.as_ref().map(|c| c.algorithm)
    }

    /// The long-term key for MESSAGE-INTEGRITY(-SHA256).
    pub fn key(&self) -> Option<&[u8]> {
        self.challenge.as_ref().map(|c| c.key.as_slice())
    }

    /// Processes the response to a request this helper authenticated (or
    /// to the first, unauthenticated request). A 401 answering a request
    /// that already carried credentials means they are wrong.
    pub fn handle_response(&mut self, response: &Message<'_>) -> Result<AuthStep, StunError> {
        match response.class() {
            Class::SuccessResponse => {
                let key = self.key().ok_or(StunError::NoChallengeYet)?;
                response.verify_any_integrity(key)?;
                self.stale_nonces = 0;
                Ok(AuthStep::Accepted)
            }
            Class::ErrorResponse => {
                let code = response.require::<ErrorCode<'_>>()?.code;
                match code {
                    ErrorCode::UNAUTHENTICATED => {
                        if self.challenge.is_some() {
                            return Err(StunError::CredentialsRejected(code));
                        }
                        self.take_challenge(response)?;
                        Ok(AuthStep::Retry)
                    }
                    ErrorCode::STALE_NONCE => {
                        self.stale_nonces += 1;
                        if self.stale_nonces > self.max_stale_nonces {
                            return Err(StunError::TooManyStaleNonces(self.stale_nonces));
                        }
                        self.take_challenge(response)?;
                        Ok(AuthStep::Retry)
                    }
                    ErrorCode::WRONG_CREDENTIALS => Err(StunError::CredentialsRejected(code)),
                    _ => {
                        if let Some(key) = self.key() {
                            if response.has_integrity() || response.has_integrity_sha256() {
                                response.verify_any_integrity(key)?;
                            }
                        }
                        Ok(AuthStep::Error(code))
                    }
                }
            }
            _ => Err(StunError::NotAResponse),
        }
    }

    fn take_challenge(&mut self, response: &Message<'_>) -> Result<(), StunError> {
        let nonce = response
            .get::<Nonce<'_>>()?
            .ok_or(StunError::ChallengeWithoutNonce)?
            .0;
        // A 438 may omit REALM; keep the one we have.
        let realm = match response.get::<Realm<'_>>()? {
            Some(r) => r.0.to_owned(),
            None => self
                .realm()
                .map(str::to_owned)
                .ok_or(StunError::ChallengeWithoutRealm)?,
        };
        let features = security_features(nonce);
        let offered = response.get::<PasswordAlgorithms<'_>>()?;
        let mut algorithm = PasswordAlgorithmId::Md5;
        let mut offered_algorithms = None;
        if features.is_some_and(|f| f & FEATURE_PASSWORD_ALGORITHMS != 0) {
            if let Some(offered) = offered {
                algorithm = offered
                    .iter()
                    .map(|a| a.algorithm)
                    .find(|a| matches!(a, PasswordAlgorithmId::Md5 | PasswordAlgorithmId::Sha256))
                    .ok_or(StunError::UnsupportedPasswordAlgorithm)?;
                let wire = offered.wire_bytes().unwrap_or(&[]).to_vec();
                // Bid-down protection: the offer must not change.
                if let Some(previous) = self
                    .challenge
                    .as_ref()
                    .and_then(|c| c.offered_algorithms.as_ref())
                {
                    if *previous != wire {
                        return Err(StunError::PasswordAlgorithmsChanged);
                    }
                }
                offered_algorithms = Some(wire);
            }
        }
        let key = long_term_key_for(algorithm, &self.username, &realm, &self.password)
            .ok_or(StunError::UnsupportedPasswordAlgorithm)?;
        self.challenge = Some(Challenge {
            realm,
            nonce: nonce.to_owned(),
            algorithm,
            offered_algorithms,
            anonymous: features.is_some_and(|f| f & FEATURE_USERNAME_ANONYMITY != 0),
            rfc8489: features.is_some(),
            key,
        });
        Ok(())
    }

    /// Adds USERNAME (or USERHASH when the server asked for anonymity),
    /// REALM, NONCE, and PASSWORD-ALGORITHMS / PASSWORD-ALGORITHM when the
    /// server offered algorithms. Add the request's other attributes after
    /// this, then [`LongTermAuth::add_integrity`].
    pub fn add_credentials<B: MessageBuffer + ?Sized>(
        &self,
        builder: &mut MessageBuilder<'_, B>,
    ) -> Result<(), StunError> {
        let c = self.challenge.as_ref().ok_or(StunError::NoChallengeYet)?;
        if c.anonymous {
            builder.add(&UserHash(&user_hash(&self.username, &c.realm)))?;
        } else {
            builder.add(&Username(&self.username))?;
        }
        builder.add(&Realm(&c.realm))?;
        builder.add(&Nonce(&c.nonce))?;
        if let Some(offered) = &c.offered_algorithms {
            builder.add_raw(AttributeType::PASSWORD_ALGORITHMS, offered)?;
            builder.add(&PasswordAlgorithm {
                algorithm: c.algorithm,
                parameters: &[],
            })?;
        }
        Ok(())
    }

    /// Adds the integrity attribute: MESSAGE-INTEGRITY-SHA256 to a server
    /// that announced RFC 8489 security features, MESSAGE-INTEGRITY
    /// otherwise.
    pub fn add_integrity<B: MessageBuffer + ?Sized>(
        &self,
        builder: &mut MessageBuilder<'_, B>,
    ) -> Result<(), StunError> {
        let c = self.challenge.as_ref().ok_or(StunError::NoChallengeYet)?;
        if c.rfc8489 {
            builder.add_message_integrity_sha256(&c.key)?;
        } else {
            builder.add_message_integrity(&c.key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_feature_bits() {
        assert_eq!(
            security_features("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"),
            Some(0x2)
        );
        assert_eq!(
            security_features("obMatJos2gAAA"),
            Some(FEATURE_PASSWORD_ALGORITHMS)
        );
        assert_eq!(
            security_features("obMatJos2QAAA"),
            Some(FEATURE_USERNAME_ANONYMITY)
        );
        assert_eq!(security_features("plain-nonce"), None);
        assert_eq!(security_features("obMatJos2AA"), None);
    }
}
