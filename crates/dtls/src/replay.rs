//! The anti-replay sliding window (RFC 6347 §4.1.2.6, RFC 4303 §3.4.3).

/// The window size in records.
pub(crate) const WINDOW: u64 = 64;

/// Tracks which recent sequence numbers of one epoch were received.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplayWindow {
    /// The highest sequence number accepted, if any.
    top: Option<u64>,
    /// Bit i set: `top - i` was received.
    bits: u64,
}

impl ReplayWindow {
    /// Whether `seq` is new and not left of the window (check before
    /// authenticating; [`ReplayWindow::accept`] after).
    pub(crate) fn is_fresh(&self, seq: u64) -> bool {
        match self.top {
            None => true,
            Some(top) if seq > top => true,
            Some(top) => {
                let back = top - seq;
                back < WINDOW && self.bits & (1 << back) == 0
            }
        }
    }

    /// Marks `seq` as received (after the record authenticated).
    pub(crate) fn accept(&mut self, seq: u64) {
        match self.top {
            None => {
                self.top = Some(seq);
                self.bits = 1;
            }
            Some(top) if seq > top => {
                let shift = seq - top;
                self.bits = if shift >= WINDOW {
                    0
                } else {
                    self.bits << shift
                };
                self.bits |= 1;
                self.top = Some(seq);
            }
            Some(top) => {
                let back = top - seq;
                if back < WINDOW {
                    self.bits |= 1 << back;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_too_old_records_are_rejected() {
        let mut w = ReplayWindow::default();
        assert!(w.is_fresh(5));
        w.accept(5);
        assert!(!w.is_fresh(5));
        assert!(w.is_fresh(3));
        w.accept(3);
        assert!(!w.is_fresh(3));
        w.accept(100);
        assert!(!w.is_fresh(5), "left of the window");
        assert!(w.is_fresh(99));
        assert!(w.is_fresh(100 - 63));
        assert!(!w.is_fresh(100 - 64));
        w.accept(1000);
        assert!(!w.is_fresh(100));
        assert!(w.is_fresh(1001));
    }
}
