//! DTLS 1.2 scenarios: our DTLS client and server on two hosts of the
//! simulated network complete the handshake (mutual authentication,
//! fingerprints, SRTP export) and echo a record through lossy, reordering,
//! duplicating links. Handshake time is the scenario's time to goal, so
//! `cargo xtask sim` reports its p50/p95 over the seeds. The endpoints
//! negotiate DTLS 1.3 by default; these pin DTLS 1.2 (`max_version`), and
//! [`crate::dtls13`] runs the same handshakes in DTLS 1.3.

use std::sync::Arc;
use std::time::Duration;

use sansrtc_dtls::{
    DtlsConfig, DtlsEndpoint, DtlsEvent, DtlsVersion, HashAlgorithm, Identity, KeyShareGroup, Role,
};
use sansrtc_netsim::LinkConfig;

use crate::setup::{fixed_peer_pair, network, two_link_loss};
use crate::{Outcome, Scenario, ScenarioInput};

/// The DTLS 1.2 scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "dtls/handshake-0pct",
            description: "DTLS 1.2 handshake (HelloVerifyRequest, mutual auth, SRTP export) over clean 20 ms links",
            default_seeds: 5,
            cases: 1,
            run: |input| handshake(input, &Case::v12(0.0, Duration::from_secs(1))),
        },
        Scenario {
            name: "dtls/handshake-20pct",
            description: "DTLS 1.2 handshake at 20% end-to-end loss with reordering and duplication, 1 s initial RTO",
            default_seeds: 40,
            cases: 1,
            run: |input| handshake(input, &Case::v12(0.20, Duration::from_secs(1))),
        },
        Scenario {
            name: "dtls/handshake-20pct-fast-rto",
            description: "DTLS 1.2 handshake at 20% loss with reordering and duplication, 100 ms initial RTO",
            default_seeds: 40,
            cases: 1,
            run: |input| handshake(input, &Case::v12(0.20, Duration::from_millis(100))),
        },
    ]
}

/// What one handshake scenario varies.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// End-to-end loss (with 5 % reordering and duplication when lossy).
    pub(crate) loss: f64,
    /// Both sides' initial retransmission timeout.
    pub(crate) rto: Duration,
    /// Both sides' `max_version`.
    pub(crate) max_version: DtlsVersion,
    /// The server's `dtls13_groups`, when not the default.
    pub(crate) server_groups: Option<Vec<KeyShareGroup>>,
    /// What both sides must report in `Connected`.
    pub(crate) expect: (DtlsVersion, KeyShareGroup),
}

impl Case {
    /// A DTLS 1.2 handshake (ECDHE x25519).
    fn v12(loss: f64, rto: Duration) -> Self {
        Case {
            loss,
            rto,
            max_version: DtlsVersion::Dtls12,
            server_groups: None,
            expect: (DtlsVersion::Dtls12, KeyShareGroup::X25519),
        }
    }
}

/// Fixed test identities (openssl req -x509, ECDSA P-256, 100 years), so
/// runs depend only on the seed.
pub(crate) fn identities() -> Result<(Arc<Identity>, Arc<Identity>), String> {
    let load = |c: &str, k: &str| {
        Identity::from_pem(c, k)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    };
    Ok((
        load(
            include_str!("dtls_identities/sim-a-cert.pem"),
            include_str!("dtls_identities/sim-a-key.pem"),
        )?,
        load(
            include_str!("dtls_identities/sim-b-cert.pem"),
            include_str!("dtls_identities/sim-b-key.pem"),
        )?,
    ))
}

/// Each host's access link; two links give `loss` end to end (and, when
/// lossy, 5 % reordering and 5 % duplication per link).
pub(crate) fn link(loss: f64) -> LinkConfig {
    two_link_loss(loss, 0.05, 0.05)
}

/// The configuration of `me` expecting `peer`'s certificate, with `rto`.
pub(crate) fn config(me: &Arc<Identity>, peer: &Arc<Identity>, rto: Duration) -> DtlsConfig {
    let mut c = DtlsConfig::new(me.clone());
    c.expected_fingerprints = vec![peer
        .fingerprint(HashAlgorithm::Sha256)
        .expect("sha-256 is supported")];
    c.initial_retransmit_timeout = rto;
    c
}

