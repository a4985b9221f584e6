//! Data-channel throughput through the whole stack (issue #19, row 1): two
//! connected peer connections in one thread, one reliable ordered channel
//! from a to b, binary messages of 1200 B and of 16 KiB written on a and
//! read at b, every datagram (SCTP in DTLS records, over the ICE-selected
//! pair) handed over in memory. sansrtc's `RtcPeerConnection` pair beside
//! str0m 0.9's `Rtc` pair, the same shape in the same run
//! (`support/stack.rs`).
//!
//! Each timed iteration moves [`BATCH`] (8 MiB) of messages: the issue's
//! 64 MiB would make str0m's iterations seconds long on this machine, and
//! every iteration starts from the same warm, connected state, so a smaller
//! batch measures the same steady state. The writer keeps at most
//! [`WINDOW`] (1 MiB) written and not yet read at b (str0m 0.9 has no
//! `bufferedAmount`, so the bound is the same application-level one for
//! both). Before measuring, [`WARM_UP`] bytes cross untimed (congestion
//! windows open). The ratio is str0m's median time over sansrtc's.
//!
//! The `ceiling` beside them is the sum of the parts the stack cannot do
//! without, measured alone in the same loop: our data channels and SCTP
//! (`SctpTransport`, configured as the peer connection configures it,
//! so the same packets) with every packet sealed and opened with AES-128-GCM
//! (`ring`, in place, the record cipher DTLS negotiates here) on its way,
//! and nothing else: no DTLS record framing or copies, no ICE, no peer
//! connection. `vs ceiling` is the share of that limit the stack reaches.
//! `SANSRTC_BENCH_CPU_TIME=1` measures the bench thread's CPU time.
#![allow(missing_docs)]

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/stack.rs"]
mod stack;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use sansrtc_datachannel::{
    ChannelId, DataChannelConfig, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsRole,
    SctpTransport,
};
use sansrtc_proto::Output;
use sansrtc_sctp::SctpConfig;
use stack::{Counts, OurDtls, Ours, StackPair, Theirs};

/// Message bytes per timed iteration.
const BATCH: u64 = 8 << 20;
/// Bytes written and not yet received, at most.
const WINDOW: u64 = 1 << 20;
/// The datagram size the peer connection keeps DTLS records under.
const DTLS_MTU: usize = sansrtc::DTLS_MTU;
/// A DTLS 1.2 AES-GCM record's header, explicit nonce and tag.
const DTLS12_RECORD_OVERHEAD: usize = 13 + 8 + 16;
/// A DTLS 1.3 AES-GCM record's unified header (flags, 16-bit sequence
/// number, length), inner content type and tag.
const DTLS13_RECORD_OVERHEAD: usize = 5 + 1 + 16;

/// The SCTP packet size the peer connection gives its association with
/// `dtls` (`DtlsEndpoint::max_whole_block_application_data`, rounded down
/// to 4 bytes): the largest packet whose record fits the datagram and is
/// sealed as whole 16-byte AES blocks. In DTLS 1.2 the ciphertext is the
/// packet (1,152); DTLS 1.3 pads the inner plaintext (packet and content
/// type) to whole blocks, so the packet is one under a block multiple
/// (1,167, rounded down to 1,164).
fn sctp_packet_size(dtls: OurDtls) -> usize {
    let whole = match dtls {
        OurDtls::Dtls12 => (DTLS_MTU - DTLS12_RECORD_OVERHEAD) / 16 * 16,
        OurDtls::Dtls13 => (DTLS_MTU - (DTLS13_RECORD_OVERHEAD - 1)) / 16 * 16 - 1,
    };
    whole & !3
}
/// Simulated time both pairs idle after their channel opens, before the
/// warm-up: long enough for ICE to nominate (or for a controlled agent to
/// select the best valid pair itself, after 3 s).
const SETTLE: Duration = Duration::from_secs(5);
/// Bytes moved untimed before measuring.
const WARM_UP: u64 = 4 << 20;

/// The sum of the parts: two `SctpTransport`s with one channel, each
/// packet sealed and opened with AES-128-GCM in place on its way.
struct Parts {
    a: SctpTransport,
    b: SctpTransport,
    channel: ChannelId,
    key: LessSafeKey,
    sequence: u64,
    now: Instant,
    next_a: Option<Instant>,
    next_b: Option<Instant>,
    counts: Counts,
}

impl Parts {
    /// The parts connected, with packets sized for `dtls`'s records.
    fn connected(dtls: OurDtls) -> Parts {
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        // What `RtcPeerConnection` gives its association once DTLS is up
        // (`Transport::start_sctp`): packets sized so that each record fits
        // a 1200-byte datagram with AES-GCM's record overhead (37 bytes in
        // DTLS 1.2, 22 in 1.3) as whole AES blocks, and RFC 9653 zero
        // checksums (no CRC-32c: DTLS protects them).
        let config = DataChannelConfig::default();
        let sctp = SctpConfig {
            mtu: sctp_packet_size(dtls),
            zero_checksum: true,
            ..SctpConfig::default()
        };
        let mut a = SctpTransport::new(config.clone(), sctp.clone(), &mut rng, now);
        let mut b = SctpTransport::new(config, sctp, &mut rng, now);
        a.set_dtls_role(DtlsRole::Client);
        b.set_dtls_role(DtlsRole::Server);
        a.connect(now).unwrap();
        b.connect(now).unwrap();
        let channel = a
            .create_data_channel(DataChannelInit::new("bench"))
            .unwrap();
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &[7; 16]).unwrap());
        let mut parts = Parts {
            a,
            b,
            channel,
            key,
            sequence: 0,
            now,
            next_a: None,
            next_b: None,
            counts: Counts::default(),
        };
        parts.open("parts");
        parts
    }
}

