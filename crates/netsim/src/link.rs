//! Links: delay, jitter, loss (independent and Gilbert–Elliott), reordering,
//! duplication, MTU, a bandwidth cap with a bounded queue, down/up.

use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;

/// How a link loses packets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// No loss.
    None,
    /// Each packet is lost independently with this probability (0..=1).
    Independent(f64),
    /// Bursty loss, the two-state Gilbert–Elliott model: in state *good* a
    /// packet is lost with `loss_good`, in *bad* with `loss_bad`; before
    /// each packet the state changes with `good_to_bad` / `bad_to_good`.
    GilbertElliott {
        /// Probability of moving good → bad before a packet.
        good_to_bad: f64,
        /// Probability of moving bad → good before a packet.
        bad_to_good: f64,
        /// Loss probability in the good state (often 0).
        loss_good: f64,
        /// Loss probability in the bad state (often 1).
        loss_bad: f64,
    },
}

impl Loss {
    /// Gilbert–Elliott loss with a long-run `mean_rate` (0..1) in bursts of
    /// `mean_burst` packets on average (≥ 1): every packet in the bad state
    /// is lost, none in the good state.
    pub fn bursty(mean_rate: f64, mean_burst: f64) -> Self {
        let rate = mean_rate.clamp(0.0, 0.999_999);
        let bad_to_good = 1.0 / mean_burst.max(1.0);
        Loss::GilbertElliott {
            good_to_bad: (rate * bad_to_good / (1.0 - rate)).min(1.0),
            bad_to_good,
            loss_good: 0.0,
            loss_bad: 1.0,
        }
    }

    /// The long-run loss rate the model produces.
    pub fn mean_rate(&self) -> f64 {
        match *self {
            Loss::None => 0.0,
            Loss::Independent(p) => p.clamp(0.0, 1.0),
            Loss::GilbertElliott {
                good_to_bad,
                bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let total = good_to_bad + bad_to_good;
                if total <= 0.0 {
                    return loss_good;
                }
                let in_bad = good_to_bad / total;
                (1.0 - in_bad) * loss_good + in_bad * loss_bad
            }
        }
    }
}

/// A bandwidth cap: packets are serialised at `bits_per_second` behind a
/// FIFO holding at most `queue_bytes`; a packet that does not fit is dropped
/// (tail drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth {
    /// Link rate in bits per second (> 0).
    pub bits_per_second: u64,
    /// Most bytes (IP packets) in the link's buffer, counting the one
    /// being serialised. An idle link takes any packet.
    pub queue_bytes: usize,
}

/// One direction of a link. Both directions of a link start with the same
/// configuration; [`crate::Network::set_link_config`] changes one.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub delay: Duration,
    /// Extra delay, uniform in `0..=jitter`, per packet. Jitter reorders
    /// packets (as netem does) unless `jitter_keeps_order`.
    pub jitter: Duration,
    /// Keep packets in order despite jitter: a packet never arrives before
    /// the one sent ahead of it (reordering by `reorder` still happens).
    pub jitter_keeps_order: bool,
    /// Loss model.
    pub loss: Loss,
    /// Probability that a packet is held back by `reorder_delay`.
    pub reorder: f64,
    /// How long a reordered packet is held back.
    pub reorder_delay: Duration,
    /// Probability that a packet is delivered twice.
    pub duplicate: f64,
    /// Largest IP packet (UDP payload + 8 + 20 for IPv4 or 40 for IPv6).
    pub mtu: usize,
    /// A bandwidth cap, or unlimited.
    pub bandwidth: Option<Bandwidth>,
}

impl Default for LinkConfig {
    /// 5 ms delay, no jitter, no loss, MTU 1500, unlimited bandwidth.
    fn default() -> Self {
        Self {
            delay: Duration::from_millis(5),
            jitter: Duration::ZERO,
            jitter_keeps_order: false,
            loss: Loss::None,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(10),
            duplicate: 0.0,
            mtu: 1500,
            bandwidth: None,
        }
    }
}

impl LinkConfig {
    /// A link with only a one-way delay.
    pub fn with_delay(delay: Duration) -> Self {
        Self {
            delay,
            ..Self::default()
        }
    }
}

/// A direction of a link: `Up` leaves the host (or the NAT's inside) towards
/// the network, `Down` goes towards the host (or NAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Host → network, or NAT inside → outside.
    Up,
    /// Network → host, or NAT outside → inside.
    Down,
}

