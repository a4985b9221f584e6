//! USERHASH, PASSWORD-ALGORITHM and PASSWORD-ALGORITHMS (RFC 8489 §14.4,
//! §14.11, §14.12).

use super::{Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

/// USERHASH: SHA-256(username ":" realm), sent instead of USERNAME when the
/// server asks for username anonymity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserHash<'a>(pub &'a [u8; 32]);

impl Attribute for UserHash<'_> {
    const TYPE: AttributeType = AttributeType::USERHASH;
}
impl<'a> DecodeAttribute<'a> for UserHash<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        value
            .try_into()
            .map(UserHash)
            .map_err(|_| StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            })
    }
}
impl EncodeAttribute for UserHash<'_> {
    fn value_len(&self) -> usize {
        32
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out.copy_from_slice(self.0);
    }
}

/// A password algorithm number (RFC 8489 §18.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswordAlgorithmId {
    /// 0x0001: key = MD5(username ":" realm ":" password).
    Md5,
    /// 0x0002: key = SHA-256(username ":" realm ":" password).
    Sha256,
    /// Any other number.
    Other(u16),
}

impl PasswordAlgorithmId {
    /// From the wire number.
    pub fn from_u16(v: u16) -> Self {
        match v {
            1 => PasswordAlgorithmId::Md5,
            2 => PasswordAlgorithmId::Sha256,
            v => PasswordAlgorithmId::Other(v),
        }
    }
    /// The wire number.
    pub fn to_u16(self) -> u16 {
        match self {
            PasswordAlgorithmId::Md5 => 1,
            PasswordAlgorithmId::Sha256 => 2,
            PasswordAlgorithmId::Other(v) => v,
        }
    }
}

/// PASSWORD-ALGORITHM: the algorithm the client chose, with parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm<'a> {
    /// The algorithm.
    pub algorithm: PasswordAlgorithmId,
    /// Its parameters (empty for MD5 and SHA-256).
    pub parameters: &'a [u8],
}

impl PasswordAlgorithm<'static> {
    /// MD5, no parameters.
    pub const MD5: PasswordAlgorithm<'static> = PasswordAlgorithm {
        algorithm: PasswordAlgorithmId::Md5,
        parameters: &[],
    };
    /// SHA-256, no parameters.
    pub const SHA256: PasswordAlgorithm<'static> = PasswordAlgorithm {
        algorithm: PasswordAlgorithmId::Sha256,
        parameters: &[],
    };
}

/// Reads one algorithm entry at the start of `value`; returns it and the
/// number of bytes it takes with its parameter padding.
fn read_entry(
    attribute: AttributeType,
    value: &[u8],
) -> Result<(PasswordAlgorithm<'_>, usize), StunError> {
    let invalid = StunError::InvalidAttributeLength {
        attribute,
        length: value.len(),
    };
    let header = value.get(..4).ok_or(invalid.clone())?;
    let algorithm = PasswordAlgorithmId::from_u16(u16::from_be_bytes([header[0], header[1]]));
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let parameters = value.get(4..4 + len).ok_or(invalid)?;
    let used = (4 + ((len + 3) & !3)).min(value.len());
    Ok((
        PasswordAlgorithm {
            algorithm,
            parameters,
        },
        used,
    ))
}

fn entry_len(p: &PasswordAlgorithm<'_>) -> usize {
    4 + ((p.parameters.len() + 3) & !3)
}

fn write_entry(p: &PasswordAlgorithm<'_>, out: &mut [u8]) {
    out[..2].copy_from_slice(&p.algorithm.to_u16().to_be_bytes());
    out[2..4].copy_from_slice(&(p.parameters.len() as u16).to_be_bytes());
    out[4..4 + p.parameters.len()].copy_from_slice(p.parameters);
    for b in &mut out[4 + p.parameters.len()..] {
        *b = 0;
    }
}

impl Attribute for PasswordAlgorithm<'_> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHM;
}
impl<'a> DecodeAttribute<'a> for PasswordAlgorithm<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        let (entry, used) = read_entry(Self::TYPE, value)?;
        if used != value.len() {
            return Err(StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        }
        Ok(entry)
    }
}
impl EncodeAttribute for PasswordAlgorithm<'_> {
    fn value_len(&self) -> usize {
        entry_len(self)
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        write_entry(self, out);
    }
}

