//! Our codec against a real coturn server on loopback, over UDP, TCP and TLS.
//!
//! Starts its own coturn (ports 3578 / 5449, relay ports 50000–50099) with
//! `../shared/coturn/start.sh`, stops it in a Drop guard, and drives STUN
//! and TURN with plain std sockets: Binding → XOR-MAPPED-ADDRESS; Allocate
//! through the 401 challenge → relayed address; CreatePermission, Send and
//! Data indications, ChannelBind and ChannelData to a second loopback UDP
//! socket and back; Refresh to delete the allocation. The same runs over
//! TCP and over TLS (an `openssl s_client` child carries the TLS, verifying
//! coturn's certificate; our de-framer cuts the decrypted stream). Every
//! read has a timeout and every loop a bound, so the test ends in seconds.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_stun::attributes::{
    ChannelNumber, Data, Lifetime, RequestedTransport, Software, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress,
};
use sansrtc_stun::{
    AuthStep, ChannelData, Class, Frame, LongTermAuth, Message, MessageBuilder, MessageType,
    Method, StreamDeframer, TransactionId,
};
use sansrtc_testkit::coturn::{Coturn, CoturnPorts};
use sansrtc_testkit::openssl::SClient;

const PORT: u16 = 3578;
const TLS_PORT: u16 = 5449;
const READ_TIMEOUT: Duration = Duration::from_secs(2);
const TEST_BUDGET: Duration = Duration::from_secs(30);

/// The client's connection to the server: datagrams or a framed stream.
trait Transport {
    fn send(&mut self, bytes: &[u8]);
    /// The next STUN message or ChannelData from the server.
    fn recv(&mut self) -> Vec<u8>;
    /// Our address as the server sees it, when we know it.
    fn local_addr(&self) -> Option<SocketAddr>;
    /// Whether ChannelData must be padded (streams).
    fn pads(&self) -> bool;
}

struct Udp {
    socket: UdpSocket,
    server: SocketAddr,
}

impl Transport for Udp {
    fn send(&mut self, bytes: &[u8]) {
        self.socket.send_to(bytes, self.server).unwrap();
    }
    fn recv(&mut self) -> Vec<u8> {
        let mut buf = [0u8; 2048];
        let (n, from) = self
            .socket
            .recv_from(&mut buf)
            .expect("datagram from coturn before the timeout");
        assert_eq!(from, self.server);
        buf[..n].to_vec()
    }
    fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()
    }
    fn pads(&self) -> bool {
        false
    }
}

struct Tcp {
    stream: TcpStream,
    deframer: StreamDeframer,
}

impl Transport for Tcp {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }
    fn recv(&mut self) -> Vec<u8> {
        for _ in 0..64 {
            if let Some(frame) = self.deframer.next_frame() {
                return match frame.expect("well-framed stream from coturn") {
                    Frame::Stun(b) | Frame::ChannelData(b) => b.to_vec(),
                };
            }
            let mut buf = vec![0u8; self.deframer.free_space().min(4096)];
            let n = self
                .stream
                .read(&mut buf)
                .expect("bytes from coturn before the timeout");
            assert!(n > 0, "coturn closed the TCP connection");
            self.deframer.push(&buf[..n]).unwrap();
        }
        panic!("no complete frame after 64 reads");
    }
    fn local_addr(&self) -> Option<SocketAddr> {
        self.stream.local_addr().ok()
    }
    fn pads(&self) -> bool {
        true
    }
}

/// TLS through an `openssl s_client` child (see `sansrtc_testkit::openssl`),
/// cut into frames by our de-framer. The child's local port is not known to us.
struct Tls {
    client: SClient,
    deframer: StreamDeframer,
}

impl Tls {
    fn connect(cert: &Path) -> Tls {
        let server = SocketAddr::from(([127, 0, 0, 1], TLS_PORT));
        Tls {
            client: SClient::connect(cert, server),
            deframer: StreamDeframer::default(),
        }
    }
}

