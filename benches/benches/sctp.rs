//! SCTP message throughput: two of our associations in one thread over a
//! lossless in-memory link, beside two `sctp-proto` associations driven the
//! same way in the same run (the reference), for 1200-byte and 16 KiB
//! messages.
//!
//! Each iteration moves [`BATCH_BYTES`] of messages from A to B: A's
//! application keeps its send queue topped up to a bound, B reads every
//! message it is told about. Two shapes of the in-memory link (see
//! `support/pair.rs`, [`Shape`]): `sctp_throughput` drains each end
//! completely before handing its packets over (the usual Sans-IO loop; a
//! whole window in flight, as with a real round-trip time), and
//! `sctp_throughput_ping_pong` hands each packet over the moment it is
//! produced (acknowledgements come back at once, little in flight). The
//! simulated clock only moves when both ends are idle (to the next timer),
//! so no timer fires on a lossless link. Both implementations send packets
//! of the same size (sctp-proto's fixed 1228-byte MTU).
//!
//! With `SANSRTC_BENCH_CPU_TIME=1` the samples are the bench thread's CPU
//! time instead of wall-clock time (`support/cpu_time.rs`): on a shared,
//! loaded machine the wall clock also counts other processes' turns.
#![allow(missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use sctp_proto as proto;

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/pair.rs"]
mod pair;

use pair::{
    exchange, our_pair, our_pair_with, End, Next, Pair, Shape, BATCH_BYTES, PPID, QUEUE_BOUND,
    STREAM,
};

/// An sctp-proto endpoint with its one association.
struct Theirs {
    endpoint: proto::Endpoint,
    assoc: Option<(proto::AssociationHandle, proto::Association)>,
    remote: SocketAddr,
    connected: bool,
    readable: Vec<u16>,
    /// Packets sctp-proto produced together, handed out one by one.
    queued: std::collections::VecDeque<Bytes>,
    /// Where messages are read into: sctp-proto hands a message out only
    /// by copying it (`Chunks::read`), so the cheapest way is one buffer
    /// of the largest message, reused.
    read_buffer: Vec<u8>,
}

fn proto_transport(max_message: usize) -> Arc<proto::TransportConfig> {
    Arc::new(
        proto::TransportConfig::default()
            .with_max_message_size(max_message as u32)
            .with_max_receive_buffer_size(1024 * 1024),
    )
}

impl Theirs {
    fn new(client: bool, max_message: usize) -> Self {
        let mut server = proto::ServerConfig::new();
        server.transport = proto_transport(max_message);
        let mut endpoint = proto::Endpoint::new(
            Arc::new(proto::EndpointConfig::new()),
            (!client).then(|| Arc::new(server)),
        );
        let remote = SocketAddr::from((Ipv4Addr::LOCALHOST, 5000));
        let assoc = client.then(|| {
            let mut config = proto::ClientConfig::new();
            config.transport = proto_transport(max_message);
            endpoint
                .connect(config, remote)
                .expect("sctp-proto connect")
        });
        Self {
            endpoint,
            assoc,
            remote,
            connected: false,
            readable: Vec::new(),
            queued: Default::default(),
            read_buffer: vec![0; max_message],
        }
    }
}

