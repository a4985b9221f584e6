//! pcap export: the classic libpcap file format with link type RAW (101),
//! each datagram wrapped in a synthesized IPv4 or IPv6 header and a UDP
//! header with a correct checksum, so Wireshark and tshark decode it.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Link type "raw IP" (the first nibble says IPv4 or IPv6).
pub const LINKTYPE_RAW: u32 = 101;

/// Seconds added to simulated time so the capture shows a plausible date
/// (2023-11-14T22:13:20Z); a constant, so captures are reproducible.
pub const EPOCH_OFFSET_SECS: u64 = 1_700_000_000;

/// Default bound on a capture's size; later packets are counted only.
pub const DEFAULT_CAPTURE_LIMIT: usize = 64 << 20;

const MAX_UDP_PAYLOAD: usize = 65_535 - 8 - 40;

/// An in-memory pcap file being written.
#[derive(Debug, Clone)]
pub struct PcapWriter {
    bytes: Vec<u8>,
    limit: usize,
    packets: u64,
    overflow: u64,
}

impl PcapWriter {
    /// A capture holding at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        let mut bytes = Vec::with_capacity(4096);
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // µs timestamps
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        bytes.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        bytes.extend_from_slice(&65_535u32.to_le_bytes()); // snaplen
        bytes.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
        Self {
            bytes,
            limit,
            packets: 0,
            overflow: 0,
        }
    }

    /// Appends one UDP datagram seen `at` after the network's start.
    /// Mixed families (`src` and `dst` of different families) and payloads
    /// too large for one IP packet are counted as overflow, not written.
    pub fn record(&mut self, at: Duration, src: SocketAddr, dst: SocketAddr, payload: &[u8]) {
        if payload.len() > MAX_UDP_PAYLOAD {
            self.overflow += 1;
            return;
        }
        let mut packet = Vec::with_capacity(payload.len() + 48);
        match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let total = (20 + 8 + payload.len()) as u16;
                let id = (self.packets & 0xffff) as u16;
                let mut header = [0u8; 20];
                header[0] = 0x45;
                header[2..4].copy_from_slice(&total.to_be_bytes());
                header[4..6].copy_from_slice(&id.to_be_bytes());
                header[6] = 0x40; // don't fragment
                header[8] = 64; // TTL
                header[9] = 17; // UDP
                header[12..16].copy_from_slice(&s.octets());
                header[16..20].copy_from_slice(&d.octets());
                let checksum = !fold(sum(&header, 0));
                header[10..12].copy_from_slice(&checksum.to_be_bytes());
                packet.extend_from_slice(&header);
                let pseudo =
                    sum(&s.octets(), 0) + sum(&d.octets(), 0) + 17 + 8 + payload.len() as u32;
                push_udp(&mut packet, src.port(), dst.port(), payload, pseudo);
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let length = (8 + payload.len()) as u16;
                let mut header = [0u8; 40];
                header[0] = 0x60;
                header[4..6].copy_from_slice(&length.to_be_bytes());
                header[6] = 17; // next header: UDP
                header[7] = 64; // hop limit
                header[8..24].copy_from_slice(&s.octets());
                header[24..40].copy_from_slice(&d.octets());
                packet.extend_from_slice(&header);
                let pseudo =
                    sum(&s.octets(), 0) + sum(&d.octets(), 0) + 17 + 8 + payload.len() as u32;
                push_udp(&mut packet, src.port(), dst.port(), payload, pseudo);
            }
            _ => {
                self.overflow += 1;
                return;
            }
        }
        if self.bytes.len() + 16 + packet.len() > self.limit {
            self.overflow += 1;
            return;
        }
        let secs = EPOCH_OFFSET_SECS + at.as_secs();
        self.bytes.extend_from_slice(&(secs as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&at.subsec_micros().to_le_bytes());
        self.bytes
            .extend_from_slice(&(packet.len() as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(packet.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&packet);
        self.packets += 1;
    }

    /// Packets written.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Packets not written (capture full, oversize, mixed families).
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

fn push_udp(packet: &mut Vec<u8>, sport: u16, dport: u16, payload: &[u8], pseudo: u32) {
    let length = (8 + payload.len()) as u16;
    let mut header = [0u8; 8];
    header[0..2].copy_from_slice(&sport.to_be_bytes());
    header[2..4].copy_from_slice(&dport.to_be_bytes());
    header[4..6].copy_from_slice(&length.to_be_bytes());
    let mut checksum = !fold(sum(payload, sum(&header, pseudo)));
    if checksum == 0 {
        checksum = 0xffff;
    }
    header[6..8].copy_from_slice(&checksum.to_be_bytes());
    packet.extend_from_slice(&header);
    packet.extend_from_slice(payload);
}

/// The one's-complement sum of big-endian 16-bit words, not yet folded.
fn sum(bytes: &[u8], start: u32) -> u32 {
    let mut acc = u64::from(start);
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u64::from(*last) << 8;
    }
    while acc > u64::from(u32::MAX) {
        acc = (acc & 0xffff_ffff) + (acc >> 32);
    }
    acc as u32
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_header_checksum_verifies_to_zero() {
        let mut w = PcapWriter::new(DEFAULT_CAPTURE_LIMIT);
        w.record(
            Duration::from_millis(1500),
            "10.0.0.1:1000".parse().unwrap(),
            "10.0.0.2:2000".parse().unwrap(),
            b"hello",
        );
        let rec = &w.bytes()[24..];
        assert_eq!(
            u32::from_le_bytes(rec[0..4].try_into().unwrap()),
            1_700_000_001
        );
        assert_eq!(u32::from_le_bytes(rec[4..8].try_into().unwrap()), 500_000);
        let ip = &rec[16..];
        assert_eq!(ip.len(), 20 + 8 + 5);
        assert_eq!(fold(sum(&ip[..20], 0)), 0xffff);
        // UDP checksum over the pseudo-header verifies too.
        let pseudo = sum(&ip[12..20], 0) + 17 + 13;
        assert_eq!(fold(sum(&ip[20..], pseudo)), 0xffff);
    }

    #[test]
    fn mixed_families_are_not_written() {
        let mut w = PcapWriter::new(DEFAULT_CAPTURE_LIMIT);
        w.record(
            Duration::ZERO,
            "10.0.0.1:1000".parse().unwrap(),
            "[::1]:2000".parse().unwrap(),
            b"x",
        );
        assert_eq!((w.packets(), w.overflow()), (0, 1));
        assert_eq!(w.bytes().len(), 24);
    }

    #[test]
    fn capture_limit_holds() {
        let mut w = PcapWriter::new(24 + 16 + 28 + 10);
        let a = "10.0.0.1:1".parse().unwrap();
        let b = "10.0.0.2:2".parse().unwrap();
        w.record(Duration::ZERO, a, b, b"0123456789");
        w.record(Duration::ZERO, a, b, b"0123456789");
        assert_eq!((w.packets(), w.overflow()), (1, 1));
    }
}
