//! [`MdnsResolver`]: a one-shot mDNS querier (RFC 6762 §5.2) for the
//! `.local` names of remote ICE candidates.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

use crate::cache::{Cache, Inserted};
use crate::multicast::{group_for, is_unicast, MDNS_PORT};
use crate::{MdnsError, Message, Name, Question, RecordType, CLASS_IN};

/// The most queries outstanding at once, by default.
pub const DEFAULT_MAX_QUERIES: usize = 64;
/// The most names cached, by default.
pub const DEFAULT_MAX_CACHE_ENTRIES: usize = 256;
/// The interval between the first two transmissions of a query
/// (RFC 6762 §5.2: at least one second); each later interval doubles.
pub const FIRST_RETRANSMIT: Duration = Duration::from_secs(1);
/// How many times a query is sent: at 0 s, 1 s and 3 s.
pub const QUERY_TRANSMISSIONS: u32 = 3;
/// When a query that nothing answered gives up, from its first
/// transmission.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Identifies one [`MdnsResolver::resolve`] call in its
/// [`ResolverEvent::Resolved`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueryId(pub u64);

/// What the resolver tells the application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolverEvent {
    /// The query `id` for `name` finished: with the addresses a responder
    /// gave (or the cache held), or with none when nothing answered within
    /// the timeout.
    Resolved {
        /// The query.
        id: QueryId,
        /// The name as given to `resolve`.
        name: Name,
        /// Its addresses, in the order received; empty: not resolved.
        addresses: Vec<IpAddr>,
    },
}

/// The resolver's configuration: [`ResolverConfig::new`] gives the
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverConfig {
    /// The local addresses of the driver's mDNS sockets. Each query is sent
    /// from every one of them to the group of its family
    /// ([`crate::group_for`]).
    pub sources: Vec<SocketAddr>,
    /// Set the QU bit on a query's first transmission, asking for a
    /// unicast response (RFC 6762 §5.4). Off by default: the response then
    /// comes to the group, which every mDNS socket receives.
    pub unicast_response: bool,
    /// The most queries outstanding at once.
    pub max_queries: usize,
    /// The most names in the cache.
    pub max_cache_entries: usize,
    /// The interval between the first two transmissions; it doubles after
    /// each one.
    pub first_retransmit: Duration,
    /// How many times a query is sent (at least once).
    pub transmissions: u32,
    /// When an unanswered query gives up, from its first transmission.
    pub timeout: Duration,
}

impl ResolverConfig {
    /// The defaults, sending from `sources`.
    pub fn new(sources: Vec<SocketAddr>) -> ResolverConfig {
        ResolverConfig {
            sources,
            unicast_response: false,
            max_queries: DEFAULT_MAX_QUERIES,
            max_cache_entries: DEFAULT_MAX_CACHE_ENTRIES,
            first_retransmit: FIRST_RETRANSMIT,
            transmissions: QUERY_TRANSMISSIONS,
            timeout: RESOLVE_TIMEOUT,
        }
    }
}

/// Counters of what the resolver did and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResolverStats {
    /// Query datagrams sent (one per source per transmission).
    pub queries_sent: u64,
    /// Responses taken (parsed, QR set, opcode and rcode 0, from port 5353).
    pub responses: u64,
    /// Datagrams that did not parse.
    pub malformed: u64,
    /// Datagrams that parsed but were not responses for us: queries, other
    /// opcodes, error codes, a source port other than 5353.
    pub ignored: u64,
    /// Address records ignored: not class IN, not under `.local`, or an
    /// address no host can have (unspecified, multicast, broadcast).
    pub records_ignored: u64,
    /// Address records stored in the cache.
    pub records_cached: u64,
    /// Names evicted from a full cache.
    pub cache_evictions: u64,
    /// Queries answered (from the network or the cache).
    pub resolved: u64,
    /// Queries that gave up without an answer.
    pub timed_out: u64,
}

/// The queries for one name (several `resolve` calls share transmissions).
#[derive(Debug)]
struct Lookup {
    ids: Vec<QueryId>,
    sent: u32,
    interval: Duration,
    next_at: Instant,
    deadline: Instant,
}

