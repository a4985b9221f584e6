//! `dtls/v13-key-update-20pct`: after a DTLS 1.3 handshake at 20 % loss
//! (with reordering and duplication), the client updates its keys
//! [`UPDATES`] times, asking the server to update too every other time,
//! with a record echoed before the first update, between updates and
//! after the last; each record after an update waits until the server
//! has received that update, so it travels under the new keys. Records are not retransmitted by DTLS, so the client
//! repeats record `i` every 100 ms until the server's echo of it arrives;
//! KeyUpdates are (RFC 9147 §8). Goal: every record delivered and echoed,
//! and both sides agreeing on the key updates sent and received.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sansrtc_dtls::{DtlsEndpoint, DtlsEvent, DtlsVersion, Role};

use crate::dtls::{config, identities, link};
use crate::setup::{fixed_peer_pair, network};
use crate::{Outcome, ScenarioInput};

/// Key updates the client starts.
const UPDATES: u64 = 5;
/// Of which these ask the server to update too (odd-numbered ones).
const REQUESTED: u64 = UPDATES / 2;
/// How often an unanswered record is repeated.
const REPEAT: Duration = Duration::from_millis(100);

/// Runs the scenario.
pub(super) fn run(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let (a_id, b_id) = identities()?;
    let rto = Duration::from_millis(100);
    let mut rng = net.rng_for(1);
    let mut client = DtlsEndpoint::new(Role::Client, config(&a_id, &b_id, rto), &mut rng)
        .map_err(|e| e.to_string())?;
    let server = DtlsEndpoint::new(Role::Server, config(&b_id, &a_id, rto), &mut rng)
        .map_err(|e| e.to_string())?;
    client.start(start);
    let (a, b) = fixed_peer_pair(
        &mut net,
        (client, server),
        &link(0.20),
        |ep: &mut DtlsEndpoint, now, bytes| ep.handle_receive(now, bytes),
        |ep: &mut DtlsEndpoint, now| ep.handle_timeout(now),
        |ep: &mut DtlsEndpoint| ep.poll_output(),
    )?;
    let deadline = start + Duration::from_secs(600);
    let (mut a_up, mut b_up) = (false, false);
    // The record the client sends now (0..=UPDATES), and when it last did.
    let mut next: u64 = 0;
    let mut last_sent: Option<Instant> = None;
    let mut delivered = BTreeSet::new();
    loop {
        for e in net.take_events(&a) {
            match e {
                DtlsEvent::Connected(c) if c.version == DtlsVersion::Dtls13 => a_up = true,
                DtlsEvent::Connected(c) => return Err(format!("client got {:?}", c.version)),
                DtlsEvent::ApplicationData(d) if d == echo(next) && next <= UPDATES => {
                    if next < UPDATES {
                        let ep = net.node_mut(&a).machine_mut();
                        ep.update_keys(next % 2 == 1)
                            .map_err(|e| format!("update_keys {next}: {e}"))?;
                    }
                    next += 1;
                    last_sent = None;
                }
                DtlsEvent::Failed(e) => return Err(format!("client failed: {e}")),
                _ => {}
            }
        }
        for e in net.take_events(&b) {
            match e {
                DtlsEvent::Connected(_) => b_up = true,
                DtlsEvent::ApplicationData(d) => {
                    let i = parse_record(&d)?;
                    delivered.insert(i);
                    net.node_mut(&b)
                        .machine_mut()
                        .send_application_data(&echo(i))
                        .map_err(|e| e.to_string())?;
                }
                DtlsEvent::Failed(e) => return Err(format!("server failed: {e}")),
                _ => {}
            }
        }
        let now = net.now();
        if next > UPDATES
            && settled(
                &net.node(&a).machine().stats(),
                &net.node(&b).machine().stats(),
            )
        {
            break;
        }
        // Record `next` goes once the server holds the `next` updates before
        // it: `update_keys` queues one request while another is
        // outstanding and merges any further one into it, so updates
        // started faster than they are acknowledged would be fewer.
        let updated = net.node(&b).machine().stats().key_updates_received >= next;
        if a_up && updated && next <= UPDATES && !last_sent.is_some_and(|t| now < t + REPEAT) {
            last_sent = Some(now);
            net.node_mut(&a)
                .machine_mut()
                .send_application_data(&record(next))
                .map_err(|e| e.to_string())?;
        }
        if now >= deadline {
            return Err(format!(
                "not complete after {:?}: client up {a_up}, server up {b_up}, record {next}, \
                 client {:?}, server {:?}",
                now - start,
                &net.node(&a).machine().stats(),
                &net.node(&b).machine().stats(),
            ));
        }
        if !net.step() {
            net.run_for(REPEAT);
        }
    }
    let all: BTreeSet<u64> = (0..=UPDATES).collect();
    if delivered != all {
        return Err(format!("the server received records {delivered:?}"));
    }
    Ok(Outcome {
        time_to_goal: net.now() - start,
        throughput_bytes_per_sec: None,
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

/// Whether both sides count the key updates the scenario made.
fn settled(client: &sansrtc_dtls::DtlsStats, server: &sansrtc_dtls::DtlsStats) -> bool {
    client.key_updates_sent == UPDATES
        && server.key_updates_received == UPDATES
        && server.key_updates_sent == REQUESTED
        && client.key_updates_received == REQUESTED
}

/// The client's record `i`.
fn record(i: u64) -> Vec<u8> {
    format!("record {i}").into_bytes()
}

/// The server's echo of record `i`.
fn echo(i: u64) -> Vec<u8> {
    format!("echo {i}").into_bytes()
}

/// `i` from the client's record `i`.
fn parse_record(d: &[u8]) -> Result<u64, String> {
    std::str::from_utf8(d)
        .ok()
        .and_then(|s| s.strip_prefix("record "))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("unexpected record {d:?}"))
}
