//! Data-channel throughput (DCEP + our SCTP, no DTLS yet): two
//! `SctpTransport`s in one thread over a lossless in-memory link, one
//! in-band channel, 1200-byte and 16 KiB binary messages. The reference
//! measured in the same run is our bare SCTP association driven the same
//! way, so the ratio is the cost of the data-channel layer.
#![allow(missing_docs)]

#[path = "support/pair.rs"]
mod pair;

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pair::{exchange, our_pair, End, Next, Pair, Shape, BATCH_BYTES, MTU, QUEUE_BOUND};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_datachannel::{
    ChannelId, DataChannelConfig, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsRole,
    SctpTransport,
};
use sansrtc_proto::Output;
use sansrtc_sctp::SctpConfig;

/// One transport with the channel it sends on.
struct Channel {
    transport: SctpTransport,
    channel: Option<ChannelId>,
    open: bool,
}

impl End for Channel {
    type Packet = Vec<u8>;
    fn receive(&mut self, now: Instant, packet: Vec<u8>) {
        self.transport.handle_receive_owned(now, packet);
    }
    fn timeout(&mut self, now: Instant) {
        self.transport.handle_timeout(now);
    }
    fn next(&mut self, _now: Instant) -> Next<Vec<u8>> {
        loop {
            match self.transport.poll_output() {
                Output::Transmit(p) => return Next::Packet(p),
                Output::Event(DataChannelEvent::Message { message, .. }) => {
                    std::hint::black_box(&message);
                    return Next::Read(1);
                }
                Output::Event(DataChannelEvent::Open(_)) => self.open = true,
                Output::Event(_) => {}
                Output::Timeout(t) => return Next::Idle(t),
            }
        }
    }
    fn offer(&mut self, now: Instant, message: &Bytes) -> bool {
        let Some(ch) = self.channel else { return false };
        if self.transport.buffered_amount(ch).unwrap_or(u64::MAX) >= QUEUE_BOUND as u64 {
            return false;
        }
        // The W3C API takes the message by value: one copy, as a browser makes.
        let message = DataChannelMessage::Binary(message.to_vec().into());
        self.transport.send(now, ch, message).is_ok()
    }
}

fn channel_pair(max_message: usize) -> Pair<Channel> {
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let config = DataChannelConfig {
        max_message_size: max_message,
        ..DataChannelConfig::default()
    };
    let sctp = SctpConfig {
        mtu: MTU,
        max_message_size: max_message,
        send_buffer: 4 * QUEUE_BOUND,
        ..SctpConfig::default()
    };
    let mut a = SctpTransport::new(config.clone(), sctp.clone(), &mut rng, now);
    let mut b = SctpTransport::new(config, sctp, &mut rng, now);
    a.set_dtls_role(DtlsRole::Client);
    b.set_dtls_role(DtlsRole::Server);
    a.set_remote_max_message_size(Some(max_message as u64));
    b.set_remote_max_message_size(Some(max_message as u64));
    a.connect(now).unwrap();
    b.connect(now).unwrap();
    let channel = a
        .create_data_channel(DataChannelInit::new("bench"))
        .unwrap();
    let mut pair = Pair {
        a: Channel {
            transport: a,
            channel: Some(channel),
            open: false,
        },
        b: Channel {
            transport: b,
            channel: None,
            open: false,
        },
        now,
    };
    for _ in 0..20 {
        exchange(&mut pair);
    }
    assert!(pair.a.open, "the channel did not open");
    pair
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("datachannel_throughput");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    for size in [1200usize, 16 * 1024] {
        let count = BATCH_BYTES / size;
        let message = Bytes::from(vec![0x5a; size]);
        group.throughput(Throughput::Bytes((count * size) as u64));
        let mut channels = channel_pair(size.max(64 * 1024));
        group.bench_with_input(BenchmarkId::new("datachannel", size), &size, |b, _| {
            b.iter(|| channels.transfer(Shape::Batch, &message, count))
        });
        let mut bare = our_pair(size.max(64 * 1024));
        group.bench_with_input(BenchmarkId::new("bare-sctp", size), &size, |b, _| {
            b.iter(|| bare.transfer(Shape::Batch, &message, count))
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
