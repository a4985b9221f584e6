//! [`MdnsResponder`]: answers mDNS queries for the `<uuid>.local` names
//! our own host candidates hide behind (RFC 6762 §6, as browsers do).

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_core::{CryptoRng, RngCore};
use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

use crate::multicast::{group_for, is_unicast, MDNS_PORT};
use crate::{
    generate_name, MdnsError, Message, Name, Record, RecordData, RecordType, CLASS_ANY, CLASS_IN,
    MAX_MESSAGE_LEN,
};

/// The most names registered at once, by default.
pub const DEFAULT_MAX_NAMES: usize = 64;
/// The most addresses one name may stand for.
pub const MAX_ADDRESSES_PER_REGISTERED_NAME: usize = 4;
/// The TTL of our address records: 120 s, RFC 6762 §10's recommendation
/// for records with a host name, which Chromium uses too.
pub const RECORD_TTL: Duration = Duration::from_secs(120);
/// How many announcements a registration sends (RFC 6762 §8.3: at least
/// two), one second apart.
pub const ANNOUNCEMENTS: u32 = 2;
/// The interval between announcements (RFC 6762 §8.3: one second, then
/// doubling; with two announcements only the first interval matters).
pub const ANNOUNCE_INTERVAL: Duration = Duration::from_secs(1);
/// The least time between two multicasts of the same record
/// (RFC 6762 §6).
pub const MULTICAST_INTERVAL: Duration = Duration::from_secs(1);
/// The most TTL given in an answer to a legacy (not port 5353) querier
/// (RFC 6762 §6.7).
pub const LEGACY_TTL: Duration = Duration::from_secs(10);

/// The responder's configuration: [`ResponderConfig::new`] gives the
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponderConfig {
    /// The local addresses of the driver's mDNS sockets; announcements and
    /// goodbyes go from each to the group of its family.
    pub sources: Vec<SocketAddr>,
    /// The TTL of our records.
    pub ttl: Duration,
    /// Announce a name when it is registered (RFC 6762 §8.3). On by
    /// default, like Chromium; without it, a name is only heard of when
    /// asked for.
    pub announce: bool,
    /// The most names registered at once.
    pub max_names: usize,
}

impl ResponderConfig {
    /// The defaults, announcing from `sources`.
    pub fn new(sources: Vec<SocketAddr>) -> ResponderConfig {
        ResponderConfig {
            sources,
            ttl: RECORD_TTL,
            announce: true,
            max_names: DEFAULT_MAX_NAMES,
        }
    }
}

/// Counters of what the responder did and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponderStats {
    /// Queries taken (parsed, QR clear, opcode 0).
    pub queries: u64,
    /// Datagrams that did not parse.
    pub malformed: u64,
    /// Datagrams that parsed but were not queries (responses, other
    /// opcodes).
    pub ignored: u64,
    /// Responses sent to the group.
    pub multicast_responses: u64,
    /// Responses sent to the querier alone (QU questions and legacy
    /// queriers).
    pub unicast_responses: u64,
    /// Records not multicast because they were multicast less than a
    /// second before (RFC 6762 §6).
    pub rate_limited: u64,
    /// Records not sent because the query listed them as known answers
    /// (RFC 6762 §7.1).
    pub known_answers: u64,
    /// Announcement and goodbye datagrams sent.
    pub announcements: u64,
}

/// Which of a name's records: index into `Registered::last_multicast`.
fn kind(rtype: RecordType) -> usize {
    match rtype {
        RecordType::A => 0,
        RecordType::AAAA => 1,
        _ => 2,
    }
}

#[derive(Debug)]
struct Registered {
    addresses: Vec<IpAddr>,
    /// When the A, AAAA and NSEC records were last multicast.
    last_multicast: [Option<Instant>; 3],
    announce_left: u32,
    announce_at: Option<Instant>,
}

