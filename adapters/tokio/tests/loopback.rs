//! Real Sans-IO machines driven by the tokio adapter through real UDP
//! sockets on loopback: netsim's STUN server asked by a plain std socket,
//! a timer-only machine, two machines in two drivers, commands from a
//! channel, and cancellation in `select!`.

mod machines;
mod support;

use std::net::{SocketAddr, UdpSocket as StdUdpSocket};
use std::ops::ControlFlow;
use std::time::Duration;

use machines::*;
use sansrtc_tokio::Driver;
use support::{bounded, tokio_now};
use tokio::net::UdpSocket;

/// Runs netsim's STUN server in a driver on its own thread until `stop`
/// fires; returns the server's address and the thread's handle.
fn spawn_stun_server(
    bind: SocketAddr,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    std::thread::JoinHandle<StunService>,
) {
    let (address_tx, address_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let mut driver = Driver::new(StunService::default());
            address_tx
                .send(driver.bind(bind).await.expect("bind"))
                .unwrap();
            tokio::select! {
                result = driver.run_until(|_, ()| ControlFlow::<()>::Continue(())) => {
                    panic!("the server stopped: {result:?}")
                }
                _ = stop_rx => {}
            }
            assert_eq!(driver.counters().unknown_source, 0);
            driver.into_machine()
        })
    });
    let address = address_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("server address");
    (address, stop_tx, handle)
}

/// A plain blocking std socket asks the STUN server: garbage first (ignored),
/// then a Binding request whose XOR-MAPPED-ADDRESS must be the client's own
/// address.
fn std_client_gets_its_address(bind: &str) {
    let (server, stop, handle) = spawn_stun_server(bind.parse().unwrap());
    let client = StdUdpSocket::bind(bind).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.send_to(b"not stun at all", server).unwrap();
    let (transaction_id, request) = binding_request(1);
    client.send_to(&request, server).unwrap();
    let mut buf = [0u8; 1500];
    let (n, from) = client.recv_from(&mut buf).expect("a response");
    assert_eq!(from, server);
    assert_eq!(
        mapped_address(&buf[..n], transaction_id),
        Some(client.local_addr().unwrap())
    );
    stop.send(()).unwrap();
    let counters = handle.join().unwrap().0.counters();
    assert_eq!(counters.binding_requests, 1);
    assert_eq!(counters.ignored, 1);
}

#[test]
fn stun_server_tells_a_std_client_its_ipv4_address() {
    std_client_gets_its_address("127.0.0.1:0");
}

#[test]
fn stun_server_tells_a_std_client_its_ipv6_address() {
    std_client_gets_its_address("[::1]:0");
}

#[tokio::test]
async fn timeouts_fire_no_earlier_than_asked_and_in_order() {
    let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let interval = Duration::from_millis(20);
    let start = tokio_now();
    let ticker = Ticker::new(local, receiver.local_addr().unwrap(), start, interval, 5);
    let mut driver = Driver::new(ticker);
    driver.add_socket(socket).unwrap();

    let TickerEvent::Done(sent_at) = bounded(driver.next_event()).await.unwrap();
    driver.flush().await;
    driver.machine().assert_on_schedule(&sent_at);
    assert_eq!(driver.counters().timeouts, 5);
    assert_eq!(driver.counters().sent, 5);
    assert_eq!(driver.next_timeout(), None);
    let mut buf = [0u8; 8];
    for i in 0..5u8 {
        let (n, from) = bounded(receiver.recv_from(&mut buf)).await.unwrap();
        assert_eq!((&buf[..n], from), (&[i][..], local));
    }
}

#[tokio::test]
async fn a_stun_client_and_server_in_two_drivers_talk() {
    let mut server = Driver::new(StunService::default());
    let server_address = server.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server_task = tokio::spawn(async move {
        let result = server
            .run_until(|_, ()| ControlFlow::<()>::Continue(()))
            .await;
        panic!("the server stopped: {result:?}");
    });

    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let client = BindingClient::new(
        local,
        server_address,
        tokio_now(),
        Duration::from_millis(100),
        2,
    );
    let mut driver = Driver::new(client);
    driver.add_socket(socket).unwrap();
    let event = bounded(driver.next_event()).await.unwrap();
    assert_eq!(event, ClientEvent::Mapped(local));
    assert_eq!(driver.machine().sent(), 1, "loopback loses nothing");
    assert_eq!(driver.counters().received, 1);
    server_task.abort();
}