/// PASSWORD-ALGORITHMS: the algorithms a server offers, in its order of
/// preference. Decoded lazily; [`PasswordAlgorithms::iter`] yields entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordAlgorithms<'a> {
    repr: Repr<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repr<'a> {
    Wire(&'a [u8]),
    List(&'a [PasswordAlgorithm<'a>]),
}

impl<'a> PasswordAlgorithms<'a> {
    /// For building: the algorithms to offer.
    pub fn new(list: &'a [PasswordAlgorithm<'a>]) -> Self {
        PasswordAlgorithms {
            repr: Repr::List(list),
        }
    }

    /// The raw value as received (for echoing back unchanged), if decoded.
    pub fn wire_bytes(&self) -> Option<&'a [u8]> {
        match self.repr {
            Repr::Wire(w) => Some(w),
            Repr::List(_) => None,
        }
    }

    /// The offered algorithms.
    pub fn iter(&self) -> PasswordAlgorithmsIter<'a> {
        match self.repr {
            Repr::Wire(w) => PasswordAlgorithmsIter { wire: w, list: &[] },
            Repr::List(l) => PasswordAlgorithmsIter { wire: &[], list: l },
        }
    }
}

/// Iterator over [`PasswordAlgorithms`].
#[derive(Clone, Debug)]
pub struct PasswordAlgorithmsIter<'a> {
    wire: &'a [u8],
    list: &'a [PasswordAlgorithm<'a>],
}

impl<'a> Iterator for PasswordAlgorithmsIter<'a> {
    type Item = PasswordAlgorithm<'a>;
    fn next(&mut self) -> Option<PasswordAlgorithm<'a>> {
        if let Some((first, rest)) = self.list.split_first() {
            self.list = rest;
            return Some(*first);
        }
        // The wire form was validated by decode.
        let (entry, used) = read_entry(AttributeType::PASSWORD_ALGORITHMS, self.wire).ok()?;
        self.wire = self.wire.get(used..).unwrap_or(&[]);
        Some(entry)
    }
}

impl Attribute for PasswordAlgorithms<'_> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHMS;
}
impl<'a> DecodeAttribute<'a> for PasswordAlgorithms<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        let mut rest = value;
        while !rest.is_empty() {
            let (_, used) = read_entry(Self::TYPE, rest)?;
            rest = &rest[used..];
        }
        Ok(PasswordAlgorithms {
            repr: Repr::Wire(value),
        })
    }
}
impl EncodeAttribute for PasswordAlgorithms<'_> {
    fn value_len(&self) -> usize {
        match self.repr {
            Repr::Wire(w) => w.len(),
            Repr::List(l) => l.iter().map(entry_len).sum(),
        }
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        match self.repr {
            Repr::Wire(w) => out.copy_from_slice(w),
            Repr::List(l) => {
                let mut at = 0;
                for p in l {
                    let n = entry_len(p);
                    write_entry(p, &mut out[at..at + n]);
                    at += n;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_round_trip_and_reject_truncation() {
        let tid = TransactionId([0; 12]);
        let params = [9u8, 8, 7];
        let list = [
            PasswordAlgorithm::SHA256,
            PasswordAlgorithm {
                algorithm: PasswordAlgorithmId::Other(7),
                parameters: &params,
            },
            PasswordAlgorithm::MD5,
        ];
        let a = PasswordAlgorithms::new(&list);
        let mut out = vec![0; a.value_len()];
        a.encode_value(&tid, &mut out);
        assert_eq!(out.len(), 4 + 8 + 4);
        let d = PasswordAlgorithms::decode(&out, &tid).unwrap();
        assert_eq!(d.iter().collect::<Vec<_>>(), list);
        assert!(PasswordAlgorithms::decode(&out[..6], &tid).is_err());
        assert!(PasswordAlgorithms::decode(&[0, 1, 0, 9, 0], &tid).is_err());
        assert!(PasswordAlgorithm::decode(&[0, 2, 0, 0, 0, 0, 0, 0], &tid).is_err());
        assert_eq!(
            PasswordAlgorithm::decode(&[0, 2, 0, 0], &tid).unwrap(),
            PasswordAlgorithm::SHA256
        );
    }
}
