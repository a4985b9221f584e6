//! What the connection's task dropped, or did to stay within its bounds.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the connection's task dropped or did to stay within its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PeerConnectionCounters {
    /// Events dropped because the [`crate::Events`] queue was full (or nobody
    /// took it).
    pub events_dropped: u64,
    /// Times the data channels were paused (received messages left in
    /// SCTP, whose window closes) because a channel's queue, or all of them
    /// together, reached their bound.
    pub data_channel_pauses: u64,
    /// Messages of channels without a handle (dropped before the remote
    /// stopped sending).
    pub messages_without_handle: u64,
    /// Frames or packets of transceivers without a [`crate::TrackReceiver`].
    pub media_without_receiver: u64,
    /// Remote channels or tracks dropped because their accept queue was
    /// full.
    pub remote_handles_dropped: u64,
}

/// Counts of what the task dropped or did to keep its bounds, shared with
/// the handles.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) events_dropped: AtomicU64,
    pub(crate) data_channel_pauses: AtomicU64,
    pub(crate) messages_without_handle: AtomicU64,
    pub(crate) media_without_receiver: AtomicU64,
    pub(crate) remote_handles_dropped: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub(crate) fn snapshot(&self) -> PeerConnectionCounters {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        PeerConnectionCounters {
            events_dropped: get(&self.events_dropped),
            data_channel_pauses: get(&self.data_channel_pauses),
            messages_without_handle: get(&self.messages_without_handle),
            media_without_receiver: get(&self.media_without_receiver),
            remote_handles_dropped: get(&self.remote_handles_dropped),
        }
    }
}
