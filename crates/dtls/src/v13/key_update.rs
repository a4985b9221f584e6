//! The KeyUpdate message (RFC 8446 §4.6.3; in DTLS 1.3 acknowledged by an
//! ACK before the sender switches epochs, RFC 9147 §8) and the Finished
//! body (RFC 8446 §4.4.4: verify_data of `Hash.length` bytes).

use super::cipher_suite::SuiteHash;
use super::error::Dtls13Error;

/// HandshakeType key_update.
pub(crate) const KEY_UPDATE: u8 = 24;
/// HandshakeType finished.
pub(crate) const FINISHED: u8 = 20;

/// KeyUpdateRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUpdateRequest {
    /// update_not_requested (0).
    NotRequested,
    /// update_requested (1): the peer updates its sending keys too.
    Requested,
}

/// The KeyUpdate body.
pub(crate) fn encode_key_update(request: KeyUpdateRequest) -> [u8; 1] {
    match request {
        KeyUpdateRequest::NotRequested => [0],
        KeyUpdateRequest::Requested => [1],
    }
}

/// Parses a KeyUpdate body; any other value or length is an error
/// (illegal_parameter / decode_error).
pub(crate) fn parse_key_update(body: &[u8]) -> Result<KeyUpdateRequest, Dtls13Error> {
    match body {
        [0] => Ok(KeyUpdateRequest::NotRequested),
        [1] => Ok(KeyUpdateRequest::Requested),
        [_] => Err(Dtls13Error::IllegalParameter("KeyUpdateRequest")),
        _ => Err(Dtls13Error::Decode("KeyUpdate")),
    }
}

/// Checks a Finished body's length for the suite's hash and returns the
/// verify_data.
pub(crate) fn parse_finished(hash: SuiteHash, body: &[u8]) -> Result<&[u8], Dtls13Error> {
    if body.len() != hash.output_len() {
        return Err(Dtls13Error::Decode("Finished"));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_update_round_trips_and_rejects_others() {
        for r in [KeyUpdateRequest::NotRequested, KeyUpdateRequest::Requested] {
            assert_eq!(parse_key_update(&encode_key_update(r)).unwrap(), r);
        }
        assert_eq!(
            parse_key_update(&[2]),
            Err(Dtls13Error::IllegalParameter("KeyUpdateRequest"))
        );
        assert!(parse_key_update(&[]).is_err());
        assert!(parse_key_update(&[0, 0]).is_err());
    }

    #[test]
    fn finished_length_follows_the_hash() {
        assert!(parse_finished(SuiteHash::Sha256, &[0; 32]).is_ok());
        assert!(parse_finished(SuiteHash::Sha256, &[0; 48]).is_err());
        assert!(parse_finished(SuiteHash::Sha384, &[0; 48]).is_ok());
        assert!(parse_finished(SuiteHash::Sha384, &[0; 32]).is_err());
        assert!(parse_finished(SuiteHash::Sha256, &[]).is_err());
    }
}
