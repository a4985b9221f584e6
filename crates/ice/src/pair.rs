//! Candidate pairs and their states (RFC 8445 §6.1.2).

/// The state of a pair in the check list (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Waiting for a pair of its foundation to succeed.
    Frozen,
    /// Ready to be checked.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Checks failed.
    Failed,
}

/// A pair of a local base candidate (host or relay) and a remote candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    /// Index into the agent's local candidates.
    pub(crate) local: usize,
    /// Index into the agent's remote candidates.
    pub(crate) remote: usize,
    pub(crate) component: u16,
    pub(crate) priority: u64,
    pub(crate) state: PairState,
    /// Local and remote foundations joined.
    pub(crate) foundation: String,
    /// Nominated (USE-CANDIDATE sent and answered, or received and valid).
    pub(crate) nominated: bool,
    /// Controlled: USE-CANDIDATE arrived before our own check succeeded.
    pub(crate) nominate_on_success: bool,
    /// Controlling: a nominating check is queued or in flight.
    pub(crate) nominating: bool,
}
