//! mDNS on tokio: an [`MdnsService`] (resolver and responder) in a
//! [`Driver`] over the multicast sockets, on its own task, behind a
//! clonable handle. A peer connection resolves the remote's `.local`
//! candidates and registers the names hiding its own host addresses
//! through it.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use sansrtc_adapter_core::{bind_mdns_v4, bind_mdns_v6, mdns_source};
use sansrtc_mdns::{MdnsError, MdnsService, Name, QueryId, ResolverEvent};
use tokio::sync::{mpsc, oneshot};

use crate::driver::Driver;

/// The clock the machine sees: tokio's, as in the driver.
fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

/// How long the task waits for its goodbyes to leave when the last handle
/// is dropped.
const GOODBYE_TIMEOUT: Duration = Duration::from_millis(500);

/// Where the mDNS sockets listen and send: one interface per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MdnsInterfaces {
    /// The IPv4 interface, by its address (`127.0.0.1` for loopback).
    pub ipv4: Option<Ipv4Addr>,
    /// The IPv6 interface, by its index (the scope id of its link-local
    /// addresses), with the address the responder's records come from.
    pub ipv6: Option<(u32, std::net::Ipv6Addr)>,
}

impl MdnsInterfaces {
    /// IPv4 loopback only: two peers on this host.
    pub fn loopback() -> MdnsInterfaces {
        MdnsInterfaces {
            ipv4: Some(Ipv4Addr::LOCALHOST),
            ipv6: None,
        }
    }
}

/// Why mDNS could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsStartError {
    /// No interface was given.
    #[error("no interface to run mDNS on")]
    NoInterface,
    /// A multicast socket could not be built (port 5353 taken without
    /// address sharing, no multicast route, …).
    #[error("cannot open the mDNS socket on {interface}: {source}")]
    Socket {
        /// The interface.
        interface: String,
        /// The OS error.
        source: io::Error,
    },
    /// The socket could not be handed to tokio or the driver.
    #[error("cannot add the mDNS socket: {0}")]
    Driver(String),
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsRegisterError {
    /// The responder refused it (not a `.local` name, too many names …).
    #[error(transparent)]
    Refused(#[from] MdnsError),
    /// The mDNS task has ended.
    #[error("the mDNS task has ended")]
    Ended,
}

enum Command {
    Resolve(String, oneshot::Sender<Vec<IpAddr>>),
    Register(String, IpAddr, oneshot::Sender<Result<(), MdnsError>>),
    Unregister(String),
}

/// A handle on the mDNS task: cheap to clone, `Send + Sync`. The task
/// ends, after multicasting goodbyes for every registered name, when the
/// last handle is dropped.
///
/// The task is a [`Driver`] running [`MdnsService`] over one socket per
/// family bound to port 5353 (shared with other mDNS sockets of the host,
/// see `sansrtc_adapter_core::bind_mdns_v4`); datagrams go to both the
/// resolver and the responder.
#[derive(Debug, Clone)]
pub struct MdnsHandle {
    commands: mpsc::UnboundedSender<Command>,
}

impl MdnsHandle {
    /// Opens the sockets and spawns the task (on the current tokio
    /// runtime).
    pub fn start(interfaces: MdnsInterfaces) -> Result<MdnsHandle, MdnsStartError> {
        let mut sockets = Vec::new();
        let mut sources = Vec::new();
        if let Some(v4) = interfaces.ipv4 {
            let socket = bind_mdns_v4(v4).map_err(|source| MdnsStartError::Socket {
                interface: v4.to_string(),
                source,
            })?;
            sockets.push(socket);
            sources.push(mdns_source(IpAddr::V4(v4)));
        }
        if let Some((scope, address)) = interfaces.ipv6 {
            let socket = bind_mdns_v6(scope).map_err(|source| MdnsStartError::Socket {
                interface: format!("{address}%{scope}"),
                source,
            })?;
            sockets.push(socket);
            sources.push(mdns_source(IpAddr::V6(address)));
        }
        if sockets.is_empty() {
            return Err(MdnsStartError::NoInterface);
        }
        let mut driver = Driver::new(MdnsService::new(sources));
        for socket in sockets {
            let socket = tokio::net::UdpSocket::from_std(socket)
                .map_err(|e| MdnsStartError::Driver(e.to_string()))?;
            driver
                .add_socket(socket)
                .map_err(|e| MdnsStartError::Driver(e.to_string()))?;
        }
        let (commands, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(driver, rx));
        Ok(MdnsHandle { commands })
    }

    /// The addresses of `name` (a `.local` name): from the cache, or from
    /// the answer to a query, or none after the resolver's timeout (5 s);
    /// also none for a name the resolver refuses or once the task ended.
    /// Cancel-safe: dropping the future drops the answer.
    pub async fn resolve(&self, name: &str) -> Vec<IpAddr> {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Resolve(name.to_string(), reply))
            .is_err()
        {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }

    /// Answers for `name` with `address` from now on (announced twice).
    pub async fn register(&self, name: &str, address: IpAddr) -> Result<(), MdnsRegisterError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Register(name.to_string(), address, reply))
            .map_err(|_| MdnsRegisterError::Ended)?;
        answer.await.map_err(|_| MdnsRegisterError::Ended)??;
        Ok(())
    }

    /// Stops answering for `name`, with a goodbye.
    pub fn unregister(&self, name: &str) {
        let _ = self.commands.send(Command::Unregister(name.to_string()));
    }
}