/// Runs one handshake of `case` over its links, then echoes a record.
pub(crate) fn handshake(input: &ScenarioInput, case: &Case) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let (a_id, b_id) = identities()?;
    let mut client_config = config(&a_id, &b_id, case.rto);
    let mut server_config = config(&b_id, &a_id, case.rto);
    client_config.max_version = case.max_version;
    server_config.max_version = case.max_version;
    if let Some(groups) = &case.server_groups {
        server_config.dtls13_groups = groups.clone();
    }
    let loss = case.loss;
    let mut rng = net.rng_for(1);
    let mut client =
        DtlsEndpoint::new(Role::Client, client_config, &mut rng).map_err(|e| e.to_string())?;
    let server =
        DtlsEndpoint::new(Role::Server, server_config, &mut rng).map_err(|e| e.to_string())?;
    client.start(start);
    let (a, b) = fixed_peer_pair(
        &mut net,
        (client, server),
        &link(loss),
        |ep: &mut DtlsEndpoint, now, bytes| ep.handle_receive(now, bytes),
        |ep: &mut DtlsEndpoint, now| ep.handle_timeout(now),
        |ep: &mut DtlsEndpoint| ep.poll_output(),
    )?;

    // The handshake must finish within the retransmission budget; then a
    // record is echoed (records are not retransmitted: the ping repeats
    // every 100 ms until the pong arrives).
    let deadline = start + Duration::from_secs(180);
    let (mut a_up, mut b_up, mut echoed) = (false, false, false);
    let mut handshake_time = None;
    let mut last_ping: Option<std::time::Instant> = None;
    while !echoed {
        for e in net.take_events(&a) {
            match e {
                DtlsEvent::Connected(c) => {
                    check_connected("client", &c, case.expect)?;
                    a_up = true;
                }
                DtlsEvent::ApplicationData(d) if d == b"pong" => echoed = true,
                DtlsEvent::Failed(e) => return Err(format!("client failed: {e}")),
                _ => {}
            }
        }
        for e in net.take_events(&b) {
            match e {
                DtlsEvent::Connected(c) => {
                    check_connected("server", &c, case.expect)?;
                    b_up = true;
                }
                DtlsEvent::ApplicationData(d) if d == b"ping" => net
                    .node_mut(&b)
                    .machine_mut()
                    .send_application_data(b"pong")
                    .map_err(|e| e.to_string())?,
                DtlsEvent::Failed(e) => return Err(format!("server failed: {e}")),
                _ => {}
            }
        }
        if a_up && b_up && handshake_time.is_none() {
            handshake_time = Some(net.now() - start);
            let ka = net.node(&a).machine().srtp_keying_material();
            let kb = net.node(&b).machine().srtp_keying_material();
            if ka.is_none() || ka != kb {
                return Err("SRTP keying material missing or different".into());
            }
        }
        let now = net.now();
        if a_up && !last_ping.is_some_and(|t| now < t + Duration::from_millis(100)) {
            last_ping = Some(now);
            net.node_mut(&a)
                .machine_mut()
                .send_application_data(b"ping")
                .map_err(|e| e.to_string())?;
        }
        if echoed {
            break;
        }
        if now >= deadline {
            return Err(format!("not complete after {:?}", now - start));
        }
        // Idle (a lost ping or pong): let 100 ms of simulated time pass.
        if !net.step() && (!a_up || net.run_for(Duration::from_millis(100)).reached()) {
            return Err(format!(
                "not complete after {:?} (client up {a_up}, server up {b_up})",
                now - start
            ));
        }
    }
    Ok(Outcome {
        time_to_goal: handshake_time.unwrap_or_default(),
        throughput_bytes_per_sec: None,
        pcap: net.pcap().map(<[u8]>::to_vec),
    })
}

/// `Err` unless `c` reports the version and group `expect`ed.
fn check_connected(
    side: &str,
    c: &sansrtc_dtls::Connected,
    expect: (DtlsVersion, KeyShareGroup),
) -> Result<(), String> {
    if (c.version, c.group) == expect {
        Ok(())
    } else {
        Err(format!(
            "{side} connected with {:?} / {:?}, expected {expect:?}",
            c.version, c.group
        ))
    }
}
