//! The DTLS 1.3 ServerHello and HelloRetryRequest (RFC 8446 §4.1.3,
//! §4.1.4; RFC 9147 §5.3: legacy_version {254, 253}), and telling them
//! from a DTLS 1.2 ServerHello, which has no supported_versions.
//!
//! ```text
//! legacy_version (2) ‖ random (32) ‖ legacy_session_id_echo<0..32> ‖ cipher_suite (2)
//!   ‖ legacy_compression_method (1) = 0 ‖ extensions<6..2^16-1>
//! ```

use super::downgrade::has_downgrade_sentinel;
use super::error::Dtls13Error;
use super::hello_retry_request::{
    encode_cookie, is_hello_retry_request, parse_cookie, COOKIE_EXTENSION_TYPE,
    HELLO_RETRY_REQUEST_RANDOM,
};
use super::key_share_extension::{self, KeyShareEntry};
use super::supported_versions::{self, DTLS_1_2, DTLS_1_3};
use crate::codec::{put_u16, put_vec16, put_vec8, Reader};

/// The server's key_share: a share in a ServerHello, the group it wants
/// in a HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerKeyShare {
    /// ServerHello: the server's share.
    Share(KeyShareEntry),
    /// HelloRetryRequest: the group the client must send a share for.
    RetryWithGroup(u16),
}

/// A DTLS 1.3 ServerHello or HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello13 {
    /// ServerHello.random; [`HELLO_RETRY_REQUEST_RANDOM`] for a retry.
    pub(crate) random: [u8; 32],
    /// The client's legacy_session_id, echoed.
    pub(crate) legacy_session_id_echo: Vec<u8>,
    /// The chosen TLS 1.3 cipher suite.
    pub(crate) cipher_suite: u16,
    /// The key_share extension (required in a ServerHello; optional in a
    /// HelloRetryRequest that only asks for a cookie).
    pub(crate) key_share: Option<ServerKeyShare>,
    /// The cookie extension (HelloRetryRequest only).
    pub(crate) cookie: Option<Vec<u8>>,
    /// The types of other extensions, in order (not written by encode).
    pub(crate) other_extension_types: Vec<u16>,
}

/// What a ServerHello turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParsedServerHello {
    /// DTLS 1.3 (supported_versions selects {254, 252}).
    Dtls13(ServerHello13),
    /// No supported_versions: a DTLS 1.2 ServerHello, for the 1.2 code;
    /// `downgrade_sentinel` says its random carries RFC 8446 §4.1.3's
    /// sentinel, which a client that offered 1.3 must abort on.
    Dtls12 {
        /// ServerHello.random.
        random: [u8; 32],
        /// Whether the random ends with a downgrade sentinel.
        downgrade_sentinel: bool,
    },
}

impl ServerHello13 {
    /// Whether this is a HelloRetryRequest.
    pub(crate) fn is_hello_retry_request(&self) -> bool {
        is_hello_retry_request(&self.random)
    }

    /// The message body.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Dtls13Error> {
        if self.legacy_session_id_echo.len() > 32 {
            return Err(Dtls13Error::TooLarge("legacy_session_id_echo"));
        }
        let retry = self.is_hello_retry_request();
        let mut extensions = Vec::new();
        let mut data = Vec::new();
        supported_versions::encode_server(DTLS_1_3, &mut data);
        put_u16(&mut extensions, supported_versions::EXTENSION_TYPE);
        put_vec16(&mut extensions, &data);
        match (&self.key_share, retry) {
            (Some(ServerKeyShare::Share(entry)), false) => {
                let mut data = Vec::new();
                key_share_extension::encode_server(entry, &mut data)?;
                put_u16(&mut extensions, key_share_extension::EXTENSION_TYPE);
                put_vec16(&mut extensions, &data);
            }
            (Some(ServerKeyShare::RetryWithGroup(group)), true) => {
                let mut data = Vec::new();
                key_share_extension::encode_hello_retry_request(*group, &mut data);
                put_u16(&mut extensions, key_share_extension::EXTENSION_TYPE);
                put_vec16(&mut extensions, &data);
            }
            (None, true) => {}
            _ => {
                return Err(Dtls13Error::Decode(
                    "key_share form does not match the message",
                ))
            }
        }
        match (&self.cookie, retry) {
            (Some(cookie), true) => {
                let mut data = Vec::new();
                encode_cookie(cookie, &mut data)?;
                put_u16(&mut extensions, COOKIE_EXTENSION_TYPE);
                put_vec16(&mut extensions, &data);
            }
            (None, _) => {}
            (Some(_), false) => {
                return Err(Dtls13Error::Decode("cookie outside a HelloRetryRequest"))
            }
        }
        if retry && self.key_share.is_none() && self.cookie.is_none() {
            return Err(Dtls13Error::Decode(
                "HelloRetryRequest that changes nothing",
            ));
        }
        let mut body =
            Vec::with_capacity(40 + self.legacy_session_id_echo.len() + extensions.len());
        put_u16(&mut body, DTLS_1_2);
        body.extend_from_slice(&self.random);
        put_vec8(&mut body, &self.legacy_session_id_echo);
        put_u16(&mut body, self.cipher_suite);
        body.push(0);
        put_vec16(&mut body, &extensions);
        Ok(body)
    }
}

