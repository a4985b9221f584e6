//! DNS off the mio loop: answers come back through the waker, literals at
//! once, `localhost` through the OS, hostile names without asking it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Token};
use sansrtc_mio::NameResolver;

const WAKER: Token = Token(7);

/// Polls until `want` answers arrived (at most 10 s); each wake-up came
/// with the waker's token.
fn collect(poll: &mut Poll, resolver: &mut NameResolver, want: usize) -> Vec<(u64, Vec<IpAddr>)> {
    let mut events = Events::with_capacity(8);
    let mut got = resolver.answers();
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.len() < want {
        assert!(Instant::now() < deadline, "answers: {got:?}");
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .unwrap();
        for e in events.iter() {
            assert_eq!(e.token(), WAKER);
        }
        got.extend(resolver.answers());
    }
    got.sort();
    got
}

#[test]
fn literals_localhost_and_invalid_names() {
    let mut poll = Poll::new().unwrap();
    let mut resolver = NameResolver::new(poll.registry(), WAKER).unwrap();
    resolver.resolve(1, "192.0.2.7");
    resolver.resolve(2, "[::1]");
    resolver.resolve(3, "localhost");
    resolver.resolve(4, "");
    resolver.resolve(5, "has space.example");
    resolver.resolve(6, "6c5fe1a8-3b5d-4c4e-9b4d-2a1f0e9d8c7b.local");
    let got = collect(&mut poll, &mut resolver, 6);
    assert_eq!(got[0], (1, vec!["192.0.2.7".parse().unwrap()]));
    assert_eq!(got[1], (2, vec!["::1".parse().unwrap()]));
    assert!(
        got[2].1.iter().all(|ip| ip.is_loopback()) && !got[2].1.is_empty(),
        "localhost: {:?}",
        got[2]
    );
    for answer in &got[3..] {
        assert!(answer.1.is_empty(), "{answer:?}");
    }
    assert_eq!(resolver.refused(), 0);
}

#[test]
fn a_flood_of_names_is_bounded_and_every_request_is_answered() {
    // The lookup blocks until the test lets it go: the queue fills.
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let mut poll = Poll::new().unwrap();
    let mut resolver = NameResolver::with_lookup(poll.registry(), WAKER, move |_name| {
        let _ = gate.lock().unwrap().recv();
        vec!["192.0.2.1".parse().unwrap()]
    })
    .unwrap();
    let total = sansrtc_mio::MAX_PENDING_NAMES * 4;
    for id in 0..total as u64 {
        resolver.resolve(id, &format!("n{id}.example"));
    }
    // At most the queue and the name in hand wait; the rest is refused.
    let refused = resolver.refused() as usize;
    assert!(
        refused >= total - sansrtc_mio::MAX_PENDING_NAMES - 1,
        "{refused}"
    );
    for _ in 0..total {
        let _ = release.send(());
    }
    let got = collect(&mut poll, &mut resolver, total);
    assert_eq!(got.len(), total, "every request answered once");
    let resolved = got.iter().filter(|(_, a)| !a.is_empty()).count();
    assert_eq!(resolved + refused, total);
    // Dropping it ends the thread (the test would hang otherwise).
    drop(resolver);
}
