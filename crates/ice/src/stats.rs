//! Counters: every dropped input and every bound that was hit is counted.

/// What the agent did and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IceStats {
    /// Connectivity checks sent (first transmissions).
    pub checks_sent: u64,
    /// Retransmissions of checks.
    pub check_retransmissions: u64,
    /// Consent checks sent (RFC 7675).
    pub consent_checks_sent: u64,
    /// Authenticated Binding requests received.
    pub requests_received: u64,
    /// Authenticated responses received.
    pub responses_received: u64,
    /// STUN messages whose MESSAGE-INTEGRITY was missing or wrong.
    pub unauthenticated_dropped: u64,
    /// Malformed STUN (parse errors, bad FINGERPRINT, missing attributes).
    pub malformed_dropped: u64,
    /// Responses to no transaction of ours.
    pub unknown_transaction_dropped: u64,
    /// Datagrams from addresses we have no pair with, or to no base of ours.
    pub unknown_source_dropped: u64,
    /// Checks refused because `iceTransportPolicy: relay` forbids answering from a host address.
    pub relay_policy_dropped: u64,
    /// Remote candidates refused at `max_remote_candidates`.
    pub remote_candidates_dropped: u64,
    /// Pairs not formed at `max_pairs`.
    pub pairs_dropped: u64,
    /// Triggered checks not queued at `max_triggered_checks`.
    pub triggered_dropped: u64,
    /// Transactions not started at `max_transactions`.
    pub transactions_dropped: u64,
    /// Role conflicts seen (487 sent or received, or a role switch).
    pub role_conflicts: u64,
    /// Candidates pruned as redundant (a srflx equal to its base, duplicates).
    pub redundant_pruned: u64,
    /// `send` calls refused because the selected pair lost consent.
    pub data_refused: u64,
}
