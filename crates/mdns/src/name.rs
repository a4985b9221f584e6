//! Domain names (RFC 1035 §3.1): stored in uncompressed wire form,
//! compared without regard to ASCII case (RFC 4343), read with compression
//! (§4.1.4) under a loop guard, written with compression.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::MdnsError;

/// The longest name in wire form, length bytes and the final zero included
/// (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// The most compression pointers one name may follow. Pointers must also
/// point strictly backwards, so a loop is impossible anyway; this bounds the
/// work a chain of pointers to pointers can cost.
pub const MAX_POINTER_HOPS: usize = 64;

/// A domain name such as `1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local`.
///
/// Equality, ordering and hashing ignore ASCII case, as DNS names do
/// (RFC 4343); the case given is kept and written back unchanged. Labels
/// may hold any byte (names parsed from the network are not checked for
/// host-name syntax); [`Display`](fmt::Display) escapes `.`, `\` and bytes
/// outside printable ASCII as `\DDD`.
#[derive(Clone)]
pub struct Name {
    /// Length-prefixed labels ending with the zero-length root label.
    wire: Vec<u8>,
}

impl Name {
    /// A name from its dotted text form (a final dot is optional). Each
    /// label must be 1 to 63 bytes and the whole name at most 255 bytes in
    /// wire form. No escapes are interpreted.
    pub fn new(text: &str) -> Result<Name, MdnsError> {
        let text = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Err(MdnsError::EmptyLabel);
        }
        let mut wire = Vec::with_capacity(text.len() + 2);
        for label in text.split('.') {
            if label.is_empty() {
                return Err(MdnsError::EmptyLabel);
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(MdnsError::LabelTooLong { len: label.len() });
            }
            wire.push(label.len() as u8);
            wire.extend_from_slice(label.as_bytes());
        }
        wire.push(0);
        if wire.len() > MAX_NAME_LEN {
            return Err(MdnsError::NameTooLong);
        }
        Ok(Name { wire })
    }

    /// The name in uncompressed wire form (length-prefixed labels and the
    /// final zero).
    pub fn as_wire(&self) -> &[u8] {
        &self.wire
    }

    /// The labels, root excluded.
    pub fn labels(&self) -> Labels<'_> {
        Labels { rest: &self.wire }
    }

    /// Whether the name is under `local.` (and is not `local.` itself), the
    /// domain mDNS answers for (RFC 6762 §3). Case is ignored.
    pub fn is_local(&self) -> bool {
        let mut count = 0;
        let mut last: &[u8] = &[];
        for label in self.labels() {
            count += 1;
            last = label;
        }
        count >= 2 && last.eq_ignore_ascii_case(b"local")
    }

    /// A name with a single label under `local.`: `<label>.local`.
    pub(crate) fn local(label: &str) -> Result<Name, MdnsError> {
        Name::new(&format!("{label}.local"))
    }

    fn lowercase_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.wire.iter().map(u8::to_ascii_lowercase)
    }
}

/// The labels of a [`Name`], from [`Name::labels`].
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        if len == 0 {
            return None;
        }
        let (label, rest) = tail.split_at(usize::from(len));
        self.rest = rest;
        Some(label)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // Length bytes are below 64, so ASCII case folding leaves them alone.
        self.wire.eq_ignore_ascii_case(&other.wire)
    }
}

