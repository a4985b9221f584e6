//! `Gate`: the machine as the driver sees it. While the channel queues are
//! full it holds back the datagrams that carry DTLS (the data channels'
//! SCTP), and lets STUN (ICE checks and consent) and SRTP (media) through,
//! so a slow reader pauses the data channels without stopping ICE or media.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use sansrtc::{Machine, Output, PeerEvent, Protocol, Receive, RtcPeerConnection, Transmit};

/// STUN message type of a TURN Data indication (RFC 8656 §11.6).
const DATA_INDICATION: u16 = 0x0017;
/// STUN attribute carrying a Data indication's payload.
const DATA_ATTRIBUTE: u16 = 0x0013;

/// A datagram held back while paused.
struct Held {
    protocol: Protocol,
    source: SocketAddr,
    destination: SocketAddr,
    contents: Vec<u8>,
}

/// The peer connection, with a bounded buffer of held-back DTLS datagrams.
pub(crate) struct Gate {
    pub(crate) pc: RtcPeerConnection,
    /// Hold DTLS datagrams instead of handing them to the machine.
    pub(crate) paused: bool,
    held: VecDeque<Held>,
    held_bytes: usize,
    held_limit: usize,
    /// Datagrams dropped because the held buffer was full.
    pub(crate) held_dropped: u64,
}

impl Gate {
    pub(crate) fn new(pc: RtcPeerConnection, held_limit: usize) -> Self {
        Self {
            pc,
            paused: false,
            held: VecDeque::new(),
            held_bytes: 0,
            held_limit,
            held_dropped: 0,
        }
    }

    /// Whether datagrams are waiting to be handed over.
    pub(crate) fn has_held(&self) -> bool {
        !self.held.is_empty()
    }

    /// Hands the oldest held datagram to the machine (one at a time, so
    /// the queues are checked between them).
    pub(crate) fn release_one(&mut self, now: Instant) {
        if let Some(d) = self.held.pop_front() {
            self.held_bytes -= d.contents.len();
            self.pc.handle_receive(
                now,
                Receive {
                    protocol: d.protocol,
                    source: d.source,
                    destination: d.destination,
                    contents: &d.contents,
                },
            );
        }
    }
}

impl Machine for Gate {
    type Event = PeerEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        // Once one is held, later ones queue behind it: order is kept.
        let hold = (self.paused || !self.held.is_empty()) && carries_dtls(datagram.contents, 1);
        if !hold {
            self.pc.handle_receive(now, datagram);
            return;
        }
        if self.held_bytes + datagram.contents.len() > self.held_limit {
            // The peer's SCTP retransmits what it does not see acknowledged.
            self.held_dropped += 1;
            return;
        }
        self.held_bytes += datagram.contents.len();
        self.held.push_back(Held {
            protocol: datagram.protocol,
            source: datagram.source,
            destination: datagram.destination,
            contents: datagram.contents.to_vec(),
        });
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.pc.handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, PeerEvent> {
        self.pc.poll_output()
    }

    /// A TURN server's stream ended: the connection must know at once (its
    /// relay is gone), whatever the gate holds.
    fn handle_stream_closed(
        &mut self,
        now: Instant,
        local: std::net::SocketAddr,
        remote: std::net::SocketAddr,
        protocol: sansrtc::Protocol,
    ) {
        Machine::handle_stream_closed(&mut self.pc, now, local, remote, protocol);
    }
}

/// Whether a datagram carries DTLS (RFC 7983: first byte 20–63), also
/// inside a TURN ChannelData message (64–79) or Data indication, looking
/// `depth` wrappers deep.
fn carries_dtls(datagram: &[u8], depth: u8) -> bool {
    match datagram.first() {
        Some(20..=63) => true,
        Some(64..=79) if depth > 0 => datagram
            .get(4..)
            .is_some_and(|inner| carries_dtls(inner, depth - 1)),
        Some(0..=3) if depth > 0 => {
            data_indication_payload(datagram).is_some_and(|inner| carries_dtls(inner, depth - 1))
        }
        _ => false,
    }
}

/// The DATA attribute of a STUN Data indication.
fn data_indication_payload(message: &[u8]) -> Option<&[u8]> {
    let u16_at = |i: usize| -> Option<u16> {
        Some(u16::from_be_bytes([*message.get(i)?, *message.get(i + 1)?]))
    };
    if u16_at(0)? != DATA_INDICATION {
        return None;
    }
    let end = (20 + usize::from(u16_at(2)?)).min(message.len());
    let mut at = 20;
    while at + 4 <= end {
        let (kind, len) = (u16_at(at)?, usize::from(u16_at(at + 2)?));
        let value = message.get(at + 4..at + 4 + len)?;
        if kind == DATA_ATTRIBUTE {
            return Some(value);
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtls_is_recognised_bare_and_inside_turn_wrappers_and_nothing_else() {
        let dtls = [23u8, 0xfe, 0xfd, 0, 1];
        assert!(carries_dtls(&dtls, 1));
        // ChannelData 0x4000, length 5, then the record.
        let mut channel = vec![0x40, 0x00, 0, 5];
        channel.extend_from_slice(&dtls);
        assert!(carries_dtls(&channel, 1));
        // A Data indication: header, XOR-PEER-ADDRESS (8 bytes), DATA.
        let mut indication = vec![0x00, 0x17, 0, 24, 0x21, 0x12, 0xa4, 0x42];
        indication.extend_from_slice(&[0; 12]);
        indication.extend_from_slice(&[0x00, 0x12, 0, 8, 0, 1, 0, 0, 0, 0, 0, 0]);
        indication.extend_from_slice(&[0x00, 0x13, 0, 5]);
        indication.extend_from_slice(&dtls);
        indication.extend_from_slice(&[0; 3]);
        assert!(carries_dtls(&indication, 1));
        // STUN Binding (consent), SRTP, STUN inside ChannelData: not held.
        let binding = [0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42];
        assert!(!carries_dtls(&binding, 1));
        assert!(!carries_dtls(&[0x80, 111, 0, 1], 1));
        let mut wrapped_binding = vec![0x40, 0x00, 0, 8];
        wrapped_binding.extend_from_slice(&binding);
        assert!(!carries_dtls(&wrapped_binding, 1));
        // One wrapper deep only; empty and truncated input.
        let mut twice = vec![0x40, 0x01, 0, 9];
        twice.extend_from_slice(&channel);
        assert!(!carries_dtls(&twice, 1));
        assert!(!carries_dtls(&[], 1));
        assert!(!carries_dtls(&[0x00, 0x17, 0, 40], 1));
    }
}
