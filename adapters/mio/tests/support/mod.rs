//! What every mio adapter test file needs besides the shared machines.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use sansrtc_mio::Driver;
use sansrtc_proto::Machine;

/// Every loop in these tests gives up after 10 s (what takes milliseconds).
pub fn give_up() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

/// A plain blocking std socket whose receives give up after 5 s.
pub fn blocking_socket(bind: &str) -> UdpSocket {
    let socket = UdpSocket::bind(bind).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket
}

/// Turns the loop (50 ms at most per turn) until `done`; fails with
/// `waiting_for` after 10 s.
pub fn poll_until<M: Machine>(
    driver: &mut Driver<M>,
    waiting_for: &str,
    mut done: impl FnMut(&Driver<M>) -> bool,
) {
    let deadline = give_up();
    while !done(driver) {
        assert!(Instant::now() < deadline, "gave up waiting: {waiting_for}");
        driver.poll_once(Some(Duration::from_millis(50))).unwrap();
    }
}
