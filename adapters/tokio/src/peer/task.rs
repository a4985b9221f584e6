//! The connection's task: one `Driver<RtcPeerConnection>`, the commands of
//! the handles, and the loop that feeds one with the other (where the
//! events go is `task_state.rs`).

use std::time::Instant;

use sansrtc::RtcPeerConnection;
use tokio::sync::{mpsc, oneshot};

use super::counters::Counters;
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
    driver: &mut Driver<RtcPeerConnection>,
    state: &mut TaskState,
    request: Option<Request>,
) -> Option<Option<oneshot::Sender<()>>> {
    match request {
        Some(Request::Run(command)) => {
            driver.with_machine(|pc| command(pc, state, now()));
            None
        }
        Some(Request::Close(reply)) => Some(Some(reply)),
        None => {
            tracing::debug!("every handle was dropped");
            Some(None)
        }
    }
}

/// The next read budget of the connection's data channels, if it must
/// change: `budget` is what is left of the current one (`None`: no limit),
/// `room` what the queues can take.
///
/// - No limit, and the queues are full: pause (a budget of zero). Until
///   then each datagram delivers the messages it completes, so a queue
///   passes its bound by at most those.
/// - Paused or spent, and there is room: that much (what waits in SCTP is
///   delivered up to it).
/// - Budget left over (SCTP had no more waiting) and room: no limit again.
pub(crate) fn read_budget(budget: Option<usize>, room: usize) -> Option<Option<usize>> {
    match budget {
        None if room == 0 => Some(Some(0)),
        None => None,
        Some(0) if room > 0 => Some(Some(room)),
        Some(0) => None,
        Some(_) if room > 0 => Some(None),
        Some(_) => Some(Some(0)),
    }
}

/// The task's loop: commands and the driver's events, in a `select!`. While
/// the channel queues are full the connection's data-channel delivery is
/// paused (its read budget is zero: received messages wait in SCTP, whose
/// window closes, while SACKs, ICE, DTLS and media go on); once the
/// queues have room, the budget is that room, and once SCTP has nothing
/// more waiting, delivery is unlimited again ([`read_budget`]). It ends on
/// `close()`, when every handle is gone, or when the driver fails, closing
/// the connection and sending what closing sends (for at most
/// `close_timeout`).
pub(crate) async fn run(
    mut driver: Driver<RtcPeerConnection>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    mut state: TaskState,
) {
    let closed_by = 'running: loop {
        let current = driver.machine().connection_state();
        state
            .state
            .send_if_modified(|s| std::mem::replace(s, current) != current);
        for (ip, name) in state.take_tls_host_names() {
            match crate::rustls::pki_types::ServerName::try_from(name) {
                Ok(name) => driver.set_tls_host_name(ip, name),
                Err(error) => tracing::debug!(%error, "not a TLS server name"),
            }
        }
        let room = state.queue_room();
        let budget = driver.machine().data_channel_read_budget();
        // Messages already taken out of SCTP but still in the driver's
        // event queue are not in the queues yet: grant more only once
        // they are.
        let settled = !driver.has_pending_events();
        if let Some(next) = read_budget(budget, room).filter(|n| settled || *n == Some(0)) {
            if next == Some(0) {
                Counters::bump(&state.counters.data_channel_pauses);
                tracing::trace!("channel queues full: data channels paused");
            }
            driver.with_machine(|pc| pc.set_data_channel_read_budget(now(), next));
        }
        let full = room == 0;
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
            // The driver's events first: the budget is checked after each.
            biased;
            event = driver.next_event() => match event {
                Ok(event) => driver.with_machine(|pc| state.on_event(pc, now(), event)),
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
        }
    };
    driver.with_machine(|pc| pc.close(now()));
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

#[cfg(test)]
mod tests {
    use super::read_budget;

    #[test]
    fn the_budget_pauses_when_full_refills_with_room_and_lifts_when_sctp_is_empty() {
        // No limit: pause only when full.
        assert_eq!(read_budget(None, 0), Some(Some(0)));
        assert_eq!(read_budget(None, 10), None);
        // Paused (or spent): the room, once there is some.
        assert_eq!(read_budget(Some(0), 0), None);
        assert_eq!(read_budget(Some(0), 10), Some(Some(10)));
        // Budget left over: SCTP had nothing more; no limit again, unless
        // the queues filled meanwhile.
        assert_eq!(read_budget(Some(4), 10), Some(None));
        assert_eq!(read_budget(Some(4), 0), Some(Some(0)));
    }
}