impl Eq for Name {}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> Ordering {
        self.lowercase_bytes().cmp(other.lowercase_bytes())
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.lowercase_bytes() {
            state.write_u8(b);
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for label in self.labels() {
            if !first {
                f.write_str(".")?;
            }
            first = false;
            for &b in label {
                match b {
                    b'.' | b'\\' => write!(f, "\\{}", b as char)?,
                    0x21..=0x7e => write!(f, "{}", b as char)?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
        }
        if first {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

impl std::str::FromStr for Name {
    type Err = MdnsError;

    fn from_str(s: &str) -> Result<Name, MdnsError> {
        Name::new(s)
    }
}

/// Reads the name that starts at `start` in `msg`, following compression
/// pointers. Returns the name and the offset just after it in the original
/// position (after the first pointer, if any).
///
/// The guard: every pointer must point strictly before the start of the run
/// of labels that led to it, so the runs visited start at ever smaller
/// offsets and no loop is possible; at most [`MAX_POINTER_HOPS`] pointers
/// are followed and the name may not exceed [`MAX_NAME_LEN`].
pub(crate) fn read_name(msg: &[u8], start: usize) -> Result<(Name, usize), MdnsError> {
    let mut wire = Vec::with_capacity(64);
    let mut pos = start;
    let mut run_start = start;
    let mut end = None;
    let mut hops = 0;
    loop {
        let len = *msg.get(pos).ok_or(MdnsError::Truncated { offset: pos })?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                wire.push(0);
                return Ok((Name { wire }, end.unwrap_or(pos + 1)));
            }
            0x00 => {
                let len = usize::from(len);
                let label = msg
                    .get(pos + 1..pos + 1 + len)
                    .ok_or(MdnsError::Truncated { offset: pos })?;
                // This label plus the final zero must still fit.
                if wire.len() + 1 + len + 1 > MAX_NAME_LEN {
                    return Err(MdnsError::NameTooLong);
                }
                wire.push(len as u8);
                wire.extend_from_slice(label);
                pos += 1 + len;
            }
            0xc0 => {
                let low = *msg
                    .get(pos + 1)
                    .ok_or(MdnsError::Truncated { offset: pos })?;
                let target = (usize::from(len & 0x3f) << 8) | usize::from(low);
                if target >= run_start {
                    return Err(MdnsError::PointerLoop {
                        offset: pos,
                        target,
                    });
                }
                hops += 1;
                if hops > MAX_POINTER_HOPS {
                    return Err(MdnsError::TooManyPointers {
                        max: MAX_POINTER_HOPS,
                    });
                }
                end.get_or_insert(pos + 2);
                run_start = target;
                pos = target;
            }
            _ => {
                return Err(MdnsError::BadLabelType {
                    byte: len,
                    offset: pos,
                })
            }
        }
    }
}

/// Writes names into one message, compressing suffixes already written
/// (RFC 1035 §4.1.4; RFC 6762 §18.14 asks for compression). Suffixes match
/// byte for byte, so the case of every name survives a round trip.
#[derive(Debug, Default)]
pub(crate) struct NameCompressor {
    /// Suffix in wire form → its offset from the message start.
    suffixes: BTreeMap<Vec<u8>, u16>,
}

impl NameCompressor {
    /// Appends `name` to `out`, whose message starts at `base`.
    pub(crate) fn write(&mut self, out: &mut Vec<u8>, base: usize, name: &Name) {
        let wire = name.as_wire();
        let mut i = 0;
        while wire[i] != 0 {
            let suffix = &wire[i..];
            if let Some(&offset) = self.suffixes.get(suffix) {
                out.extend_from_slice(&(0xc000 | offset).to_be_bytes());
                return;
            }
            let here = out.len() - base;
            if here < 0x4000 {
                self.suffixes.insert(suffix.to_vec(), here as u16);
            }
            let len = usize::from(wire[i]);
            out.extend_from_slice(&wire[i..i + 1 + len]);
            i += 1 + len;
        }
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names() {
        let n = Name::new("Foo.Local.").unwrap();
        assert_eq!(n.as_wire(), b"\x03Foo\x05Local\x00");
        assert_eq!(n, Name::new("foo.local").unwrap());
        assert!(n.is_local());
        assert!(!Name::new("local").unwrap().is_local());
        assert!(!Name::new("foo.example").unwrap().is_local());
        assert_eq!(n.to_string(), "Foo.Local");
        assert_eq!(Name::new(""), Err(MdnsError::EmptyLabel));
        assert_eq!(Name::new("a..local"), Err(MdnsError::EmptyLabel));
        assert_eq!(
            Name::new(&"a".repeat(64)),
            Err(MdnsError::LabelTooLong { len: 64 })
        );
        // 4 labels of 63 bytes: 4 * 64 + 1 = 257 bytes.
        let long = vec!["b".repeat(63); 4].join(".");
        assert_eq!(Name::new(&long), Err(MdnsError::NameTooLong));
        let fits = [
            "b".repeat(63),
            "b".repeat(63),
            "b".repeat(63),
            "b".repeat(61),
        ]
        .join(".");
        assert_eq!(Name::new(&fits).unwrap().as_wire().len(), 255);
    }

    #[test]
    fn display_escapes() {
        let (n, _) = read_name(b"\x03a.\x01\x00", 0).unwrap();
        assert_eq!(n.to_string(), "a\\.\\001");
    }

    #[test]
    fn ordering_ignores_case() {
        let a = Name::new("ABC.local").unwrap();
        let b = Name::new("abd.local").unwrap();
        assert!(a < b);
        assert_eq!(a.cmp(&Name::new("abc.LOCAL").unwrap()), Ordering::Equal);
    }
}
