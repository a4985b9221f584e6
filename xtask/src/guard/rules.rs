//! What non-test code under `crates/` must not name: the forbidden paths,
//! each with the kind of I/O it stands for. Paths are matched after name
//! resolution (see [`super::scope`]), so `use std::time::Instant as Clock;
//! Clock::now()` matches `std::time::Instant::now`.

/// The kinds of ambient I/O a Sans-IO crate must not reach for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reads the wall or monotonic clock.
    Clock,
    /// Draws from the operating system or a global RNG.
    Rng,
    /// Spawns, parks or sleeps threads.
    Thread,
    /// Opens sockets or uses an I/O runtime.
    Socket,
    /// Resolves host names.
    Dns,
    /// Touches files or the console.
    File,
    /// Starts or ends processes.
    Process,
    /// Reads the process environment.
    Env,
    /// Builds a hash map with a per-process random state.
    HashState,
}

impl Kind {
    /// What the finding means and what to do instead.
    pub fn why(self) -> &'static str {
        match self {
            Kind::Clock => "reads the clock (take `now: Instant` as an argument)",
            Kind::Rng => "uses a system or global RNG (take an injected `RngCore`)",
            Kind::Thread => "uses threads (the driver owns concurrency)",
            Kind::Socket => "does network I/O (return a `Transmit` instead)",
            Kind::Dns => "resolves host names (the driver resolves them)",
            Kind::File => "touches files or the console (take bytes from the caller)",
            Kind::Process => "controls processes",
            Kind::Env => "reads the environment (take configuration from the caller)",
            Kind::HashState => {
                "uses a randomly seeded hash map (use a BTreeMap or \
                 `sansrtc_proto::SeededState` from the injected RNG)"
            }
        }
    }
}

/// A forbidden path: it matches any resolved path that starts with it,
/// unless the next segment is one of `except`.
#[derive(Debug)]
pub struct Rule {
    /// The path, segments joined by `::`.
    pub path: &'static str,
    /// Harmless items directly under `path`.
    pub except: &'static [&'static str],
    /// What using it means.
    pub kind: Kind,
}

const fn rule(path: &'static str, kind: Kind) -> Rule {
    Rule {
        path,
        except: &[],
        kind,
    }
}

/// Every forbidden path.
pub const RULES: &[Rule] = &[
    // clocks
    rule("std::time::Instant::now", Kind::Clock),
    rule("std::time::Instant::elapsed", Kind::Clock),
    rule("std::time::SystemTime::now", Kind::Clock),
    rule("std::time::SystemTime::elapsed", Kind::Clock),
    rule("time::OffsetDateTime::now_utc", Kind::Clock),
    rule("time::OffsetDateTime::now_local", Kind::Clock),
    rule("time::UtcDateTime::now", Kind::Clock),
    rule("time::Instant::now", Kind::Clock),
    rule("chrono::Utc::now", Kind::Clock),
    rule("chrono::Local::now", Kind::Clock),
    rule("quanta", Kind::Clock),
    // randomness
    rule("ring::rand::SystemRandom", Kind::Rng),
    rule("rand::rngs::OsRng", Kind::Rng),
    rule("rand::rngs::ThreadRng", Kind::Rng),
    rule("rand::rngs::SysRng", Kind::Rng),
    rule("rand::OsRng", Kind::Rng),
    rule("rand::thread_rng", Kind::Rng),
    rule("rand::rng", Kind::Rng),
    rule("rand::random", Kind::Rng),
    rule("rand::random_range", Kind::Rng),
    rule("rand::random_bool", Kind::Rng),
    rule("rand::random_iter", Kind::Rng),
    rule("rand_core::OsRng", Kind::Rng),
    rule("rand_core::os::OsRng", Kind::Rng),
    rule("getrandom", Kind::Rng),
    rule("fastrand", Kind::Rng),
    rule("rcgen::KeyPair::generate", Kind::Rng),
    rule("rcgen::KeyPair::generate_for", Kind::Rng),
    rule("uuid::Uuid::new_v4", Kind::Rng),
    // random hash states (the maps themselves: see `HASH_MAPS`)
    rule("std::hash::RandomState", Kind::HashState),
    rule("std::collections::hash_map::RandomState", Kind::HashState),
    rule("ahash::RandomState", Kind::HashState),
    rule("ahash::AHashMap", Kind::HashState),
    rule("ahash::AHashSet", Kind::HashState),
    rule("foldhash::fast::RandomState", Kind::HashState),
    rule("foldhash::quality::RandomState", Kind::HashState),
    // threads
    Rule {
        path: "std::thread",
        except: &[
            "panicking",
            "current",
            "Thread",
            "ThreadId",
            "LocalKey",
            "AccessError",
            "Result",
        ],
        kind: Kind::Thread,
    },
    rule("rayon", Kind::Thread),
    // sockets and runtimes
    rule("std::net::UdpSocket", Kind::Socket),
    rule("std::net::TcpStream", Kind::Socket),
    rule("std::net::TcpListener", Kind::Socket),
    rule("std::os::unix::net", Kind::Socket),
    rule("tokio", Kind::Socket),
    rule("mio", Kind::Socket),
    rule("socket2", Kind::Socket),
    rule("async_std", Kind::Socket),
    rule("smol", Kind::Socket),
    rule("async_io", Kind::Socket),
    rule("polling", Kind::Socket),
    rule("reqwest", Kind::Socket),
    rule("hyper", Kind::Socket),
    rule("libc", Kind::Socket),
    rule("nix", Kind::Socket),
    // name resolution
    rule("std::net::ToSocketAddrs", Kind::Dns),
    rule("hickory_resolver", Kind::Dns),
    rule("trust_dns_resolver", Kind::Dns),
    rule("dns_lookup", Kind::Dns),
    // files and the console
    rule("std::fs", Kind::File),
    rule("std::os::unix::fs", Kind::File),
    rule("std::io::stdin", Kind::File),
    rule("std::io::stdout", Kind::File),
    rule("std::io::stderr", Kind::File),
    rule("tempfile", Kind::File),
    // processes and the environment
    rule("std::process", Kind::Process),
    Rule {
        path: "std::env",
        except: &["consts"],
        kind: Kind::Env,
    },
];

