//! SCTP payload protocol identifiers of WebRTC (RFC 8831 §8).

/// A WebRTC payload protocol identifier, carried with every SCTP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ppid {
    /// 50: a DCEP control message.
    Dcep,
    /// 51: a UTF-8 string message.
    String,
    /// 52: a fragment of a binary message (deprecated; accepted, never sent).
    BinaryPartial,
    /// 53: a binary message.
    Binary,
    /// 54: a fragment of a string message (deprecated; accepted, never sent).
    StringPartial,
    /// 56: an empty string (the payload is one ignored byte).
    StringEmpty,
    /// 57: an empty binary message (the payload is one ignored byte).
    BinaryEmpty,
}

impl Ppid {
    /// The identifier on the wire.
    pub const fn value(self) -> u32 {
        match self {
            Ppid::Dcep => 50,
            Ppid::String => 51,
            Ppid::BinaryPartial => 52,
            Ppid::Binary => 53,
            Ppid::StringPartial => 54,
            Ppid::StringEmpty => 56,
            Ppid::BinaryEmpty => 57,
        }
    }

    /// The PPID for a wire value, or `None` for one WebRTC does not define.
    pub const fn from_value(value: u32) -> Option<Ppid> {
        Some(match value {
            50 => Ppid::Dcep,
            51 => Ppid::String,
            52 => Ppid::BinaryPartial,
            53 => Ppid::Binary,
            54 => Ppid::StringPartial,
            56 => Ppid::StringEmpty,
            57 => Ppid::BinaryEmpty,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_rfc_8831_registry() {
        let all = [
            (Ppid::Dcep, 50),
            (Ppid::String, 51),
            (Ppid::BinaryPartial, 52),
            (Ppid::Binary, 53),
            (Ppid::StringPartial, 54),
            (Ppid::StringEmpty, 56),
            (Ppid::BinaryEmpty, 57),
        ];
        for (ppid, value) in all {
            assert_eq!(ppid.value(), value);
            assert_eq!(Ppid::from_value(value), Some(ppid));
        }
        for unknown in [0, 49, 55, 58, u32::MAX] {
            assert_eq!(Ppid::from_value(unknown), None);
        }
    }
}