/// A Sans-IO mDNS resolver for `.local` names: it sends multicast queries
/// for the A and AAAA records of a name, retransmits them (1 s, then
/// doubling; [`QUERY_TRANSMISSIONS`] in all), takes the first response
/// that carries an address for the name, and gives up after
/// [`RESOLVE_TIMEOUT`] with an empty [`ResolverEvent::Resolved`]. Answers
/// (also unsolicited announcements) are cached for their TTL, at most
/// [`crate::MAX_CACHE_TTL`], in a cache bounded in names.
///
/// The contract is the workspace's: after [`MdnsResolver::resolve`],
/// [`MdnsResolver::handle_receive`] or [`MdnsResolver::handle_timeout`],
/// drain [`MdnsResolver::poll_output`] until it returns
/// [`Output::Timeout`].
#[derive(Debug)]
pub struct MdnsResolver {
    config: ResolverConfig,
    lookups: BTreeMap<Name, Lookup>,
    outstanding: usize,
    cache: Cache,
    next_id: u64,
    outbox: VecDeque<Output<Transmit, ResolverEvent>>,
    stats: ResolverStats,
}

impl MdnsResolver {
    /// A resolver with this configuration.
    pub fn new(config: ResolverConfig) -> MdnsResolver {
        let cache = Cache::new(config.max_cache_entries);
        MdnsResolver {
            config,
            lookups: BTreeMap::new(),
            outstanding: 0,
            cache,
            next_id: 0,
            outbox: VecDeque::new(),
            stats: ResolverStats::default(),
        }
    }

    /// Starts resolving `name`, a `.local` name such as
    /// `<uuid>.local` from a remote candidate. The answer comes as a
    /// [`ResolverEvent::Resolved`] with the returned id: at once when the
    /// cache holds the name, otherwise after a query.
    ///
    /// Refused: a name that is not valid or not under `.local`, more than
    /// `max_queries` outstanding, or a configuration without sources.
    pub fn resolve(&mut self, now: Instant, name: &str) -> Result<QueryId, MdnsError> {
        let name = Name::new(name)?;
        if !name.is_local() {
            return Err(MdnsError::NotLocal(name.to_string()));
        }
        if self.config.sources.is_empty() {
            return Err(MdnsError::NoSources);
        }
        let cached = self.cache.lookup(now, &name);
        if cached.is_empty() && self.outstanding >= self.config.max_queries {
            return Err(MdnsError::TooManyQueries {
                max: self.config.max_queries,
            });
        }
        let id = QueryId(self.next_id);
        self.next_id += 1;
        if !cached.is_empty() {
            self.stats.resolved += 1;
            self.outbox
                .push_back(Output::Event(ResolverEvent::Resolved {
                    id,
                    name,
                    addresses: cached,
                }));
            return Ok(id);
        }
        self.outstanding += 1;
        if let Some(lookup) = self.lookups.get_mut(&name) {
            lookup.ids.push(id);
            return Ok(id);
        }
        let interval = self.config.first_retransmit;
        let deadline = now + self.config.timeout;
        let lookup = Lookup {
            ids: vec![id],
            sent: 1,
            interval,
            next_at: (now + interval).min(deadline),
            deadline,
        };
        self.send_query(&name, self.config.unicast_response);
        self.lookups.insert(name, lookup);
        Ok(id)
    }

    /// Stops waiting for `id`: no event will come for it. Returns whether
    /// it was outstanding.
    pub fn cancel(&mut self, id: QueryId) -> bool {
        let mut emptied = None;
        let mut found = false;
        for (name, lookup) in &mut self.lookups {
            if let Some(i) = lookup.ids.iter().position(|x| *x == id) {
                lookup.ids.remove(i);
                found = true;
                if lookup.ids.is_empty() {
                    emptied = Some(name.clone());
                }
                break;
            }
        }
        if let Some(name) = emptied {
            self.lookups.remove(&name);
        }
        if found {
            self.outstanding -= 1;
        }
        found
    }

    /// The cached addresses of `name` (empty when unknown or expired).
    pub fn cached(&mut self, now: Instant, name: &Name) -> Vec<IpAddr> {
        self.cache.lookup(now, name)
    }

    /// How many names the cache holds (expired ones included until they
    /// are purged).
    pub fn cache_len(&self) -> usize {
        self.cache.len()
    }

    /// How many queries are outstanding.
    pub fn outstanding(&self) -> usize {
        self.outstanding
    }

