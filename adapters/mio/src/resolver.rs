//! DNS for a mio loop: names resolved by the OS (`getaddrinfo`, through
//! `std::net::ToSocketAddrs`) on one helper thread, the answers handed
//! back through a `mio::Waker` so that the loop never blocks on a name.
//! Literal addresses are answered at once; `.local` names are mDNS's (see
//! `sansrtc_mdns::MdnsService`), and invalid names get no address, without
//! asking the OS.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use mio::{Registry, Token, Waker};
use sansrtc_adapter_core::{classify_name, NameKind};

/// Names waiting for the helper thread at most; past it a request is
/// answered at once with no address (counted).
pub const MAX_PENDING_NAMES: usize = 64;

/// One answer: the caller's id and the addresses (empty: not resolved).
pub type NameAnswer = (u64, Vec<IpAddr>);

/// Resolves names off the loop's thread. Register its waker's token below
/// [`crate::FIRST_SOCKET_TOKEN`]; when `poll_once` reports the token in
/// [`crate::Driver::foreign_tokens`], take the answers with
/// [`NameResolver::answers`].
pub struct NameResolver {
    requests: Option<mpsc::SyncSender<(u64, String)>>,
    answers: mpsc::Receiver<NameAnswer>,
    /// Answers given without the thread (literals, invalid, mDNS, busy).
    ready: VecDeque<NameAnswer>,
    thread: Option<JoinHandle<()>>,
    waker: Arc<Waker>,
    refused: u64,
}

impl NameResolver {
    /// Starts the helper thread, resolving with the OS
    /// ([`system_lookup`]); its answers wake `registry` with `token`.
    pub fn new(registry: &Registry, token: Token) -> io::Result<NameResolver> {
        Self::with_lookup(registry, token, system_lookup)
    }

    /// The same with another lookup function (a custom resolver, or a test
    /// double), called on the helper thread one name at a time.
    pub fn with_lookup(
        registry: &Registry,
        token: Token,
        lookup: impl Fn(&str) -> Vec<IpAddr> + Send + 'static,
    ) -> io::Result<NameResolver> {
        let waker = Arc::new(Waker::new(registry, token)?);
        let (requests, inbox) = mpsc::sync_channel::<(u64, String)>(MAX_PENDING_NAMES);
        let (outbox, answers) = mpsc::channel();
        let thread_waker = waker.clone();
        let thread = std::thread::Builder::new()
            .name("sansrtc-dns".into())
            .spawn(move || {
                for (id, name) in inbox {
                    let addresses = lookup(&name);
                    if outbox.send((id, addresses)).is_err() {
                        return;
                    }
                    let _ = thread_waker.wake();
                }
            })?;
        Ok(NameResolver {
            requests: Some(requests),
            answers,
            ready: VecDeque::new(),
            thread: Some(thread),
            waker,
            refused: 0,
        })
    }

    /// Resolves `name`; its answer comes with `id`. A literal address, an
    /// invalid name or a `.local` name (not DNS's) is answered without the
    /// thread, and so is a request while [`MAX_PENDING_NAMES`] wait (no
    /// address, counted in [`NameResolver::refused`]).
    pub fn resolve(&mut self, id: u64, name: &str) {
        let immediate = match classify_name(name) {
            NameKind::Literal(ip) => Some(vec![ip]),
            NameKind::Mdns | NameKind::Invalid => Some(Vec::new()),
            NameKind::Dns => None,
        };
        if let Some(addresses) = immediate {
            self.ready.push_back((id, addresses));
            let _ = self.waker.wake();
            return;
        }
        let sent = self
            .requests
            .as_ref()
            .is_some_and(|r| r.try_send((id, name.to_string())).is_ok());
        if !sent {
            self.refused += 1;
            self.ready.push_back((id, Vec::new()));
            let _ = self.waker.wake();
        }
    }

    /// The answers that arrived since the last call.
    pub fn answers(&mut self) -> Vec<NameAnswer> {
        let mut out: Vec<NameAnswer> = self.ready.drain(..).collect();
        out.extend(self.answers.try_iter());
        out
    }

    /// Requests answered with no address because the queue was full.
    pub fn refused(&self) -> u64 {
        self.refused
    }
}

/// The OS's answer for `name` (`getaddrinfo`), empty on any error.
pub fn system_lookup(name: &str) -> Vec<IpAddr> {
    (name, 0)
        .to_socket_addrs()
        .map(|a| a.map(|a| a.ip()).collect())
        .unwrap_or_default()
}

impl Drop for NameResolver {
    /// Ends the thread after the name it is resolving (if any).
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for NameResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameResolver")
            .field("ready", &self.ready.len())
            .field("refused", &self.refused)
            .finish_non_exhaustive()
    }
}
