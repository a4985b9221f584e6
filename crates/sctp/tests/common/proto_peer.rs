//! sctp-proto (an independent implementation) as a simulator peer, on
//! `sansrtc_testkit::sctp_proto_peer`.

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use sansrtc_sctp::{Message, Reliability, SendOptions};
use sansrtc_testkit::sctp_proto_peer::{PeerEvent, SctpProtoPeer};
use sctp_proto::{PayloadProtocolIdentifier, ReliabilityType};

/// An sctp-proto endpoint with (at most) one association.
pub struct ProtoPeer {
    peer: SctpProtoPeer,
    connected: bool,
    pub messages: Vec<Message>,
    opened: HashMap<u16, (bool, ReliabilityType, u32)>,
    pub lost: bool,
    /// Associations sctp-proto created beside the first one.
    pub extra_associations: u32,
}

impl ProtoPeer {
    fn wrap(peer: SctpProtoPeer) -> Self {
        Self {
            peer,
            connected: false,
            messages: Vec::new(),
            opened: HashMap::new(),
            lost: false,
            extra_associations: 0,
        }
    }

    /// A passive peer: it answers an INIT.
    pub fn server() -> Self {
        Self::wrap(SctpProtoPeer::passive())
    }

    /// An active peer: it sends INIT now.
    pub fn client() -> Self {
        Self::wrap(SctpProtoPeer::active())
    }

    /// An active peer that also accepts an INIT (simultaneous open).
    pub fn client_and_server() -> Self {
        Self::wrap(SctpProtoPeer::active_and_passive())
    }
}

impl super::Peer for ProtoPeer {
    fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        if self.peer.handle_receive(now, packet) {
            self.extra_associations += 1;
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
    }

    fn drain(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant> {
        for ev in self.peer.poll_events(out) {
            match ev {
                PeerEvent::Connected => self.connected = true,
                PeerEvent::Lost => self.lost = true,
                PeerEvent::Message { stream, ppid, data } => self.messages.push(Message {
                    stream_id: stream,
                    ppid,
                    unordered: false,
                    data: data.into(),
                }),
            }
        }
        self.peer.poll_transmits(now, out)
    }

    fn send(
        &mut self,
        _now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        opts: SendOptions,
    ) -> bool {
        if !self.connected {
            return false;
        }
        let (rel, val) = match opts.reliability {
            Reliability::Reliable => (ReliabilityType::Reliable, 0),
            Reliability::MaxRetransmits(n) => (ReliabilityType::Rexmit, n),
            Reliability::MaxLifetime(d) => (ReliabilityType::Timed, d.as_millis() as u32),
        };
        let ppi = PayloadProtocolIdentifier::from(ppid);
        let want = (opts.unordered, rel, val);
        let mut s = match self.peer.stream(stream, ppi) {
            Some(Ok(s)) => s,
            None | Some(Err(_)) => return false,
        };
        if self.opened.get(&stream) != Some(&want) {
            if s.set_reliability_params(opts.unordered, rel, val).is_err() {
                return false;
            }
            self.opened.insert(stream, want);
        }
        // Keep its buffer bounded like ours.
        if s.buffered_amount().unwrap_or(0) > 4 * 1024 * 1024 {
            return false;
        }
        s.write_sctp(&Bytes::copy_from_slice(data), ppi).is_ok()
    }

    fn received(&mut self) -> &mut Vec<Message> {
        &mut self.messages
    }

    fn is_connected(&self) -> bool {
        self.connected
    }
}
