//! The server side of long-term credentials (RFC 8489 §9.2.4): decide
//! whether a request is authenticated, or which error to answer with. For
//! TURN servers (and the simulated ones in netsim).
//!
//! ```
//! use sansrtc_stun::{check_long_term_request, long_term_key, LongTermVerdict, Message,
//!     MessageBuilder, MessageType, TransactionId};
//!
//! let mut buf = Vec::new();
//! MessageBuilder::new(&mut buf, MessageType::BINDING_REQUEST, TransactionId([1; 12])).finish();
//! let request = Message::parse(&buf)?;
//! let verdict = check_long_term_request(&request, "example.org",
//!     |nonce| nonce == "fresh",
//!     |user| (user == "alice").then(|| long_term_key(user, "example.org", "secret").to_vec()));
//! // No credentials yet: challenge with 401, REALM and a NONCE.
//! assert_eq!(verdict, LongTermVerdict::Reject { code: 401 });
//! # Ok::<(), sansrtc_stun::StunError>(())
//! ```

use crate::attributes::{Nonce, Realm, Username};
use crate::message::Message;

/// What the server should do with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LongTermVerdict<'a> {
    /// The request is authenticated; answer it with MESSAGE-INTEGRITY
    /// computed with `key`.
    Authenticated {
        /// The USERNAME the request carried.
        username: &'a str,
        /// The long-term key that verified it.
        key: Vec<u8>,
    },
    /// Answer with this error: 400 (credentials incomplete), 401 (no or
    /// wrong credentials: include REALM and a fresh NONCE) or 438 (stale
    /// nonce: include REALM and a fresh NONCE). No MESSAGE-INTEGRITY.
    Reject {
        /// 400, 401 or 438.
        code: u16,
    },
}

/// Checks a request against long-term credentials for `realm`.
/// `nonce_is_valid` says whether a NONCE is one the server issued and still
/// accepts; `key_for` returns the long-term key of a known username
/// (e.g. [`crate::long_term_key`]). Requests identified only by USERHASH are
/// answered with 401 (not supported here).
pub fn check_long_term_request<'a>(
    request: &Message<'a>,
    realm: &str,
    nonce_is_valid: impl FnOnce(&str) -> bool,
    key_for: impl FnOnce(&str) -> Option<Vec<u8>>,
) -> LongTermVerdict<'a> {
    let reject = |code| LongTermVerdict::Reject { code };
    if !request.has_integrity() && !request.has_integrity_sha256() {
        return reject(401);
    }
    let (Ok(username), Ok(request_realm), Ok(nonce)) = (
        request.get::<Username<'a>>(),
        request.get::<Realm<'a>>(),
        request.get::<Nonce<'a>>(),
    ) else {
        return reject(400);
    };
    let (Some(Username(username)), Some(Realm(request_realm)), Some(Nonce(nonce))) =
        (username, request_realm, nonce)
    else {
        return reject(if request.has(crate::AttributeType::USERHASH) {
            401
        } else {
            400
        });
    };
    if !nonce_is_valid(nonce) {
        return reject(438);
    }
    if request_realm != realm {
        return reject(401);
    }
    let Some(key) = key_for(username) else {
        return reject(401);
    };
    match request.verify_any_integrity(&key) {
        Ok(()) => LongTermVerdict::Authenticated { username, key },
        Err(_) => reject(401),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::{ErrorCode, Nonce, Realm, Username};
    use crate::{
        long_term_key, AuthStep, Class, LongTermAuth, MessageBuilder, MessageType, Method,
        TransactionId,
    };

    const REALM: &str = "sansrtc.test";

    fn key_for(user: &str) -> Option<Vec<u8>> {
        (user == "test").then(|| long_term_key(user, REALM, "test").to_vec())
    }

    /// Our client helper against our server helper, through 401 and 438.
    #[test]
    fn client_and_server_helpers_agree() {
        let mut client = LongTermAuth::new("test", "test");
        let mut nonce = "n1";
        let allocate = MessageType::new(Method::ALLOCATE, Class::Request);
        let mut outcomes = Vec::new();
        for round in 0..4 {
            let mut req = Vec::new();
            let mut b = MessageBuilder::new(&mut req, allocate, TransactionId([round; 12]));
            if client.is_ready() {
                client.add_credentials(&mut b).unwrap();
                client.add_integrity(&mut b).unwrap();
            }
            b.finish();
            let req = Message::parse(&req).unwrap();
            let verdict = check_long_term_request(&req, REALM, |n| n == nonce, key_for);
            outcomes.push(match &verdict {
                LongTermVerdict::Reject { code } => *code,
                LongTermVerdict::Authenticated { username, .. } => {
                    assert_eq!(*username, "test");
                    200
                }
            });
            let mut resp = Vec::new();
            match verdict {
                LongTermVerdict::Reject { code } => {
                    let mut b = MessageBuilder::new(
                        &mut resp,
                        allocate.with_class(Class::ErrorResponse),
                        req.transaction_id(),
                    );
                    b.add(&ErrorCode::with_default_reason(code)).unwrap();
                    b.add(&Realm(REALM)).unwrap();
                    b.add(&Nonce(nonce)).unwrap();
                }
                LongTermVerdict::Authenticated { key, .. } => {
                    let mut b = MessageBuilder::new(
                        &mut resp,
                        allocate.with_class(Class::SuccessResponse),
                        req.transaction_id(),
                    );
                    b.add_message_integrity(&key).unwrap();
                }
            }
            let step = client
                .handle_response(&Message::parse(&resp).unwrap())
                .unwrap();
            if step == AuthStep::Accepted {
                if nonce == "n1" {
                    // Expire the nonce: the next request gets a 438.
                    nonce = "n2";
                    continue;
                }
                break;
            }
        }
        assert_eq!(outcomes, [401, 200, 438, 200]);
    }

    #[test]
    fn rejections() {
        let ty = MessageType::new(Method::ALLOCATE, Class::Request);
        let build = |user: Option<&str>, realm: &str, nonce: Option<&str>, key: &[u8]| {
            let mut buf = Vec::new();
            let mut b = MessageBuilder::new(&mut buf, ty, TransactionId([0; 12]));
            if let Some(u) = user {
                b.add(&Username(u)).unwrap();
            }
            b.add(&Realm(realm)).unwrap();
            if let Some(n) = nonce {
                b.add(&Nonce(n)).unwrap();
            }
            b.add_message_integrity(key).unwrap();
            buf
        };
        let good = long_term_key("test", REALM, "test");
        let check = |bytes: &[u8]| {
            let m = Message::parse(bytes).unwrap();
            match check_long_term_request(&m, REALM, |n| n == "n", key_for) {
                LongTermVerdict::Reject { code } => code,
                LongTermVerdict::Authenticated { .. } => 200,
            }
        };
        assert_eq!(check(&build(Some("test"), REALM, Some("n"), &good)), 200);
        assert_eq!(check(&build(None, REALM, Some("n"), &good)), 400);
        assert_eq!(check(&build(Some("test"), REALM, None, &good)), 400);
        assert_eq!(check(&build(Some("test"), REALM, Some("old"), &good)), 438);
        assert_eq!(check(&build(Some("test"), "other", Some("n"), &good)), 401);
        assert_eq!(check(&build(Some("nobody"), REALM, Some("n"), &good)), 401);
        assert_eq!(check(&build(Some("test"), REALM, Some("n"), b"bad")), 401);
    }
}
