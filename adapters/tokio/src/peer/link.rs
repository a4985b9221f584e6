//! The way from a handle to the connection's task: commands that run with
//! the machine, on the task.

use std::time::Instant;

use sansrtc::RtcPeerConnection;
use tokio::sync::{mpsc, oneshot};

use super::error::Error;
use super::task_state::TaskState;

/// Work for the task: runs with the machine, the task's registries and
/// tokio's `now`.
pub(crate) type Command = Box<dyn FnOnce(&mut RtcPeerConnection, &mut TaskState, Instant) + Send>;

/// What a handle sends to the task.
pub(crate) enum Request {
    /// Run this.
    Run(Command),
    /// `close()`: close, send what closing sends, end; answer when done.
    Close(oneshot::Sender<()>),
}

/// The command sender every handle holds. The queue is unbounded because
/// nearly every command is a call whose caller waits for its answer (so it
/// holds at most one command per waiting caller); the exceptions are
/// [`crate::DataChannelStream`] writes, which are bounded by the channel's
/// high-water mark, and one close per dropped channel. The task ends when
/// every `Link` is gone (the last handle dropped).
#[derive(Clone)]
pub(crate) struct Link {
    tx: mpsc::UnboundedSender<Request>,
}

/// A `Link` that does not keep the task alive (held by the task itself
/// and by resolutions in flight).
#[derive(Clone)]
pub(crate) struct WeakLink {
    tx: mpsc::WeakUnboundedSender<Request>,
}

impl Link {
    /// A new link and the task's end of it.
    pub(crate) fn new() -> (Link, mpsc::UnboundedReceiver<Request>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Link { tx }, rx)
    }

    /// Queues `command` without waiting for it.
    pub(crate) fn send(&self, command: Command) -> Result<(), Error> {
        self.tx
            .send(Request::Run(command))
            .map_err(|_| Error::TaskEnded)
    }

    /// Runs `f` on the task and returns what it returned.
    ///
    /// Cancelling the returned future after it was first polled does not
    /// take the command back: it still runs, its answer is dropped.
    pub(crate) async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut RtcPeerConnection, &mut TaskState, Instant) -> R + Send + 'static,
    ) -> Result<R, Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Box::new(move |pc, state, now| {
            let _ = reply.send(f(pc, state, now));
        }))?;
        answer.await.map_err(|_| Error::TaskEnded)
    }

    /// Asks the task to close, and waits until it has (or has ended).
    pub(crate) async fn close(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Request::Close(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// A link that does not keep the task alive.
    pub(crate) fn downgrade(&self) -> WeakLink {
        WeakLink {
            tx: self.tx.downgrade(),
        }
    }
}

impl WeakLink {
    /// The link, if any handle still holds the task.
    pub(crate) fn upgrade(&self) -> Option<Link> {
        self.tx.upgrade().map(|tx| Link { tx })
    }
}
