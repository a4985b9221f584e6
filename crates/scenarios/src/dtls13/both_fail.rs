//! Runs a pair of `DtlsEndpoint`s until both fail (the scenarios where a
//! handshake must not complete) and checks their errors.

use std::time::{Duration, Instant};

use sansrtc_dtls::{DtlsError, DtlsEvent};
use sansrtc_netsim::{Network, Node, NodeId};

use crate::Outcome;

/// Steps `net` until the client (`a`) and the server (`b`) both report
/// `Failed`, within 30 s of `start`, and checks they failed with
/// `expected` (client's, server's); a `Connected` on either side is an
/// error. The time to goal is when both had failed.
pub(super) fn both_fail<N: Node<Event = DtlsEvent> + 'static>(
    net: &mut Network,
    (a, b): (&NodeId<N>, &NodeId<N>),
    start: Instant,
    expected: (DtlsError, DtlsError),
) -> Result<Outcome, String> {
    let deadline = start + Duration::from_secs(30);
    let (mut client_error, mut server_error) = (None, None);
    loop {
        for (side, id, error) in [
            ("client", a, &mut client_error),
            ("server", b, &mut server_error),
        ] {
            for e in net.take_events(id) {
                match e {
                    DtlsEvent::Failed(e) => *error = Some(e),
                    DtlsEvent::Connected(c) => {
                        return Err(format!("the {side} connected with {:?}", c.version))
                    }
                    _ => {}
                }
            }
        }
        if let (Some(c), Some(s)) = (&client_error, &server_error) {
            if (c, s) != (&expected.0, &expected.1) {
                return Err(format!(
                    "expected {:?} at the client and {:?} at the server, got {c:?} and {s:?}",
                    expected.0, expected.1
                ));
            }
            return Ok(Outcome {
                time_to_goal: net.now() - start,
                throughput_bytes_per_sec: None,
                pcap: net.pcap().map(<[u8]>::to_vec),
            });
        }
        if net.now() >= deadline
            || (!net.step() && net.run_for(Duration::from_millis(100)).reached())
        {
            return Err(format!(
                "not both failed after {:?}: client {client_error:?}, server {server_error:?}",
                net.now() - start
            ));
        }
    }
}
