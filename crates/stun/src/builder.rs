//! Building STUN messages into a caller's buffer (RFC 8489 §5, §14).

use bytes::BytesMut;

use crate::attribute_type::AttributeType;
use crate::attributes::{EncodeAttribute, UnknownAttributes};
use crate::error::StunError;
use crate::header::{MessageType, TransactionId, HEADER_LEN, MAGIC_COOKIE};
use crate::integrity::{compute_fingerprint, compute_sha1, compute_sha256};

/// A growable byte buffer a message can be built into: `Vec<u8>` or
/// `BytesMut`. The builder appends at the end and leaves earlier bytes alone.
pub trait MessageBuffer {
    /// Current length.
    fn len(&self) -> usize;
    /// Whether empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Grows (or shrinks) to `new_len`, filling new bytes with `fill`.
    fn resize(&mut self, new_len: usize, fill: u8);
    /// The bytes, mutable.
    fn as_mut_bytes(&mut self) -> &mut [u8];
}

impl MessageBuffer for Vec<u8> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn resize(&mut self, new_len: usize, fill: u8) {
        Vec::resize(self, new_len, fill)
    }
    fn as_mut_bytes(&mut self) -> &mut [u8] {
        self
    }
}

impl MessageBuffer for BytesMut {
    fn len(&self) -> usize {
        BytesMut::len(self)
    }
    fn resize(&mut self, new_len: usize, fill: u8) {
        BytesMut::resize(self, new_len, fill)
    }
    fn as_mut_bytes(&mut self) -> &mut [u8] {
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Attributes,
    /// After MESSAGE-INTEGRITY and/or -SHA256.
    Integrity {
        sha1: bool,
        sha256: bool,
    },
    Fingerprint,
}

/// Writes one STUN message at the end of a buffer. The header's length
/// field is kept up to date after every attribute, so the message is
/// complete at any point; [`MessageBuilder::finish`] returns its length.
///
/// Order rules (RFC 8489 §14.5–§14.7): after MESSAGE-INTEGRITY(-SHA256) only
/// the other integrity attribute and FINGERPRINT may be added; nothing after
/// FINGERPRINT.
pub struct MessageBuilder<'b, B: MessageBuffer + ?Sized> {
    buf: &'b mut B,
    start: usize,
    transaction_id: TransactionId,
    padding: u8,
    stage: Stage,
}