/// Resolves `.local` names for a [`crate::PeerConnection`]
/// ([`crate::PeerConnectionOptions::mdns`]).
impl crate::Resolver for MdnsHandle {
    fn resolve(&self, name: &str) -> crate::Resolving {
        let handle = self.clone();
        let name = name.to_string();
        Box::pin(async move { MdnsHandle::resolve(&handle, &name).await })
    }
}

/// The task: commands and the driver's events, until the last handle is
/// gone; then goodbyes for every name, sent within a bound.
async fn run(mut driver: Driver<MdnsService>, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut waiting: BTreeMap<QueryId, oneshot::Sender<Vec<IpAddr>>> = BTreeMap::new();
    loop {
        tokio::select! {
            event = driver.next_event() => match event {
                Ok(ResolverEvent::Resolved { id, addresses, .. }) => {
                    if let Some(reply) = waiting.remove(&id) {
                        let _ = reply.send(addresses);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("mDNS driver: {e}");
                    break;
                }
            },
            command = commands.recv() => match command {
                Some(Command::Resolve(name, reply)) => {
                    let now = now();
                    match driver.with_machine(|m| m.resolve(now, &name)) {
                        Ok(id) => {
                            waiting.insert(id, reply);
                        }
                        Err(e) => {
                            tracing::debug!("mDNS resolve {name}: {e}");
                            let _ = reply.send(Vec::new());
                        }
                    }
                }
                Some(Command::Register(name, address, reply)) => {
                    let now = now();
                    let result = driver.with_machine(|m| m.register(now, &name, address));
                    let _ = reply.send(result.map(|_| ()));
                }
                Some(Command::Unregister(name)) => {
                    if let Ok(name) = name.parse::<Name>() {
                        driver.with_machine(|m| m.unregister(&name));
                    }
                }
                None => break,
            },
        }
        // An answer nobody waits for any more: stop asking.
        let dropped: Vec<QueryId> = waiting
            .iter()
            .filter(|(_, reply)| reply.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in dropped {
            waiting.remove(&id);
            driver.with_machine(|m| m.cancel(id));
        }
    }
    let names: Vec<Name> = driver.machine().responder().names().cloned().collect();
    driver.with_machine(|m| {
        for name in &names {
            m.unregister(name);
        }
    });
    let _ = tokio::time::timeout(GOODBYE_TIMEOUT, driver.flush()).await;
}
