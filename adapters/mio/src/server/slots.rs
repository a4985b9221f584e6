//! The connections, in numbered slots: a removed connection's slot is
//! reused under a new generation, so its [`ConnectionId`] never names the
//! next one.

use std::time::Instant;

use sansrtc_adapter_core::DriverCore;

use super::connection::{ConnectionId, ServerConnection};

/// One connection and the server's bookkeeping for it.
pub(crate) struct Slot<M: ServerConnection> {
    pub(crate) id: ConnectionId,
    /// The machine, its bounded outbox and event queue, deadline, counters.
    pub(crate) core: DriverCore<M>,
    /// The timer-heap entry this connection counts on (see `timers.rs`).
    pub(crate) scheduled: Option<Instant>,
    /// The last poll in which it got an input.
    pub(crate) touched_in_poll: u64,
    /// It is in the server's list of connections waiting for a writable
    /// socket.
    pub(crate) blocked: bool,
    /// `server_connection{id}`: entered while the connection runs an
    /// input, so its logs say which connection they are about.
    pub(crate) span: tracing::Span,
}

/// A slot number's current generation and connection, if any.
struct Entry<M: ServerConnection> {
    generation: u32,
    slot: Option<Slot<M>>,
}

/// The connections by slot number.
pub(crate) struct Slots<M: ServerConnection> {
    entries: Vec<Entry<M>>,
    /// Slot numbers with no connection, to reuse.
    free: Vec<u32>,
    live: usize,
}

impl<M: ServerConnection> Default for Slots<M> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<M: ServerConnection> Slots<M> {
    /// Puts `core`'s connection in a free slot; returns its id.
    pub(crate) fn insert(&mut self, core: DriverCore<M>) -> ConnectionId {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(self.entries.len()).expect("fewer than 2^32 connections");
                self.entries.push(Entry {
                    generation: 0,
                    slot: None,
                });
                index
            }
        };
        let entry = &mut self.entries[index as usize];
        let id = ConnectionId {
            index,
            generation: entry.generation,
        };
        entry.slot = Some(Slot {
            id,
            core,
            scheduled: None,
            touched_in_poll: 0,
            blocked: false,
            span: tracing::debug_span!("server_connection", id = %id),
        });
        self.live += 1;
        id
    }

    /// Takes connection `id` out; its slot gets a new generation.
    pub(crate) fn remove(&mut self, id: ConnectionId) -> Option<Slot<M>> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        let slot = entry.slot.take()?;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(id.index);
        self.live -= 1;
        Some(slot)
    }

    /// Connection `id`, if it is here.
    pub(crate) fn get(&self, id: ConnectionId) -> Option<&Slot<M>> {
        let entry = self.entries.get(id.index as usize)?;
        (entry.generation == id.generation)
            .then_some(entry.slot.as_ref())
            .flatten()
    }

    /// Connection `id`, if it is here, mutably.
    pub(crate) fn get_mut(&mut self, id: ConnectionId) -> Option<&mut Slot<M>> {
        let entry = self.entries.get_mut(id.index as usize)?;
        (entry.generation == id.generation)
            .then_some(entry.slot.as_mut())
            .flatten()
    }

    /// The connections, by slot number.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Slot<M>> + '_ {
        self.entries.iter().filter_map(|e| e.slot.as_ref())
    }

    /// How many connections there are.
    pub(crate) fn len(&self) -> usize {
        self.live
    }
}
