//! What marks a HelloRetryRequest and what it carries besides key_share:
//! the ServerHello.random of SHA-256("HelloRetryRequest") (RFC 8446
//! §4.1.3) and the cookie extension (§4.2.2), which DTLS 1.3 servers use
//! for return-routability (RFC 9147 §5.1).

use super::error::Dtls13Error;
use crate::codec::{put_vec16, Reader};

/// The ServerHello.random of a HelloRetryRequest: SHA-256 of
/// "HelloRetryRequest".
pub(crate) const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Whether a ServerHello with this random is a HelloRetryRequest.
pub(crate) fn is_hello_retry_request(server_random: &[u8]) -> bool {
    server_random == HELLO_RETRY_REQUEST_RANDOM
}

/// The cookie extension type.
pub(crate) const COOKIE_EXTENSION_TYPE: u16 = 44;

/// Appends the cookie extension body: `opaque cookie<1..2^16-1>`.
pub(crate) fn encode_cookie(cookie: &[u8], out: &mut Vec<u8>) -> Result<(), Dtls13Error> {
    if cookie.is_empty() || cookie.len() > usize::from(u16::MAX) {
        return Err(Dtls13Error::TooLarge("cookie"));
    }
    put_vec16(out, cookie);
    Ok(())
}

/// Parses the cookie extension body; an empty cookie or trailing bytes
/// are errors.
pub(crate) fn parse_cookie(body: &[u8]) -> Result<&[u8], Dtls13Error> {
    let mut r = Reader::new(body, "cookie");
    let cookie = r.vec16()?;
    r.finish()?;
    if cookie.is_empty() {
        return Err(Dtls13Error::Decode("empty cookie"));
    }
    Ok(cookie)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_random_is_sha256_of_its_name() {
        let digest = ring::digest::digest(&ring::digest::SHA256, b"HelloRetryRequest");
        assert_eq!(digest.as_ref(), HELLO_RETRY_REQUEST_RANDOM);
        assert!(is_hello_retry_request(&HELLO_RETRY_REQUEST_RANDOM));
        let mut other = HELLO_RETRY_REQUEST_RANDOM;
        other[31] ^= 1;
        assert!(!is_hello_retry_request(&other));
        assert!(!is_hello_retry_request(&HELLO_RETRY_REQUEST_RANDOM[..31]));
    }

    #[test]
    fn cookie_round_trips_and_hostile_bodies_fail() {
        let mut body = Vec::new();
        encode_cookie(b"opaque state", &mut body).unwrap();
        assert_eq!(body[..2], [0, 12]);
        assert_eq!(parse_cookie(&body).unwrap(), b"opaque state");
        for cut in 0..body.len() {
            assert!(parse_cookie(&body[..cut]).is_err(), "cut {cut}");
        }
        let mut trailing = body.clone();
        trailing.push(1);
        assert!(parse_cookie(&trailing).is_err());
        assert_eq!(
            parse_cookie(&[0, 0]),
            Err(Dtls13Error::Decode("empty cookie"))
        );
        assert!(encode_cookie(b"", &mut Vec::new()).is_err());
        assert!(encode_cookie(&vec![1; 65_536], &mut Vec::new()).is_err());
        let mut max = Vec::new();
        encode_cookie(&vec![1; 65_535], &mut max).unwrap();
        assert_eq!(parse_cookie(&max).unwrap().len(), 65_535);
    }
}