impl<'b, B: MessageBuffer + ?Sized> MessageBuilder<'b, B> {
    /// Starts a message at the end of `buf`.
    pub fn new(buf: &'b mut B, message_type: MessageType, transaction_id: TransactionId) -> Self {
        let start = buf.len();
        buf.resize(start + HEADER_LEN, 0);
        let header = &mut buf.as_mut_bytes()[start..];
        header[..2].copy_from_slice(&message_type.to_u16().to_be_bytes());
        header[2..4].fill(0);
        header[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        header[8..20].copy_from_slice(&transaction_id.0);
        MessageBuilder {
            buf,
            start,
            transaction_id,
            padding: 0,
            stage: Stage::Attributes,
        }
    }

    /// Sets the byte used to pad attribute values (default 0; RFC 5769's
    /// samples use 0x20). Receivers ignore padding content.
    pub fn padding_byte(&mut self, byte: u8) -> &mut Self {
        self.padding = byte;
        self
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Reserves an attribute of `value_len` bytes (header, value, padding)
    /// and returns the offset of its value in the buffer.
    fn reserve(&mut self, attribute: AttributeType, value_len: usize) -> Result<usize, StunError> {
        let allowed = match self.stage {
            Stage::Attributes => true,
            Stage::Integrity { sha1, sha256 } => match attribute {
                AttributeType::MESSAGE_INTEGRITY => !sha1,
                AttributeType::MESSAGE_INTEGRITY_SHA256 => !sha256,
                AttributeType::FINGERPRINT => true,
                _ => false,
            },
            Stage::Fingerprint => false,
        };
        if !allowed {
            return Err(StunError::AttributeAfterIntegrity(attribute));
        }
        let length = u16::try_from(value_len).map_err(|_| StunError::ValueTooLong(value_len))?;
        let padded = (value_len + 3) & !3;
        let at = self.buf.len();
        let new_body = at + 4 + padded - self.start - HEADER_LEN;
        let body = u16::try_from(new_body).map_err(|_| StunError::MessageTooLong)?;
        self.buf.resize(at + 4 + padded, self.padding);
        let bytes = self.buf.as_mut_bytes();
        bytes[at..at + 2].copy_from_slice(&attribute.0.to_be_bytes());
        bytes[at + 2..at + 4].copy_from_slice(&length.to_be_bytes());
        bytes[self.start + 2..self.start + 4].copy_from_slice(&body.to_be_bytes());
        Ok(at + 4)
    }

    /// Adds a typed attribute.
    pub fn add<A: EncodeAttribute + ?Sized>(
        &mut self,
        attribute: &A,
    ) -> Result<&mut Self, StunError> {
        let len = attribute.value_len();
        let at = self.reserve(A::TYPE, len)?;
        let tid = self.transaction_id;
        attribute.encode_value(&tid, &mut self.buf.as_mut_bytes()[at..at + len]);
        Ok(self)
    }

    /// Adds an attribute from its raw type and value (for types this crate
    /// does not model). Integrity and fingerprint types are refused: use
    /// the dedicated methods.
    pub fn add_raw(
        &mut self,
        attribute: AttributeType,
        value: &[u8],
    ) -> Result<&mut Self, StunError> {
        if matches!(
            attribute,
            AttributeType::MESSAGE_INTEGRITY
                | AttributeType::MESSAGE_INTEGRITY_SHA256
                | AttributeType::FINGERPRINT
        ) {
            return Err(StunError::AttributeAfterIntegrity(attribute));
        }
        let at = self.reserve(attribute, value.len())?;
        self.buf.as_mut_bytes()[at..at + value.len()].copy_from_slice(value);
        Ok(self)
    }

    /// Adds UNKNOWN-ATTRIBUTES listing `types` (for a 420 response).
    pub fn add_unknown_attributes(
        &mut self,
        types: &[AttributeType],
    ) -> Result<&mut Self, StunError> {
        self.add(&UnknownAttributes::new(types))
    }

    /// Adds MESSAGE-INTEGRITY: HMAC-SHA1 with `key` over the message so far.
    pub fn add_message_integrity(&mut self, key: &[u8]) -> Result<&mut Self, StunError> {
        let at = self.reserve(AttributeType::MESSAGE_INTEGRITY, 20)?;
        let bytes = self.buf.as_mut_bytes();
        let prefix = &bytes[self.start..at - 4];
        let length_field = u16::from_be_bytes([prefix[2], prefix[3]]);
        let mac = compute_sha1(key, prefix, length_field);
        bytes[at..at + 20].copy_from_slice(&mac);
        self.stage = match self.stage {
            Stage::Integrity { sha256, .. } => Stage::Integrity { sha1: true, sha256 },
            _ => Stage::Integrity {
                sha1: true,
                sha256: false,
            },
        };
        Ok(self)
    }

    /// Adds MESSAGE-INTEGRITY-SHA256 (full 32 bytes).
    pub fn add_message_integrity_sha256(&mut self, key: &[u8]) -> Result<&mut Self, StunError> {
        self.add_message_integrity_sha256_truncated(key, 32)
    }

    /// Adds MESSAGE-INTEGRITY-SHA256 truncated to `len` bytes (16–32, a
    /// multiple of 4).
    pub fn add_message_integrity_sha256_truncated(
        &mut self,
        key: &[u8],
        len: usize,
    ) -> Result<&mut Self, StunError> {
        if !(16..=32).contains(&len) || len % 4 != 0 {
            return Err(StunError::InvalidIntegrityLength(len));
        }
        let at = self.reserve(AttributeType::MESSAGE_INTEGRITY_SHA256, len)?;
        let bytes = self.buf.as_mut_bytes();
        let prefix = &bytes[self.start..at - 4];
        let length_field = u16::from_be_bytes([prefix[2], prefix[3]]);
        let mac = compute_sha256(key, prefix, length_field);
        bytes[at..at + len].copy_from_slice(&mac[..len]);
        self.stage = match self.stage {
            Stage::Integrity { sha1, .. } => Stage::Integrity { sha1, sha256: true },
            _ => Stage::Integrity {
                sha1: false,
                sha256: true,
            },
        };
        Ok(self)
    }

    /// Adds FINGERPRINT; nothing can follow it.
    pub fn add_fingerprint(&mut self) -> Result<&mut Self, StunError> {
        let at = self.reserve(AttributeType::FINGERPRINT, 4)?;
        let bytes = self.buf.as_mut_bytes();
        let crc = compute_fingerprint(&bytes[self.start..at - 4]);
        bytes[at..at + 4].copy_from_slice(&crc.to_be_bytes());
        self.stage = Stage::Fingerprint;
        Ok(self)
    }

    /// The message built so far.
    pub fn as_bytes(&mut self) -> &[u8] {
        let start = self.start;
        &self.buf.as_mut_bytes()[start..]
    }

    /// Ends the message; returns its length in bytes (it occupies the last
    /// that many bytes of the buffer).
    pub fn finish(self) -> usize {
        self.buf.len() - self.start
    }
}
