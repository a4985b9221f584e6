//! The EncryptedExtensions message body (RFC 8446 §4.3.1) with the
//! server's use_srtp answer (RFC 5764 §4.1.1: exactly one profile), which
//! DTLS 1.3 moves out of the ServerHello into this message.

use super::error::Dtls13Error;
use crate::codec::{put_u16, put_vec16, put_vec8, Reader};

/// The use_srtp extension type.
pub(crate) const USE_SRTP_EXTENSION_TYPE: u16 = 14;

/// The server's use_srtp: the chosen SRTP protection profile and MKI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseSrtp {
    /// The SRTPProtectionProfile chosen.
    pub(crate) profile: u16,
    /// `opaque srtp_mki<0..255>` (WebRTC sends none).
    pub(crate) mki: Vec<u8>,
}

/// What we read from (and write into) EncryptedExtensions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EncryptedExtensions {
    /// use_srtp, if present.
    pub(crate) use_srtp: Option<UseSrtp>,
    /// The types of the other extensions, in order (the handshake decides
    /// which are allowed; they are not written by [`Self::encode`]).
    pub(crate) other_extension_types: Vec<u16>,
}

impl EncryptedExtensions {
    /// The message body: `Extension extensions<0..2^16-1>`, with use_srtp
    /// when set.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Dtls13Error> {
        let mut extensions = Vec::new();
        if let Some(srtp) = &self.use_srtp {
            if srtp.mki.len() > 255 {
                return Err(Dtls13Error::TooLarge("srtp_mki"));
            }
            let mut data = Vec::new();
            put_vec16(&mut data, &srtp.profile.to_be_bytes());
            put_vec8(&mut data, &srtp.mki);
            put_u16(&mut extensions, USE_SRTP_EXTENSION_TYPE);
            put_vec16(&mut extensions, &data);
        }
        let mut body = Vec::with_capacity(2 + extensions.len());
        put_vec16(&mut body, &extensions);
        Ok(body)
    }

    /// Parses the message body. Duplicate extensions, a use_srtp without
    /// exactly one profile, and any framing error are errors.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Dtls13Error> {
        let mut outer = Reader::new(body, "EncryptedExtensions");
        let mut r = outer.sub16()?;
        outer.finish()?;
        let mut seen: Vec<u16> = Vec::new();
        let mut out = EncryptedExtensions::default();
        while !r.is_empty() {
            let ext_type = r.u16()?;
            let data = r.vec16()?;
            if seen.contains(&ext_type) {
                return Err(Dtls13Error::Decode("duplicate extension"));
            }
            seen.push(ext_type);
            if ext_type == USE_SRTP_EXTENSION_TYPE {
                out.use_srtp = Some(parse_use_srtp(data)?);
            } else {
                out.other_extension_types.push(ext_type);
            }
        }
        Ok(out)
    }
}

/// The server's use_srtp data.
fn parse_use_srtp(data: &[u8]) -> Result<UseSrtp, Dtls13Error> {
    let mut r = Reader::new(data, "use_srtp");
    let profiles = r.vec16()?;
    let mki = r.vec8()?;
    r.finish()?;
    if profiles.len() != 2 {
        return Err(Dtls13Error::Decode(
            "use_srtp must select exactly one profile",
        ));
    }
    Ok(UseSrtp {
        profile: u16::from_be_bytes([profiles[0], profiles[1]]),
        mki: mki.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::hex;

    /// RFC 8448 §3's EncryptedExtensions: supported_groups,
    /// record_size_limit and an empty server_name.
    #[test]
    fn rfc8448_body() {
        let body =
            hex("0022 000a0014 0012001d00170018001901000101010201030104 001c0002 4001 00000000");
        let ee = EncryptedExtensions::parse(&body).unwrap();
        assert_eq!(ee.use_srtp, None);
        assert_eq!(ee.other_extension_types, [0x000a, 0x001c, 0x0000]);
    }

    #[test]
    fn use_srtp_round_trips() {
        for mki in [vec![], vec![1, 2, 3]] {
            let ee = EncryptedExtensions {
                use_srtp: Some(UseSrtp {
                    profile: 0x0007,
                    mki,
                }),
                other_extension_types: vec![],
            };
            let body = ee.encode().unwrap();
            assert_eq!(EncryptedExtensions::parse(&body).unwrap(), ee);
        }
        let empty = EncryptedExtensions::default().encode().unwrap();
        assert_eq!(empty, [0, 0]);
        assert_eq!(
            EncryptedExtensions::parse(&empty).unwrap(),
            EncryptedExtensions::default()
        );
        // SRTP_AEAD_AES_128_GCM, no MKI: the bytes on the wire.
        let ee = EncryptedExtensions {
            use_srtp: Some(UseSrtp {
                profile: 0x0007,
                mki: vec![],
            }),
            other_extension_types: vec![],
        };
        assert_eq!(ee.encode().unwrap(), [0, 9, 0, 14, 0, 5, 0, 2, 0, 7, 0]);
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let good = EncryptedExtensions {
            use_srtp: Some(UseSrtp {
                profile: 1,
                mki: vec![],
            }),
            other_extension_types: vec![],
        }
        .encode()
        .unwrap();
        for cut in 0..good.len() {
            assert!(
                EncryptedExtensions::parse(&good[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(EncryptedExtensions::parse(&trailing).is_err());
        // Two profiles, none, an odd list, a trailing byte in use_srtp.
        for data in [
            hex("0004 0001 0007 00"),
            hex("0000 00"),
            hex("0003 000100 00"),
            hex("0002 0001 00 ff"),
        ] {
            let mut ext = Vec::new();
            put_u16(&mut ext, USE_SRTP_EXTENSION_TYPE);
            put_vec16(&mut ext, &data);
            let mut body = Vec::new();
            put_vec16(&mut body, &ext);
            assert!(EncryptedExtensions::parse(&body).is_err(), "{data:?}");
        }
        // Duplicates.
        let twice = hex("0008 000a0000 000a0000");
        assert_eq!(
            EncryptedExtensions::parse(&twice),
            Err(Dtls13Error::Decode("duplicate extension"))
        );
        let long_mki = EncryptedExtensions {
            use_srtp: Some(UseSrtp {
                profile: 1,
                mki: vec![0; 256],
            }),
            other_extension_types: vec![],
        };
        assert!(long_mki.encode().is_err());
    }
}