/// Parses a ServerHello body (DTLS 1.3 ServerHello or HelloRetryRequest,
/// or DTLS 1.2 ServerHello). legacy_version other than {254, 253}, a
/// nonzero compression method, duplicate extensions, a selected version
/// other than DTLS 1.3, a ServerHello without key_share (we do no PSK), a
/// cookie outside a HelloRetryRequest and a HelloRetryRequest that would
/// change nothing (RFC 8446 §4.1.4) are errors.
pub(crate) fn parse(body: &[u8]) -> Result<ParsedServerHello, Dtls13Error> {
    let mut r = Reader::new(body, "ServerHello");
    if r.u16()? != DTLS_1_2 {
        return Err(Dtls13Error::Decode("ServerHello legacy_version"));
    }
    let random: [u8; 32] = r
        .bytes(32)?
        .try_into()
        .map_err(|_| Dtls13Error::Decode("ServerHello"))?;
    let legacy_session_id_echo = r.vec8()?;
    if legacy_session_id_echo.len() > 32 {
        return Err(Dtls13Error::Decode("legacy_session_id_echo"));
    }
    let cipher_suite = r.u16()?;
    if r.u8()? != 0 {
        return Err(Dtls13Error::Decode("ServerHello compression method"));
    }
    let mut extensions = r.sub16()?;
    r.finish()?;
    let retry = is_hello_retry_request(&random);
    let mut seen: Vec<u16> = Vec::new();
    let mut selected_version = None;
    let mut key_share = None;
    let mut cookie = None;
    let mut other_extension_types = Vec::new();
    while !extensions.is_empty() {
        let ext_type = extensions.u16()?;
        let data = extensions.vec16()?;
        if seen.contains(&ext_type) {
            return Err(Dtls13Error::Decode("duplicate extension"));
        }
        seen.push(ext_type);
        match ext_type {
            supported_versions::EXTENSION_TYPE => {
                selected_version = Some(supported_versions::parse_server(data)?);
            }
            key_share_extension::EXTENSION_TYPE => {
                key_share = Some(if retry {
                    ServerKeyShare::RetryWithGroup(key_share_extension::parse_hello_retry_request(
                        data,
                    )?)
                } else {
                    ServerKeyShare::Share(key_share_extension::parse_server(data)?)
                });
            }
            COOKIE_EXTENSION_TYPE => cookie = Some(parse_cookie(data)?.to_vec()),
            other => other_extension_types.push(other),
        }
    }
    let Some(selected_version) = selected_version else {
        return Ok(ParsedServerHello::Dtls12 {
            random,
            downgrade_sentinel: has_downgrade_sentinel(&random),
        });
    };
    if selected_version != DTLS_1_3 {
        return Err(Dtls13Error::IllegalParameter(
            "supported_versions selects another version",
        ));
    }
    if retry {
        if key_share.is_none() && cookie.is_none() {
            return Err(Dtls13Error::IllegalParameter(
                "HelloRetryRequest that changes nothing",
            ));
        }
    } else {
        if key_share.is_none() {
            return Err(Dtls13Error::Decode("ServerHello without key_share"));
        }
        if cookie.is_some() {
            return Err(Dtls13Error::IllegalParameter("cookie in a ServerHello"));
        }
    }
    Ok(ParsedServerHello::Dtls13(ServerHello13 {
        random,
        legacy_session_id_echo: legacy_session_id_echo.to_vec(),
        cipher_suite,
        key_share,
        cookie,
        other_extension_types,
    }))
}

