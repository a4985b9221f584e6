//! The mio server holds 1,000 connected peer connections on one port:
//! 1,000 client `RtcPeerConnection`s, each on its own UDP socket, offer a
//! data channel; 1,000 server connections answer, all on the server's one
//! socket; every client's message comes back, twice. Then a quiet second
//! shows that a poll's work follows its inputs, not the number of
//! connections.

mod peers;

use std::time::{Duration, Instant};

use peers::Echoes;
use sansrtc::PeerConnectionState;
use sansrtc_mio::ServerCounters;

const CONNECTIONS: usize = 1_000;

#[test]
fn the_mio_server_holds_1000_connected_peer_connections_on_one_port() {
    let start = Instant::now();
    let mut run = Echoes::new();
    for _ in 0..CONNECTIONS {
        run.connect_one();
    }
    let signalled = start.elapsed();
    run.run_until(Duration::from_secs(600), "1,000 echoes", |r| {
        r.echoed(1) == CONNECTIONS
    });
    let echoed = start.elapsed();
    assert_eq!(run.server.len(), CONNECTIONS);
    assert_eq!(run.server.local_addrs().count(), 1);
    assert_eq!(run.server_connected, CONNECTIONS);
    for client in &run.clients {
        let server_side = run.server.connection(client.server_id).unwrap();
        assert_eq!(
            server_side.connection_state(),
            PeerConnectionState::Connected
        );
        assert_eq!(
            client.core.machine().connection_state(),
            PeerConnectionState::Connected
        );
    }

    // Everyone again, at once, on the established connections.
    for index in 0..CONNECTIONS {
        run.send_again(index);
    }
    run.run_until(Duration::from_secs(120), "1,000 second echoes", |r| {
        r.echoed(2) == CONNECTIONS
    });
    let second = start.elapsed();

    // A quiet second: poll by poll, every connection the server touched
    // had a datagram or a due deadline (consent checks, their responses,
    // SCTP timers): a poll touches at most as many connections as it had
    // inputs, never the 1,000.
    let before = run.server.counters();
    let quiet = Instant::now() + Duration::from_secs(1);
    let mut most_touched = 0;
    while Instant::now() < quiet {
        let ahead = run.server.counters();
        run.turn();
        let behind = run.server.counters();
        let inputs = inputs(&behind) - inputs(&ahead);
        let touched = run.server.touched_last_poll() as u64;
        assert!(
            touched <= inputs,
            "a poll touched {touched} connections for {inputs} inputs"
        );
        most_touched = most_touched.max(touched);
    }
    let after = run.server.counters();
    let polls = after.polls - before.polls;
    let touched = after.connections_touched - before.connections_touched;
    let causes = inputs(&after) - inputs(&before);
    eprintln!(
        "signalling {signalled:?}, 1,000 echoes at {echoed:?}, second round at {second:?}; \
         quiet second: {polls} polls touched {touched} connections for {causes} inputs, \
         at most {most_touched} in one poll"
    );
    eprintln!("{after:#?}");
    assert!(touched <= causes, "{touched} touched for {causes} inputs");
    assert_eq!(after.unknown_ufrag, 0);
    assert_eq!(after.ufrag_conflicts, 0);
    assert!(run.server.timer_entries() <= 2 * CONNECTIONS + 64);
    assert!(run.server.route_count() >= CONNECTIONS);
}

/// Inputs the server handed its connections: datagrams routed and
/// deadlines fired.
fn inputs(c: &ServerCounters) -> u64 {
    c.routed_by_ufrag + c.routed_by_transaction + c.routed_by_address + c.timeouts_fired
}