impl End for Theirs {
    type Packet = Bytes;
    fn receive(&mut self, now: Instant, packet: Bytes) {
        let Some((h, ev)) = self.endpoint.handle(now, self.remote, None, None, packet) else {
            return;
        };
        match ev {
            proto::DatagramEvent::NewAssociation(a) => {
                if self.assoc.is_none() {
                    self.assoc = Some((h, a));
                }
            }
            proto::DatagramEvent::AssociationEvent(e) => {
                if let Some((_, a)) = self.assoc.as_mut() {
                    a.handle_event(e);
                }
            }
        }
    }
    fn timeout(&mut self, now: Instant) {
        if let Some((_, a)) = self.assoc.as_mut() {
            a.handle_timeout(now);
        }
    }
    /// One output at a time: what sctp-proto's endpoint and association
    /// have queued, messages read, then one `poll_transmit` (which builds
    /// a packet on demand).
    fn next(&mut self, now: Instant) -> Next<Bytes> {
        if let Some(p) = self.queued.pop_front() {
            return Next::Packet(p);
        }
        while let Some(t) = self.endpoint.poll_transmit() {
            if let proto::Payload::RawEncode(v) = t.payload {
                self.queued.extend(v);
            }
        }
        if let Some(p) = self.queued.pop_front() {
            return Next::Packet(p);
        }
        let Some((h, a)) = self.assoc.as_mut() else {
            return Next::Idle(None);
        };
        while let Some(ev) = a.poll_endpoint_event() {
            if let Some(back) = self.endpoint.handle_event(*h, ev) {
                a.handle_event(back);
            }
        }
        while let Some(ev) = a.poll() {
            match ev {
                proto::Event::Connected => self.connected = true,
                proto::Event::Stream(proto::StreamEvent::Opened) => {
                    while let Some(s) = a.accept_stream() {
                        self.readable.push(s.stream_identifier());
                    }
                }
                proto::Event::Stream(proto::StreamEvent::Readable { id }) => self.readable.push(id),
                _ => {}
            }
        }
        let mut read = 0;
        for id in self.readable.drain(..) {
            let Ok(mut s) = a.stream(id) else { continue };
            while let Ok(Some(chunks)) = s.read_sctp() {
                let n = chunks.read(&mut self.read_buffer).unwrap_or(0);
                std::hint::black_box(&self.read_buffer[..n]);
                read += 1;
            }
        }
        if read > 0 {
            return Next::Read(read);
        }
        if let Some(t) = a.poll_transmit(now) {
            if let proto::Payload::RawEncode(v) = t.payload {
                self.queued.extend(v);
            }
        }
        match self.queued.pop_front() {
            Some(p) => Next::Packet(p),
            None => Next::Idle(a.poll_timeout()),
        }
    }
    fn offer(&mut self, _now: Instant, message: &Bytes) -> bool {
        let Some((_, a)) = self.assoc.as_mut() else {
            return false;
        };
        if !self.connected {
            return false;
        }
        let ppi = proto::PayloadProtocolIdentifier::from(PPID);
        let mut s = match a.stream(STREAM) {
            Ok(s) => s,
            Err(_) => match a.open_stream(STREAM, ppi) {
                Ok(s) => s,
                Err(_) => return false,
            },
        };
        s.buffered_amount().unwrap_or(usize::MAX) < QUEUE_BOUND
            && s.write_sctp(message, ppi).is_ok()
    }
}

fn their_pair(max_message: usize) -> Pair<Theirs> {
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    let mut pair = Pair {
        a: Theirs::new(true, max_message),
        b: Theirs::new(false, max_message),
        now,
    };
    for _ in 0..20 {
        exchange(&mut pair);
    }
    assert!(
        pair.a.connected && pair.b.connected,
        "sctp-proto pair did not connect"
    );
    // Open the stream (its first message announces it to B).
    pair.transfer(Shape::Batch, &Bytes::from_static(b"open"), 1);
    pair
}

fn throughput<M: Measurement>(c: &mut Criterion<M>) {
    for (group_name, shape) in [
        ("sctp_throughput", Shape::Batch),
        ("sctp_throughput_ping_pong", Shape::PingPong),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.measurement_time(Duration::from_secs(5));
        group.sample_size(20);
        for size in [1200usize, 16 * 1024] {
            let count = BATCH_BYTES / size;
            let message = Bytes::from(vec![0x5a; size]);
            group.throughput(Throughput::Bytes((count * size) as u64));
            let mut ours = our_pair(size.max(64 * 1024));
            group.bench_with_input(BenchmarkId::new("sansrtc", size), &size, |b, _| {
                b.iter(|| ours.transfer(shape, &message, count))
            });
            let mut theirs = their_pair(size.max(64 * 1024));
            group.bench_with_input(BenchmarkId::new("sctp-proto", size), &size, |b, _| {
                b.iter(|| theirs.transfer(shape, &message, count))
            });
            // Not the comparison (sctp-proto has no RFC 9653): what our two
            // ends do over DTLS, where they negotiate zero checksums.
            let mut zero = our_pair_with(size.max(64 * 1024), true);
            group.bench_with_input(
                BenchmarkId::new("sansrtc-zero-checksum", size),
                &size,
                |b, _| b.iter(|| zero.transfer(shape, &message, count)),
            );
        }
        group.finish();
    }
}

cpu_time::main_with_cpu_time!(throughput);