    /// The counters.
    pub fn stats(&self) -> ResolverStats {
        self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    fn send_query(&mut self, name: &Name, unicast_response: bool) {
        let message = Message::query(vec![
            Question::new(name.clone(), RecordType::A, unicast_response),
            Question::new(name.clone(), RecordType::AAAA, unicast_response),
        ]);
        let contents = message
            .to_bytes()
            .expect("two questions always fit a message");
        for &source in &self.config.sources {
            self.stats.queries_sent += 1;
            self.outbox.push_back(Output::Transmit(Transmit {
                protocol: Protocol::Udp,
                source,
                destination: group_for(source),
                contents: contents.clone(),
            }));
        }
    }

    /// A datagram arrived on one of the mDNS sockets. Responses are taken
    /// (RFC 6762 §6: only from port 5353; §18: only opcode 0 and rcode 0);
    /// everything else is dropped and counted.
    pub fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        let message = match Message::parse(datagram.contents) {
            Ok(m) => m,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        if !message.flags.is_response()
            || message.flags.opcode() != 0
            || message.flags.rcode() != 0
            || datagram.source.port() != MDNS_PORT
        {
            self.stats.ignored += 1;
            return;
        }
        self.stats.responses += 1;
        // The addresses this response gives, per name, in order.
        let mut found: BTreeMap<Name, Vec<IpAddr>> = BTreeMap::new();
        for record in message.answers.iter().chain(&message.additionals) {
            let Some(address) = record.data.address() else {
                continue;
            };
            if record.class != CLASS_IN || !record.name.is_local() || !is_unicast(address) {
                self.stats.records_ignored += 1;
                continue;
            }
            let solicited = self.lookups.contains_key(&record.name);
            let ttl = Duration::from_secs(u64::from(record.ttl));
            match self.cache.insert(
                now,
                &record.name,
                address,
                ttl,
                record.cache_flush,
                solicited,
            ) {
                Some(Inserted::Stored) => self.stats.records_cached += 1,
                Some(Inserted::Evicted) => {
                    self.stats.records_cached += 1;
                    self.stats.cache_evictions += 1;
                }
                None => continue, // a goodbye
            }
            if solicited {
                let list = found.entry(record.name.clone()).or_default();
                if !list.contains(&address) {
                    list.push(address);
                }
            }
        }
        for (name, addresses) in found {
            if let Some(lookup) = self.lookups.remove(&name) {
                self.finish(lookup, name, addresses);
            }
        }
    }

    fn finish(&mut self, lookup: Lookup, name: Name, addresses: Vec<IpAddr>) {
        self.outstanding -= lookup.ids.len();
        for id in lookup.ids {
            if addresses.is_empty() {
                self.stats.timed_out += 1;
            } else {
                self.stats.resolved += 1;
            }
            self.outbox
                .push_back(Output::Event(ResolverEvent::Resolved {
                    id,
                    name: name.clone(),
                    addresses: addresses.clone(),
                }));
        }
    }

    /// Retransmits the queries that are due and gives up on those past
    /// their timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<Name> = self
            .lookups
            .iter()
            .filter(|(_, l)| l.next_at <= now)
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            let Some(lookup) = self.lookups.get_mut(&name) else {
                continue;
            };
            if now >= lookup.deadline {
                let lookup = self.lookups.remove(&name).expect("present");
                self.finish(lookup, name, Vec::new());
                continue;
            }
            if lookup.sent < self.config.transmissions {
                lookup.sent += 1;
                lookup.interval = lookup.interval.saturating_mul(2);
                lookup.next_at = now
                    .checked_add(lookup.interval)
                    .map_or(lookup.deadline, |t| t.min(lookup.deadline));
                self.send_query(&name, false);
            } else {
                lookup.next_at = lookup.deadline;
            }
        }
        self.cache.purge(now);
    }

    /// The next output; [`Output::Timeout`] (the next retransmission or
    /// give-up, `None` when no query is outstanding) ends a drain.
    pub fn poll_output(&mut self) -> Output<Transmit, ResolverEvent> {
        if let Some(out) = self.outbox.pop_front() {
            return out;
        }
        Output::Timeout(self.lookups.values().map(|l| l.next_at).min())
    }
}

impl Machine for MdnsResolver {
    type Event = ResolverEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        MdnsResolver::handle_receive(self, now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        MdnsResolver::handle_timeout(self, now);
    }

    fn poll_output(&mut self) -> Output<Transmit, ResolverEvent> {
        MdnsResolver::poll_output(self)
    }
}
