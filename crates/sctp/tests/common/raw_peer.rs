//! A peer made of hand-built packets: it opens an association with one of
//! ours through a forged INIT / COOKIE ECHO (announcing Forward-TSN-Supported
//! or not, with a chosen number of outbound streams) and then sends
//! whatever DATA and FORWARD TSN chunks a test wants, in any order.

use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_proto::Output;
use sansrtc_sctp::{packet_checksum, Association, Message, SctpConfig, SctpEvent};

const PORT: u16 = 5000;
/// The first TSN the raw peer uses.
pub const INITIAL_TSN: u32 = 100;

/// A chunk: type, flags, value (padded to 4 bytes).
pub fn chunk(kind: u8, flags: u8, value: &[u8]) -> Vec<u8> {
    let mut c = vec![kind, flags];
    c.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
    c.extend_from_slice(value);
    while c.len() % 4 != 0 {
        c.push(0);
    }
    c
}

/// A TLV parameter (padded).
pub fn param(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut p = kind.to_be_bytes().to_vec();
    p.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
    p.extend_from_slice(value);
    while p.len() % 4 != 0 {
        p.push(0);
    }
    p
}

/// A DATA chunk (PPID 53).
pub fn data(tsn: u32, stream: u16, ssn: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = tsn.to_be_bytes().to_vec();
    v.extend_from_slice(&stream.to_be_bytes());
    v.extend_from_slice(&ssn.to_be_bytes());
    v.extend_from_slice(&53u32.to_be_bytes());
    v.extend_from_slice(payload);
    chunk(0, flags, &v)
}

/// A FORWARD TSN chunk (RFC 3758 §3.2).
pub fn forward_tsn(new_cumulative_tsn: u32, pairs: &[(u16, u16)]) -> Vec<u8> {
    let mut v = new_cumulative_tsn.to_be_bytes().to_vec();
    for (stream, ssn) in pairs {
        v.extend_from_slice(&stream.to_be_bytes());
        v.extend_from_slice(&ssn.to_be_bytes());
    }
    chunk(192, 0, &v)
}

/// Chunks of a packet: (type, flags, value).
pub fn chunks_of(p: &[u8]) -> Vec<(u8, u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 12;
    while at + 4 <= p.len() {
        let len = usize::from(u16::from_be_bytes([p[at + 2], p[at + 3]]));
        if len < 4 || at + len > p.len() {
            break;
        }
        out.push((p[at], p[at + 1], p[at + 4..at + len].to_vec()));
        at += (len + 3) & !3;
    }
    out
}

/// The big-endian `u32` at `at` in `b`.
pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// ERROR chunks (type 9) in `packets`: each cause code with its value.
pub fn error_causes(packets: &[Vec<u8>]) -> Vec<(u16, Vec<u8>)> {
    let mut causes = Vec::new();
    for p in packets {
        for (t, _, v) in chunks_of(p) {
            let mut at = 0;
            while t == 9 && at + 4 <= v.len() {
                let code = u16::from_be_bytes([v[at], v[at + 1]]);
                let len = usize::from(u16::from_be_bytes([v[at + 2], v[at + 3]]));
                if len < 4 || at + len > v.len() {
                    break;
                }
                causes.push((code, v[at + 4..at + len].to_vec()));
                at += (len + 3) & !3;
            }
        }
    }
    causes
}

/// The cumulative TSN ack of the last SACK in `packets`, if any.
pub fn last_sack_cum(packets: &[Vec<u8>]) -> Option<u32> {
    packets
        .iter()
        .flat_map(|p| chunks_of(p))
        .filter(|c| c.0 == 3 && c.2.len() >= 4)
        .map(|c| be32(&c.2, 0))
        .next_back()
}

/// A SACK: cumulative TSN, gap blocks, duplicate TSNs.
pub type Sack = (u32, Vec<(u16, u16)>, Vec<u32>);

/// The SACKs in `packets`.
pub fn sacks(packets: &[Vec<u8>]) -> Vec<Sack> {
    let mut out = Vec::new();
    for p in packets {
        for (t, _, v) in chunks_of(p) {
            if t != 3 {
                continue;
            }
            let gaps = usize::from(u16::from_be_bytes([v[8], v[9]]));
            let dups = usize::from(u16::from_be_bytes([v[10], v[11]]));
            let blocks = (0..gaps)
                .map(|i| {
                    let at = 12 + 4 * i;
                    (
                        u16::from_be_bytes([v[at], v[at + 1]]),
                        u16::from_be_bytes([v[at + 2], v[at + 3]]),
                    )
                })
                .collect();
            let d = (0..dups).map(|i| be32(&v, 12 + 4 * gaps + 4 * i)).collect();
            out.push((be32(&v, 0), blocks, d));
        }
    }
    out
}

