//! Cutting STUN messages and ChannelData out of a TCP or TLS byte stream
//! (RFC 8489 §6.2.2, RFC 8656 §12.5).
//!
//! On a stream, STUN messages and ChannelData messages follow each other
//! with no other framing: the first two bits tell them apart (00 = STUN,
//! 01 = ChannelData) and each header carries the length. ChannelData is
//! padded to 4 bytes on a stream. The buffer is bounded; anything that
//! cannot be framed is an error after which the stream must be closed.

use crate::error::StunError;
use crate::header::HEADER_LEN;

/// One frame cut from the stream, borrowing the de-framer's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A whole STUN message (parse with [`crate::Message::parse`]).
    Stun(&'a [u8]),
    /// A whole ChannelData message with its padding (parse with
    /// [`crate::ChannelData::parse`]).
    ChannelData(&'a [u8]),
}

/// A bounded stream de-framer. Feed received bytes with
/// [`StreamDeframer::push`], then take frames with
/// [`StreamDeframer::next_frame`] until it returns `None`.
#[derive(Debug, Clone)]
pub struct StreamDeframer {
    buf: Vec<u8>,
    start: usize,
    consumed: usize,
    capacity: usize,
    dropped_bytes: u64,
    failed: Option<StunError>,
}

impl Default for StreamDeframer {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl StreamDeframer {
    /// The largest possible frame: a STUN message with a 65532-byte body
    /// (ChannelData is at most 4 + 65535 + 1 padding bytes).
    pub const MAX_FRAME: usize = HEADER_LEN + 65532;
    /// Default capacity: two largest frames.
    pub const DEFAULT_CAPACITY: usize = 2 * 65556;

    /// A de-framer holding at most `capacity` unconsumed bytes.
    pub fn new(capacity: usize) -> Self {
        StreamDeframer {
            buf: Vec::new(),
            start: 0,
            consumed: 0,
            capacity,
            dropped_bytes: 0,
            failed: None,
        }
    }

    /// Bytes buffered and not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start - self.consumed
    }

    /// How many bytes [`StreamDeframer::push`] accepts now; a driver reads
    /// at most this much from the socket.
    pub fn free_space(&self) -> usize {
        self.capacity.saturating_sub(self.buffered())
    }

    /// Bytes refused so far because the buffer was full.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped_bytes
    }

    /// Appends received bytes. If they do not all fit, none are taken, the
    /// count is added to [`StreamDeframer::dropped_bytes`] and an error is
    /// returned: the stream has lost bytes and must be closed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), StunError> {
        if bytes.len() > self.free_space() {
            self.dropped_bytes += bytes.len() as u64;
            let err = StunError::FrameBufferFull {
                capacity: self.capacity,
                dropped: bytes.len(),
            };
            self.failed.get_or_insert(err.clone());
            return Err(err);
        }
        // Drop consumed bytes before growing.
        self.start += self.consumed;
        self.consumed = 0;
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// The next complete frame, `None` when more bytes are needed. An error
    /// is final: the stream cannot be resynchronised (every later call
    /// returns it again).
    pub fn next_frame(&mut self) -> Option<Result<Frame<'_>, StunError>> {
        if let Some(err) = &self.failed {
            return Some(Err(err.clone()));
        }
        self.start += self.consumed;
        self.consumed = 0;
        let pending = &self.buf[self.start..];
        let header = pending.get(..4)?;
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let (total, stun) = match header[0] >> 6 {
            0b00 => (HEADER_LEN + len, true),
            0b01 => (4 + ((len + 3) & !3), false),
            _ => {
                let err = StunError::UnknownFrame(header[0]);
                self.failed = Some(err.clone());
                return Some(Err(err));
            }
        };
        if total > self.capacity {
            let err = StunError::FrameTooLarge {
                size: total,
                capacity: self.capacity,
            };
            self.failed = Some(err.clone());
            return Some(Err(err));
        }
        let frame = self.buf.get(self.start..self.start + total)?;
        self.consumed = total;
        Some(Ok(if stun {
            Frame::Stun(frame)
        } else {
            Frame::ChannelData(frame)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChannelData, MessageBuilder, MessageType, TransactionId};

    fn stream() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut stun = Vec::new();
        let mut b = MessageBuilder::new(
            &mut stun,
            MessageType::BINDING_REQUEST,
            TransactionId([5; 12]),
        );
        b.add_fingerprint().unwrap();
        let mut cd = Vec::new();
        ChannelData {
            channel: 0x4000,
            data: b"hello",
        }
        .encode(&mut cd, true)
        .unwrap();
        let mut all = stun.clone();
        all.extend_from_slice(&cd);
        all.extend_from_slice(&stun);
        (all, stun, cd)
    }

    #[test]
    fn frames_survive_any_split() {
        let (all, stun, cd) = stream();
        for chunk in 1..all.len() {
            let mut d = StreamDeframer::new(256);
            let mut frames = Vec::new();
            for piece in all.chunks(chunk) {
                d.push(piece).unwrap();
                while let Some(f) = d.next_frame() {
                    frames.push(match f.unwrap() {
                        Frame::Stun(b) => (true, b.to_vec()),
                        Frame::ChannelData(b) => (false, b.to_vec()),
                    });
                }
            }
            assert_eq!(
                frames,
                vec![
                    (true, stun.clone()),
                    (false, cd.clone()),
                    (true, stun.clone())
                ],
                "chunk {chunk}"
            );
            assert_eq!(d.buffered(), 0);
        }
    }

    #[test]
    fn garbage_and_overflow_are_final_errors() {
        let mut d = StreamDeframer::new(64);
        d.push(&[0x80, 0, 0, 0]).unwrap();
        assert_eq!(d.next_frame(), Some(Err(StunError::UnknownFrame(0x80))));
        assert_eq!(d.next_frame(), Some(Err(StunError::UnknownFrame(0x80))));

        let mut d = StreamDeframer::new(64);
        assert!(d.push(&[0; 65]).is_err());
        assert_eq!(d.dropped_bytes(), 65);
        assert!(matches!(
            d.next_frame(),
            Some(Err(StunError::FrameBufferFull { .. }))
        ));

        let mut d = StreamDeframer::new(64);
        d.push(&[0x00, 0x01, 0x01, 0x00]).unwrap();
        assert!(matches!(
            d.next_frame(),
            Some(Err(StunError::FrameTooLarge { size: 276, .. }))
        ));
    }
}
