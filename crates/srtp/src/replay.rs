//! The sliding replay window of RFC 3711 §3.3.2, for SRTP (48-bit indices)
//! and SRTCP (31-bit indices).

use crate::SrtpError;

/// Largest configurable replay window, in packets.
pub const MAX_REPLAY_WINDOW: usize = 32_768;

/// Default replay window, in packets (the RFC 3711 minimum).
pub const DEFAULT_REPLAY_WINDOW: usize = 64;

/// A bitmap of the last `size` indices below and including the highest
/// index accepted. The bitmap is allocated once per stream and indexed
/// modulo its length in bits, so accepting a packet never shifts memory.
#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    bits: Box<[u64]>,
    size: u64,
    highest: Option<u64>,
}

impl ReplayWindow {
    /// A window of `size` packets (`1..=MAX_REPLAY_WINDOW`, checked by the
    /// context configuration).
    pub(crate) fn new(size: usize) -> Self {
        let words = size.div_ceil(64).max(1);
        ReplayWindow {
            bits: vec![0u64; words].into_boxed_slice(),
            size: size as u64,
            highest: None,
        }
    }

    fn bit_count(&self) -> u64 {
        self.bits.len() as u64 * 64
    }

    fn position(&self, index: u64) -> (usize, u64) {
        let bit = index % self.bit_count();
        ((bit / 64) as usize, 1u64 << (bit % 64))
    }

    /// The highest index accepted so far.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `index` may be accepted: new, or inside the window and not
    /// seen yet.
    pub(crate) fn check(&self, index: u64) -> Result<(), SrtpError> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if index > highest {
            return Ok(());
        }
        if highest - index >= self.size {
            return Err(SrtpError::TooOld { index, highest });
        }
        let (word, mask) = self.position(index);
        if self.bits[word] & mask != 0 {
            return Err(SrtpError::Replayed { index });
        }
        Ok(())
    }

    /// Marks `index` as received (after [`check`](Self::check) passed and the
    /// packet authenticated).
    pub(crate) fn accept(&mut self, index: u64) {
        match self.highest {
            None => {
                self.highest = Some(index);
            }
            Some(highest) if index > highest => {
                let advance = index - highest;
                if advance >= self.bit_count() {
                    self.bits.fill(0);
                } else {
                    for i in highest + 1..index {
                        let (word, mask) = self.position(i);
                        self.bits[word] &= !mask;
                    }
                }
                self.highest = Some(index);
            }
            Some(_) => {}
        }
        let (word, mask) = self.position(index);
        self.bits[word] |= mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_new_rejects_replays_and_old() {
        let mut w = ReplayWindow::new(64);
        assert!(w.check(100).is_ok());
        w.accept(100);
        assert_eq!(w.check(100), Err(SrtpError::Replayed { index: 100 }));
        assert!(w.check(99).is_ok());
        w.accept(99);
        assert_eq!(w.check(99), Err(SrtpError::Replayed { index: 99 }));
        assert!(w.check(37).is_ok(), "100 - 37 = 63 < 64 is inside");
        assert_eq!(
            w.check(36),
            Err(SrtpError::TooOld {
                index: 36,
                highest: 100
            })
        );
        w.accept(200);
        assert!(w.check(150).is_ok());
        assert!(w.check(199).is_ok());
        assert!(w.check(100).is_err());
    }

    #[test]
    fn advancing_clears_stale_bits() {
        // 70 is not a multiple of 64: the bitmap is 128 bits, the window 70.
        let mut w = ReplayWindow::new(70);
        for i in 0..70 {
            w.accept(i);
        }
        // Jumping 128 ahead maps every old bit onto a new index: all clear.
        w.accept(69 + 128);
        for i in 69 + 128 - 69..69 + 128 {
            assert!(w.check(i).is_ok(), "index {i} was never received");
        }
        // A small advance clears exactly the skipped bits.
        let mut w = ReplayWindow::new(1024);
        for i in 0..1024 {
            w.accept(i);
        }
        w.accept(1030);
        for i in 1024..1030 {
            assert!(w.check(i).is_ok());
        }
        assert!(w.check(1000).is_err());
        assert_eq!(
            w.check(6),
            Err(SrtpError::TooOld {
                index: 6,
                highest: 1030
            })
        );
        assert_eq!(w.check(7), Err(SrtpError::Replayed { index: 7 }));
    }
}