/// Drains `from` into `to`, each packet through the record cipher.
fn drain_parts(
    from: &mut SctpTransport,
    to: &mut SctpTransport,
    parts: (&LessSafeKey, &mut u64, Instant),
    next: &mut Option<Instant>,
    from_a: bool,
    counts: &mut Counts,
) -> bool {
    let (key, sequence, now) = parts;
    let mut moved = false;
    let mut fired = false;
    loop {
        match from.poll_output() {
            Output::Transmit(mut packet) => {
                moved = true;
                *sequence += 1;
                let mut nonce = [0u8; 12];
                nonce[4..].copy_from_slice(&sequence.to_be_bytes());
                let aad = sequence.to_be_bytes();
                key.seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    &mut packet,
                )
                .unwrap();
                let len = key
                    .open_in_place(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(aad),
                        &mut packet,
                    )
                    .unwrap()
                    .len();
                packet.truncate(len);
                to.handle_receive_owned(now, packet);
            }
            Output::Event(DataChannelEvent::Open(_)) if from_a => counts.a_open = true,
            Output::Event(DataChannelEvent::Open(_)) => counts.b_open = true,
            Output::Event(DataChannelEvent::Message { message, .. }) => {
                counts.messages += 1;
                counts.received += message.len() as u64;
                black_box(&message);
            }
            Output::Event(e) => {
                black_box(&e);
            }
            Output::Timeout(at) => {
                if at.is_some_and(|at| at <= now) && !fired {
                    fired = true;
                    from.handle_timeout(now);
                    continue;
                }
                *next = at;
                return moved;
            }
        }
    }
}

impl StackPair for Parts {
    fn carry(&mut self) -> bool {
        let mut any = false;
        loop {
            let ab = drain_parts(
                &mut self.a,
                &mut self.b,
                (&self.key, &mut self.sequence, self.now),
                &mut self.next_a,
                true,
                &mut self.counts,
            );
            let ba = drain_parts(
                &mut self.b,
                &mut self.a,
                (&self.key, &mut self.sequence, self.now),
                &mut self.next_b,
                false,
                &mut self.counts,
            );
            if !(ab || ba) {
                return any;
            }
            any = true;
        }
    }

    fn advance(&mut self) {
        let next = [self.next_a, self.next_b].into_iter().flatten().min();
        self.now = self
            .now
            .max(next.unwrap_or(self.now + Duration::from_millis(10)));
        if self.next_a.is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.next_b.is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
    }

    fn send(&mut self, message: &[u8]) -> bool {
        let message = DataChannelMessage::Binary(message.to_vec().into());
        self.a.send(self.now, self.channel, message).is_ok()
    }

    fn counts(&self) -> Counts {
        self.counts
    }

    fn now(&self) -> Instant {
        self.now
    }
}

fn batch_for(size: usize) -> u64 {
    BATCH / size as u64 * size as u64
}

fn throughput<M: Measurement>(c: &mut Criterion<M>) {
    for dtls in OurDtls::ALL {
        throughput_group(c, dtls);
    }
}

/// One group: sansrtc negotiating `dtls`, str0m (always DTLS 1.2) and the
/// ceiling (packets sized for `dtls`'s records) beside it.
fn throughput_group<M: Measurement>(c: &mut Criterion<M>, dtls: OurDtls) {
    let mut group = c.benchmark_group(format!("datachannel stack {}", dtls.group_suffix()));
    group.measurement_time(Duration::from_secs(4));
    group.sample_size(10);
    for size in [1200usize, 16 * 1024] {
        let message = vec![0x5a; size];
        let total = batch_for(size);
        group.throughput(Throughput::Bytes(total));

        let mut ours = Ours::connected(1, dtls);
        // ICE nominates and both sides select their pair, as in any call
        // past its first seconds (before, the controlled side sends on the
        // best valid pair, looked up per packet).
        ours.idle(SETTLE);
        ours.assert_ice_selected();
        ours.transfer(&message, WARM_UP / size as u64 * size as u64, WINDOW);
        group.bench_with_input(BenchmarkId::new("sansrtc", size), &size, |b, _| {
            b.iter(|| ours.transfer(&message, total, WINDOW))
        });
        let mut theirs = Theirs::connected();
        theirs.idle(SETTLE);
        theirs.transfer(&message, WARM_UP / size as u64 * size as u64, WINDOW);
        group.bench_with_input(BenchmarkId::new("str0m", size), &size, |b, _| {
            b.iter(|| theirs.transfer(&message, total, WINDOW))
        });
        let mut parts = Parts::connected(dtls);
        parts.transfer(&message, WARM_UP / size as u64 * size as u64, WINDOW);
        group.bench_with_input(BenchmarkId::new("ceiling", size), &size, |b, _| {
            b.iter(|| parts.transfer(&message, total, WINDOW))
        });
        // Every message arrived whole.
        for (who, counts) in [
            ("sansrtc", ours.counts()),
            ("str0m", theirs.counts()),
            ("ceiling", parts.counts()),
        ] {
            assert_eq!(
                counts.received,
                counts.messages * size as u64,
                "{who} {size}"
            );
        }
    }
    group.finish();
}

cpu_time::main_with_cpu_time!(throughput);
