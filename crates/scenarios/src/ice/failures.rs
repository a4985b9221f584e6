//! Failures: a link that dies (disconnected, then failed), a peer that
//! vanishes (consent lost, sending stops), and an ICE restart onto a new
//! address.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sansrtc_ice::{AgentConfig, IceConnectionState, IceError};

use super::call::StateAt;
use super::{
    err, expect_delivered, network_with_stun, outcome, place_pair, sa, selected, stun_entry, Call,
    Nat,
};
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "ice/link-failure",
            description: "connected through NATs, A's link goes down for good: both agents go disconnected (8 s without responses), then failed when consent expires (30 s)",
            default_seeds: 10,
            cases: 1,
            run: link_failure,
        },
        Scenario {
            name: "ice/consent-loss",
            description: "the peer vanishes (closed without a word): A goes disconnected then failed at 30 s, send() is refused, and the trace shows nothing more sent to the peer",
            default_seeds: 10,
            cases: 1,
            run: consent_loss,
        },
        Scenario {
            name: "ice/restart-new-path",
            description: "A's address changes (old lease gone, new one added); both agents restart ICE and reconnect on the new address; data flows again (time = restart to reconnected)",
            default_seeds: 20,
            cases: 1,
            run: restart_new_path,
        },
    ]
}

fn setup(input: &ScenarioInput) -> Result<(Call, SocketAddr, SocketAddr), String> {
    let mut net = network_with_stun(input)?;
    let config = |controlling| AgentConfig {
        controlling,
        servers: vec![stun_entry()],
        ..AgentConfig::default()
    };
    let ((a, la), (b, lb)) = place_pair(&mut net, (Nat::Restricted, Nat::PortRestricted), config)?;
    let mut call = Call::new(net, a, b)?;
    call.connect(Duration::from_secs(20))?;
    Ok((call, la, lb))
}

fn first(states: &[StateAt], state: IceConnectionState, after: Duration) -> Option<Duration> {
    states
        .iter()
        .find(|s| s.state == state && s.at >= after)
        .map(|s| s.at)
}

/// Checks disconnected then failed after `t0`, at the configured times.
fn check_decline(states: &[StateAt], t0: Duration, side: &str) -> Result<Duration, String> {
    let d = first(states, IceConnectionState::Disconnected, t0)
        .ok_or(format!("{side}: never disconnected: {states:?}"))?;
    let f = first(states, IceConnectionState::Failed, t0)
        .ok_or(format!("{side}: never failed: {states:?}"))?;
    let (d, f) = (d - t0, f - t0);
    if !(d >= Duration::from_secs(3) && d <= Duration::from_secs(14)) {
        return Err(format!("{side}: disconnected {d:?} after the failure"));
    }
    if !(f >= Duration::from_secs(25) && f <= Duration::from_secs(37)) || f <= d {
        return Err(format!(
            "{side}: failed {f:?} after the failure (disconnected at {d:?})"
        ));
    }
    Ok(f)
}

fn link_failure(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut call, _, _) = setup(input)?;
    call.exchange(5, Duration::from_millis(20))?;
    let t0 = call.net.elapsed();
    let link = call.net.host_link(call.a.host());
    call.net.set_link_up(link, false);
    call.run_until(t0 + Duration::from_secs(45), |c| {
        c.state_a() == IceConnectionState::Failed && c.state_b() == IceConnectionState::Failed
    });
    let fa = check_decline(&call.states_a, t0, "A")?;
    let fb = check_decline(&call.states_b, t0, "B")?;
    Ok(outcome(&call, fa.max(fb), input.capture))
}

fn consent_loss(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut call, la, _) = setup(input)?;
    call.exchange(5, Duration::from_millis(20))?;
    let t0 = call.net.elapsed();
    let now = call.net.now();
    let peer = selected(&call, &call.a, "no selected pair")?.remote;
    call.net.node_mut(&call.b).agent.close(now);
    call.run_until(t0 + Duration::from_secs(45), |c| {
        c.state_a() == IceConnectionState::Failed
    });
    let f = check_decline(&call.states_a, t0, "A")?;
    let now = call.net.now();
    match call.net.node_mut(&call.a).agent.send(now, 1, b"anyone?") {
        Err(IceError::ConsentLost(1)) | Err(IceError::NotConnected(1)) => {}
        other => return Err(format!("send after consent loss: {other:?}")),
    }
    let lost_at = t0 + f;
    call.run_until(call.net.elapsed() + Duration::from_secs(10), |_| false);
    let late = call
        .net
        .trace()
        .records()
        .iter()
        .filter(|r| r.from.ip() == la.ip() && r.sent > lost_at && r.to != sa(super::STUN_SERVER))
        .count();
    if late > 0 {
        return Err(format!(
            "{late} datagrams sent to {peer} after consent was lost"
        ));
    }
    Ok(outcome(&call, f, input.capture))
}

fn restart_new_path(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut call, la, _) = setup(input)?;
    call.exchange(5, Duration::from_millis(20))?;
    let host = call.a.host();
    let new_ip: IpAddr = match la.ip() {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            IpAddr::from([o[0], o[1], o[2], o[3] + 100])
        }
        IpAddr::V6(_) => return Err("IPv4 expected".into()),
    };
    let new_local = SocketAddr::new(new_ip, la.port());
    call.net.remove_host_address(host, la.ip());
    call.net.add_host_address(host, new_ip).map_err(err)?;
    let t0 = call.net.elapsed();
    let now = call.net.now();
    {
        let a = &mut call.net.node_mut(&call.a).agent;
        a.remove_local_address(now, la);
        a.add_local_address(now, new_local).map_err(err)?;
        a.restart(now);
    }
    call.net.node_mut(&call.b).agent.restart(now);
    let ca = call.net.node(&call.a).agent.local_credentials().clone();
    let cb = call.net.node(&call.b).agent.local_credentials().clone();
    call.net
        .node_mut(&call.a)
        .agent
        .set_remote_credentials(now, &cb.ufrag, &cb.pwd)
        .map_err(err)?;
    call.net
        .node_mut(&call.b)
        .agent
        .set_remote_credentials(now, &ca.ufrag, &ca.pwd)
        .map_err(err)?;
    let reconnected = call.run_until(t0 + Duration::from_secs(20), |c| {
        c.connected()
            && c.net
                .node(&c.a)
                .agent
                .selected_pair(1)
                .is_some_and(|s| s.local_base == new_local)
    });
    if !reconnected {
        return Err(format!(
            "not reconnected on {new_local}: A {} B {}, selected {:?}",
            call.state_a().as_str(),
            call.state_b().as_str(),
            call.net.node(&call.a).agent.selected_pair(1)
        ));
    }
    let t = call.net.elapsed() - t0;
    expect_delivered(&mut call, 20).map_err(|e| format!("after the restart: {e}"))?;
    Ok(outcome(&call, t, input.capture))
}
