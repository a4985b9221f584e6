//! Runs a pair of `DtlsEndpoint`s until both fail (the scenarios where a
//! handshake must not complete) and returns their errors.

use std::time::Instant;

use sansrtc_dtls::{DtlsError, DtlsEvent};
use sansrtc_netsim::{Network, Node, NodeId};

/// Steps `net` until the client (`a`) and the server (`b`) both report
/// `Failed`, by `deadline`; a `Connected` on either side is an error.
pub(super) fn both_fail<N: Node<Event = DtlsEvent> + 'static>(
    net: &mut Network,
    (a, b): (&NodeId<N>, &NodeId<N>),
    start: Instant,
    deadline: Instant,
) -> Result<(DtlsError, DtlsError), String> {
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
            return Ok((c.clone(), s.clone()));
        }
        if net.now() >= deadline
            || (!net.step() && net.run_for(std::time::Duration::from_millis(100)).reached())
        {
            return Err(format!(
                "not both failed after {:?}: client {client_error:?}, server {server_error:?}",
                net.now() - start
            ));
        }
    }
}
