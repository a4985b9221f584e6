//! Setup shared by the scenario modules: the seeded network a run starts
//! from, and two byte-oriented machines on the internet talking to each
//! other (the DTLS, SCTP and data-channel scenarios).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use sansrtc_netsim::{FixedPeerNode, LinkConfig, Loss, Network, NodeId};
use sansrtc_proto::Output;

use crate::{anchor, ScenarioInput};

/// Host A of a fixed-peer pair.
pub(crate) const PEER_A: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 1), 5000));
/// Host B of a fixed-peer pair.
pub(crate) const PEER_B: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 2), 5000));

/// The network for one run: seeded from `input`, capturing when asked.
/// Returns it with its start instant.
pub(crate) fn network(input: &ScenarioInput) -> (Network, Instant) {
    let start = anchor();
    let mut net = Network::new(start, input.seed);
    if input.capture {
        net.enable_capture();
    }
    (net, start)
}

/// Node ids of a fixed-peer pair.
pub(crate) type FixedPair<M, E> = (NodeId<FixedPeerNode<M, E>>, NodeId<FixedPeerNode<M, E>>);

/// Puts machine `a` at [`PEER_A`] and `b` at [`PEER_B`] on the internet,
/// each behind an access link `link` and sending to the other; the three
/// functions drive a machine (see [`FixedPeerNode::new`]).
pub(crate) fn fixed_peer_pair<M: 'static, E: 'static>(
    net: &mut Network,
    (a, b): (M, M),
    link: &LinkConfig,
    on_input: fn(&mut M, Instant, &[u8]),
    on_timeout: fn(&mut M, Instant),
    poll: fn(&mut M) -> Output<Vec<u8>, E>,
) -> Result<FixedPair<M, E>, String> {
    let node = |m, me, peer| FixedPeerNode::new(m, me, peer, on_input, on_timeout, poll);
    let zone = net.internet();
    let a = net
        .add_host(zone, &[PEER_A.ip()], link.clone(), node(a, PEER_A, PEER_B))
        .map_err(|e| e.to_string())?;
    let b = net
        .add_host(zone, &[PEER_B.ip()], link.clone(), node(b, PEER_B, PEER_A))
        .map_err(|e| e.to_string())?;
    Ok((a, b))
}

/// A 10 ms access link of which two in a row lose `loss` end to end (each
/// drops `1 - sqrt(1 - loss)`); a lossy link also has 4 ms of jitter and
/// reorders and duplicates with the given probabilities.
pub(crate) fn two_link_loss(loss: f64, reorder: f64, duplicate: f64) -> LinkConfig {
    let per_link = 1.0 - (1.0 - loss).sqrt();
    let lossy = loss > 0.0;
    LinkConfig {
        delay: Duration::from_millis(10),
        jitter: Duration::from_millis(if lossy { 4 } else { 0 }),
        loss: if lossy {
            Loss::Independent(per_link)
        } else {
            Loss::None
        },
        reorder: if lossy { reorder } else { 0.0 },
        duplicate: if lossy { duplicate } else { 0.0 },
        ..LinkConfig::default()
    }
}
