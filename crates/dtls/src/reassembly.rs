//! Reassembly of fragmented handshake messages (RFC 6347 §4.2.3): fragments
//! may arrive out of order, overlap or repeat; memory is bounded.
//!
//! Each fragment costs time linear in its own length, whatever arrived
//! before ([`ByteSet`]): a peer cannot make an order of fragments
//! (reversed, interleaved, repeated) cost more than their bytes. Where
//! fragments overlap, the latest bytes win (as in OpenSSL and BoringSSL);
//! a retransmission carries the same bytes, and anything else is caught by
//! the handshake's own checks (Finished covers the transcript).

use crate::byte_set::ByteSet;
use crate::error::DtlsError;
use crate::handshake::Fragment;

#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct Partial {
    seq: u16,
    msg_type: u8,
    epoch: u16,
    body: Vec<u8>,
    /// Which bytes of `body` arrived.
    have: ByteSet,
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
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Reassembler {
    partial: Vec<Partial>,
    bytes: usize,
}

impl Reassembler {
    /// Adds a fragment, in time linear in its length. Errors (the fragment
    /// is dropped, what was buffered stays): the message is larger than
    /// `max_message`, the buffer would exceed `max_bytes`, the fragment
    /// reaches past the message's length, or it disagrees with earlier
    /// fragments of the same message_seq on type, length or epoch.
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
        let start = f.offset as usize;
        let end = start.saturating_add(f.body.len());
        if end > length {
            return Err(DtlsError::Decode("handshake fragment range"));
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
                    have: ByteSet::new(length),
                });
                self.partial.len() - 1
            }
        };
        let p = &mut self.partial[idx];
        p.body[start..end].copy_from_slice(f.body);
        p.have.insert(start, end);
        Ok(())
    }

    /// Removes and returns message `seq` if it is complete.
    pub(crate) fn take(&mut self, seq: u16) -> Option<Message> {
        let i = self.partial.iter().position(|p| p.seq == seq)?;
        if !self.partial[i].have.is_full() {
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

    #[test]
    fn fragments_past_the_message_end_are_refused_and_leave_nothing() {
        let mut r = Reassembler::default();
        let mut truncated = frag(8, b"abc");
        truncated.length = 10;
        assert_eq!(
            r.insert(&truncated, 0, 100, 100),
            Err(DtlsError::Decode("handshake fragment range"))
        );
        let far = frag(u32::MAX, b"a");
        assert!(r.insert(&far, 0, 100, 100).is_err());
        assert!(r.partial.is_empty() && r.bytes == 0);
    }

    #[test]
    fn overlaps_on_both_sides_complete_and_conflicting_bytes_take_the_latest() {
        let mut r = Reassembler::default();
        r.insert(&frag(3, b"xxxx"), 0, 100, 100).unwrap();
        // Overlaps the start and end of what is there, and conflicts with it.
        r.insert(&frag(1, b"1234567"), 0, 100, 100).unwrap();
        assert!(r.take(2).is_none());
        r.insert(&frag(0, b"0"), 0, 100, 100).unwrap();
        r.insert(&frag(7, b"789"), 0, 100, 100).unwrap();
        assert_eq!(r.take(2).unwrap().body, b"0123456789");
    }

    #[test]
    fn disagreeing_fragments_do_not_disturb_a_completed_message() {
        let mut r = Reassembler::default();
        r.insert(&frag(0, b"0123456789"), 0, 100, 100).unwrap();
        let mut other_type = frag(0, b"zz");
        other_type.msg_type = 12;
        let mut other_length = frag(0, b"zz");
        other_length.length = 12;
        for bad in [other_type, other_length] {
            assert_eq!(
                r.insert(&bad, 0, 100, 100),
                Err(DtlsError::Decode(
                    "fragment disagrees with earlier fragments"
                ))
            );
        }
        assert!(r.insert(&frag(0, b"zz"), 1, 100, 100).is_err());
        assert_eq!(r.take(2).unwrap().body, b"0123456789");
    }

    #[test]
    fn oversized_messages_and_a_full_buffer_are_refused_until_space_frees() {
        let mut r = Reassembler::default();
        assert_eq!(
            r.insert(&frag(0, b"a"), 0, 9, 100),
            Err(DtlsError::TooLarge("handshake message"))
        );
        r.insert(&frag(0, b"0123456789"), 0, 100, 15).unwrap();
        let mut next = frag(0, b"a");
        next.message_seq = 3;
        assert_eq!(
            r.insert(&next, 0, 100, 15),
            Err(DtlsError::TooLarge("reassembly buffer"))
        );
        assert!(r.take(2).is_some());
        r.insert(&next, 0, 100, 15).unwrap();
        assert_eq!(r.bytes, 10);
    }

    #[test]
    fn one_byte_fragments_in_any_order_with_duplicates_reassemble() {
        let msg: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let one = |i: usize| Fragment {
            msg_type: 1,
            length: msg.len() as u32,
            message_seq: 0,
            offset: i as u32,
            body: &msg[i..=i],
        };
        let odd = (0..msg.len()).rev().filter(|i| i % 2 == 1);
        let even = (0..msg.len()).rev().filter(|i| i % 2 == 0);
        let order: Vec<usize> = odd.clone().chain(odd).chain(even).collect();
        let mut r = Reassembler::default();
        for (n, &i) in order.iter().enumerate() {
            r.insert(&one(i), 0, 1 << 15, 1 << 16).unwrap();
            if n + 1 < order.len() {
                assert!(r.take(0).is_none());
            }
        }
        assert_eq!(r.take(0).unwrap().body, msg);
    }
}
