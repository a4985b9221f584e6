//! The connection's task: one `Driver<Gate>` (the peer connection behind
//! its gate), the commands of the handles, and the loop that feeds one with
//! the other (where the events go is `task_state.rs`).

use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::counters::Counters;
use super::gate::Gate;
use super::link::Request;
use super::task_state::TaskState;
use crate::Driver;

/// The clock of the machine: tokio's (paused in `start_paused` tests).
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Commands taken from the queue per turn of the loop before it waits.
const COMMAND_BATCH: usize = 32;

/// Applies one request; `Some` when the task must end (with the reply of a
/// `close()`, if that is why).
fn apply(
    driver: &mut Driver<Gate>,
    state: &mut TaskState,
    request: Option<Request>,
) -> Option<Option<oneshot::Sender<()>>> {
    match request {
        Some(Request::Run(command)) => {
            driver.with_machine(|gate| command(&mut gate.pc, state, now()));
            None
        }
        Some(Request::Close(reply)) => Some(Some(reply)),
        None => {
            tracing::debug!("every handle was dropped");
            Some(None)
        }
    }
}

/// The task's loop: commands and the driver's events, in a `select!`. While
/// the channel queues are full the [`Gate`] holds back the datagrams that
/// carry DTLS (so the data channels stop while ICE, its timers and media
/// go on); once they have room the held datagrams are handed over one at a
/// time, each only when the events of the one before were delivered. It
/// ends on `close()`, when every handle is gone, or when the driver fails,
/// closing the connection and sending what closing sends (for at most
/// `close_timeout`).
pub(crate) async fn run(
    mut driver: Driver<Gate>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    mut state: TaskState,
) {
    let mut paused = false;
    let closed_by = 'running: loop {
        let current = driver.machine().pc.connection_state();
        state
            .state
            .send_if_modified(|s| std::mem::replace(s, current) != current);
        for (ip, name) in state.take_tls_host_names() {
            match crate::rustls::pki_types::ServerName::try_from(name) {
                Ok(name) => driver.set_tls_host_name(ip, name),
                Err(error) => tracing::debug!(%error, "not a TLS server name"),
            }
        }
        let full = state.queues_full();
        if full != paused {
            paused = full;
            driver.with_machine(|gate| gate.paused = full);
            if full {
                Counters::bump(&state.counters.data_channel_pauses);
                tracing::trace!("channel queues full: DTLS held back");
            }
        }
        let releasing = !full && driver.machine().has_held();
        state
            .counters
            .held_dropped
            .store(driver.machine().held_dropped, Ordering::Relaxed);
        // The commands waiting now, a batch at most per turn: a busy
        // network cannot starve them, nor they the network.
        for _ in 0..COMMAND_BATCH {
            let request = match requests.try_recv() {
                Ok(request) => Some(request),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => None,
            };
            if let Some(end) = apply(&mut driver, &mut state, request) {
                break 'running end;
            }
        }
        tokio::select! {
            // The driver's events before the next held datagram, so each
            // held one is released only once the events of the one before
            // were delivered.
            biased;
            event = driver.next_event() => match event {
                Ok(event) => driver.with_machine(|gate| state.on_event(&mut gate.pc, now(), event)),
                Err(error) => {
                    tracing::warn!(%error, "driver failed");
                    break None;
                }
            },
            request = requests.recv() => {
                if let Some(end) = apply(&mut driver, &mut state, request) {
                    break end;
                }
            }
            () = state.room.notified(), if full => {}
            () = std::future::ready(()), if releasing => {
                driver.with_machine(|gate| gate.release_one(now()));
            }
        }
    };
    driver.with_machine(|gate| gate.pc.close(now()));
    // DTLS close_notify and SCTP ABORT: out before the sockets go.
    let flushed = tokio::time::timeout(state.options.close_timeout, driver.flush()).await;
    state.end();
    tracing::debug!(
        flushed = flushed.is_ok(),
        counters = ?driver.counters(),
        "connection closed"
    );
    if let Some(reply) = closed_by {
        let _ = reply.send(());
    }
}
