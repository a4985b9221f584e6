//! STUN responses find their connection by transaction id.
//!
//! A connection's own STUN requests (its ICE checks, a Binding request to a
//! STUN server for a server-reflexive candidate) are answered from an
//! address that may have no route yet: the peer's answer to a check that
//! reached it before the peer's own first check reached the server, or a
//! STUN server. The server sees every request a connection sends, so it
//! keeps the request's transaction id (96 random bits, which nobody else
//! can guess) and hands the response with that id to the connection. Each
//! connection keeps at most [`TRANSACTIONS_PER_CONNECTION`] ids, the
//! oldest forgotten first; a response removes its id.

use std::collections::{BTreeMap, VecDeque};

use sansrtc_proto::{Protocol, Transmit};
use sansrtc_stun::{Class, Message, TransactionId};

use super::connection::ConnectionId;

/// Most outstanding STUN transactions remembered per connection; past it
/// the oldest is forgotten (its response, if one still comes, goes by
/// source address). ICE paces checks (one every 50 ms per agent) and a
/// transaction lasts seconds, so a connection has far fewer.
pub const TRANSACTIONS_PER_CONNECTION: usize = 64;

/// The transaction id of `transmit` if it is a STUN request.
pub(crate) fn request_transaction(transmit: &Transmit) -> Option<TransactionId> {
    if transmit.protocol != Protocol::Udp || !Message::looks_like_stun(&transmit.contents) {
        return None;
    }
    let message = Message::parse(&transmit.contents).ok()?;
    (message.class() == Class::Request).then(|| message.transaction_id())
}

/// The outstanding transactions of every connection.
#[derive(Debug, Default)]
pub(crate) struct Transactions {
    owner: BTreeMap<TransactionId, ConnectionId>,
    /// Each connection's ids, oldest first.
    by_connection: BTreeMap<ConnectionId, VecDeque<TransactionId>>,
}

impl Transactions {
    /// `id` sent a request with this transaction. Returns whether an older
    /// one of its transactions was forgotten to make room.
    pub(crate) fn sent(&mut self, id: ConnectionId, transaction: TransactionId) -> bool {
        if self.owner.insert(transaction, id).is_some() {
            // A retransmission: already remembered.
            return false;
        }
        let ids = self.by_connection.entry(id).or_default();
        ids.push_back(transaction);
        if ids.len() <= TRANSACTIONS_PER_CONNECTION {
            return false;
        }
        if let Some(oldest) = ids.pop_front() {
            self.owner.remove(&oldest);
        }
        true
    }

    /// The connection waiting for the response to `transaction`, which is
    /// forgotten (a later copy goes by source address).
    pub(crate) fn answered(&mut self, transaction: TransactionId) -> Option<ConnectionId> {
        let id = self.owner.remove(&transaction)?;
        if let Some(ids) = self.by_connection.get_mut(&id) {
            ids.retain(|t| *t != transaction);
        }
        Some(id)
    }

    /// Forgets `id`'s transactions (it was removed).
    pub(crate) fn forget(&mut self, id: ConnectionId) {
        for transaction in self.by_connection.remove(&id).unwrap_or_default() {
            self.owner.remove(&transaction);
        }
    }

    /// How many transactions are remembered, for all connections.
    pub(crate) fn len(&self) -> usize {
        self.owner.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(index: u32) -> ConnectionId {
        ConnectionId {
            index,
            generation: 0,
        }
    }

    fn tid(n: u32) -> TransactionId {
        let mut t = [0; 12];
        t[..4].copy_from_slice(&n.to_be_bytes());
        TransactionId(t)
    }

    #[test]
    fn a_response_finds_the_connection_once() {
        let mut table = Transactions::default();
        table.sent(id(1), tid(1));
        table.sent(id(2), tid(2));
        assert_eq!(table.answered(tid(2)), Some(id(2)));
        assert_eq!(table.answered(tid(2)), None);
        assert_eq!(table.answered(tid(3)), None);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn a_connection_remembers_its_newest_transactions_only() {
        let mut table = Transactions::default();
        let cap = TRANSACTIONS_PER_CONNECTION as u32;
        for n in 0..cap {
            assert!(!table.sent(id(1), tid(n)));
        }
        assert!(
            !table.sent(id(1), tid(0)),
            "a retransmission is no new entry"
        );
        assert!(table.sent(id(1), tid(cap)));
        assert_eq!(table.answered(tid(0)), None);
        assert_eq!(table.answered(tid(cap)), Some(id(1)));
        assert_eq!(table.len(), TRANSACTIONS_PER_CONNECTION - 1);
    }

    #[test]
    fn forgetting_a_connection_drops_its_transactions() {
        let mut table = Transactions::default();
        table.sent(id(1), tid(1));
        table.sent(id(2), tid(2));
        table.forget(id(1));
        assert_eq!(table.answered(tid(1)), None);
        assert_eq!(table.answered(tid(2)), Some(id(2)));
    }
}
