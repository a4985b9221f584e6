//! `Agent::send_owned_direct`: on a direct path the transmit is handed
//! back to the caller (its own buffer, to the selected pair's addresses)
//! and nothing is queued in the agent; what `send_owned` would queue is
//! the same transmit. Without a path it is refused. (The relayed case is
//! in `coturn.rs`, against a real TURN server.)

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc_ice::{Agent, AgentConfig, IceError, Received};
use sansrtc_proto::{Output, Transmit};

fn transmits(agent: &mut Agent) -> Vec<Transmit> {
    let mut out = Vec::new();
    loop {
        match agent.poll_output() {
            Output::Transmit(t) => out.push(t),
            Output::Event(_) => {}
            Output::Timeout(_) => return out,
        }
    }
}

#[test]
fn a_direct_path_hands_the_transmit_back_unqueued() {
    let controlling = AgentConfig {
        controlling: true,
        ..AgentConfig::default()
    };
    let mut p = Pair::lan(controlling, AgentConfig::default(), 5);

    // No pair yet: refused, like `send_owned`.
    let now = p.now;
    assert!(matches!(
        p.a.send_owned_direct(now, 1, vec![1; 10]),
        Err(IceError::NotConnected(1))
    ));
    assert!(matches!(
        p.a.send_owned_direct(now, 9, vec![1; 10]),
        Err(IceError::NoSuchComponent(9))
    ));

    assert!(p.run_until(Duration::from_secs(5), Pair::connected));
    let now = p.now;
    transmits(&mut p.a);

    let data = vec![7u8; 1000];
    let buffer = data.clone();
    let pointer = buffer.as_ptr();
    let direct =
        p.a.send_owned_direct(now, 1, buffer)
            .unwrap()
            .expect("a direct path");
    assert_eq!(direct.contents.as_ptr(), pointer, "the caller's buffer");
    assert!(
        transmits(&mut p.a).is_empty(),
        "nothing queued in the agent"
    );

    p.a.send_owned(now, 1, data.clone()).unwrap();
    let queued = transmits(&mut p.a);
    assert_eq!(
        queued,
        vec![direct.clone()],
        "the transmit send_owned queues"
    );

    let received = p.b.handle_receive(now, direct.as_received());
    assert!(matches!(received, Received::Data { component: 1, data: d } if d == &data[..]));

    p.a.close(now);
    assert!(p.a.send_owned_direct(now, 1, data).is_err(), "closed");
}
