//! Typed attributes: each type decodes from a borrowed value and/or encodes
//! into a builder.

use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

mod address;
mod error_code;
mod ice;
mod integrity;
mod password;
mod text;
mod turn;

pub use address::{
    AlternateServer, MappedAddress, OtherAddress, ResponseOrigin, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress,
};
pub use error_code::{ErrorCode, UnknownAttributes};
pub use ice::{GoogNetworkInfo, IceControlled, IceControlling, Priority, UseCandidate};
pub use integrity::{Fingerprint, MessageIntegrity, MessageIntegritySha256};
pub use password::{
    PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, PasswordAlgorithmsIter, UserHash,
};
pub use text::{AlternateDomain, Nonce, Realm, Software, Username};
pub use turn::{
    AdditionalAddressFamily, AddressFamily, ChannelNumber, Data, DontFragment, EvenPort, Lifetime,
    RequestedAddressFamily, RequestedTransport, ReservationToken,
};

/// An attribute with a fixed type code.
pub trait Attribute {
    /// The attribute type this Rust type stands for.
    const TYPE: AttributeType;
}

/// An attribute that can be read from a parsed message, borrowing it.
pub trait DecodeAttribute<'a>: Attribute + Sized {
    /// Decodes the value (without padding). `transaction_id` is needed by
    /// the XOR-address attributes.
    fn decode(value: &'a [u8], transaction_id: &TransactionId) -> Result<Self, StunError>;
}

/// An attribute that can be written by [`crate::MessageBuilder::add`].
/// (MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are not:
/// the builder computes them.)
pub trait EncodeAttribute: Attribute {
    /// Length of the value, without padding.
    fn value_len(&self) -> usize;
    /// Writes the value into `out`, which is exactly `value_len()` bytes.
    fn encode_value(&self, transaction_id: &TransactionId, out: &mut [u8]);
}

/// Checks that a value has exactly `expected` bytes.
pub(crate) fn expect_len(
    attribute: AttributeType,
    value: &[u8],
    expected: usize,
) -> Result<(), StunError> {
    if value.len() == expected {
        Ok(())
    } else {
        Err(StunError::InvalidAttributeLength {
            attribute,
            length: value.len(),
        })
    }
}

/// Reads a big-endian u32 from a 4-byte value.
pub(crate) fn decode_u32(attribute: AttributeType, value: &[u8]) -> Result<u32, StunError> {
    let bytes: [u8; 4] = value
        .try_into()
        .map_err(|_| StunError::InvalidAttributeLength {
            attribute,
            length: value.len(),
        })?;
    Ok(u32::from_be_bytes(bytes))
}

/// Reads a big-endian u64 from an 8-byte value.
pub(crate) fn decode_u64(attribute: AttributeType, value: &[u8]) -> Result<u64, StunError> {
    let bytes: [u8; 8] = value
        .try_into()
        .map_err(|_| StunError::InvalidAttributeLength {
            attribute,
            length: value.len(),
        })?;
    Ok(u64::from_be_bytes(bytes))
}
