//! Each connection of the `Server` runs its inputs inside a
//! `server_connection{id}` tracing span, so a log line says which
//! connection it is about.

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sansrtc_mio::{Server, ServerConnection};
use sansrtc_proto::{Machine, Output, Receive, Transmit};
use sansrtc_stun::{attributes::Username, MessageBuilder, MessageType, TransactionId};

/// Logs every datagram it hears; sends nothing.
struct Logging(&'static str, VecDeque<Output<Transmit, ()>>);

impl Machine for Logging {
    type Event = ();
    fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
        tracing::info!(bytes = d.contents.len(), "heard");
        self.1.push_back(Output::Event(()));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        self.1.pop_front().unwrap_or(Output::Timeout(None))
    }
}

impl ServerConnection for Logging {
    fn add_server_address(&mut self, _now: Instant, _local: SocketAddr) {}
    fn local_ufrags(&self) -> Vec<String> {
        vec![self.0.to_string()]
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_connections_logs_carry_its_span() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let bob = tracing::subscriber::with_default(subscriber, || {
        let mut server = Server::new().unwrap();
        let port = server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let _alice = server.add_connection(Logging("alice", VecDeque::new()));
        let bob = server.add_connection(Logging("bob", VecDeque::new()));
        let mut request = Vec::new();
        let mut b = MessageBuilder::new(
            &mut request,
            MessageType::BINDING_REQUEST,
            TransactionId([9; 12]),
        );
        b.add(&Username("bob:peer")).unwrap();
        b.finish();
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(&request, port).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.take_event().is_none() {
            assert!(Instant::now() < deadline, "the request did not arrive");
            server.poll_once(Some(Duration::from_millis(50))).unwrap();
        }
        bob
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let span = format!("server_connection{{id={bob}}}");
    assert!(
        log.lines()
            .any(|l| l.contains(&span) && l.contains("heard")),
        "no `heard` inside {span}:\n{log}"
    );
}