/// A Sans-IO mDNS responder for our own hidden host addresses: register
/// a name (or let [`MdnsResponder::register_new`] make a `<uuid>.local`
/// one), and it answers queries for it.
///
/// - A question with the QU bit, and any question from a port other than
///   5353 (a legacy querier, RFC 6762 §6.7, answered with its query ID,
///   its questions and TTLs of at most 10 s), is answered to the querier
///   alone; other questions to the group (RFC 6762 §6).
/// - An A question gets the A records and the AAAA records as additional
///   records (§6.2), and the other way round; a question for a type the
///   name lacks gets an NSEC record saying what it has (§6.1). Class IN
///   and ANY are answered.
/// - A record is multicast at most once a second (§6), and not at all
///   when the query lists it as a known answer with at least half its TTL
///   (§7.1). Answers go out at once: the names are unique, so no delay is
///   needed (§6).
/// - Registration announces the name twice, a second apart (§8.3), unless
///   turned off; [`MdnsResponder::unregister`] sends a goodbye (TTL 0,
///   §10.1). There is no probing (§8.1): a random UUID does not collide.
///
/// Responses go from the socket the query came in on (the datagram's
/// `destination`). After any call, drain [`MdnsResponder::poll_output`]
/// until it returns [`Output::Timeout`]; the responder has no events.
#[derive(Debug)]
pub struct MdnsResponder {
    config: ResponderConfig,
    names: BTreeMap<Name, Registered>,
    outbox: VecDeque<Transmit>,
    stats: ResponderStats,
}

impl MdnsResponder {
    /// A responder with this configuration and no names.
    pub fn new(config: ResponderConfig) -> MdnsResponder {
        MdnsResponder {
            config,
            names: BTreeMap::new(),
            outbox: VecDeque::new(),
            stats: ResponderStats::default(),
        }
    }

    /// Generates a `<uuid-v4>.local` name ([`generate_name`]) and
    /// registers `address` under it.
    pub fn register_new<R: RngCore + CryptoRng + ?Sized>(
        &mut self,
        now: Instant,
        rng: &mut R,
        address: IpAddr,
    ) -> Result<Name, MdnsError> {
        let name = generate_name(rng);
        self.register_name(now, name.clone(), address)?;
        Ok(name)
    }

    /// Registers `address` under `name` (a `.local` name), and announces
    /// it if the configuration says so. Registering an address the name
    /// already has changes nothing. Refused: a name that is not valid or
    /// not under `.local`, an address that is not unicast, more than
    /// `max_names` names or [`MAX_ADDRESSES_PER_REGISTERED_NAME`] addresses.
    pub fn register(
        &mut self,
        now: Instant,
        name: &str,
        address: IpAddr,
    ) -> Result<Name, MdnsError> {
        let name = Name::new(name)?;
        self.register_name(now, name.clone(), address)?;
        Ok(name)
    }

    fn register_name(
        &mut self,
        now: Instant,
        name: Name,
        address: IpAddr,
    ) -> Result<(), MdnsError> {
        if !name.is_local() {
            return Err(MdnsError::NotLocal(name.to_string()));
        }
        if !is_unicast(address) {
            return Err(MdnsError::NotUnicast(address));
        }
        if !self.names.contains_key(&name) && self.names.len() >= self.config.max_names {
            return Err(MdnsError::TooManyNames {
                max: self.config.max_names,
            });
        }
        let entry = self
            .names
            .entry(name.clone())
            .or_insert_with(|| Registered {
                addresses: Vec::new(),
                last_multicast: [None; 3],
                announce_left: 0,
                announce_at: None,
            });
        if entry.addresses.contains(&address) {
            return Ok(());
        }
        if entry.addresses.len() >= MAX_ADDRESSES_PER_REGISTERED_NAME {
            return Err(MdnsError::TooManyAddresses {
                max: MAX_ADDRESSES_PER_REGISTERED_NAME,
            });
        }
        entry.addresses.push(address);
        if self.config.announce {
            entry.announce_left = ANNOUNCEMENTS;
            entry.announce_at = Some(now);
            self.handle_timeout(now);
        }
        Ok(())
    }

    /// Forgets `name` and multicasts a goodbye for its records (TTL 0,
    /// RFC 6762 §10.1). Returns whether it was registered.
    pub fn unregister(&mut self, name: &Name) -> bool {
        let Some(entry) = self.names.remove(name) else {
            return false;
        };
        let records = entry
            .addresses
            .iter()
            .map(|&a| Record::address(name.clone(), a, Duration::ZERO, true))
            .collect();
        self.multicast_everywhere(Message::response(records));
        true
    }

