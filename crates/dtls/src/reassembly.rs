//! Reassembly of fragmented handshake messages (RFC 6347 §4.2.3): fragments
//! may arrive out of order, overlap or repeat; memory is bounded.

use crate::error::DtlsError;
use crate::handshake::Fragment;

#[derive(Debug)]
struct Partial {
    seq: u16,
    msg_type: u8,
    epoch: u16,
    body: Vec<u8>,
    /// Received byte ranges, sorted and merged.
    have: Vec<(usize, usize)>,
}

impl Partial {
    fn complete(&self) -> bool {
        self.body.is_empty() || self.have == [(0, self.body.len())]
    }

    fn add_range(&mut self, start: usize, end: usize) {
        if start == end {
            return;
        }
        self.have.push((start, end));
        self.have.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(self.have.len());
        for &(s, e) in &self.have {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.have = merged;
    }
}

/// A complete handshake message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) seq: u16,
    pub(crate) msg_type: u8,
    pub(crate) epoch: u16,
    pub(crate) body: Vec<u8>,
}

/// Partially received messages, by message_seq.
#[derive(Debug, Default)]
pub(crate) struct Reassembler {
    partial: Vec<Partial>,
    bytes: usize,
}

impl Reassembler {
    /// Adds a fragment. Errors: the message is larger than `max_message`,
    /// the buffer would exceed `max_bytes` (the fragment is dropped), or
    /// the fragment disagrees with earlier ones on type or length.
    pub(crate) fn insert(
        &mut self,
        f: &Fragment<'_>,
        epoch: u16,
        max_message: usize,
        max_bytes: usize,
    ) -> Result<(), DtlsError> {
        let length = f.length as usize;
        if length > max_message {
            return Err(DtlsError::TooLarge("handshake message"));
        }
        let idx = match self.partial.iter().position(|p| p.seq == f.message_seq) {
            Some(i) => {
                let p = &self.partial[i];
                if p.msg_type != f.msg_type || p.body.len() != length || p.epoch != epoch {
                    return Err(DtlsError::Decode(
                        "fragment disagrees with earlier fragments",
                    ));
                }
                i
            }
            None => {
                if self.bytes + length > max_bytes {
                    return Err(DtlsError::TooLarge("reassembly buffer"));
                }
                self.bytes += length;
                self.partial.push(Partial {
                    seq: f.message_seq,
                    msg_type: f.msg_type,
                    epoch,
                    body: vec![0; length],
                    have: Vec::new(),
                });
                self.partial.len() - 1
            }
        };
        let p = &mut self.partial[idx];
        let start = f.offset as usize;
        let end = start + f.body.len();
        p.body[start..end].copy_from_slice(f.body);
        p.add_range(start, end);
        Ok(())
    }

    /// Removes and returns message `seq` if it is complete.
    pub(crate) fn take(&mut self, seq: u16) -> Option<Message> {
        let i = self.partial.iter().position(|p| p.seq == seq)?;
        if !self.partial[i].complete() {
            return None;
        }
        let p = self.partial.swap_remove(i);
        self.bytes -= p.body.len();
        Some(Message {
            seq: p.seq,
            msg_type: p.msg_type,
            epoch: p.epoch,
            body: p.body,
        })
    }

    /// Drops everything buffered.
    pub(crate) fn clear(&mut self) {
        self.partial.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(offset: u32, body: &[u8]) -> Fragment<'_> {
        Fragment {
            msg_type: 11,
            length: 10,
            message_seq: 2,
            offset,
            body,
        }
    }

    #[test]
    fn out_of_order_overlapping_and_duplicate_fragments_reassemble() {
        let msg = b"0123456789";
        let mut r = Reassembler::default();
        r.insert(&frag(6, &msg[6..]), 0, 100, 100).unwrap();
        assert!(r.take(2).is_none());
        r.insert(&frag(2, &msg[2..7]), 0, 100, 100).unwrap();
        r.insert(&frag(6, &msg[6..]), 0, 100, 100).unwrap();
        assert!(r.take(2).is_none());
        r.insert(&frag(0, &msg[..3]), 0, 100, 100).unwrap();
        let m = r.take(2).unwrap();
        assert_eq!(m.body, msg);
        assert_eq!(r.bytes, 0);
    }

    #[test]
    fn bounds_and_inconsistent_fragments_are_refused() {
        let mut r = Reassembler::default();
        assert!(r.insert(&frag(0, b"ab"), 0, 5, 100).is_err());
        assert!(r.insert(&frag(0, b"ab"), 0, 100, 5).is_err());
        r.insert(&frag(0, b"ab"), 0, 100, 100).unwrap();
        let mut other = frag(2, b"cd");
        other.length = 11;
        assert!(r.insert(&other, 0, 100, 100).is_err());
        assert!(r.insert(&frag(2, b"cd"), 1, 100, 100).is_err());
        r.clear();
        assert!(r.take(2).is_none());
    }
}
