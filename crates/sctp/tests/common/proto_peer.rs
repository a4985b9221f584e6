//! sctp-proto (an independent implementation) as a simulator peer.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use sansrtc_sctp::{Message, Reliability, SendOptions};
use sctp_proto::{
    Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig, Event,
    Payload, PayloadProtocolIdentifier, ReliabilityType, ServerConfig, StreamEvent,
    TransportConfig,
};

/// An sctp-proto endpoint with (at most) one association.
pub struct ProtoPeer {
    endpoint: Endpoint,
    remote: SocketAddr,
    assoc: Option<(AssociationHandle, Association)>,
    connected: bool,
    pub messages: Vec<Message>,
    opened: HashMap<u16, (bool, ReliabilityType, u32)>,
    pub lost: bool,
    /// Associations sctp-proto created beside the first one.
    pub extra_associations: u32,
}

fn transport() -> Arc<TransportConfig> {
    Arc::new(
        TransportConfig::default()
            .with_max_message_size(256 * 1024)
            .with_max_receive_buffer_size(1024 * 1024),
    )
}

impl ProtoPeer {
    fn base(server: bool) -> Self {
        let mut server_config = ServerConfig::new();
        server_config.transport = transport();
        let endpoint = Endpoint::new(
            Arc::new(EndpointConfig::new()),
            server.then(|| Arc::new(server_config)),
        );
        Self {
            endpoint,
            remote: SocketAddr::from((Ipv4Addr::LOCALHOST, 5000)),
            assoc: None,
            connected: false,
            messages: Vec::new(),
            opened: HashMap::new(),
            lost: false,
            extra_associations: 0,
        }
    }

    /// A passive peer: it answers an INIT.
    pub fn server() -> Self {
        Self::base(true)
    }

    /// An active peer: it sends INIT now.
    pub fn client() -> Self {
        Self::active(false)
    }

    /// An active peer that also accepts an INIT (simultaneous open).
    pub fn client_and_server() -> Self {
        Self::active(true)
    }

    fn active(server: bool) -> Self {
        let mut p = Self::base(server);
        let mut config = ClientConfig::new();
        config.transport = transport();
        let (h, a) = p
            .endpoint
            .connect(config, p.remote)
            .expect("sctp-proto connect");
        p.assoc = Some((h, a));
        p
    }

    fn read_stream(&mut self, id: u16) {
        let Some((_, a)) = self.assoc.as_mut() else {
            return;
        };
        let Ok(mut s) = a.stream(id) else { return };
        while let Ok(Some(chunks)) = s.read_sctp() {
            let mut buf = vec![0u8; chunks.len()];
            let n = chunks.read(&mut buf).unwrap_or(0);
            buf.truncate(n);
            self.messages.push(Message {
                stream_id: id,
                ppid: chunks.ppi as u32,
                unordered: false,
                data: buf,
            });
        }
    }
}

impl super::Peer for ProtoPeer {
    fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        let Some((h, ev)) =
            self.endpoint
                .handle(now, self.remote, None, None, Bytes::copy_from_slice(packet))
        else {
            return;
        };
        match ev {
            DatagramEvent::NewAssociation(a) => {
                if self.assoc.is_none() {
                    self.assoc = Some((h, a));
                } else {
                    self.extra_associations += 1;
                }
            }
            DatagramEvent::AssociationEvent(e) => {
                if let Some((_, a)) = self.assoc.as_mut() {
                    a.handle_event(e);
                }
            }
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some((_, a)) = self.assoc.as_mut() {
            a.handle_timeout(now);
        }
    }

    fn drain(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant> {
        while let Some(t) = self.endpoint.poll_transmit() {
            if let Payload::RawEncode(v) = t.payload {
                out.extend(v.into_iter().map(|b| b.to_vec()));
            }
        }
        let mut readable = Vec::new();
        {
            let (h, a) = self.assoc.as_mut()?;
            while let Some(ev) = a.poll_endpoint_event() {
                if let Some(back) = self.endpoint.handle_event(*h, ev) {
                    a.handle_event(back);
                }
            }
            while let Some(ev) = a.poll() {
                match ev {
                    Event::Connected => self.connected = true,
                    Event::AssociationLost { .. } => self.lost = true,
                    Event::Stream(StreamEvent::Opened) => {
                        while let Some(s) = a.accept_stream() {
                            readable.push(s.stream_identifier());
                        }
                    }
                    Event::Stream(StreamEvent::Readable { id }) => readable.push(id),
                    _ => {}
                }
            }
        }
        for id in readable {
            self.read_stream(id);
        }
        let (_, a) = self.assoc.as_mut()?;
        while let Some(t) = a.poll_transmit(now) {
            if let Payload::RawEncode(v) = t.payload {
                out.extend(v.into_iter().map(|b| b.to_vec()));
            }
        }
        a.poll_timeout()
    }

    fn send(
        &mut self,
        _now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        opts: SendOptions,
    ) -> bool {
        let Some((_, a)) = self.assoc.as_mut() else {
            return false;
        };
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
        let mut s = match a.stream(stream) {
            Ok(s) => s,
            Err(_) => match a.open_stream(stream, ppi) {
                Ok(s) => s,
                Err(_) => return false,
            },
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
