//! Real Sans-IO machines driven by the mio adapter through real UDP sockets
//! on loopback: netsim's STUN server asked by a plain std socket, a
//! timer-only machine, two machines in two drivers in one loop, commands
//! from another thread through a `mio::Waker`.

#[path = "../../tokio/tests/machines/mod.rs"]
mod machines;
mod support;

use std::net::UdpSocket;
use std::ops::ControlFlow;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use machines::*;
use sansrtc_mio::Driver;
use support::{blocking_socket, give_up, poll_until};

/// A plain std socket asks the STUN server: garbage first (ignored), then a
/// Binding request whose XOR-MAPPED-ADDRESS must be the client's address.
fn std_client_gets_its_address(bind: &str) {
    let mut driver = Driver::new(StunService::default()).unwrap();
    let server = driver.bind(bind.parse().unwrap()).unwrap();
    let client = blocking_socket(bind);
    client.send_to(b"\x00\x01garbage", server).unwrap();
    let (transaction_id, request) = binding_request(1);
    client.send_to(&request, server).unwrap();
    poll_until(&mut driver, "the server's answer", |d| {
        d.machine().0.counters().binding_requests != 0
    });
    let mut buf = [0u8; 1500];
    let (n, from) = client.recv_from(&mut buf).expect("a response");
    assert_eq!(from, server);
    assert_eq!(
        mapped_address(&buf[..n], transaction_id),
        Some(client.local_addr().unwrap())
    );
    assert_eq!(driver.machine().0.counters().ignored, 1);
    assert_eq!(driver.counters().received, 2);
    assert_eq!(driver.counters().sent, 1);
}

#[test]
fn stun_server_tells_a_std_client_its_ipv4_address() {
    std_client_gets_its_address("127.0.0.1:0");
}

#[test]
fn stun_server_tells_a_std_client_its_ipv6_address() {
    std_client_gets_its_address("[::1]:0");
}

#[test]
fn the_poll_wakes_for_the_machines_timer_no_earlier_than_asked() {
    let receiver = blocking_socket("127.0.0.1:0");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let interval = Duration::from_millis(20);
    let start = Instant::now();
    let ticker = Ticker::new(local, receiver.local_addr().unwrap(), start, interval, 5);
    let mut driver = Driver::new(ticker).unwrap();
    driver.add_socket(socket).unwrap();
    // No socket ever becomes readable: only the timer can end the waits.
    let sent_at = driver
        .run_until(give_up(), |_, TickerEvent::Done(at)| ControlFlow::Break(at))
        .unwrap()
        .expect("the ticker finished");
    driver.machine().assert_on_schedule(&sent_at);
    assert_eq!(driver.counters().timeouts, 5);
    assert_eq!(driver.counters().sent, 5);
    assert_eq!(driver.next_timeout(), None);
    let mut buf = [0u8; 8];
    for i in 0..5u8 {
        let (n, from) = receiver.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&[i][..], local));
    }
}

#[test]
fn a_stun_client_and_server_in_two_drivers_talk_in_one_loop() {
    let mut server = Driver::new(StunService::default()).unwrap();
    let server_address = server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let client = BindingClient::new(
        local,
        server_address,
        Instant::now(),
        Duration::from_millis(100),
        2,
    );
    let mut client = Driver::new(client).unwrap();
    client.add_socket(socket).unwrap();
    let deadline = give_up();
    let event = loop {
        assert!(Instant::now() < deadline, "no answer");
        client.poll_once(Some(Duration::from_millis(2))).unwrap();
        server.poll_once(Some(Duration::from_millis(2))).unwrap();
        if let Some(event) = client.take_event() {
            break event;
        }
    };
    assert_eq!(event, ClientEvent::Mapped(local));
    assert_eq!(client.machine().sent(), 1, "loopback loses nothing");
    assert_eq!(server.machine().0.counters().binding_requests, 1);
}

#[test]
fn a_command_from_another_thread_wakes_the_loop_and_is_sent_at_once() {
    const WAKE: mio::Token = mio::Token(7);
    let peer = blocking_socket("127.0.0.1:0");
    let peer_address = peer.local_addr().unwrap();
    let mut driver = Driver::new(Messenger::default()).unwrap();
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let waker = mio::Waker::new(driver.registry(), WAKE).unwrap();
    let (commands, inbox) = mpsc::channel::<Vec<u8>>();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        commands.send(b"from another thread".to_vec()).unwrap();
        waker.wake().unwrap();
        // Dropping the waker closes its descriptor, which would take a
        // not-yet-polled wake-up with it: hand it back instead.
        waker
    });
    // Nothing else can end these waits early once the socket's initial
    // readiness is consumed: no timer, no datagram.
    let before = Instant::now();
    while driver.foreign_tokens().is_empty() {
        assert!(
            before.elapsed() < Duration::from_secs(5),
            "the waker did not wake the poll"
        );
        driver.poll_once(Some(Duration::from_secs(10))).unwrap();
    }
    assert_eq!(driver.foreign_tokens(), &[WAKE]);
    let command = inbox.try_recv().unwrap();
    driver.with_machine(|m| m.send(udp(local, peer_address, command)));
    assert_eq!(driver.counters().sent, 1, "with_machine sends at once");
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"from another thread"[..], local));
    thread.join().unwrap();
}

#[test]
fn pings_and_pongs_between_two_drivers() {
    let mut ponger = Driver::new(Messenger::ponger()).unwrap();
    let ponger_address = ponger.bind("[::1]:0".parse().unwrap()).unwrap();
    let mut pinger = Driver::new(Messenger::default()).unwrap();
    let pinger_address = pinger.bind("[::1]:0".parse().unwrap()).unwrap();
    let deadline = give_up();
    for i in 0..3 {
        let ping = format!("ping {i}").into_bytes();
        pinger.with_machine(|m| m.send(udp(pinger_address, ponger_address, ping)));
        let pong = loop {
            assert!(Instant::now() < deadline, "no pong");
            ponger.poll_once(Some(Duration::from_millis(2))).unwrap();
            pinger.poll_once(Some(Duration::from_millis(2))).unwrap();
            if let Some(pong) = pinger.take_event() {
                break pong;
            }
        };
        assert_eq!(pong.from, ponger_address);
        assert_eq!(pong.at, pinger_address);
        assert_eq!(pong.contents, format!("pong {i}").into_bytes());
        let ping = ponger.take_event().expect("the ponger saw the ping");
        assert_eq!(ping.from, pinger_address);
    }
    assert_eq!(pinger.counters().sent, 3);
    assert_eq!(ponger.counters().sent, 3);
}