impl Transport for Tls {
    fn send(&mut self, bytes: &[u8]) {
        self.client.send(bytes);
    }
    fn recv(&mut self) -> Vec<u8> {
        for _ in 0..64 {
            if let Some(frame) = self.deframer.next_frame() {
                return match frame.expect("well-framed TLS stream from coturn") {
                    Frame::Stun(b) | Frame::ChannelData(b) => b.to_vec(),
                };
            }
            let bytes = self
                .client
                .recv_timeout(READ_TIMEOUT)
                .expect("bytes from coturn over TLS before the timeout");
            self.deframer.push(&bytes).unwrap();
        }
        panic!("no complete frame after 64 reads");
    }
    fn local_addr(&self) -> Option<SocketAddr> {
        None
    }
    fn pads(&self) -> bool {
        true
    }
}

struct Client<T: Transport> {
    transport: T,
    rng: ChaCha20Rng,
    auth: LongTermAuth,
}

impl<T: Transport> Client<T> {
    fn new(transport: T, seed: u64) -> Self {
        Client {
            transport,
            rng: ChaCha20Rng::seed_from_u64(seed),
            auth: LongTermAuth::new("test", "test"),
        }
    }

    /// Sends `message` built by `add` and returns the matching response,
    /// skipping anything else (indications, ChannelData) that arrives first.
    fn round_trip(
        &mut self,
        method: Method,
        authenticated: bool,
        add: &dyn Fn(&mut MessageBuilder<'_, Vec<u8>>),
    ) -> Vec<u8> {
        let tid = TransactionId::random(&mut self.rng);
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, MessageType::new(method, Class::Request), tid);
        b.add(&Software("sansrtc-stun test")).unwrap();
        if authenticated && self.auth.is_ready() {
            self.auth.add_credentials(&mut b).unwrap();
        }
        add(&mut b);
        if authenticated && self.auth.is_ready() {
            self.auth.add_integrity(&mut b).unwrap();
        }
        b.add_fingerprint().unwrap();
        b.finish();
        self.transport.send(&buf);
        for _ in 0..16 {
            let reply = self.transport.recv();
            if let Ok(msg) = Message::parse(&reply) {
                if msg.transaction_id() == tid {
                    assert_eq!(msg.method(), method);
                    msg.verify_fingerprint()
                        .expect("coturn's FINGERPRINT verifies");
                    return reply;
                }
            }
        }
        panic!("no response to {method:?}");
    }