    /// The addresses registered under `name`.
    pub fn addresses(&self, name: &Name) -> Option<&[IpAddr]> {
        self.names.get(name).map(|r| r.addresses.as_slice())
    }

    /// The registered names.
    pub fn names(&self) -> impl Iterator<Item = &Name> {
        self.names.keys()
    }

    /// The counters.
    pub fn stats(&self) -> ResponderStats {
        self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &ResponderConfig {
        &self.config
    }

    fn records_of(&self, name: &Name, reg: &Registered, rtype: RecordType) -> Vec<Record> {
        reg.addresses
            .iter()
            .filter(|a| rtype == RecordType::ANY || RecordData::from_address(**a).rtype() == rtype)
            .map(|&a| Record::address(name.clone(), a, self.config.ttl, true))
            .collect()
    }

    /// An NSEC record saying which of A and AAAA `name` has (RFC 6762
    /// §6.1): the next name is the name itself, then window 0's bitmap.
    fn nsec(&self, name: &Name, reg: &Registered) -> Record {
        let mut data = name.as_wire().to_vec();
        let has_aaaa = reg.addresses.iter().any(IpAddr::is_ipv6);
        let mut bitmap = vec![0u8; if has_aaaa { 4 } else { 1 }];
        if reg.addresses.iter().any(IpAddr::is_ipv4) {
            bitmap[0] |= 0x80 >> 1; // type 1
        }
        if has_aaaa {
            bitmap[3] |= 0x80 >> 4; // type 28
        }
        data.push(0);
        data.push(bitmap.len() as u8);
        data.extend_from_slice(&bitmap);
        Record {
            name: name.clone(),
            class: CLASS_IN,
            cache_flush: true,
            ttl: u32::try_from(self.config.ttl.as_secs()).unwrap_or(u32::MAX),
            data: RecordData::Other {
                rtype: RecordType::NSEC,
                data,
            },
        }
    }

    /// A datagram arrived on one of the mDNS sockets; queries for our
    /// names are answered, everything else is dropped and counted.
    pub fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        let query = match Message::parse(datagram.contents) {
            Ok(m) => m,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        if query.flags.is_response() || query.flags.opcode() != 0 {
            self.stats.ignored += 1;
            return;
        }
        self.stats.queries += 1;
        let legacy = datagram.source.port() != MDNS_PORT;
        let mut unicast = (Vec::new(), Vec::new());
        let mut multicast = (Vec::new(), Vec::new());
        for q in &query.questions {
            if q.qclass != CLASS_IN && q.qclass != CLASS_ANY {
                continue;
            }
            let Some(reg) = self.names.get(&q.name) else {
                continue;
            };
            let mut answers = self.records_of(&q.name, reg, q.qtype);
            let additional = match q.qtype {
                RecordType::A => self.records_of(&q.name, reg, RecordType::AAAA),
                RecordType::AAAA => self.records_of(&q.name, reg, RecordType::A),
                _ => Vec::new(),
            };
            if answers.is_empty() {
                answers.push(self.nsec(&q.name, reg));
            }
            let before = answers.len();
            answers.retain(|r| !is_known_answer(r, &query.answers));
            self.stats.known_answers += (before - answers.len()) as u64;
            let (list, extra) = if legacy || q.unicast_response {
                (&mut unicast.0, &mut unicast.1)
            } else {
                (&mut multicast.0, &mut multicast.1)
            };
            push_unique(list, answers);
            push_unique(extra, additional);
        }
        // RFC 6762 §6: at most one multicast of a record per second.
        let mut sent_kinds = Vec::new();
        multicast.0.retain(|r| {
            let Some(reg) = self.names.get(&r.name) else {
                return false;
            };
            let k = kind(r.data.rtype());
            let recent = reg.last_multicast[k].is_some_and(|t| now < t + MULTICAST_INTERVAL);
            if recent && !sent_kinds.contains(&(r.name.clone(), k)) {
                self.stats.rate_limited += 1;
                return false;
            }
            sent_kinds.push((r.name.clone(), k));
            true
        });
        for (name, k) in &sent_kinds {
            if let Some(reg) = self.names.get_mut(name) {
                reg.last_multicast[*k] = Some(now);
            }
        }
        let source = datagram.destination;
        if !unicast.0.is_empty() {
            let mut response = Message::response(unicast.0);
            response.additionals = without(unicast.1, &response.answers);
            if legacy {
                // RFC 6762 §6.7: echo the ID and the questions, short TTLs,
                // no cache-flush bit (a legacy resolver would misread it).
                response.id = query.id;
                response.questions = query.questions.clone();
                for r in response.answers.iter_mut().chain(&mut response.additionals) {
                    r.ttl = r.ttl.min(LEGACY_TTL.as_secs() as u32);
                    r.cache_flush = false;
                }
            }
            self.stats.unicast_responses += 1;
            self.send(source, datagram.source, response);
        }
        if !multicast.0.is_empty() {
            let mut response = Message::response(multicast.0);
            response.additionals = without(multicast.1, &response.answers);
            self.stats.multicast_responses += 1;
            self.send(source, group_for(source), response);
        }
    }

    /// Sends what announcements are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<Name> = self
            .names
            .iter()
            .filter(|(_, r)| r.announce_at.is_some_and(|t| t <= now))
            .map(|(n, _)| n.clone())
            .collect();
        for name in due {
            let reg = &self.names[&name];
            let records = self.records_of(&name, reg, RecordType::ANY);
            let reg = self.names.get_mut(&name).expect("due names are registered");
            reg.announce_left = reg.announce_left.saturating_sub(1);
            reg.announce_at = (reg.announce_left > 0).then(|| now + ANNOUNCE_INTERVAL);
            reg.last_multicast[kind(RecordType::A)] = Some(now);
            reg.last_multicast[kind(RecordType::AAAA)] = Some(now);
            self.multicast_everywhere(Message::response(records));
        }
    }

