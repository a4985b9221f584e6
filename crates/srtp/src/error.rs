//! The crate's single error type.

use crate::Profile;

/// Why a context could not be built or a packet was not protected or
/// accepted. One variant per cause, so a stats API or a log can say exactly
/// why a packet was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrtpError {
    /// The master key does not have the profile's length.
    #[error("master key is {got} bytes, {profile:?} needs {expected}")]
    MasterKeyLength {
        /// The profile the key was given for.
        profile: Profile,
        /// Bytes the profile needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The master salt does not have the profile's length.
    #[error("master salt is {got} bytes, {profile:?} needs {expected}")]
    MasterSaltLength {
        /// The profile the salt was given for.
        profile: Profile,
        /// Bytes the profile needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A session authentication key for HMAC-SHA1 is not 20 bytes.
    #[error("session authentication key is {0} bytes, HMAC-SHA1 needs 20")]
    AuthKeyLength(usize),
    /// The DTLS-SRTP keying material does not have the profile's length
    /// (RFC 5764 §4.2: 2 × (key + salt)).
    #[error("keying material is {got} bytes, the profile needs {expected}")]
    KeyingMaterialLength {
        /// Bytes the profile needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The replay window size is outside `1..=MAX_REPLAY_WINDOW`.
    #[error("replay window of {0} packets is outside 1..={max}", max = crate::MAX_REPLAY_WINDOW)]
    InvalidReplayWindow(usize),
    /// The bound on the number of SSRCs is zero.
    #[error("the SSRC bound must be at least 1")]
    InvalidStreamLimit,
    /// The packet is shorter than the smallest valid packet of its kind.
    #[error("packet of {len} bytes is shorter than the minimum of {min}")]
    TooShort {
        /// Bytes in the packet.
        len: usize,
        /// Minimum for this kind of packet under this profile.
        min: usize,
    },
    /// The version field is not 2.
    #[error("RTP/RTCP version is {0}, not 2")]
    BadVersion(u8),
    /// The CSRC list or the header extension runs past the packet's end.
    #[error("RTP header of {header_len} bytes runs past the packet's {len} bytes")]
    HeaderOverrun {
        /// Header length the CC and X fields announce.
        header_len: usize,
        /// Bytes in the packet (without the tag).
        len: usize,
    },
    /// The caller's buffer has no room for the tag (and SRTCP trailer).
    #[error("buffer holds {available} bytes, protecting needs {needed}")]
    BufferTooSmall {
        /// Bytes the protected packet needs.
        needed: usize,
        /// Bytes the buffer holds.
        available: usize,
    },
    /// The authentication tag (HMAC-SHA1 or the GCM tag) does not verify:
    /// tampered, wrong key, or a wrong rollover-counter guess.
    #[error("authentication failed")]
    AuthenticationFailed,
    /// The packet index was already received (replay window hit).
    #[error("packet index {index} was already received (replay)")]
    Replayed {
        /// The packet's (estimated) index.
        index: u64,
    },
    /// The packet index lies behind the replay window.
    #[error("packet index {index} is behind the replay window (highest {highest})")]
    TooOld {
        /// The packet's (estimated) index.
        index: u64,
        /// The highest index received so far on this stream.
        highest: u64,
    },
    /// A packet of a new SSRC arrived while the context already tracks its
    /// bound of SSRCs; no state was created.
    #[error("already tracking the limit of {limit} SSRCs")]
    StreamLimit {
        /// The configured bound.
        limit: usize,
    },
    /// The SRTP index (2^48) or SRTCP index (2^31) is used up: the master
    /// key must be replaced (RFC 3711 §9.2).
    #[error("packet index space exhausted; re-key")]
    IndexExhausted,
}