    /// An authenticated request through the 401/438 dance; returns the
    /// verified success response.
    fn request(
        &mut self,
        method: Method,
        add: &dyn Fn(&mut MessageBuilder<'_, Vec<u8>>),
    ) -> Vec<u8> {
        for _ in 0..4 {
            let reply = self.round_trip(method, true, add);
            let msg = Message::parse(&reply).unwrap();
            match self.auth.handle_response(&msg) {
                Ok(AuthStep::Retry) => continue,
                Ok(AuthStep::Accepted) => return reply,
                other => panic!("{method:?} failed: {other:?}"),
            }
        }
        panic!("{method:?}: too many retries");
    }

    /// The next message from the server that is not a response.
    fn next_unsolicited(&mut self) -> Vec<u8> {
        self.transport.recv()
    }
}

fn binding<T: Transport>(client: &mut Client<T>) {
    let reply = client.round_trip(Method::BINDING, false, &|_| {});
    let msg = Message::parse(&reply).unwrap();
    assert_eq!(msg.class(), Class::SuccessResponse);
    let mapped = msg.require::<XorMappedAddress>().unwrap().0;
    assert_eq!(mapped.ip().to_string(), "127.0.0.1");
    if let Some(local) = client.transport.local_addr() {
        assert_eq!(mapped, local);
    }
}

fn relay_through_turn<T: Transport>(client: &mut Client<T>) {
    // Allocate: the first attempt draws the 401 challenge.
    let reply = client.request(Method::ALLOCATE, &|b| {
        b.add(&RequestedTransport::UDP).unwrap();
    });
    assert!(
        client.auth.is_ready(),
        "Allocate went through the 401 challenge"
    );
    assert_eq!(client.auth.realm(), Some("sansrtc.test"));
    let msg = Message::parse(&reply).unwrap();
    let relayed = msg.require::<XorRelayedAddress>().unwrap().0;
    assert_eq!(relayed.ip().to_string(), "127.0.0.1");
    assert!((50000..=50099).contains(&relayed.port()), "{relayed}");
    let mapped = msg.require::<XorMappedAddress>().unwrap().0;
    if let Some(local) = client.transport.local_addr() {
        assert_eq!(mapped, local);
    }
    assert!(msg.require::<Lifetime>().unwrap().0 > 0);

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let peer_recv = || {
        let mut buf = [0u8; 2048];
        let (n, from) = peer
            .recv_from(&mut buf)
            .expect("relayed datagram at the peer");
        assert_eq!(from, relayed, "datagrams come from the relayed address");
        buf[..n].to_vec()
    };

    // CreatePermission, then a Send indication to the peer.
    client.request(Method::CREATE_PERMISSION, &|b| {
        b.add(&XorPeerAddress(peer_addr)).unwrap();
    });
    let mut send = Vec::new();
    let tid = TransactionId::random(&mut client.rng);
    let mut b = MessageBuilder::new(
        &mut send,
        MessageType::new(Method::SEND, Class::Indication),
        tid,
    );
    b.add(&XorPeerAddress(peer_addr)).unwrap();
    b.add(&Data(b"hello via Send")).unwrap();
    b.add_fingerprint().unwrap();
    client.transport.send(&send);
    assert_eq!(peer_recv(), b"hello via Send");

    // The peer answers: a Data indication reaches the client.
    peer.send_to(b"reply via Data", relayed).unwrap();
    let data = client.next_unsolicited();
    let msg = Message::parse(&data).expect("a Data indication");
    assert_eq!(
        msg.message_type(),
        MessageType::new(Method::DATA, Class::Indication)
    );
    assert_eq!(msg.require::<XorPeerAddress>().unwrap().0, peer_addr);
    assert_eq!(msg.require::<Data<'_>>().unwrap().0, b"reply via Data");

    // ChannelBind, then ChannelData both ways.
    let channel = 0x4000 + (relayed.port() % 0x100);
    client.request(Method::CHANNEL_BIND, &|b| {
        b.add(&ChannelNumber(channel)).unwrap();
        b.add(&XorPeerAddress(peer_addr)).unwrap();
    });
    for payload in [&b"via channel"[..], b"odd", b"", b"12345678"] {
        let mut frame = Vec::new();
        let pads = client.transport.pads();
        ChannelData {
            channel,
            data: payload,
        }
        .encode(&mut frame, pads)
        .unwrap();
        client.transport.send(&frame);
        assert_eq!(peer_recv(), payload);
    }
    for payload in [&b"back through the channel"[..], b"x"] {
        peer.send_to(payload, relayed).unwrap();
        let bytes = client.next_unsolicited();
        if client.transport.pads() {
            assert_eq!(bytes.len() % 4, 0, "ChannelData is padded on a stream");
        }
        let cd = ChannelData::parse(&bytes).expect("ChannelData from coturn");
        assert_eq!(cd.channel, channel);
        assert_eq!(cd.data, payload);
    }

    // Refresh with LIFETIME 0 deletes the allocation.
    let reply = client.request(Method::REFRESH, &|b| {
        b.add(&Lifetime(0)).unwrap();
    });
    let msg = Message::parse(&reply).unwrap();
    assert_eq!(msg.class(), Class::SuccessResponse);
}

#[test]
fn stun_and_turn_against_coturn_over_udp_tcp_and_tls() {
    let started = Instant::now();
    let coturn = Coturn::start(
        "stun",
        CoturnPorts {
            port: PORT,
            tls_port: TLS_PORT,
            min_relay: 50000,
            max_relay: 50099,
        },
    );
    let server: SocketAddr = format!("127.0.0.1:{PORT}").parse().unwrap();

    // UDP.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let mut udp = Client::new(Udp { socket, server }, 1);
    binding(&mut udp);
    relay_through_turn(&mut udp);
    assert!(started.elapsed() < TEST_BUDGET);

    // TCP, with STUN and ChannelData framed on the stream.
    let stream = TcpStream::connect_timeout(&server, READ_TIMEOUT).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut tcp = Client::new(
        Tcp {
            stream,
            deframer: StreamDeframer::default(),
        },
        2,
    );
    binding(&mut tcp);
    relay_through_turn(&mut tcp);
    assert!(started.elapsed() < TEST_BUDGET);

    // TLS, verifying coturn's self-signed certificate.
    let mut tls = Client::new(Tls::connect(&coturn.cert()), 3);
    binding(&mut tls);
    relay_through_turn(&mut tls);
    assert!(
        started.elapsed() < TEST_BUDGET,
        "took {:?}",
        started.elapsed()
    );
}
