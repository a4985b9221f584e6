//! Counters for a stats API (`RTCTransportStats`-style figures, drop causes).

use crate::SrtpError;

/// What a context has done since it was created. Every rejected packet is
/// counted under exactly one cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SrtpStats {
    /// RTP packets protected.
    pub rtp_protected: u64,
    /// SRTP packets accepted.
    pub rtp_unprotected: u64,
    /// RTCP packets protected.
    pub rtcp_protected: u64,
    /// SRTCP packets accepted.
    pub rtcp_unprotected: u64,
    /// Packets whose tag did not verify.
    pub auth_failures: u64,
    /// Packets rejected as replays.
    pub replayed: u64,
    /// Packets rejected as behind the replay window.
    pub too_old: u64,
    /// Packets rejected as malformed (too short, bad version, header overrun).
    pub malformed: u64,
    /// Packets of a new SSRC rejected because of the SSRC bound.
    pub stream_limit_drops: u64,
    /// Protect calls refused for another reason (buffer too small, index
    /// exhausted).
    pub protect_errors: u64,
}

impl SrtpStats {
    /// Counts a rejected packet of an unprotect call under its cause.
    pub(crate) fn count_rejection(&mut self, e: &SrtpError) {
        match e {
            SrtpError::AuthenticationFailed => self.auth_failures += 1,
            SrtpError::Replayed { .. } => self.replayed += 1,
            SrtpError::TooOld { .. } => self.too_old += 1,
            SrtpError::StreamLimit { .. } => self.stream_limit_drops += 1,
            _ => self.malformed += 1,
        }
    }
}
