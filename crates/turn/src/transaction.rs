//! STUN request transactions with RFC 8489 §6.2 retransmissions over UDP
//! and a single timeout over TCP/TLS.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_stun::TransactionId;

/// What a request is for; decides what its answer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Allocate (RFC 8656 §7.1).
    Allocate,
    /// Refresh with this LIFETIME in seconds (0 deletes the allocation).
    Refresh { lifetime: u32 },
    /// CreatePermission for one peer IP.
    CreatePermission { ip: IpAddr },
    /// ChannelBind `channel` to `peer`.
    ChannelBind { peer: SocketAddr, channel: u16 },
}

/// The retransmission schedule of one transport.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// Initial RTO (UDP).
    pub rto: Duration,
    /// Requests sent in total (Rc, UDP).
    pub max_requests: u32,
    /// Final wait in initial RTOs (Rm, UDP).
    pub final_wait_rtos: u32,
    /// Whether the transport is reliable (TCP/TLS).
    pub reliable: bool,
    /// The timeout on a reliable transport (Ti).
    pub stream_timeout: Duration,
}

/// One outstanding request.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub id: TransactionId,
    pub purpose: Purpose,
    /// The encoded request, kept for retransmissions.
    pub request: Vec<u8>,
    /// Requests sent so far.
    pub sent: u32,
    /// The current RTO.
    pub rto: Duration,
    /// When to retransmit or, after the last one, give up.
    pub deadline: Instant,
    /// 438 answers this request's lineage has had (bounded per request).
    pub stale_nonces: u32,
}

/// What a due transaction needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Send the request again.
    Retransmit,
    /// No answer: the transaction failed.
    TimedOut,
}

impl Transaction {
    /// A transaction whose request is sent now.
    pub fn new(
        id: TransactionId,
        purpose: Purpose,
        request: Vec<u8>,
        now: Instant,
        timing: &Timing,
        stale_nonces: u32,
    ) -> Self {
        let (rto, deadline) = if timing.reliable {
            (timing.stream_timeout, now + timing.stream_timeout)
        } else {
            (timing.rto, now + Self::wait_after(1, timing.rto, timing))
        };
        Transaction {
            id,
            purpose,
            request,
            sent: 1,
            rto,
            deadline,
            stale_nonces,
        }
    }

    /// How long to wait after the `sent`-th request: the RTO, or Rm × the
    /// initial RTO after the last one.
    fn wait_after(sent: u32, rto: Duration, timing: &Timing) -> Duration {
        if sent >= timing.max_requests.max(1) {
            timing.rto.saturating_mul(timing.final_wait_rtos.max(1))
        } else {
            rto
        }
    }

    /// Called when the deadline has passed: retransmit (and re-arm) or
    /// time out.
    pub fn on_deadline(&mut self, now: Instant, timing: &Timing) -> Due {
        if timing.reliable || self.sent >= timing.max_requests.max(1) {
            return Due::TimedOut;
        }
        self.sent += 1;
        self.rto = self.rto.saturating_mul(2);
        self.deadline = now + Self::wait_after(self.sent, self.rto, timing);
        Due::Retransmit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp() -> Timing {
        Timing {
            rto: Duration::from_millis(500),
            max_requests: 7,
            final_wait_rtos: 16,
            reliable: false,
            stream_timeout: Duration::from_millis(39_500),
        }
    }

    #[test]
    fn udp_schedule_is_rfc_8489_example() {
        // RFC 8489 §6.2.1: requests at 0, 500, 1500, 3500, 7500, 15500,
        // 31500 ms; failure at 39500 ms.
        let t0 = Instant::now();
        let timing = udp();
        let mut tx = Transaction::new(
            TransactionId([0; 12]),
            Purpose::Allocate,
            vec![],
            t0,
            &timing,
            0,
        );
        let mut sends = vec![0u128];
        loop {
            let at = tx.deadline;
            match tx.on_deadline(at, &timing) {
                Due::Retransmit => sends.push((at - t0).as_millis()),
                Due::TimedOut => {
                    assert_eq!((at - t0).as_millis(), 39_500);
                    break;
                }
            }
        }
        assert_eq!(sends, vec![0, 500, 1500, 3500, 7500, 15500, 31500]);
    }

    #[test]
    fn streams_never_retransmit() {
        let t0 = Instant::now();
        let timing = Timing {
            reliable: true,
            ..udp()
        };
        let mut tx = Transaction::new(
            TransactionId([0; 12]),
            Purpose::Allocate,
            vec![],
            t0,
            &timing,
            0,
        );
        assert_eq!(tx.deadline - t0, Duration::from_millis(39_500));
        assert_eq!(tx.on_deadline(tx.deadline, &timing), Due::TimedOut);
    }
}
