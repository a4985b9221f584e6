//! Retransmission timeout (RFC 9260 §6.3.1) and congestion control
//! (RFC 9260 §7.2: slow start, congestion avoidance, fast recovery).

use std::time::Duration;

/// The RTO estimator.
#[derive(Debug, Clone)]
pub(crate) struct RtoEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    min: Duration,
    max: Duration,
}

impl RtoEstimator {
    pub(crate) fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Self {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.clamp(min, max),
            min,
            max,
        }
    }

    /// The current RTO.
    pub(crate) fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed RTT, if measured.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// C2/C3 of §6.3.1 with RTO.Alpha = 1/8, RTO.Beta = 1/4.
    pub(crate) fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                let diff = if srtt > r { srtt - r } else { r - srtt };
                self.rttvar = self.rttvar * 3 / 4 + diff / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        // G (clock granularity) taken as 1 ms.
        self.rto =
            (srtt + (self.rttvar * 4).max(Duration::from_millis(1))).clamp(self.min, self.max);
    }

    /// E2 of §6.3.3: back off on expiry.
    pub(crate) fn back_off(&mut self) {
        self.rto = (self.rto * 2).min(self.max);
    }
}

/// Congestion window state for the single path.
#[derive(Debug, Clone)]
pub(crate) struct Congestion {
    pub(crate) cwnd: usize,
    pub(crate) ssthresh: usize,
    partial_bytes_acked: usize,
    mtu: usize,
}

impl Congestion {
    /// §7.2.1: cwnd = min(4 MTU, max(2 MTU, 4404)); ssthresh = peer a_rwnd.
    pub(crate) fn new(mtu: usize, peer_rwnd: usize) -> Self {
        Self {
            cwnd: (4 * mtu).min((2 * mtu).max(4404)),
            ssthresh: peer_rwnd.max(4 * mtu),
            partial_bytes_acked: 0,
            mtu,
        }
    }

    /// §7.2.1 / §7.2.2 on a SACK that advanced the cumulative ack.
    pub(crate) fn on_ack(
        &mut self,
        bytes_acked: usize,
        flight_before: usize,
        in_fast_recovery: bool,
    ) {
        if in_fast_recovery || bytes_acked == 0 {
            return;
        }
        // Only grow a window that was in use.
        let utilized = flight_before + self.mtu >= self.cwnd;
        if self.cwnd <= self.ssthresh {
            if utilized {
                self.cwnd += bytes_acked.min(self.mtu);
            }
        } else {
            self.partial_bytes_acked += bytes_acked;
            if self.partial_bytes_acked >= self.cwnd && utilized {
                self.partial_bytes_acked -= self.cwnd;
                self.cwnd += self.mtu;
            }
        }
    }

    /// §7.2.3 / §7.2.4 on entering fast recovery.
    pub(crate) fn on_fast_retransmit(&mut self) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.ssthresh;
        self.partial_bytes_acked = 0;
    }

    /// §7.2.3 on a T3-rtx expiry.
    pub(crate) fn on_timeout(&mut self) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.partial_bytes_acked = 0;
    }

    /// §7.2.1: after an idle period (no data for an RTO) restart small.
    pub(crate) fn on_idle(&mut self) {
        self.cwnd = self.cwnd.min((4 * self.mtu).max(4404));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rto_follows_rfc_formulas() {
        let ms = Duration::from_millis;
        let mut r = RtoEstimator::new(ms(1000), ms(200), ms(60_000));
        assert_eq!(r.rto(), ms(1000));
        r.sample(ms(100));
        // srtt 100, rttvar 50 -> 300
        assert_eq!(r.rto(), ms(300));
        r.sample(ms(100));
        // rttvar 37.5 -> 250
        assert_eq!(r.rto(), ms(250));
        r.back_off();
        assert_eq!(r.rto(), ms(500));
        for _ in 0..20 {
            r.back_off();
        }
        assert_eq!(r.rto(), ms(60_000));
    }

    #[test]
    fn slow_start_then_avoidance_then_halving() {
        let mut c = Congestion::new(1000, 100_000);
        assert_eq!(c.cwnd, 4000);
        c.on_ack(3000, 4000, false);
        assert_eq!(c.cwnd, 5000, "slow start grows by at most one MTU per SACK");
        c.ssthresh = 4000;
        c.on_ack(3000, 5000, false);
        assert_eq!(c.cwnd, 5000);
        c.on_ack(3000, 5000, false);
        assert_eq!(c.cwnd, 6000, "one MTU per cwnd of acknowledged bytes");
        c.on_fast_retransmit();
        assert_eq!((c.cwnd, c.ssthresh), (4000, 4000));
        c.on_timeout();
        assert_eq!((c.cwnd, c.ssthresh), (1000, 4000));
        c.on_ack(1000, 0, false);
        assert_eq!(c.cwnd, 2000, "an idle window of one MTU is still used");
    }
}
