//! Two ICE agents on a netsim network with a signalling channel between
//! them: the building block of every `ice/` scenario.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, IceGatheringState, Received};
use sansrtc_netsim::{Network, Node, NodeId};
use sansrtc_proto::{Output, Receive, Transmit};

/// An agent as a netsim node; application data it receives is kept.
pub struct Peer {
    /// The agent.
    pub agent: Agent,
    /// Application datagrams received (direct or relayed), in order.
    pub received: Vec<Vec<u8>>,
}

impl Node for Peer {
    type Event = IceEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        if let Received::Data { data, .. } = self.agent.handle_receive(now, datagram) {
            self.received.push(data.to_vec());
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.agent.handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, IceEvent> {
        match self.agent.poll_output() {
            Output::Event(IceEvent::Data { data, .. }) => {
                self.received.push(data);
                // Keep draining: relayed data is not a signalling event.
                self.poll_output()
            }
            other => other,
        }
    }
}

/// A state change seen by the signalling loop, with its simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateAt {
    /// Since the start.
    pub at: Duration,
    /// The new state.
    pub state: IceConnectionState,
}

/// Two agents, their nodes and what the signalling loop saw.
pub struct Call {
    /// The network.
    pub net: Network,
    /// Agent A's node.
    pub a: NodeId<Peer>,
    /// Agent B's node.
    pub b: NodeId<Peer>,
    /// States of A.
    pub states_a: Vec<StateAt>,
    /// States of B.
    pub states_b: Vec<StateAt>,
    /// Candidate errors (url, code) seen on either side.
    pub errors: Vec<(String, u16)>,
    /// Signalling delay between the agents.
    pub signalling_step: Duration,
    /// Answers for resolve requests (name → IP); unanswered names get an empty answer.
    pub names: Vec<(String, IpAddr)>,
}

/// Makes an agent: seeded from the network, local address added.
pub fn agent(
    net: &Network,
    stream: u64,
    config: AgentConfig,
    local: SocketAddr,
) -> Result<Peer, String> {
    let mut agent = Agent::new(config, net.rng_for(stream)).map_err(|e| e.to_string())?;
    agent
        .add_local_address(net.now(), local)
        .map_err(|e| e.to_string())?;
    Ok(Peer {
        agent,
        received: Vec::new(),
    })
}

impl Call {
    /// Wraps two placed nodes; exchanges credentials and starts gathering.
    pub fn new(mut net: Network, a: NodeId<Peer>, b: NodeId<Peer>) -> Result<Call, String> {
        let now = net.now();
        let ca = net.node(&a).agent.local_credentials().clone();
        let cb = net.node(&b).agent.local_credentials().clone();
        net.node_mut(&a)
            .agent
            .set_remote_credentials(now, &cb.ufrag, &cb.pwd)
            .map_err(|e| e.to_string())?;
        net.node_mut(&b)
            .agent
            .set_remote_credentials(now, &ca.ufrag, &ca.pwd)
            .map_err(|e| e.to_string())?;
        net.node_mut(&a).agent.gather(now);
        net.node_mut(&b).agent.gather(now);
        Ok(Call {
            net,
            a,
            b,
            states_a: Vec::new(),
            states_b: Vec::new(),
            errors: Vec::new(),
            signalling_step: Duration::from_millis(10),
            names: Vec::new(),
        })
    }

