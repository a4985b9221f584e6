//! A read-only view of the agent's candidates and check list, for
//! statistics (the W3C `RTCIceCandidateStats` and
//! `RTCIceCandidatePairStats` of `getStats()`). Nothing here changes the
//! agent; it copies what the agent already keeps.

use std::net::SocketAddr;

use sansrtc_proto::Protocol;
use sansrtc_sdp::CandidateKind;

use crate::agent::Agent;
use crate::pair::PairState;

/// One candidate as statistics show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateSnapshot {
    /// host, srflx, prflx or relay.
    pub kind: CandidateKind,
    /// Component id.
    pub component: u16,
    /// The transport address (for a local relay candidate: the relayed one).
    pub address: SocketAddr,
    /// RFC 8445 §5.1.2 priority.
    pub priority: u32,
    /// RFC 8445 §5.1.1.3 foundation.
    pub foundation: String,
    /// `raddr`/`rport` of a local candidate (none for remote candidates).
    pub related: Option<SocketAddr>,
    /// A local relay candidate: how the agent reaches its TURN server.
    pub relay_protocol: Option<Protocol>,
    /// A local relay candidate: the TURN server's URL as configured.
    pub url: Option<String>,
}

/// One pair of the check list; `local` and `remote` index the snapshot's
/// candidate lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSnapshot {
    /// Index into [`IceSnapshot::local`].
    pub local: usize,
    /// Index into [`IceSnapshot::remote`].
    pub remote: usize,
    /// Component id.
    pub component: u16,
    /// The pair's state.
    pub state: PairState,
    /// Whether it is nominated.
    pub nominated: bool,
    /// RFC 8445 §6.1.2.3 pair priority.
    pub priority: u64,
}

/// The candidates and pairs of an agent at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceSnapshot {
    /// Local candidates: those the agent signals, and any a pair uses
    /// (none on a removed base, none the relay policy hides unless paired).
    pub local: Vec<CandidateSnapshot>,
    /// Remote candidates, signalled and peer-reflexive.
    pub remote: Vec<CandidateSnapshot>,
    /// The check list.
    pub pairs: Vec<PairSnapshot>,
    /// The remote's ufrag, once known.
    pub remote_ufrag: Option<String>,
}

impl Agent {
    /// A copy of the candidates and the check list, for statistics.
    pub fn snapshot(&self) -> IceSnapshot {
        let paired = |i: usize| self.pairs.iter().any(|p| p.local == i);
        let mut local_index = vec![None; self.locals.len()];
        let mut local = Vec::new();
        for (i, c) in self.locals.iter().enumerate() {
            if !self.signalled(c) && !paired(i) {
                continue;
            }
            let relay = c.relay.and_then(|r| self.relays.get(r));
            local_index[i] = Some(local.len());
            local.push(CandidateSnapshot {
                kind: c.kind,
                component: c.component,
                address: c.address,
                priority: c.priority,
                foundation: c.foundation.clone(),
                related: c.related,
                relay_protocol: relay.map(|r| r.protocol),
                url: relay
                    .and_then(|r| self.config.servers.get(r.server_entry))
                    .map(|s| s.url.clone()),
            });
        }
        let remote = self
            .remotes
            .iter()
            .map(|c| CandidateSnapshot {
                kind: c.kind,
                component: c.component,
                address: c.address,
                priority: c.priority,
                foundation: c.foundation.clone(),
                related: None,
                relay_protocol: None,
                url: None,
            })
            .collect::<Vec<_>>();
        let pairs = self
            .pairs
            .iter()
            .filter_map(|p| {
                Some(PairSnapshot {
                    local: local_index.get(p.local).copied().flatten()?,
                    remote: (p.remote < remote.len()).then_some(p.remote)?,
                    component: p.component,
                    state: p.state,
                    nominated: p.nominated,
                    priority: p.priority,
                })
            })
            .collect();
        IceSnapshot {
            local,
            remote,
            pairs,
            remote_ufrag: self.remote.as_ref().map(|c| c.ufrag.clone()),
        }
    }
}
