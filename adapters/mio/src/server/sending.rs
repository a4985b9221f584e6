//! Sending a connection's outbox through the server's sockets, and what
//! the server learns from the transmits as they leave.

use std::io;

use sansrtc_adapter_core::{DriverCore, SendOutcome, SocketTable};
use sansrtc_proto::Transmit;

use super::connection::{ConnectionId, ServerConnection};
use super::demux::Request;
use super::transactions::{self, Transactions};
use crate::sockets::RegisteredSocket;

/// What the server looks for in a connection's transmits as they leave.
pub(crate) struct Watch<'a> {
    id: ConnectionId,
    /// A Binding request just handed to the connection.
    request: Option<Request>,
    /// Its success response was sent.
    pub(crate) answered: bool,
    /// Where the connection's STUN requests are remembered.
    transactions: &'a mut Transactions,
    /// Older transactions forgotten to make room.
    pub(crate) forgotten: u64,
}

impl<'a> Watch<'a> {
    /// Watches the transmits of connection `id`, which was just handed
    /// `request` (if any).
    pub(crate) fn new(
        id: ConnectionId,
        request: Option<Request>,
        transactions: &'a mut Transactions,
    ) -> Self {
        Self {
            id,
            request,
            answered: false,
            transactions,
            forgotten: 0,
        }
    }

    /// `transmit` was sent.
    fn sent(&mut self, transmit: &Transmit) {
        if self.request.is_some_and(|r| r.answered_by(transmit)) {
            self.answered = true;
        } else if let Some(transaction) = transactions::request_transaction(transmit) {
            self.forgotten += u64::from(self.transactions.sent(self.id, transaction));
        }
    }
}

/// Sends `core`'s outbox through the server's sockets until one would
/// block, showing `watch` every transmit sent.
pub(crate) fn send_outbox<M: ServerConnection>(
    core: &mut DriverCore<M>,
    sockets: &SocketTable<RegisteredSocket>,
    watch: &mut Watch<'_>,
) {
    core.send_outbox(sockets, |socket, t| {
        let outcome = match socket.udp.send_to(&t.contents, t.destination) {
            Ok(_) => SendOutcome::Sent,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => SendOutcome::WouldBlock,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => SendOutcome::Interrupted,
            Err(_) => SendOutcome::Failed,
        };
        if outcome == SendOutcome::Sent {
            watch.sent(t);
        }
        outcome
    });
}
