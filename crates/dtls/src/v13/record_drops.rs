//! What a DTLS 1.3 connection dropped on receipt, counted as `DtlsStats`
//! counts it for 1.2, so the endpoint reports both versions alike.

/// Records and datagrams a 1.3 connection dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RecordDrops {
    /// Datagrams whose rest could not be framed.
    pub(crate) malformed_datagrams: u64,
    /// Protected records the replay window refused.
    pub(crate) replayed_records: u64,
    /// Protected records that did not authenticate.
    pub(crate) bad_record_mac: u64,
    /// Protected records of an epoch we have no keys for (not kept).
    pub(crate) wrong_epoch_records: u64,
    /// Records not kept because the buffer of early records was full.
    pub(crate) buffer_full_records: u64,
    /// Unprotected handshake records that do not parse.
    pub(crate) dropped_fragments: u64,
}