/// Methods forbidden by name wherever they are called, because the guard
/// cannot see the receiver's type and no harmless method has the name.
pub const METHODS: &[(&str, Kind)] = &[
    ("to_socket_addrs", Kind::Dns),
    ("from_entropy", Kind::Rng),
    ("from_os_rng", Kind::Rng),
];

/// Associated functions forbidden by name on any type (`SeedableRng`
/// trait methods, callable as `ChaCha20Rng::from_entropy()`).
pub const LAST_SEGMENTS: &[(&str, Kind)] =
    &[("from_entropy", Kind::Rng), ("from_os_rng", Kind::Rng)];

/// Macros that write to the console (matched by name: they live in the
/// prelude).
pub const CONSOLE_MACROS: &[&str] = &["print", "println", "eprint", "eprintln", "dbg"];

/// The clock types whose `elapsed()` reads the clock.
pub const CLOCK_TYPES: &[&str] = &["std::time::Instant", "std::time::SystemTime"];

/// Hash map types whose default hasher state is random: the path and the
/// number of type parameters that leaves the hasher at its default.
pub const HASH_MAPS: &[(&str, usize)] = &[
    ("std::collections::HashMap", 2),
    ("std::collections::hash_map::HashMap", 2),
    ("std::collections::HashSet", 1),
    ("std::collections::hash_set::HashSet", 1),
    ("hashbrown::HashMap", 2),
    ("hashbrown::HashSet", 1),
];

/// Constructors of those maps that always (`new`, `with_capacity`, `from`)
/// or without a named hasher (`default`, `from_iter`) use the random state.
pub const HASH_MAP_CONSTRUCTORS: &[&str] =
    &["new", "with_capacity", "from", "default", "from_iter"];

/// The rule `path` (already resolved, segments) falls under, if any.
pub fn matching_rule(path: &[String]) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        let rule: Vec<&str> = r.path.split("::").collect();
        path.len() >= rule.len()
            && rule.iter().zip(path).all(|(a, b)| a == b)
            && !path
                .get(rule.len())
                .is_some_and(|next| r.except.contains(&next.as_str()))
    })
}

/// Whether `path` is a forbidden path or leads to one (a module or type
/// that contains one): globs of such modules are worth resolving.
pub fn is_relevant(path: &[String]) -> bool {
    let leads_to = |p: &str| {
        let rule: Vec<&str> = p.split("::").collect();
        rule.len() >= path.len() && path.iter().zip(&rule).all(|(a, b)| a == b)
    };
    matching_rule(path).is_some()
        || RULES.iter().any(|r| leads_to(r.path))
        || HASH_MAPS.iter().any(|(p, _)| leads_to(p))
        || CLOCK_TYPES.iter().any(|p| leads_to(p))
        || std_time_item(path)
}

/// `std::time::UNIX_EPOCH` and the like: items of `std::time` a glob may
/// bring in that matter to the clock rules.
fn std_time_item(path: &[String]) -> bool {
    path.len() == 3 && path[0] == "std" && path[1] == "time" && path[2] == "UNIX_EPOCH"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn prefixes_match_and_exceptions_do_not() {
        assert_eq!(
            matching_rule(&segments("std::thread::spawn")).map(|r| r.kind),
            Some(Kind::Thread)
        );
        assert!(matching_rule(&segments("std::thread::panicking")).is_none());
        assert!(matching_rule(&segments("std::time::Instant")).is_none());
        assert!(matching_rule(&segments("std::env::consts::OS")).is_none());
        assert!(is_relevant(&segments("std::time::Instant")));
        assert!(is_relevant(&segments("std::collections::HashMap")));
        assert!(!is_relevant(&segments("std::collections::BTreeMap")));
    }
}
