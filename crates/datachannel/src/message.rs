//! Application messages and their PPID encoding (RFC 8831 §6.6).

use crate::ppid::Ppid;

/// A message an application sends or receives on a data channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChannelMessage {
    /// A string message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
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
            DataChannelMessage::Binary(b) => (Ppid::Binary, b),
        }
    }
}

/// Reassembles messages sent with the deprecated partial PPIDs (52, 54):
/// fragments accumulate until a final PPID (51/53) arrives.
#[derive(Debug, Default)]
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
    /// message in one payload (the usual case) is passed on without a copy.
    pub(crate) fn feed(&mut self, ppid: Ppid, payload: Vec<u8>, limit: usize) -> Reassembled {
        match ppid {
            Ppid::StringEmpty => Reassembled::Message(DataChannelMessage::Text(String::new())),
            Ppid::BinaryEmpty => Reassembled::Message(DataChannelMessage::Binary(Vec::new())),
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
                    Some(whole)
                } else {
                    None
                };
                self.buffer = Vec::new();
                self.discarding = false;
                match whole {
                    None => Reassembled::Oversized,
                    Some(bytes) if ppid == Ppid::String => {
                        let text = String::from_utf8(bytes)
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
            DataChannelMessage::Binary(vec![]).into_wire(),
            (Ppid::BinaryEmpty, vec![0])
        );
        assert_eq!(
            DataChannelMessage::Text("hi".into()).into_wire(),
            (Ppid::String, b"hi".to_vec())
        );
    }

    #[test]
    fn deprecated_partial_ppids_are_reassembled_within_the_limit() {
        let mut r = PartialReassembly::default();
        assert_eq!(
            r.feed(Ppid::StringPartial, b"hel".to_vec(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::StringPartial, b"lo ".to_vec(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::String, b"you".to_vec(), 10),
            Reassembled::Message(DataChannelMessage::Text("hello you".into()))
        );
        // Over the limit: the whole message is dropped, the next one is fine.
        assert_eq!(
            r.feed(Ppid::BinaryPartial, [1; 8].to_vec(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::BinaryPartial, [1; 8].to_vec(), 10),
            Reassembled::Pending
        );
        assert_eq!(
            r.feed(Ppid::Binary, [1].to_vec(), 10),
            Reassembled::Oversized
        );
        assert_eq!(
            r.feed(Ppid::Binary, [7].to_vec(), 10),
            Reassembled::Message(DataChannelMessage::Binary(vec![7]))
        );
        assert_eq!(
            r.feed(Ppid::Binary, [0; 11].to_vec(), 10),
            Reassembled::Oversized
        );
    }

    #[test]
    fn invalid_utf8_text_is_decoded_with_replacement() {
        let mut r = PartialReassembly::default();
        assert_eq!(
            r.feed(Ppid::String, [b'a', 0xff].to_vec(), 10),
            Reassembled::Message(DataChannelMessage::Text("a\u{fffd}".into()))
        );
    }
}
