//! The client's view of its permissions and channel bindings, and the
//! bounded queue of data waiting for a permission.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

/// Where a permission or channel binding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingState {
    /// Requested, no answer yet.
    Pending,
    /// Installed on the server (refreshed while in use).
    Installed,
    /// Lapsed: not refreshed because it was idle (a channel keeps its
    /// number for its peer and is bound again when used).
    Expired,
    /// The server refused it (or did not answer).
    Failed,
}

/// One permission (RFC 8656 §9), keyed by peer IP.
#[derive(Debug, Clone)]
pub(crate) struct Permission {
    pub state: BindingState,
    /// A CreatePermission for it is outstanding.
    pub in_flight: bool,
    /// When to refresh it (Installed) or forget it (Failed).
    pub refresh_at: Option<Instant>,
    /// When the server drops it.
    pub expires_at: Option<Instant>,
    /// Last send to or receive from this IP.
    pub last_used: Instant,
}

impl Permission {
    pub fn pending(now: Instant) -> Self {
        Permission {
            state: BindingState::Pending,
            in_flight: true,
            refresh_at: None,
            expires_at: None,
            last_used: now,
        }
    }
}

/// One channel binding (RFC 8656 §12), keyed by peer address. Its number
/// never moves to another peer.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub number: u16,
    pub state: BindingState,
    pub in_flight: bool,
    pub refresh_at: Option<Instant>,
    pub expires_at: Option<Instant>,
    pub last_used: Instant,
}

/// A datagram waiting for its peer's permission.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub peer: SocketAddr,
    pub data: Vec<u8>,
}

/// The bounded queue of [`Queued`] datagrams.
#[derive(Debug, Clone, Default)]
pub(crate) struct SendQueue {
    items: VecDeque<Queued>,
    bytes: usize,
}

impl SendQueue {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether one more datagram of `len` bytes fits the bounds.
    pub fn fits(&self, len: usize, max_packets: usize, max_bytes: usize) -> bool {
        self.items.len() < max_packets && self.bytes + len <= max_bytes
    }

    pub fn push(&mut self, peer: SocketAddr, data: Vec<u8>) {
        self.bytes += data.len();
        self.items.push_back(Queued { peer, data });
    }

    /// Removes and returns, in order, the datagrams for peers `matches`.
    pub fn take_where(&mut self, mut matches: impl FnMut(&SocketAddr) -> bool) -> Vec<Queued> {
        let mut taken = Vec::new();
        let mut kept = VecDeque::with_capacity(self.items.len());
        for q in self.items.drain(..) {
            if matches(&q.peer) {
                self.bytes -= q.data.len();
                taken.push(q);
            } else {
                kept.push_back(q);
            }
        }
        self.items = kept;
        taken
    }

    pub fn clear(&mut self) -> usize {
        let n = self.items.len();
        self.items.clear();
        self.bytes = 0;
        n
    }
}
