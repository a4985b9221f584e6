//! NTP timestamps (RFC 5905 §6, as RTCP uses them: RFC 3550 §4) and the
//! compact 16.16 form of the LSR and DLSR fields (RFC 3550 §6.4.1).
//!
//! Nothing here reads a clock (Sans-IO): callers pass the wall-clock time in
//! as a [`Duration`] since the Unix epoch.

use std::time::Duration;

/// A 64-bit NTP timestamp: seconds since 1900-01-01 00:00 UTC in the high
/// 32 bits, the fraction of a second (in 1/2^32 s) in the low 32 bits.
///
/// The seconds field wraps every 2^32 s (era 1 begins in February 2036);
/// [`NtpTime::from_unix`] wraps with it, as RTCP needs only the bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NtpTime(pub u64);

const NANOS_PER_SEC: u64 = 1_000_000_000;

impl NtpTime {
    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
    pub const UNIX_EPOCH_OFFSET_SECS: u64 = 2_208_988_800;

    /// The NTP timestamp of `since_unix_epoch` after 1970-01-01 00:00 UTC,
    /// the fraction rounded to the nearest 1/2^32 s. The seconds wrap
    /// modulo 2^32 (NTP eras).
    pub fn from_unix(since_unix_epoch: Duration) -> Self {
        let secs = since_unix_epoch
            .as_secs()
            .wrapping_add(Self::UNIX_EPOCH_OFFSET_SECS)
            & 0xffff_ffff;
        let nanos = u64::from(since_unix_epoch.subsec_nanos());
        // nanos < 10^9 < 2^30, so nanos << 32 < 2^62; the rounded result
        // stays below 2^32 (999_999_999 ns -> 0xffff_fffc).
        let fraction = ((nanos << 32) + NANOS_PER_SEC / 2) / NANOS_PER_SEC;
        NtpTime(secs << 32 | fraction)
    }

    /// The time since the Unix epoch, for an era-0 timestamp at or after
    /// 1970; `None` before (the fraction rounded to the nearest nanosecond).
    pub fn to_unix(self) -> Option<Duration> {
        let secs = u64::from(self.seconds()).checked_sub(Self::UNIX_EPOCH_OFFSET_SECS)?;
        Some(Duration::new(secs, fraction_to_nanos(self.fraction())))
    }

    /// A timestamp from its seconds and fraction fields.
    pub fn from_parts(seconds: u32, fraction: u32) -> Self {
        NtpTime(u64::from(seconds) << 32 | u64::from(fraction))
    }

    /// The seconds field (high 32 bits).
    pub fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The fraction field (low 32 bits), in 1/2^32 s.
    pub fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// The middle 32 bits, a 16.16 fixed-point number of seconds: the form
    /// of the LSR field of a report block (RFC 3550 §6.4.1).
    pub fn compact(self) -> u32 {
        (self.0 >> 16) as u32
    }

    /// A compact 16.16 value (a DLSR, or a difference of two compact
    /// timestamps such as a round-trip time) as a [`Duration`], rounded to
    /// the nearest nanosecond.
    pub fn compact_to_duration(compact: u32) -> Duration {
        let secs = u64::from(compact >> 16);
        let frac = u64::from(compact & 0xffff);
        // frac * 10^9 + 2^15 < 2^46; the result is below 10^9.
        let nanos = (frac * NANOS_PER_SEC + (1 << 15)) >> 16;
        Duration::new(secs, nanos as u32)
    }

    /// A [`Duration`] in compact 16.16 seconds (the DLSR field), rounded to
    /// the nearest 1/65536 s; saturates at `u32::MAX` (about 18.2 hours).
    pub fn duration_to_compact(duration: Duration) -> u32 {
        let secs = duration.as_secs();
        if secs >= 1 << 16 {
            return u32::MAX;
        }
        let nanos = u64::from(duration.subsec_nanos());
        let frac = ((nanos << 16) + NANOS_PER_SEC / 2) / NANOS_PER_SEC;
        u32::try_from((secs << 16) + frac).unwrap_or(u32::MAX)
    }
}

/// A 32-bit fraction of a second as nanoseconds, rounded (below 10^9).
fn fraction_to_nanos(fraction: u32) -> u32 {
    // fraction * 10^9 < 2^62; (2^32 - 1) * 10^9 + 2^31 >> 32 = 999_999_999.
    ((u64::from(fraction) * NANOS_PER_SEC + (1 << 31)) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_and_fraction() {
        let t = NtpTime::from_unix(Duration::ZERO);
        assert_eq!(t, NtpTime(2_208_988_800 << 32));
        assert_eq!(t.to_unix(), Some(Duration::ZERO));
        let half = NtpTime::from_unix(Duration::from_millis(1500));
        assert_eq!(half.seconds(), 2_208_988_801);
        assert_eq!(half.fraction(), 0x8000_0000);
        assert_eq!(half.to_unix(), Some(Duration::from_millis(1500)));
        let max = NtpTime::from_unix(Duration::new(0, 999_999_999));
        assert_eq!(max.seconds(), 2_208_988_800);
        assert_eq!(max.fraction(), 0xffff_fffc);
        assert_eq!(NtpTime(0).to_unix(), None);
    }

    #[test]
    fn era_wraps() {
        // 2036-02-07 06:28:16 UTC is NTP second 2^32: era 1, seconds 0.
        let t = NtpTime::from_unix(Duration::from_secs((1 << 32) - 2_208_988_800 + 5));
        assert_eq!(t.seconds(), 5);
        let far = NtpTime::from_unix(Duration::MAX);
        assert_eq!(far.fraction(), 0xffff_fffc);
    }

    #[test]
    fn compact_form() {
        let t = NtpTime::from_parts(0x1234_b710, 0x8000_1234);
        assert_eq!(t.compact(), 0xb710_8000);
        assert_eq!(
            NtpTime::compact_to_duration(0x0006_2000),
            Duration::from_millis(6125)
        );
        assert_eq!(
            NtpTime::compact_to_duration(u32::MAX),
            Duration::new(65535, 999_984_741)
        );
        assert_eq!(
            NtpTime::duration_to_compact(Duration::from_millis(5250)),
            0x0005_4000
        );
        assert_eq!(
            NtpTime::duration_to_compact(Duration::from_secs(65536)),
            u32::MAX
        );
        // 65535.99999 s rounds up past the largest value: saturates.
        assert_eq!(
            NtpTime::duration_to_compact(Duration::new(65535, 999_999_999)),
            u32::MAX
        );
        assert_eq!(NtpTime::duration_to_compact(Duration::MAX), u32::MAX);
    }

    #[test]
    fn nanosecond_round_trip() {
        for nanos in [0, 1, 2, 232, 233, 499_999_999, 500_000_000, 999_999_999] {
            let d = Duration::new(1_700_000_000, nanos);
            assert_eq!(NtpTime::from_unix(d).to_unix(), Some(d), "{nanos}");
        }
    }
}
