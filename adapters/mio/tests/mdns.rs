//! mDNS on mio: [`MdnsService`] in a [`Driver`] over the multicast sockets
//! `sansrtc_adapter_core` builds (the same as the tokio adapter's), on
//! loopback. One driver registers a name, another resolves it.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_adapter_core::{bind_mdns_v4, mdns_source};
use sansrtc_mdns::{MdnsService, ResolverEvent};
use sansrtc_mio::Driver;
use support::poll_until;

const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

fn mdns_driver() -> Driver<MdnsService> {
    let mut driver =
        Driver::new(MdnsService::new(vec![mdns_source(IpAddr::V4(LOOPBACK))])).unwrap();
    driver
        .add_socket(bind_mdns_v4(LOOPBACK).expect("an mDNS socket on loopback"))
        .unwrap();
    driver
}

#[test]
fn a_name_registered_on_one_driver_resolves_on_another() {
    let mut ours = mdns_driver();
    let mut theirs = mdns_driver();
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(std::process::id()));
    let name = sansrtc_mdns::generate_name(&mut rng).to_string();
    ours.with_machine(|m| m.register(Instant::now(), &name, IpAddr::V4(LOOPBACK)))
        .unwrap();
    let id = theirs
        .with_machine(|m| m.resolve(Instant::now(), &name))
        .unwrap();
    let mut answer = None;
    let deadline = support::give_up();
    while answer.is_none() {
        assert!(Instant::now() < deadline, "no answer for {name}");
        ours.poll_once(Some(std::time::Duration::from_millis(10)))
            .unwrap();
        theirs
            .poll_once(Some(std::time::Duration::from_millis(10)))
            .unwrap();
        if let Some(ResolverEvent::Resolved {
            id: got, addresses, ..
        }) = theirs.take_event()
        {
            assert_eq!(got, id);
            answer = Some(addresses);
        }
    }
    assert_eq!(answer.unwrap(), vec![IpAddr::V4(LOOPBACK)]);
    // Our responder answered a query; both heard everything without error.
    poll_until(&mut ours, "the query counted", |d| {
        d.machine().responder_stats().queries >= 1
    });
    assert_eq!(theirs.counters().send_errors, 0);
}
