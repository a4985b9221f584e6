//! The state cookie (RFC 9260 §5.1.3): everything the INIT-ACK sender needs
//! to build the association from a COOKIE ECHO, authenticated with
//! HMAC-SHA256 under a secret drawn from the injected RNG.

use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;
const BODY_LEN: usize = 1 + 4 * 5 + 2 + 2 + 1 + 4 + 4 + 8;
const MAC_LEN: usize = 32;
/// The encoded size of a cookie.
pub(crate) const COOKIE_LEN: usize = BODY_LEN + MAC_LEN;

/// The contents of a state cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cookie {
    /// Our verification tag (the initiate tag of our INIT-ACK).
    pub(crate) my_tag: u32,
    /// The peer's verification tag (the initiate tag of its INIT).
    pub(crate) peer_tag: u32,
    /// Our initial TSN.
    pub(crate) my_initial_tsn: u32,
    /// The peer's initial TSN.
    pub(crate) peer_initial_tsn: u32,
    /// The peer's advertised receiver window.
    pub(crate) peer_a_rwnd: u32,
    /// The peer's outbound streams.
    pub(crate) peer_outbound_streams: u16,
    /// The peer's maximum inbound streams.
    pub(crate) peer_inbound_streams: u16,
    /// Bit 0: FORWARD-TSN, bit 1: RE-CONFIG, bit 2: zero checksum.
    pub(crate) features: u8,
    /// Tie-tags (RFC 9260 §5.2.2): our and the peer's tags of the
    /// association existing when the INIT arrived, or zero.
    pub(crate) my_tie_tag: u32,
    /// The peer's tie-tag.
    pub(crate) peer_tie_tag: u32,
    /// Milliseconds since the association's epoch when it was made.
    pub(crate) created_ms: u64,
}

fn mac(secret: &[u8; 32], body: &[u8]) -> [u8; MAC_LEN] {
    // `new_from_slice` cannot fail for HMAC (any key length is valid).
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(body);
    m.finalize().into_bytes().into()
}

impl Cookie {
    /// Encodes and authenticates the cookie.
    pub(crate) fn seal(&self, secret: &[u8; 32]) -> Vec<u8> {
        let mut b = Vec::with_capacity(COOKIE_LEN);
        b.push(VERSION);
        for v in [
            self.my_tag,
            self.peer_tag,
            self.my_initial_tsn,
            self.peer_initial_tsn,
            self.peer_a_rwnd,
        ] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.extend_from_slice(&self.peer_outbound_streams.to_be_bytes());
        b.extend_from_slice(&self.peer_inbound_streams.to_be_bytes());
        b.push(self.features);
        b.extend_from_slice(&self.my_tie_tag.to_be_bytes());
        b.extend_from_slice(&self.peer_tie_tag.to_be_bytes());
        b.extend_from_slice(&self.created_ms.to_be_bytes());
        let tag = mac(secret, &b);
        b.extend_from_slice(&tag);
        b
    }

    /// Verifies and decodes a cookie; `None` if it is malformed or forged.
    pub(crate) fn open(secret: &[u8; 32], bytes: &[u8]) -> Option<Self> {
        if bytes.len() != COOKIE_LEN {
            return None;
        }
        let (body, tag) = bytes.split_at(BODY_LEN);
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
        m.update(body);
        m.verify_slice(tag).ok()?;
        if body[0] != VERSION {
            return None;
        }
        let u32_at =
            |i: usize| u32::from_be_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]);
        let u16_at = |i: usize| u16::from_be_bytes([body[i], body[i + 1]]);
        let mut ms = [0u8; 8];
        ms.copy_from_slice(&body[34..42]);
        Some(Self {
            my_tag: u32_at(1),
            peer_tag: u32_at(5),
            my_initial_tsn: u32_at(9),
            peer_initial_tsn: u32_at(13),
            peer_a_rwnd: u32_at(17),
            peer_outbound_streams: u16_at(21),
            peer_inbound_streams: u16_at(23),
            features: body[25],
            my_tie_tag: u32_at(26),
            peer_tie_tag: u32_at(30),
            created_ms: u64::from_be_bytes(ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cookie {
        Cookie {
            my_tag: 1,
            peer_tag: 2,
            my_initial_tsn: 3,
            peer_initial_tsn: 4,
            peer_a_rwnd: 5,
            peer_outbound_streams: 6,
            peer_inbound_streams: 7,
            features: 5,
            my_tie_tag: 8,
            peer_tie_tag: 9,
            created_ms: 10,
        }
    }

    #[test]
    fn round_trip() {
        let s = [7u8; 32];
        let c = sample();
        assert_eq!(Cookie::open(&s, &c.seal(&s)), Some(c));
    }

    #[test]
    fn forged_or_truncated_cookies_are_refused() {
        let s = [7u8; 32];
        let mut b = sample().seal(&s);
        assert_eq!(Cookie::open(&[8u8; 32], &b), None);
        assert_eq!(Cookie::open(&s, &b[..b.len() - 1]), None);
        b[3] ^= 1;
        assert_eq!(Cookie::open(&s, &b), None);
    }
}