/// A HelloRetryRequest asking for `group` (and echoing `cookie`).
pub(crate) fn hello_retry_request(
    legacy_session_id_echo: Vec<u8>,
    cipher_suite: u16,
    group: Option<u16>,
    cookie: Option<Vec<u8>>,
) -> ServerHello13 {
    ServerHello13 {
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo,
        cipher_suite,
        key_share: group.map(ServerKeyShare::RetryWithGroup),
        cookie,
        other_extension_types: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::downgrade::mark_downgrade_to_1_2;
    use crate::v13::test_support::hex;

    fn server_hello() -> ServerHello13 {
        ServerHello13 {
            random: [0x11; 32],
            legacy_session_id_echo: vec![],
            cipher_suite: 0x1301,
            key_share: Some(ServerKeyShare::Share(KeyShareEntry {
                group: 0x001d,
                key_exchange: vec![0x22; 32],
            })),
            cookie: None,
            other_extension_types: vec![],
        }
    }

    #[test]
    fn server_hello_bytes_and_round_trip() {
        let sh = server_hello();
        let body = sh.encode().unwrap();
        let expected = [
            hex("fefd"),
            vec![0x11; 32],
            hex("00 1301 00 002e 002b0002fefc 00330024001d0020"),
            vec![0x22; 32],
        ]
        .concat();
        assert_eq!(body, expected);
        assert_eq!(parse(&body).unwrap(), ParsedServerHello::Dtls13(sh));
    }

    #[test]
    fn hello_retry_request_round_trips() {
        for (group, cookie) in [
            (Some(0x0017), None),
            (Some(0x11ec), Some(vec![5; 40])),
            (None, Some(vec![1])),
        ] {
            let hrr = hello_retry_request(vec![9; 32], 0x1302, group, cookie);
            assert!(hrr.is_hello_retry_request());
            let body = hrr.encode().unwrap();
            assert_eq!(parse(&body).unwrap(), ParsedServerHello::Dtls13(hrr));
        }
        assert!(hello_retry_request(vec![], 0x1301, None, None)
            .encode()
            .is_err());
    }

    /// A DTLS 1.2 ServerHello (no supported_versions), with and without
    /// the downgrade sentinel.
    #[test]
    fn dtls12_server_hello_is_told_apart() {
        let mut random = [0x33; 32];
        let body = |random: &[u8; 32]| {
            [
                hex("fefd"),
                random.to_vec(),
                hex("00 c02b 00 0005 ff010001 00"),
            ]
            .concat()
        };
        assert_eq!(
            parse(&body(&random)).unwrap(),
            ParsedServerHello::Dtls12 {
                random,
                downgrade_sentinel: false
            }
        );
        mark_downgrade_to_1_2(&mut random);
        assert_eq!(
            parse(&body(&random)).unwrap(),
            ParsedServerHello::Dtls12 {
                random,
                downgrade_sentinel: true
            }
        );
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let good = server_hello().encode().unwrap();
        for cut in 0..good.len() {
            assert!(parse(&good[..cut]).is_err(), "cut {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse(&trailing).is_err());
        let mut version = good.clone();
        version[1] = 0xff;
        assert!(parse(&version).is_err());
        let mut compression = good.clone();
        compression[37] = 1;
        assert!(parse(&compression).is_err());
        // supported_versions selecting DTLS 1.2.
        let mut selects_12 = good.clone();
        selects_12[45] = 0xfd;
        assert_eq!(
            parse(&selects_12),
            Err(Dtls13Error::IllegalParameter(
                "supported_versions selects another version"
            ))
        );
        // No key_share in a ServerHello; a cookie in a ServerHello.
        let no_share = [
            hex("fefd"),
            vec![0x11; 32],
            hex("00 1301 00 0006 002b0002fefc"),
        ]
        .concat();
        assert!(parse(&no_share).is_err());
        let with_cookie = [
            &good[..38],
            &hex("0035"),
            &good[40..],
            &hex("002c 0003 0001 07"),
        ]
        .concat();
        assert_eq!(
            parse(&with_cookie),
            Err(Dtls13Error::IllegalParameter("cookie in a ServerHello"))
        );
        // A duplicate extension.
        let dup = [&good[..38], &hex("0034"), &good[40..], &hex("002b0002fefc")].concat();
        assert_eq!(parse(&dup), Err(Dtls13Error::Decode("duplicate extension")));
        // A HelloRetryRequest with neither key_share nor cookie.
        let empty_retry = [
            hex("fefd"),
            HELLO_RETRY_REQUEST_RANDOM.to_vec(),
            hex("00 1301 00 0006 002b0002fefc"),
        ]
        .concat();
        assert!(parse(&empty_retry).is_err());
        // Long session id.
        let mut long_id = server_hello();
        long_id.legacy_session_id_echo = vec![0; 33];
        assert!(long_id.encode().is_err());
        // A retry-form key_share in a ServerHello.
        let mut wrong_form = server_hello();
        wrong_form.key_share = Some(ServerKeyShare::RetryWithGroup(29));
        assert!(wrong_form.encode().is_err());
    }
}
