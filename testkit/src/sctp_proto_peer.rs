//! `sctp-proto` (an independent SCTP implementation) driven as a test peer.
//!
//! [`SctpProtoPeer`] owns one sctp-proto endpoint and at most one
//! association, fed with packets and timeouts at the caller's (simulated or
//! real) times. One drain is two calls, in sctp-proto's order:
//! [`SctpProtoPeer::poll_events`] (the endpoint's packets, endpoint events,
//! association events and the user messages of every readable stream),
//! then, after the caller has reacted to those (for example sent an
//! answer), [`SctpProtoPeer::poll_transmits`] (the association's packets
//! and its next timer).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use sctp_proto::{
    Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig, Event,
    Payload, PayloadProtocolIdentifier, ServerConfig, Stream, StreamEvent, TransportConfig,
};

/// What the peer reported in one [`SctpProtoPeer::poll_events`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerEvent {
    /// The association is established.
    Connected,
    /// sctp-proto gave the association up.
    Lost,
    /// One user message read from a stream.
    Message {
        /// The stream it arrived on.
        stream: u16,
        /// Its payload protocol identifier.
        ppid: u32,
        /// Its bytes.
        data: Vec<u8>,
    },
}

/// An sctp-proto endpoint with (at most) one association.
pub struct SctpProtoPeer {
    endpoint: Endpoint,
    remote: SocketAddr,
    assoc: Option<(AssociationHandle, Association)>,
}

/// 256 KiB messages, a 1 MiB receive buffer.
fn transport() -> Arc<TransportConfig> {
    Arc::new(
        TransportConfig::default()
            .with_max_message_size(256 * 1024)
            .with_max_receive_buffer_size(1024 * 1024),
    )
}

impl SctpProtoPeer {
    /// `accepts`: the endpoint answers an INIT (it has a server config; a
    /// client-only sctp-proto endpoint panics on an INIT). `opens`: it
    /// sends INIT now.
    fn new(accepts: bool, opens: bool) -> Self {
        let mut server = ServerConfig::new();
        server.transport = transport();
        let mut endpoint = Endpoint::new(
            Arc::new(EndpointConfig::new()),
            accepts.then(|| Arc::new(server)),
        );
        // sctp-proto keys associations by address only; any fixed one does.
        let remote = SocketAddr::from((Ipv4Addr::LOCALHOST, 5000));
        let assoc = opens.then(|| {
            let mut client = ClientConfig::new();
            client.transport = transport();
            endpoint
                .connect(client, remote)
                .expect("sctp-proto connect")
        });
        Self {
            endpoint,
            remote,
            assoc,
        }
    }

    /// A passive peer: it answers an INIT.
    pub fn passive() -> Self {
        Self::new(true, false)
    }

    /// An active peer: it sends INIT now (and cannot answer one).
    pub fn active() -> Self {
        Self::new(false, true)
    }

    /// An active peer that also accepts an INIT (simultaneous open).
    pub fn active_and_passive() -> Self {
        Self::new(true, true)
    }

    /// Feeds one packet. Returns `true` when it made sctp-proto create an
    /// association beside the first one (which the peer drops).
    #[must_use]
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) -> bool {
        let packet = Bytes::copy_from_slice(packet);
        let Some((h, ev)) = self.endpoint.handle(now, self.remote, None, None, packet) else {
            return false;
        };
        match ev {
            DatagramEvent::NewAssociation(a) => {
                if self.assoc.is_some() {
                    return true;
                }
                self.assoc = Some((h, a));
            }
            DatagramEvent::AssociationEvent(e) => {
                if let Some((_, a)) = self.assoc.as_mut() {
                    a.handle_event(e);
                }
            }
        }
        false
    }

    /// Fires the association's timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some((_, a)) = self.assoc.as_mut() {
            a.handle_timeout(now);
        }
    }

    /// Moves the endpoint's packets to `out`, passes endpoint events, and
    /// returns the association's events with the user messages of every
    /// stream that opened or became readable (after all other events).
    pub fn poll_events(&mut self, out: &mut Vec<Vec<u8>>) -> Vec<PeerEvent> {
        while let Some(t) = self.endpoint.poll_transmit() {
            if let Payload::RawEncode(v) = t.payload {
                out.extend(v.into_iter().map(|b| b.to_vec()));
            }
        }
        let mut events = Vec::new();
        let Some((h, a)) = self.assoc.as_mut() else {
            return events;
        };
        while let Some(ev) = a.poll_endpoint_event() {
            if let Some(back) = self.endpoint.handle_event(*h, ev) {
                a.handle_event(back);
            }
        }
        let mut readable = Vec::new();
        while let Some(ev) = a.poll() {
            match ev {
                Event::Connected => events.push(PeerEvent::Connected),
                Event::AssociationLost { .. } => events.push(PeerEvent::Lost),
                Event::Stream(StreamEvent::Opened) => {
                    while let Some(s) = a.accept_stream() {
                        readable.push(s.stream_identifier());
                    }
                }
                Event::Stream(StreamEvent::Readable { id }) => readable.push(id),
                _ => {}
            }
        }
        for id in readable {
            let Ok(mut s) = a.stream(id) else { continue };
            while let Ok(Some(chunks)) = s.read_sctp() {
                let mut buf = vec![0u8; chunks.len()];
                let n = chunks.read(&mut buf).unwrap_or(0);
                buf.truncate(n);
                events.push(PeerEvent::Message {
                    stream: id,
                    ppid: chunks.ppi as u32,
                    data: buf,
                });
            }
        }
        events
    }

    /// Moves the association's packets for `now` to `out`; returns its next
    /// timer (`None` without an association).
    pub fn poll_transmits(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant> {
        let (_, a) = self.assoc.as_mut()?;
        while let Some(t) = a.poll_transmit(now) {
            if let Payload::RawEncode(v) = t.payload {
                out.extend(v.into_iter().map(|b| b.to_vec()));
            }
        }
        a.poll_timeout()
    }

    /// The association's next timer, without polling anything else.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        self.assoc.as_mut().and_then(|(_, a)| a.poll_timeout())
    }

    /// Stream `id`, opened with default PPID `ppi` if it does not exist
    /// yet; `None` without an association.
    pub fn stream(
        &mut self,
        id: u16,
        ppi: PayloadProtocolIdentifier,
    ) -> Option<Result<Stream<'_>, sctp_proto::Error>> {
        let (_, a) = self.assoc.as_mut()?;
        Some(if a.stream(id).is_ok() {
            a.stream(id)
        } else {
            a.open_stream(id, ppi)
        })
    }
}
