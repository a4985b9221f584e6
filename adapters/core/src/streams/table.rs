//! A driver's streams, keyed by (local, remote, protocol), with the bound
//! on how many there are.

use std::collections::VecDeque;

use crate::limits::STREAM_LIMIT;
use crate::streams::stream::Stream;
use crate::streams::{StreamId, StreamKey, TlsSettings};

/// What a transmit found in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The stream for its key (found, or opened now: the runtime connects
    /// it at the next `DriverCore::start_streams`).
    Stream(StreamId),
    /// [`STREAM_LIMIT`] streams are open: no new one.
    Refused,
}

/// The streams of one driver, at most [`STREAM_LIMIT`].
#[derive(Debug, Default)]
pub(crate) struct StreamTable {
    streams: Vec<Stream>,
    next_id: u64,
    /// Opened by a transmit, not yet handed to the runtime to connect.
    to_open: VecDeque<StreamId>,
    pub(crate) tls: TlsSettings,
}

impl StreamTable {
    /// The stream for `key`, opened if there is none and the bound allows.
    pub(crate) fn lookup_or_open(&mut self, key: StreamKey) -> Lookup {
        if let Some(s) = self.streams.iter().find(|s| s.key == key) {
            return Lookup::Stream(s.id);
        }
        if self.streams.len() >= STREAM_LIMIT {
            return Lookup::Refused;
        }
        let id = StreamId(self.next_id);
        self.next_id += 1;
        self.streams.push(Stream::new(id, key));
        self.to_open.push_back(id);
        Lookup::Stream(id)
    }

    /// The next stream the runtime must connect.
    pub(crate) fn take_to_open(&mut self) -> Option<(StreamId, StreamKey)> {
        while let Some(id) = self.to_open.pop_front() {
            if let Some(s) = self.get(id) {
                return Some((id, s.key));
            }
        }
        None
    }

    pub(crate) fn get(&self, id: StreamId) -> Option<&Stream> {
        self.streams.iter().find(|s| s.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: StreamId) -> Option<&mut Stream> {
        self.streams.iter_mut().find(|s| s.id == id)
    }

    pub(crate) fn remove(&mut self, id: StreamId) -> Option<Stream> {
        let index = self.streams.iter().position(|s| s.id == id)?;
        Some(self.streams.remove(index))
    }

    pub(crate) fn len(&self) -> usize {
        self.streams.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Stream> + '_ {
        self.streams.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansrtc_proto::Protocol;

    fn key(port: u16, protocol: Protocol) -> StreamKey {
        StreamKey {
            local: "127.0.0.1:4000".parse().unwrap(),
            remote: ([127, 0, 0, 1], port).into(),
            protocol,
        }
    }

    #[test]
    fn one_stream_per_key_and_at_most_the_limit() {
        let mut table = StreamTable::default();
        let a = table.lookup_or_open(key(1, Protocol::Tcp));
        assert_eq!(table.lookup_or_open(key(1, Protocol::Tcp)), a);
        // Same addresses, other protocol: another stream.
        assert_ne!(table.lookup_or_open(key(1, Protocol::Tls)), a);
        for port in 2..STREAM_LIMIT as u16 {
            assert!(matches!(
                table.lookup_or_open(key(port, Protocol::Tcp)),
                Lookup::Stream(_)
            ));
        }
        assert_eq!(table.len(), STREAM_LIMIT);
        assert_eq!(
            table.lookup_or_open(key(999, Protocol::Tcp)),
            Lookup::Refused
        );
        // The runtime is asked to connect each once, in order.
        let first = table.take_to_open().unwrap();
        assert_eq!(first, (StreamId(0), key(1, Protocol::Tcp)));
        // A removed stream is not handed out, and its id is not reused.
        table.remove(StreamId(1));
        assert_eq!(table.take_to_open().unwrap().0, StreamId(2));
        let Lookup::Stream(new) = table.lookup_or_open(key(999, Protocol::Tcp)) else {
            panic!("room after a removal");
        };
        assert_eq!(new, StreamId(STREAM_LIMIT as u64));
    }
}
