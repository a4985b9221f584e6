//! Keys for MESSAGE-INTEGRITY (RFC 8489 §9.1.2, §9.2.2) and USERHASH
//! (§14.4).
//!
//! Strings are used as given: the caller applies OpaqueString (RFC 8265)
//! where needed. For ASCII credentials, the usual case, it is a no-op.

use md5::{Digest as _, Md5};
use sha2::Sha256;

use crate::attributes::PasswordAlgorithmId;

/// Short-term key (ICE): the password itself.
pub fn short_term_key(password: &str) -> &[u8] {
    password.as_bytes()
}

/// Long-term key with the MD5 algorithm (the RFC 5389 default):
/// MD5(username ":" realm ":" password).
pub fn long_term_key(username: &str, realm: &str, password: &str) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(username.as_bytes());
    h.update(b":");
    h.update(realm.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
    h.finalize().into()
}

/// Long-term key with the SHA-256 algorithm:
/// SHA-256(username ":" realm ":" password).
pub fn long_term_key_sha256(username: &str, realm: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(username.as_bytes());
    h.update(b":");
    h.update(realm.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
    h.finalize().into()
}

/// A long-term key for `algorithm`, as bytes; `None` for an algorithm this
/// crate does not implement.
pub fn long_term_key_for(
    algorithm: PasswordAlgorithmId,
    username: &str,
    realm: &str,
    password: &str,
) -> Option<Vec<u8>> {
    match algorithm {
        PasswordAlgorithmId::Md5 => Some(long_term_key(username, realm, password).to_vec()),
        PasswordAlgorithmId::Sha256 => {
            Some(long_term_key_sha256(username, realm, password).to_vec())
        }
        PasswordAlgorithmId::Other(_) => None,
    }
}

/// USERHASH value: SHA-256(username ":" realm).
pub fn user_hash(username: &str, realm: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(username.as_bytes());
    h.update(b":");
    h.update(realm.as_bytes());
    h.finalize().into()
}