#[tokio::test]
async fn a_stun_client_without_a_server_times_out_after_its_retransmissions() {
    // A bound socket that never answers: the client's retransmission timer
    // runs its whole schedule (RTO 5 ms doubling: 5+10+…+320 ms, then 640).
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let client = BindingClient::new(
        local,
        silent.local_addr().unwrap(),
        tokio_now(),
        Duration::from_millis(5),
        3,
    );
    let mut driver = Driver::new(client);
    driver.add_socket(socket).unwrap();
    assert_eq!(
        bounded(driver.next_event()).await.unwrap(),
        ClientEvent::TimedOut
    );
    assert_eq!(driver.machine().sent(), BindingClient::RC);
    assert_eq!(driver.counters().sent, u64::from(BindingClient::RC));
    let mut buf = [0u8; 64];
    for _ in 0..BindingClient::RC {
        bounded(silent.recv_from(&mut buf)).await.unwrap();
    }
}

#[tokio::test]
async fn commands_from_a_channel_reach_the_peer_and_answers_come_back() {
    // Two messengers in two drivers; the application sends commands to the
    // first through a channel; the second answers pings.
    let mut ponger = Driver::new(Messenger::ponger());
    let ponger_address = ponger.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let ponger_task = tokio::spawn(async move {
        ponger
            .run_until(|_, r| {
                if r.contents == b"ping 2" {
                    ControlFlow::Break(r)
                } else {
                    ControlFlow::Continue(())
                }
            })
            .await
    });

    let mut pinger = Driver::new(Messenger::default());
    let pinger_address = pinger.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (commands, mut inbox) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let sender = tokio::spawn(async move {
        for i in 0..3 {
            commands
                .send(format!("ping {i}").into_bytes())
                .await
                .unwrap();
        }
    });
    let mut pongs = Vec::new();
    bounded(async {
        while pongs.len() < 3 {
            tokio::select! {
                event = pinger.next_event() => pongs.push(event.unwrap()),
                Some(ping) = inbox.recv() => pinger.with_machine(|m| m.send(udp(pinger_address, ponger_address, ping))),
            }
        }
    })
    .await;
    for (i, pong) in pongs.iter().enumerate() {
        assert_eq!(pong.from, ponger_address);
        assert_eq!(pong.at, pinger_address);
        assert_eq!(pong.contents, format!("pong {i}").into_bytes());
    }
    let last = bounded(ponger_task).await.unwrap().unwrap();
    assert_eq!(last.from, pinger_address);
    sender.await.unwrap();
    assert_eq!(pinger.counters().sent, 3);
    assert_eq!(pinger.counters().received, 3);
}

#[tokio::test]
async fn cancelling_next_event_in_select_loses_no_datagram() {
    // The ticker sends 30 datagrams 1 ms apart while next_event is cancelled
    // every 0.5 ms by a competing sleep: all 30 must arrive, in order.
    let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let ticker = Ticker::new(
        local,
        receiver.local_addr().unwrap(),
        tokio_now(),
        Duration::from_millis(1),
        30,
    );
    let mut driver = Driver::new(ticker);
    driver.add_socket(socket).unwrap();
    let mut cancelled = 0u32;
    bounded(async {
        loop {
            tokio::select! {
                event = driver.next_event() => { let TickerEvent::Done(_) = event.unwrap(); break; }
                _ = tokio::time::sleep(Duration::from_micros(500)) => cancelled += 1,
            }
        }
    })
    .await;
    driver.flush().await;
    assert!(
        cancelled > 0,
        "the sleep never won: the test proved nothing"
    );
    let mut buf = [0u8; 8];
    for i in 0..30u8 {
        let (n, _) = bounded(receiver.recv_from(&mut buf)).await.unwrap();
        assert_eq!(&buf[..n], &[i]);
    }
    assert_eq!(driver.counters().sent, 30);
}

#[tokio::test]
async fn one_machine_on_two_sockets_answers_from_the_right_one() {
    // The STUN server on an IPv4 and an IPv6 socket: each answer leaves from
    // the socket the request arrived at.
    let mut driver = Driver::new(StunService::default());
    let v4 = driver.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let v6 = driver.bind("[::1]:0".parse().unwrap()).await.unwrap();
    assert_eq!(driver.local_addrs().collect::<Vec<_>>(), vec![v4, v6]);
    let task = tokio::spawn(async move {
        let _ = driver
            .run_until(|_, ()| ControlFlow::<()>::Continue(()))
            .await;
    });
    for (server, client_bind) in [(v4, "127.0.0.1:0"), (v6, "[::1]:0")] {
        let client = UdpSocket::bind(client_bind).await.unwrap();
        let (transaction_id, request) = binding_request(9);
        client.send_to(&request, server).await.unwrap();
        let mut buf = [0u8; 1500];
        let (n, from) = bounded(client.recv_from(&mut buf)).await.unwrap();
        assert_eq!(from, server);
        assert_eq!(
            mapped_address(&buf[..n], transaction_id),
            Some(client.local_addr().unwrap())
        );
    }
    task.abort();
}
