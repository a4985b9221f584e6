//! The bytes of one stream that the OS has not taken yet.

use std::io;

/// Bytes waiting to be written to a stream, in order; the OS takes a
/// prefix at a time (partial writes).
#[derive(Debug, Default)]
pub(crate) struct WriteQueue {
    bytes: Vec<u8>,
    /// How much of `bytes` was already written.
    start: usize,
}

/// Written bytes are dropped from the front once at least this many have
/// piled up (and at least half of the buffer), so appending stays cheap.
const COMPACT_AT: usize = 64 * 1024;

impl WriteQueue {
    /// Bytes waiting.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len() - self.start
    }

    /// The bytes to write next.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// Appends `bytes`.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// The OS took the first `n` pending bytes (more than are pending is
    /// taken as all of them).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.bytes.len());
        if self.start == self.bytes.len() {
            self.bytes.clear();
            self.start = 0;
        } else if self.start >= COMPACT_AT && self.start * 2 >= self.bytes.len() {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
    }
}

/// rustls writes its records here (`ClientConnection::write_tls`).
impl io::Write for WriteQueue {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_writes_take_prefixes_in_order() {
        let mut q = WriteQueue::default();
        q.push(b"hello ");
        q.push(b"world");
        q.consume(3);
        assert_eq!(q.pending(), b"lo world");
        q.consume(100);
        assert_eq!((q.len(), q.pending()), (0, &b""[..]));
    }

    #[test]
    fn compaction_keeps_the_pending_bytes() {
        let mut q = WriteQueue::default();
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        q.push(&data);
        q.consume(150_000);
        q.push(b"tail");
        assert_eq!(q.len(), 50_004);
        assert_eq!(&q.pending()[..50_000], &data[150_000..]);
        assert_eq!(&q.pending()[50_000..], b"tail");
    }
}
