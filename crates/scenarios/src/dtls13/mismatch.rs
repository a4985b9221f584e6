//! `dtls/v13-version-mismatch`: a client that allows DTLS 1.3 only
//! (`min_version`) meets a server that allows DTLS 1.2 only
//! (`max_version`), over clean links. The server refuses the ClientHello
//! with `ProtocolVersion` and a protocol_version alert (70); the client
//! fails on that alert. Neither reports `Connected`. Time to goal: both
//! failed.

use std::time::Duration;

use sansrtc_dtls::{DtlsEndpoint, DtlsError, DtlsVersion, Role};

use super::both_fail::both_fail;
use crate::dtls::{config, identities, link};
use crate::setup::{fixed_peer_pair, network};
use crate::{Outcome, ScenarioInput};

/// Runs the scenario.
pub(super) fn run(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, start) = network(input);
    let (a_id, b_id) = identities()?;
    let mut client_config = config(&a_id, &b_id, Duration::from_secs(1));
    client_config.min_version = DtlsVersion::Dtls13;
    let mut server_config = config(&b_id, &a_id, Duration::from_secs(1));
    server_config.max_version = DtlsVersion::Dtls12;
    let mut rng = net.rng_for(1);
    let mut client =
        DtlsEndpoint::new(Role::Client, client_config, &mut rng).map_err(|e| e.to_string())?;
    let server =
        DtlsEndpoint::new(Role::Server, server_config, &mut rng).map_err(|e| e.to_string())?;
    client.start(start);
    let (a, b) = fixed_peer_pair(
        &mut net,
        (client, server),
        &link(0.0),
        |ep: &mut DtlsEndpoint, now, bytes| ep.handle_receive(now, bytes),
        |ep: &mut DtlsEndpoint, now| ep.handle_timeout(now),
        |ep: &mut DtlsEndpoint| ep.poll_output(),
    )?;
    both_fail(
        &mut net,
        (&a, &b),
        start,
        (DtlsError::PeerAlert(70), DtlsError::ProtocolVersion),
    )
}