    fn multicast_everywhere(&mut self, message: Message) {
        for source in self.config.sources.clone() {
            self.stats.announcements += 1;
            self.send(source, group_for(source), message.clone());
        }
    }

    /// Queues `message`, shortened to fit [`MAX_MESSAGE_LEN`] if need be
    /// (additional records first, then answers from the end).
    fn send(&mut self, source: SocketAddr, destination: SocketAddr, mut message: Message) {
        let contents = loop {
            match message.to_bytes() {
                Ok(bytes) if bytes.len() <= MAX_MESSAGE_LEN => break bytes,
                _ if !message.additionals.is_empty() => message.additionals.clear(),
                _ if message.answers.len() > 1 => {
                    let keep = message.answers.len() / 2;
                    message.answers.truncate(keep);
                }
                _ => return,
            }
        };
        self.outbox.push_back(Transmit {
            protocol: Protocol::Udp,
            source,
            destination,
            contents,
        });
    }

    /// The next transmit, or the time of the next announcement
    /// ([`Output::Timeout`], ending a drain).
    pub fn poll_output(&mut self) -> Output<Transmit, Infallible> {
        if let Some(t) = self.outbox.pop_front() {
            return Output::Transmit(t);
        }
        Output::Timeout(self.names.values().filter_map(|r| r.announce_at).min())
    }
}

/// Whether the querier already knows `record` with at least half its TTL
/// (RFC 6762 §7.1).
fn is_known_answer(record: &Record, known: &[Record]) -> bool {
    known
        .iter()
        .any(|k| k.name == record.name && k.data == record.data && k.ttl >= record.ttl / 2)
}

fn push_unique(list: &mut Vec<Record>, records: Vec<Record>) {
    for r in records {
        if !list.contains(&r) {
            list.push(r);
        }
    }
}

fn without(mut records: Vec<Record>, answers: &[Record]) -> Vec<Record> {
    records.retain(|r| !answers.contains(r));
    records
}

impl Machine for MdnsResponder {
    type Event = Infallible;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        MdnsResponder::handle_receive(self, now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        MdnsResponder::handle_timeout(self, now);
    }

    fn poll_output(&mut self) -> Output<Transmit, Infallible> {
        MdnsResponder::poll_output(self)
    }
}
