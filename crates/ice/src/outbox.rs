//! The agent's queue of outputs, kept compact: an [`Output`] holding an
//! [`IceEvent`] is large (a candidate, an error's strings), and every SRTP
//! packet the agent sends went through the queue as one, moved in and out
//! with a `memcpy` each time. Transmits and data (the outputs of every
//! packet) are kept as they are; the other, rare, events are boxed.

use std::collections::VecDeque;
use std::time::Instant;

use sansrtc_proto::{Output, Transmit};

use crate::event::IceEvent;

/// One queued output.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
enum Entry {
    Transmit(Transmit),
    Data { component: u16, data: Vec<u8> },
    Event(Box<IceEvent>),
    Timeout(Option<Instant>),
}

/// A FIFO of the agent's outputs (the `VecDeque<Output<..>>` it replaces,
/// in the same order).
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Outbox {
    entries: VecDeque<Entry>,
}

impl Outbox {
    /// Queues `output` last.
    #[inline]
    pub(crate) fn push_back(&mut self, output: Output<Transmit, IceEvent>) {
        self.entries.push_back(match output {
            Output::Transmit(t) => Entry::Transmit(t),
            Output::Event(IceEvent::Data { component, data }) => Entry::Data { component, data },
            Output::Event(event) => Entry::Event(Box::new(event)),
            Output::Timeout(at) => Entry::Timeout(at),
        });
    }

    /// Takes the first output queued.
    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<Output<Transmit, IceEvent>> {
        Some(match self.entries.pop_front()? {
            Entry::Transmit(t) => Output::Transmit(t),
            Entry::Data { component, data } => Output::Event(IceEvent::Data { component, data }),
            Entry::Event(event) => Output::Event(*event),
            Entry::Timeout(at) => Output::Timeout(at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::IceConnectionState;

    #[test]
    fn outputs_come_back_in_order_and_unchanged() {
        let transmit = Transmit {
            protocol: sansrtc_proto::Protocol::Udp,
            source: "127.0.0.1:1".parse().unwrap(),
            destination: "127.0.0.1:2".parse().unwrap(),
            contents: vec![1, 2, 3],
        };
        let outputs = vec![
            Output::Event(IceEvent::ConnectionState(IceConnectionState::Checking)),
            Output::Transmit(transmit.clone()),
            Output::Event(IceEvent::Data {
                component: 2,
                data: vec![9; 5],
            }),
            Output::Timeout(None),
            Output::Transmit(transmit),
        ];
        let mut outbox = Outbox::default();
        for o in outputs.clone() {
            outbox.push_back(o);
        }
        let mut back = Vec::new();
        while let Some(o) = outbox.pop_front() {
            back.push(o);
        }
        assert_eq!(back, outputs);
        // Smaller than the output it keeps, which is what it is for.
        assert!(std::mem::size_of::<Entry>() < std::mem::size_of::<Output<Transmit, IceEvent>>());
    }
}