    /// Moves signalling (candidates, end-of-candidates, resolutions)
    /// between the agents and records states.
    pub fn signal(&mut self) {
        for from_a in [true, false] {
            let (from, to) = if from_a {
                (&self.a, &self.b)
            } else {
                (&self.b, &self.a)
            };
            let (from, to) = (NodeId::clone(from), NodeId::clone(to));
            let events = self.net.take_events(&from);
            let now = self.net.now();
            let at = self.net.elapsed();
            for e in events {
                match e {
                    IceEvent::LocalCandidate(c) => {
                        let _ = self.net.node_mut(&to).agent.add_remote_candidate(now, &c);
                    }
                    IceEvent::GatheringState(IceGatheringState::Complete) => {
                        self.net.node_mut(&to).agent.end_of_remote_candidates(now);
                    }
                    IceEvent::ConnectionState(state) => {
                        let log = if from_a {
                            &mut self.states_a
                        } else {
                            &mut self.states_b
                        };
                        log.push(StateAt { at, state });
                    }
                    IceEvent::CandidateError { url, code, .. } => self.errors.push((url, code)),
                    IceEvent::Resolve { id, name } => {
                        let ips: Vec<IpAddr> = self
                            .names
                            .iter()
                            .filter(|(n, _)| *n == name)
                            .map(|(_, ip)| *ip)
                            .collect();
                        let _ = self.net.node_mut(&from).agent.resolved(now, id, &ips);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Runs with signalling until `goal` or `deadline` (since the start).
    pub fn run_until(&mut self, deadline: Duration, mut goal: impl FnMut(&Call) -> bool) -> bool {
        let end = self.net.start() + deadline;
        loop {
            self.signal();
            if goal(self) {
                return true;
            }
            if self.net.now() >= end {
                return false;
            }
            let step = self.signalling_step.min(end - self.net.now());
            self.net.run_for(step.max(Duration::from_micros(1)));
        }
    }

    /// A's state.
    pub fn state_a(&self) -> IceConnectionState {
        self.net.node(&self.a).agent.connection_state()
    }

    /// B's state.
    pub fn state_b(&self) -> IceConnectionState {
        self.net.node(&self.b).agent.connection_state()
    }

    /// Both connected or completed.
    pub fn connected(&self) -> bool {
        let ok = |s| {
            matches!(
                s,
                IceConnectionState::Connected | IceConnectionState::Completed
            )
        };
        ok(self.state_a()) && ok(self.state_b())
    }

    /// Runs to connected; `Err` with both states if not by `deadline`.
    pub fn connect(&mut self, deadline: Duration) -> Result<Duration, String> {
        if self.run_until(deadline, Call::connected) {
            Ok(self.net.elapsed())
        } else {
            Err(format!(
                "not connected after {deadline:?}: A {} B {}, candidate errors {:?} {:?} (A stats {:?})",
                self.state_a().as_str(),
                self.state_b().as_str(),
                self.errors,
                (
                    self.net.node(&self.a).agent.local_candidates().len(),
                    self.net.node(&self.b).agent.local_candidates().len(),
                    self.net.node(&self.a).agent.gathering_state(),
                    self.net.node(&self.b).agent.gathering_state(),
                    self.net.node(&self.a).agent.remote_candidate_count(),
                    self.net.node(&self.b).agent.remote_candidate_count(),
                ),
                self.net.node(&self.a).agent.stats()
            ))
        }
    }

    /// Sends `count` numbered datagrams each way, `interval` apart, and
    /// returns how many arrived at B and at A.
    pub fn exchange(&mut self, count: usize, interval: Duration) -> Result<(usize, usize), String> {
        let before = (
            self.net.node(&self.b).received.len(),
            self.net.node(&self.a).received.len(),
        );
        for i in 0..count {
            let now = self.net.now();
            let msg = format!("data {i}");
            for id in [NodeId::clone(&self.a), NodeId::clone(&self.b)] {
                self.net
                    .node_mut(&id)
                    .agent
                    .send(now, 1, msg.as_bytes())
                    .map_err(|e| format!("send {i}: {e}"))?;
            }
            self.run_until(self.net.elapsed() + interval, |_| false);
        }
        self.run_until(self.net.elapsed() + Duration::from_millis(500), |_| false);
        Ok((
            self.net.node(&self.b).received.len() - before.0,
            self.net.node(&self.a).received.len() - before.1,
        ))
    }
}