/// Why a link did not carry a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkDrop {
    Mtu,
    Queue,
    Lost,
}

/// What a link did with a packet that got through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Carried {
    pub(crate) arrival: Instant,
    pub(crate) duplicate_arrival: Option<Instant>,
    pub(crate) reordered: bool,
}

/// The mutable state of one direction.
#[derive(Debug, Clone)]
pub(crate) struct LinkLane {
    pub(crate) config: LinkConfig,
    /// When the serialiser is free again (bandwidth cap).
    busy_until: Option<Instant>,
    /// Gilbert–Elliott state: in the bad state.
    bad: bool,
    /// Latest in-order arrival (for `jitter_keeps_order`).
    last_arrival: Option<Instant>,
}

/// Both directions of a link and whether it is up.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) up: bool,
    pub(crate) lanes: [LinkLane; 2],
}

impl Link {
    pub(crate) fn new(config: LinkConfig) -> Self {
        let lane = LinkLane {
            config,
            busy_until: None,
            bad: false,
            last_arrival: None,
        };
        Self {
            up: true,
            lanes: [lane.clone(), lane],
        }
    }

    pub(crate) fn lane_mut(&mut self, direction: Direction) -> &mut LinkLane {
        match direction {
            Direction::Up => &mut self.lanes[0],
            Direction::Down => &mut self.lanes[1],
        }
    }
}

/// A uniform float in `[0, 1)` from the RNG.
pub(crate) fn unit(rng: &mut ChaCha20Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn chance(rng: &mut ChaCha20Rng, p: f64) -> bool {
    p > 0.0 && unit(rng) < p
}

fn uniform_duration(rng: &mut ChaCha20Rng, max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.next_u64() % nanos.saturating_add(1))
}

impl LinkLane {
    /// Carries an IP packet of `ip_size` bytes entering at `now`.
    /// The RNG is consumed in a fixed order so runs are reproducible.
    pub(crate) fn carry(
        &mut self,
        now: Instant,
        ip_size: usize,
        rng: &mut ChaCha20Rng,
    ) -> Result<Carried, LinkDrop> {
        let config = &self.config;
        if ip_size > config.mtu {
            return Err(LinkDrop::Mtu);
        }
        // Serialisation behind the bounded queue.
        let mut sent = now;
        if let Some(bw) = config.bandwidth {
            let rate = bw.bits_per_second.max(1);
            let busy = self.busy_until.filter(|&b| b > now);
            let backlog = busy.map_or(Duration::ZERO, |b| b - now);
            let backlog_bytes = backlog.as_nanos() * u128::from(rate) / 8 / 1_000_000_000;
            // An idle link always takes a packet; a busy one only while
            // the backlog plus this packet fits the queue.
            if backlog_bytes > 0 && backlog_bytes + ip_size as u128 > bw.queue_bytes as u128 {
                return Err(LinkDrop::Queue);
            }
            let tx_nanos = (ip_size as u128 * 8 * 1_000_000_000) / u128::from(rate);
            let start = busy.unwrap_or(now);
            sent = start + Duration::from_nanos(u64::try_from(tx_nanos).unwrap_or(u64::MAX));
            self.busy_until = Some(sent);
        }
        // Loss on the wire.
        let lost = match config.loss {
            Loss::None => false,
            Loss::Independent(p) => chance(rng, p),
            Loss::GilbertElliott {
                good_to_bad,
                bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let flip = if self.bad { bad_to_good } else { good_to_bad };
                if chance(rng, flip) {
                    self.bad = !self.bad;
                }
                chance(rng, if self.bad { loss_bad } else { loss_good })
            }
        };
        if lost {
            return Err(LinkDrop::Lost);
        }
        let mut arrival = sent + config.delay + uniform_duration(rng, config.jitter);
        if config.jitter_keeps_order {
            arrival = self.last_arrival.map_or(arrival, |last| arrival.max(last));
            self.last_arrival = Some(arrival);
        }
        let reordered = chance(rng, config.reorder);
        if reordered {
            arrival += config.reorder_delay;
        }
        let duplicate_arrival = chance(rng, config.duplicate).then(|| {
            arrival + uniform_duration(rng, config.jitter.max(Duration::from_micros(100)))
        });
        Ok(Carried {
            arrival,
            duplicate_arrival,
            reordered,
        })
    }
}
