//! UTF-8 text attributes: USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN
//! (RFC 8489 §14.3, §14.9, §14.10, §14.14, §14.16).
//!
//! The strings are carried as given: OpaqueString / SASLprep preparation is
//! the caller's job (see docs/stun.md).

use super::{Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

macro_rules! text_attribute {
    ($(#[$doc:meta])* $name:ident, $type:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name<'a>(pub &'a str);

        impl<'a> $name<'a> {
            /// The most bytes a received value may have.
            pub const MAX_LEN: usize = $max;
        }

        impl Attribute for $name<'_> {
            const TYPE: AttributeType = AttributeType::$type;
        }

        impl<'a> DecodeAttribute<'a> for $name<'a> {
            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
                if value.len() > Self::MAX_LEN {
                    return Err(StunError::InvalidAttributeLength {
                        attribute: Self::TYPE,
                        length: value.len(),
                    });
                }
                std::str::from_utf8(value)
                    .map($name)
                    .map_err(|_| StunError::InvalidUtf8(Self::TYPE))
            }
        }

        impl EncodeAttribute for $name<'_> {
            fn value_len(&self) -> usize {
                self.0.len()
            }
            fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
                out.copy_from_slice(self.0.as_bytes());
            }
        }
    };
}

// The RFC limits are in characters (up to 763 bytes of UTF-8 for REALM,
// NONCE, SOFTWARE, 513 bytes for USERNAME); the caps here are those byte
// bounds, so every RFC-conformant value decodes.
text_attribute!(
    /// USERNAME (RFC 8489 §14.3): `user`, or `ufrag:ufrag` in ICE.
    Username, USERNAME, 513
);
text_attribute!(
    /// REALM (RFC 8489 §14.9).
    Realm, REALM, 763
);
text_attribute!(
    /// NONCE (RFC 8489 §14.10).
    Nonce, NONCE, 763
);
text_attribute!(
    /// SOFTWARE (RFC 8489 §14.14).
    Software, SOFTWARE, 763
);
text_attribute!(
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    AlternateDomain, ALTERNATE_DOMAIN, 255
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_and_overlong_are_errors() {
        let tid = TransactionId([0; 12]);
        assert_eq!(
            Username::decode(&[0xff, 0xfe], &tid),
            Err(StunError::InvalidUtf8(AttributeType::USERNAME))
        );
        assert!(Username::decode(&[b'a'; 514], &tid).is_err());
        assert_eq!(Username::decode(b"a:b", &tid), Ok(Username("a:b")));
    }
}