/// What the raw peer announces in its INIT.
#[derive(Debug, Clone, Copy)]
pub struct PeerShape {
    /// Forward-TSN-Supported (0xC000) and FORWARD TSN in Supported
    /// Extensions.
    pub forward_tsn: bool,
    /// Its outbound streams (our inbound streams are at most this).
    pub outbound_streams: u16,
}

impl Default for PeerShape {
    fn default() -> Self {
        Self {
            forward_tsn: true,
            outbound_streams: 1024,
        }
    }
}

/// One of our associations, established with a raw peer.
pub struct RawPeer {
    pub now: Instant,
    pub assoc: Association,
    /// Our association's verification tag (what the raw peer's packets carry).
    pub tag: u32,
}

impl RawPeer {
    /// Opens `config`'s association with a peer shaped as `shape`.
    pub fn establish(config: SctpConfig, shape: PeerShape) -> Self {
        let now = Instant::now(); // test-side anchor of the simulated clock
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let assoc = Association::new(config, &mut rng, now);
        let mut peer = Self { now, assoc, tag: 0 };
        let mut v = Vec::new();
        v.extend_from_slice(&0x5eed_0001u32.to_be_bytes()); // initiate tag
        v.extend_from_slice(&(1u32 << 20).to_be_bytes()); // a_rwnd
        v.extend_from_slice(&shape.outbound_streams.to_be_bytes()); // OS
        v.extend_from_slice(&1024u16.to_be_bytes()); // MIS
        v.extend_from_slice(&INITIAL_TSN.to_be_bytes());
        if shape.forward_tsn {
            v.extend(param(0x8008, &[0xc0, 0x82])); // supported extensions
            v.extend(param(0xc000, &[])); // forward-TSN supported
        } else {
            v.extend(param(0x8008, &[0x82])); // RE-CONFIG only
        }
        let (out, _) = peer.feed(&peer.packet(&[chunk(1, 0, &v)]));
        let ack = out
            .iter()
            .flat_map(|p| chunks_of(p))
            .find(|c| c.0 == 2)
            .expect("INIT ACK")
            .2;
        peer.tag = be32(&ack, 0);
        let mut at = 16;
        let mut cookie = None;
        while at + 4 <= ack.len() {
            let t = u16::from_be_bytes([ack[at], ack[at + 1]]);
            let len = usize::from(u16::from_be_bytes([ack[at + 2], ack[at + 3]]));
            if t == 7 {
                cookie = Some(ack[at + 4..at + len].to_vec());
            }
            at += (len + 3) & !3;
        }
        let echo = chunk(10, 0, &cookie.expect("cookie"));
        let (_, events) = peer.feed(&peer.packet(&[echo]));
        assert!(events.contains(&SctpEvent::Connected));
        peer
    }

    /// A packet to our association with a correct CRC-32c.
    pub fn packet(&self, chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&PORT.to_be_bytes());
        p.extend_from_slice(&PORT.to_be_bytes());
        p.extend_from_slice(&self.tag.to_be_bytes());
        p.extend_from_slice(&[0; 4]);
        for c in chunks {
            p.extend_from_slice(c);
        }
        let crc = packet_checksum(&p);
        p[8..12].copy_from_slice(&crc.to_le_bytes());
        p
    }

    /// Packets carrying `chunks` in that order, as many per packet as fit
    /// the default MTU.
    pub fn packets(&self, chunks: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let mut size = 12;
        for c in chunks {
            if size + c.len() > 1172 && !batch.is_empty() {
                out.push(self.packet(&batch));
                batch.clear();
                size = 12;
            }
            size += c.len();
            batch.push(c.clone());
        }
        if !batch.is_empty() {
            out.push(self.packet(&batch));
        }
        out
    }

    /// Feeds our association a packet; returns what it sent back and its
    /// events.
    pub fn feed(&mut self, p: &[u8]) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
        self.assoc.handle_receive(self.now, p);
        self.drain()
    }

    /// Polls our association until its timeout; returns what it sent and
    /// its events.
    pub fn drain(&mut self) -> (Vec<Vec<u8>>, Vec<SctpEvent>) {
        let (mut packets, mut events) = (Vec::new(), Vec::new());
        loop {
            match self.assoc.poll_output() {
                Output::Transmit(p) => packets.push(p),
                Output::Event(e) => events.push(e),
                Output::Timeout(_) => return (packets, events),
            }
        }
    }

    /// The messages ready to read.
    pub fn read(&mut self) -> Vec<Message> {
        std::iter::from_fn(|| self.assoc.read()).collect()
    }
}
