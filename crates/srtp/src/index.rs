//! Rollover counter and packet index estimation (RFC 3711 §3.3.1 and
//! Appendix A).

/// The sender's or receiver's view of one SRTP stream's index: the
/// rollover counter `ROC` and the highest sequence number `s_l` seen with it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RocState {
    roc: u32,
    s_l: u16,
    started: bool,
}

impl RocState {
    /// The estimated 48-bit index of a packet with sequence number `seq`
    /// (RFC 3711 Appendix A). `None` when the estimate falls before index 0
    /// (a packet from before the stream's first one, ROC would be -1).
    #[inline]
    pub(crate) fn estimate(&self, seq: u16) -> Option<u64> {
        if !self.started {
            return Some(u64::from(seq));
        }
        let roc = i64::from(self.roc);
        let v = if self.s_l < 32_768 {
            if i64::from(seq) - i64::from(self.s_l) > 32_768 {
                roc - 1
            } else {
                roc
            }
        } else if i64::from(self.s_l) - 32_768 > i64::from(seq) {
            roc + 1
        } else {
            roc
        };
        if v < 0 {
            return None;
        }
        Some(((v as u64) << 16) | u64::from(seq))
    }

    /// Records that the packet with `index` was sent or accepted: ROC and
    /// `s_l` move forward only.
    #[inline]
    pub(crate) fn update(&mut self, index: u64) {
        let current = (u64::from(self.roc) << 16) | u64::from(self.s_l);
        if !self.started || index > current {
            self.roc = (index >> 16) as u32;
            self.s_l = index as u16;
            self.started = true;
        }
    }

    /// The current rollover counter.
    pub(crate) fn roc(&self) -> u32 {
        self.roc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_a_guesses() {
        let mut s = RocState::default();
        assert_eq!(s.estimate(65_000), Some(65_000));
        s.update(65_000);
        // Forward across the wrap: ROC + 1.
        assert_eq!(s.estimate(5), Some((1 << 16) | 5));
        s.update((1 << 16) | 5);
        assert_eq!(s.roc(), 1);
        // A late packet from before the wrap: ROC - 1.
        assert_eq!(s.estimate(65_400), Some(65_400));
        // Same ROC, small steps either way.
        assert_eq!(s.estimate(3), Some((1 << 16) | 3));
        assert_eq!(s.estimate(30_000), Some((1 << 16) | 30_000));
        // A late packet does not move the state back.
        s.update(65_400);
        assert_eq!(s.roc(), 1);
        assert_eq!(s.estimate(6), Some((1 << 16) | 6));
    }

    #[test]
    fn no_negative_rollover() {
        let mut s = RocState::default();
        s.update(10);
        // 10 - 60000 < -32768: a packet "before" index 0 has no valid index.
        assert_eq!(s.estimate(60_000), None);
        assert_eq!(s.estimate(40_000), None);
        assert_eq!(s.estimate(32_000), Some(32_000));
    }
}
