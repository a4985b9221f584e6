//! Application messages and their PPID encoding (RFC 8831 §6.6).

use bytes::Bytes;

use crate::ppid::Ppid;

/// A message an application sends or receives on a data channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChannelMessage {
    /// A string message.
    Text(String),
    /// A binary message. Received, it may share the buffer of the SCTP
    /// packet it arrived in (no copy); `Bytes::from(Vec<u8>)` makes one
    /// to send without a copy.
    Binary(Bytes),
}

impl DataChannelMessage {
    /// The size `bufferedAmount` counts: the bytes of the data.
    pub fn len(&self) -> usize {
        match self {
            DataChannelMessage::Text(s) => s.len(),
            DataChannelMessage::Binary(b) => b.len(),
        }
    }

    /// Whether the message carries no data.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The PPID and SCTP payload. Empty messages use the "empty" PPIDs with
    /// one filler byte, since SCTP cannot carry an empty user message.
    pub fn into_wire(self) -> (Ppid, Vec<u8>) {
        match self {
            DataChannelMessage::Text(s) if s.is_empty() => (Ppid::StringEmpty, vec![0]),
            DataChannelMessage::Text(s) => (Ppid::String, s.into_bytes()),
            DataChannelMessage::Binary(b) if b.is_empty() => (Ppid::BinaryEmpty, vec![0]),
            DataChannelMessage::Binary(b) => (Ppid::Binary, Vec::from(b)),
        }
    }
}

/// Reassembles messages sent with the deprecated partial PPIDs (52, 54):
/// fragments accumulate until a final PPID (51/53) arrives.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct PartialReassembly {
    buffer: Vec<u8>,
    /// Set when the buffer overflowed: the rest of that message is dropped.
    discarding: bool,
}

/// The result of feeding one received payload.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reassembled {
    /// A whole message.
    Message(DataChannelMessage),
    /// A fragment was buffered.
    Pending,
    /// The message exceeded the limit and was dropped.
    Oversized,
}

impl PartialReassembly {
    /// Feeds one received data payload (not DCEP) of a channel. A whole
    /// binary message in one payload (the usual case) is passed on without
    /// a copy.
    pub(crate) fn feed(&mut self, ppid: Ppid, payload: Bytes, limit: usize) -> Reassembled {
        match ppid {
            Ppid::StringEmpty => Reassembled::Message(DataChannelMessage::Text(String::new())),
            Ppid::BinaryEmpty => Reassembled::Message(DataChannelMessage::Binary(Bytes::new())),
            Ppid::StringPartial | Ppid::BinaryPartial => {
                if !self.discarding && self.buffer.len() + payload.len() <= limit {
                    self.buffer.extend_from_slice(&payload);
                    return Reassembled::Pending;
                }
                self.buffer = Vec::new();
                self.discarding = true;
                Reassembled::Pending
            }
            Ppid::String | Ppid::Binary => {
                let whole = if self.buffer.is_empty() && !self.discarding {
                    (payload.len() <= limit).then_some(payload)
                } else if !self.discarding && self.buffer.len() + payload.len() <= limit {
                    let mut whole = std::mem::take(&mut self.buffer);
                    whole.extend_from_slice(&payload);
                    Some(Bytes::from(whole))
                } else {
                    None
                };
                self.buffer = Vec::new();
                self.discarding = false;
                match whole {
                    None => Reassembled::Oversized,
                    Some(bytes) if ppid == Ppid::String => {
                        let text = String::from_utf8(Vec::from(bytes))
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                        Reassembled::Message(DataChannelMessage::Text(text))
                    }
                    Some(bytes) => Reassembled::Message(DataChannelMessage::Binary(bytes)),
                }
            }
            Ppid::Dcep => Reassembled::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_messages_use_the_empty_ppids() {
        assert_eq!(
            DataChannelMessage::Text(String::new()).into_wire(),
            (Ppid::StringEmpty, vec![0])
        );
        assert_eq!(
            DataChannelMessage::Binary(vec![].into()).into_wire(),
            (Ppid::BinaryEmpty, vec![0])
        );
        assert_eq!(
            DataChannelMessage::Text("hi".into()).into_wire(),
            (Ppid::String, b"hi".to_vec())
        );
    }

    /// A whole binary message is the received buffer itself, and one
    /// made from a `Vec` goes to the wire in that same allocation.
    #[test]
    fn binary_messages_are_passed_on_without_a_copy() {
        let received = Bytes::from(vec![9u8; 1200]).slice(28..);
        let at = received.as_ptr();
        let mut r = PartialReassembly::default();
        let Reassembled::Message(DataChannelMessage::Binary(got)) =
            r.feed(Ppid::Binary, received, 2000)
        else {
            panic!("not a binary message");
        };
        assert_eq!((got.as_ptr(), got.len()), (at, 1172));
        let sent = vec![5u8; 300];
        let at = sent.as_ptr();
        let (ppid, wire) = DataChannelMessage::Binary(Bytes::from(sent)).into_wire();
        assert_eq!((ppid, wire.as_ptr(), wire.len()), (Ppid::Binary, at, 300));
    }

    #[test]
    fn deprecated_partial_ppids_are_reassembled_within_the_limit() {
        let mut r = PartialReassembly::default();
        assert_eq!(
            r.feed(Ppid::StringPartial, b"hel".to_vec().into(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::StringPartial, b"lo ".to_vec().into(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::String, b"you".to_vec().into(), 10),
            Reassembled::Message(DataChannelMessage::Text("hello you".into()))
        );
        // Over the limit: the whole message is dropped, the next one is fine.
        assert_eq!(
            r.feed(Ppid::BinaryPartial, [1; 8].to_vec().into(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::BinaryPartial, [1; 8].to_vec().into(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::Binary, [1].to_vec().into(), 10),
            Reassembled::Oversized
        );
        assert_eq!(
            r.feed(Ppid::Binary, [7].to_vec().into(), 10),
            Reassembled::Message(DataChannelMessage::Binary(vec![7].into()))
        );
        assert_eq!(
            r.feed(Ppid::Binary, [0; 11].to_vec().into(), 10),
            Reassembled::Oversized
        );
    }

    #[test]
    fn invalid_utf8_text_is_decoded_with_replacement() {
        let mut r = PartialReassembly::default();
        assert_eq!(
            r.feed(Ppid::String, [b'a', 0xff].to_vec().into(), 10),
            Reassembled::Message(DataChannelMessage::Text("a\u{fffd}".into()))
        );
    }
}
