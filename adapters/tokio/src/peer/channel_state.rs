//! What a data channel's handles and the connection's task share: the
//! inbound queue, the send accounting and the channel's state, behind one
//! mutex, with the wakers of whoever waits on them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use sansrtc::{ChannelId, DataChannelMessage, DataChannelState};
use tokio::sync::Notify;

use super::error::Error;

/// One data channel as the task and the handles see it.
pub(crate) struct ChannelShared {
    pub(crate) id: ChannelId,
    pub(crate) label: String,
    /// Bytes the inbound queue may hold before the data channels pause.
    queue_limit: usize,
    /// `send` waits while `bufferedAmount` (as known) is above this.
    high_water: u64,
    /// The task's: notified whenever a message leaves the queue.
    room: Arc<Notify>,
    state: Mutex<ChannelState>,
}

struct ChannelState {
    ready: DataChannelState,
    inbox: VecDeque<DataChannelMessage>,
    inbox_bytes: usize,
    /// The machine's `bufferedAmount`, as of the last send or
    /// `bufferedamountlow`.
    buffered: u64,
    /// Bytes handed to the task and not sent into the machine yet.
    pending: u64,
    /// A failed stream write, reported by the next write or flush.
    write_error: Option<String>,
    /// Everyone waiting on this channel (woken on any change).
    wakers: Vec<Waker>,
}

impl ChannelShared {
    pub(crate) fn new(
        id: ChannelId,
        label: String,
        ready: DataChannelState,
        queue_limit: usize,
        high_water: u64,
        room: Arc<Notify>,
    ) -> Self {
        Self {
            id,
            label,
            queue_limit,
            high_water,
            room,
            state: Mutex::new(ChannelState {
                ready,
                inbox: VecDeque::new(),
                inbox_bytes: 0,
                buffered: 0,
                pending: 0,
                write_error: None,
                wakers: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ChannelState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // The handles' side.

    /// The next message; `None` once the channel is closed and its queue
    /// empty. Takes a message out only when it returns it (cancel-safe).
    pub(crate) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<DataChannelMessage>> {
        let mut s = self.lock();
        if let Some(message) = s.inbox.pop_front() {
            s.inbox_bytes -= message.len();
            // The task, if it paused the data channels, looks again (this queue or
            // the total may be under their bounds now).
            self.room.notify_one();
            return Poll::Ready(Some(message));
        }
        if s.ready == DataChannelState::Closed {
            return Poll::Ready(None);
        }
        register(&mut s.wakers, cx);
        Poll::Pending
    }

    /// Ready when the channel is open; an error once it is closing or
    /// closed.
    pub(crate) fn poll_open(&self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut s = self.lock();
        match s.ready {
            DataChannelState::Open => Poll::Ready(Ok(())),
            DataChannelState::Closing | DataChannelState::Closed => {
                Poll::Ready(Err(Error::ChannelClosed))
            }
            DataChannelState::Connecting => {
                register(&mut s.wakers, cx);
                Poll::Pending
            }
        }
    }

    /// Ready when the channel is open and its `bufferedAmount` (with what
    /// is on its way to the machine) is at most the high-water mark.
    pub(crate) fn poll_room(&self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut s = self.lock();
        match s.ready {
            DataChannelState::Closing | DataChannelState::Closed => {
                return Poll::Ready(Err(Error::ChannelClosed))
            }
            DataChannelState::Open if s.buffered + s.pending <= self.high_water => {
                return Poll::Ready(Ok(()))
            }
            _ => {}
        }
        register(&mut s.wakers, cx);
        Poll::Pending
    }

    /// Ready when every byte handed to the task is in the machine; the
    /// first failed write, if any.
    pub(crate) fn poll_handed_over(&self, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        let mut s = self.lock();
        if let Some(error) = s.write_error.take() {
            return Poll::Ready(Err(error));
        }
        if s.pending == 0 {
            return Poll::Ready(Ok(()));
        }
        if s.ready == DataChannelState::Closed {
            return Poll::Ready(Err("the channel closed before the bytes were sent".into()));
        }
        register(&mut s.wakers, cx);
        Poll::Pending
    }

    /// `bytes` are on their way to the machine.
    pub(crate) fn add_pending(&self, bytes: u64) {
        self.lock().pending += bytes;
    }

    /// A failed stream write, if one is waiting to be reported.
    pub(crate) fn take_write_error(&self) -> Option<String> {
        self.lock().write_error.take()
    }

    /// The state as last reported by the machine.
    pub(crate) fn ready_state(&self) -> DataChannelState {
        self.lock().ready
    }

    /// Bytes of received messages waiting for the application.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.lock().inbox_bytes
    }

    // The task's side.

    /// A received message.
    pub(crate) fn push(&self, message: DataChannelMessage) {
        let mut s = self.lock();
        s.inbox_bytes += message.len();
        s.inbox.push_back(message);
        wake(&mut s.wakers);
    }

    /// Bytes queued, and whether that fills the queue (the task then
    /// pauses the data channels).
    pub(crate) fn fill(&self) -> (usize, bool) {
        let bytes = self.lock().inbox_bytes;
        (bytes, bytes >= self.queue_limit)
    }

    /// Closed, with nothing left to read.
    pub(crate) fn closed_and_empty(&self) -> bool {
        let s = self.lock();
        s.ready == DataChannelState::Closed && s.inbox.is_empty()
    }

    /// The machine's new state for the channel.
    pub(crate) fn set_ready_state(&self, ready: DataChannelState) {
        let mut s = self.lock();
        s.ready = ready;
        wake(&mut s.wakers);
    }

    /// `bytes` went into the machine (or failed to: `error`), which now
    /// buffers `buffered`.
    pub(crate) fn handed_over(&self, bytes: u64, buffered: u64, error: Option<String>) {
        let mut s = self.lock();
        s.pending = s.pending.saturating_sub(bytes);
        s.buffered = buffered;
        if error.is_some() && s.write_error.is_none() {
            s.write_error = error;
        }
        wake(&mut s.wakers);
    }

    /// The machine's `bufferedAmount` now (after `bufferedamountlow`).
    pub(crate) fn set_buffered(&self, buffered: u64) {
        let mut s = self.lock();
        s.buffered = buffered;
        wake(&mut s.wakers);
    }
}

fn register(wakers: &mut Vec<Waker>, cx: &mut Context<'_>) {
    if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
        wakers.push(cx.waker().clone());
    }
}

fn wake(wakers: &mut Vec<Waker>) {
    for waker in wakers.drain(..) {
        waker.wake();
    }
}
