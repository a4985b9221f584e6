//! [`ServerCounters`]: what went through the server as a whole, and what it
//! dropped.

/// Counts kept by the [`Server`](crate::Server) for all its connections
/// (each connection's own outbox and event counts are its
/// [`DriverCounters`](crate::DriverCounters), from
/// [`Server::connection_counters`](crate::Server::connection_counters)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerCounters {
    /// Calls to [`Server::poll_once`](crate::Server::poll_once).
    pub polls: u64,
    /// Datagrams read from the server's sockets.
    pub datagrams_received: u64,
    /// Datagrams handed to a connection because they were a STUN Binding
    /// request naming one of its ufrags.
    pub routed_by_ufrag: u64,
    /// STUN responses handed to the connection that sent the request
    /// (by transaction id).
    pub routed_by_transaction: u64,
    /// Datagrams handed to a connection by their source address.
    pub routed_by_address: u64,
    /// Dropped: a Binding request naming a ufrag no connection has.
    pub unknown_ufrag: u64,
    /// Dropped: any other datagram from an address no connection has a
    /// route for.
    pub unroutable: u64,
    /// Binding requests routed by ufrag that their connection did not
    /// answer with a success response (bad MESSAGE-INTEGRITY, a role
    /// conflict, a closed connection): they teach no route.
    pub requests_unanswered: u64,
    /// Routes (source address → connection) learned from Binding requests
    /// their connection answered with a success response.
    pub routes_learned: u64,
    /// Routes taken from one connection by a request for another.
    pub routes_moved: u64,
    /// Routes evicted because their connection had
    /// [`ROUTES_PER_CONNECTION`](crate::ROUTES_PER_CONNECTION) newer ones.
    pub routes_evicted: u64,
    /// Outstanding transactions forgotten because their connection had
    /// [`TRANSACTIONS_PER_CONNECTION`](crate::TRANSACTIONS_PER_CONNECTION)
    /// newer ones.
    pub transactions_forgotten: u64,
    /// Ufrags a connection claimed that another connection already had
    /// (the first keeps it).
    pub ufrag_conflicts: u64,
    /// Connections given at least one input in a poll, summed over polls:
    /// the work a poll does is proportional to this, not to the number of
    /// connections.
    pub connections_touched: u64,
    /// `handle_timeout` calls (a connection's deadline passed).
    pub timeouts_fired: u64,
    /// Timer entries found outdated when they came due (the connection was
    /// removed or its deadline moved) and skipped without touching it.
    pub stale_timers: u64,
    /// Application commands ([`Server::with_connection`](crate::Server::with_connection)).
    pub commands: u64,
    /// Drains of a connection (one after every input).
    pub drains: u64,
    /// Events dropped because
    /// [`SERVER_EVENT_LIMIT`](crate::SERVER_EVENT_LIMIT) were waiting
    /// (the oldest goes).
    pub events_dropped: u64,
    /// Receive calls that failed.
    pub receive_errors: u64,
}
