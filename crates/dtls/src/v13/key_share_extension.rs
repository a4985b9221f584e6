//! The key_share extension (RFC 8446 §4.2.8) in its three forms: the
//! ClientHello's list of shares, the ServerHello's one share, and the
//! HelloRetryRequest's selected group.

use super::error::Dtls13Error;
use crate::codec::{put_u16, put_vec16, Reader};

/// The extension type.
pub(crate) const EXTENSION_TYPE: u16 = 51;

/// One `KeyShareEntry`: a group and its key_exchange bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyShareEntry {
    /// The NamedGroup code point.
    pub(crate) group: u16,
    /// `opaque key_exchange<1..2^16-1>`.
    pub(crate) key_exchange: Vec<u8>,
}

impl KeyShareEntry {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), Dtls13Error> {
        if self.key_exchange.is_empty() || self.key_exchange.len() > usize::from(u16::MAX) {
            return Err(Dtls13Error::TooLarge("key_exchange"));
        }
        put_u16(out, self.group);
        put_vec16(out, &self.key_exchange);
        Ok(())
    }

    fn parse(r: &mut Reader<'_>) -> Result<Self, Dtls13Error> {
        let group = r.u16()?;
        let key_exchange = r.vec16()?;
        if key_exchange.is_empty() {
            return Err(Dtls13Error::Decode("empty key_exchange"));
        }
        Ok(KeyShareEntry {
            group,
            key_exchange: key_exchange.to_vec(),
        })
    }
}

/// Appends the ClientHello form: `KeyShareEntry client_shares<0..2^16-1>`.
pub(crate) fn encode_client(
    shares: &[KeyShareEntry],
    out: &mut Vec<u8>,
) -> Result<(), Dtls13Error> {
    let mut body = Vec::new();
    for share in shares {
        share.encode(&mut body)?;
    }
    if body.len() > usize::from(u16::MAX) {
        return Err(Dtls13Error::TooLarge("client_shares"));
    }
    put_vec16(out, &body);
    Ok(())
}

/// Parses the ClientHello form. An empty list is allowed (a client that
/// waits for a HelloRetryRequest); two shares of one group are an error
/// (RFC 8446 §4.2.8: illegal_parameter).
pub(crate) fn parse_client(body: &[u8]) -> Result<Vec<KeyShareEntry>, Dtls13Error> {
    let mut outer = Reader::new(body, "key_share");
    let mut r = outer.sub16()?;
    outer.finish()?;
    let mut shares: Vec<KeyShareEntry> = Vec::new();
    while !r.is_empty() {
        let share = KeyShareEntry::parse(&mut r)?;
        if shares.iter().any(|s| s.group == share.group) {
            return Err(Dtls13Error::Decode("duplicate key_share group"));
        }
        shares.push(share);
    }
    Ok(shares)
}

/// Appends the ServerHello form: one `KeyShareEntry server_share`.
pub(crate) fn encode_server(share: &KeyShareEntry, out: &mut Vec<u8>) -> Result<(), Dtls13Error> {
    share.encode(out)
}

/// Parses the ServerHello form.
pub(crate) fn parse_server(body: &[u8]) -> Result<KeyShareEntry, Dtls13Error> {
    let mut r = Reader::new(body, "key_share");
    let share = KeyShareEntry::parse(&mut r)?;
    r.finish()?;
    Ok(share)
}

/// Appends the HelloRetryRequest form: `NamedGroup selected_group`.
pub(crate) fn encode_hello_retry_request(selected_group: u16, out: &mut Vec<u8>) {
    put_u16(out, selected_group);
}

/// Parses the HelloRetryRequest form.
pub(crate) fn parse_hello_retry_request(body: &[u8]) -> Result<u16, Dtls13Error> {
    let mut r = Reader::new(body, "key_share");
    let group = r.u16()?;
    r.finish()?;
    Ok(group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::hex;

    /// RFC 8448 §3: the ClientHello's key_share body (x25519) and the
    /// ServerHello's.
    #[test]
    fn rfc8448_bodies() {
        let client =
            hex("0024 001d 0020 99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
        let shares = parse_client(&client).unwrap();
        assert_eq!(shares.len(), 1);
        assert_eq!(shares[0].group, 0x001d);
        assert_eq!(shares[0].key_exchange, client[6..]);
        let mut again = Vec::new();
        encode_client(&shares, &mut again).unwrap();
        assert_eq!(again, client);
        let server =
            hex("001d 0020 c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");
        let share = parse_server(&server).unwrap();
        assert_eq!(share.group, 0x001d);
        let mut again = Vec::new();
        encode_server(&share, &mut again).unwrap();
        assert_eq!(again, server);
    }

    /// Chromium's shares: X25519MLKEM768 (1216 bytes) and x25519.
    #[test]
    fn hybrid_and_x25519_and_the_retry_form() {
        let shares = vec![
            KeyShareEntry {
                group: 0x11ec,
                key_exchange: vec![7; 1216],
            },
            KeyShareEntry {
                group: 0x001d,
                key_exchange: vec![9; 32],
            },
        ];
        let mut body = Vec::new();
        encode_client(&shares, &mut body).unwrap();
        assert_eq!(body[..6], [0x04, 0xe8, 0x11, 0xec, 0x04, 0xc0]);
        assert_eq!(parse_client(&body).unwrap(), shares);
        let mut hrr = Vec::new();
        encode_hello_retry_request(0x0017, &mut hrr);
        assert_eq!(hrr, [0x00, 0x17]);
        assert_eq!(parse_hello_retry_request(&hrr).unwrap(), 0x0017);
        let mut empty = Vec::new();
        encode_client(&[], &mut empty).unwrap();
        assert_eq!(parse_client(&empty).unwrap(), []);
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let good = {
            let mut b = Vec::new();
            encode_client(
                &[KeyShareEntry {
                    group: 29,
                    key_exchange: vec![1; 32],
                }],
                &mut b,
            )
            .unwrap();
            b
        };
        for cut in 0..good.len() {
            assert!(parse_client(&good[..cut]).is_err(), "cut {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse_client(&trailing).is_err());
        // The inner length promising more than the list holds.
        let mut overlong = good.clone();
        overlong[5] = 33;
        assert!(parse_client(&overlong).is_err());
        // Duplicate groups; an empty key_exchange.
        let dup = [good[2..].to_vec(), good[2..].to_vec()].concat();
        let mut dup_body = (dup.len() as u16).to_be_bytes().to_vec();
        dup_body.extend(dup);
        assert_eq!(
            parse_client(&dup_body),
            Err(Dtls13Error::Decode("duplicate key_share group"))
        );
        assert!(parse_client(&[0, 4, 0, 29, 0, 0]).is_err());
        assert!(parse_server(&[0, 29, 0, 0]).is_err());
        assert!(parse_server(&[0, 29, 0, 1]).is_err());
        assert!(parse_server(&[0, 29, 0, 1, 5, 6]).is_err());
        assert!(parse_hello_retry_request(&[0]).is_err());
        assert!(parse_hello_retry_request(&[0, 23, 0]).is_err());
        assert!(encode_server(
            &KeyShareEntry {
                group: 29,
                key_exchange: vec![]
            },
            &mut Vec::new()
        )
        .is_err());
        let too_big = KeyShareEntry {
            group: 29,
            key_exchange: vec![0; 40_000],
        };
        assert!(encode_client(
            &[
                too_big.clone(),
                KeyShareEntry {
                    group: 23,
                    ..too_big
                }
            ],
            &mut Vec::new()
        )
        .is_err());
    }
}
