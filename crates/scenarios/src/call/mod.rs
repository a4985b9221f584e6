//! Call scenarios: two `sansrtc::RtcPeerConnection`s — the whole stack,
//! ICE, DTLS, SCTP and data channels under JSEP — as netsim nodes, with
//! the signaling channel modelled in simulated time (see [`harness`]).
//!
//! Every run is seeded from the network (`net.rng_for`), reads `now` from
//! the simulated clock and a fixed wall clock ([`harness::wall_clock`]).
//! `time_to_goal` is the connect time: from the creation of the data
//! channel to its `open` on both ends (the later of the two events);
//! where data moves, `throughput_bytes_per_sec` is the application bytes
//! of the transfer over the transfer's own duration (first send to last
//! delivery). `call/peer-identity-refused` reports the time to B's failure
//! instead, as no channel opens there.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sansrtc::{IceServer, RtcConfiguration};
use sansrtc_netsim::{LinkConfig, NatConfig, NatId, Network, NodeId};

use crate::ice::{access_link, err, sa, STUN_SERVER, TURN_PASSWORD, TURN_SERVER, TURN_USER};
use crate::{Outcome, Scenario};

pub mod harness;
pub mod identity;
pub mod media;

mod data;
mod negotiation;
mod paths;
mod transports;

use harness::{Call, PeerNode, Side};

/// The call scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = data::scenarios();
    all.extend(paths::scenarios());
    all.extend(negotiation::scenarios());
    all.extend(media::scenarios());
    all.extend(transports::scenarios());
    all.extend([
        Scenario {
            name: "call/peer-identity",
            description: "B has peerIdentity alice@idp.example, A asserts it through a test IdP (400 ms per request): B's DTLS is up before the validation, its channel opens only after it, peerIdentity resolves, data both ways",
            default_seeds: 5,
            cases: 1,
            run: identity::accepted,
        },
        Scenario {
            name: "call/peer-identity-refused",
            description: "as call/peer-identity with A asserting mallory@idp.example: B's identity_validated is an InvalidModificationError, B's connection fails, no channel opens on either side",
            default_seeds: 5,
            cases: 1,
            run: identity::refused,
        },
    ]);
    all
}

/// A's and B's addresses on the internet when no NAT is involved.
pub(crate) const PUBLIC_A: &str = "198.51.100.10:50000";
pub(crate) const PUBLIC_B: &str = "198.51.100.20:50000";

/// The RNG stream of each side's connection.
pub(crate) fn stream(side: Side) -> u64 {
    match side {
        Side::A => 1,
        Side::B => 2,
    }
}

/// The STUN server entry of the scenarios' network.
pub(crate) fn stun_server() -> IceServer {
    IceServer::new(format!("stun:{STUN_SERVER}"))
}

/// The TURN server entry, with the credentials the netsim server expects.
pub(crate) fn turn_server() -> IceServer {
    IceServer::new(format!("turn:{TURN_SERVER}?transport=udp"))
        .with_credentials(TURN_USER, TURN_PASSWORD)
}

/// Puts `side`'s connection on the internet at `local`.
pub(crate) fn place_public(
    net: &mut Network,
    side: Side,
    local: SocketAddr,
    config: RtcConfiguration,
    link: LinkConfig,
) -> Result<NodeId<PeerNode>, String> {
    let internet = net.internet();
    let node = PeerNode::new(net, stream(side), config, local)?;
    net.add_host(internet, &[local.ip()], link, node)
        .map_err(err)
}

/// Puts `side`'s connection behind a NAT of `nat` (its own, on the
/// internet); returns the node, its private address and the NAT.
pub(crate) fn place_behind(
    net: &mut Network,
    side: Side,
    nat: NatConfig,
    config: RtcConfiguration,
    link: LinkConfig,
) -> Result<(NodeId<PeerNode>, SocketAddr, NatId), String> {
    let internet = net.internet();
    let id = net.add_nat(internet, nat, access_link()).map_err(err)?;
    let octet = u8::try_from(stream(side)).unwrap_or(0);
    let local = SocketAddr::from(([10, 0, octet, 2], 50_000));
    let node = PeerNode::new(net, stream(side), config, local)?;
    let node = net
        .add_host(id.inside(), &[local.ip()], link, node)
        .map_err(err)?;
    Ok((node, local, id))
}

/// A and B on the internet at [`PUBLIC_A`] and [`PUBLIC_B`] with the
/// default access link.
pub(crate) fn public_pair(
    net: &mut Network,
    a: RtcConfiguration,
    b: RtcConfiguration,
) -> Result<(NodeId<PeerNode>, NodeId<PeerNode>), String> {
    public_pair_on(net, a, b, access_link())
}

/// A and B on the internet at [`PUBLIC_A`] and [`PUBLIC_B`], each on a
/// copy of `link`.
pub(crate) fn public_pair_on(
    net: &mut Network,
    a: RtcConfiguration,
    b: RtcConfiguration,
    link: LinkConfig,
) -> Result<(NodeId<PeerNode>, NodeId<PeerNode>), String> {
    Ok((
        place_public(net, Side::A, sa(PUBLIC_A), a, link.clone())?,
        place_public(net, Side::B, sa(PUBLIC_B), b, link)?,
    ))
}

/// The public IP of side's NAT.
pub(crate) fn nat_ip(side: Side) -> IpAddr {
    match side {
        Side::A => sa("203.0.113.1:0").ip(),
        Side::B => sa("203.0.113.2:0").ip(),
    }
}

/// The outcome: `connect` as the time to goal, and `bytes` moved in
/// `during` as the throughput.
pub(crate) fn outcome(
    call: &Call,
    connect: Duration,
    transfer: Option<(u64, Duration)>,
    capture: bool,
) -> Outcome {
    Outcome {
        time_to_goal: connect,
        throughput_bytes_per_sec: transfer.and_then(|(bytes, during)| {
            let secs = during.as_secs_f64();
            (bytes > 0 && secs > 0.0).then(|| bytes as f64 / secs)
        }),
        pcap: if capture {
            call.net.pcap().map(<[u8]>::to_vec)
        } else {
            None
        },
    }
}

/// A binary message of `size` bytes carrying `i` in its first 8 bytes
/// (when it has them) and a pattern after.
pub(crate) fn payload(i: usize, size: usize) -> sansrtc::DataChannelMessage {
    let mut bytes: Vec<u8> = (0..size).map(|k| ((k * 7 + i) % 251) as u8).collect();
    let tag = (i as u64).to_be_bytes();
    let n = size.min(8);
    bytes[..n].copy_from_slice(&tag[..n]);
    sansrtc::DataChannelMessage::Binary(bytes.into())
}

/// The size of a message's data.
pub(crate) fn size_of(message: &sansrtc::DataChannelMessage) -> usize {
    match message {
        sansrtc::DataChannelMessage::Text(t) => t.len(),
        sansrtc::DataChannelMessage::Binary(b) => b.len(),
    }
}

#[cfg(test)]
mod tests;
