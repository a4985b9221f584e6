//! One planted violation per rule, and the look-alikes that are fine.

use super::support::lines;

/// `(case, source, lines expected)`.
const CASES: &[(&str, &str, &[usize])] = &[
    // clocks
    ("Instant::now", "pub fn f() { let _ = std::time::Instant::now(); }", &[1]),
    ("SystemTime::now", "pub fn f() { let _ = std::time::SystemTime::now(); }", &[1]),
    (
        "now since the epoch",
        "use std::time::{SystemTime, UNIX_EPOCH};\n\
         pub fn f() -> u64 { SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() }",
        &[2],
    ),
    ("UNIX_EPOCH.elapsed()", "use std::time::UNIX_EPOCH;\npub fn f() { let _ = UNIX_EPOCH.elapsed(); }", &[2]),
    (
        "elapsed on a clock field",
        "use std::time::Instant;\npub struct S { start: Instant }\n\
         impl S { pub fn f(&self) -> std::time::Duration { self.start.elapsed() } }",
        &[3],
    ),
    (
        "elapsed on an annotated local",
        "pub fn f(x: std::time::SystemTime) { let t: std::time::SystemTime = x; let _ = t.elapsed(); }",
        &[1],
    ),
    (
        "passing `now` along is fine",
        "use std::time::Instant;\npub fn f(now: Instant) -> Instant { now + std::time::Duration::from_secs(1) }",
        &[],
    ),
    (
        "epoch arithmetic without a clock read is fine",
        "use std::time::{Duration, SystemTime, UNIX_EPOCH};\n\
         pub fn f(t: SystemTime) -> Option<Duration> { t.duration_since(UNIX_EPOCH).ok() }",
        &[],
    ),
    // randomness
    ("OsRng", "pub fn f() { let _ = rand_core::OsRng; }", &[1]),
    ("rand::rngs::OsRng", "use rand::rngs::OsRng;\npub fn f() { let _ = OsRng; }", &[2]),
    ("thread_rng", "pub fn f() { let _ = rand::thread_rng(); }", &[1]),
    ("fastrand", "pub fn f() -> u8 { fastrand::u8(..) }", &[1]),
    ("RandomState::new", "pub fn f() { let _ = std::hash::RandomState::new(); }", &[1]),
    (
        "rcgen's own key generation",
        "pub fn f() { let _ = rcgen::KeyPair::generate(); }",
        &[1],
    ),
    ("seeded RNGs are fine", "use rand_core::SeedableRng;\npub fn f() { let _ = rand_chacha::ChaCha20Rng::seed_from_u64(7); }", &[]),
    // threads
    ("thread::spawn", "use std::thread;\npub fn f() { thread::spawn(|| ()); }", &[2]),
    ("thread::Builder", "pub fn f() { let _ = std::thread::Builder::new(); }", &[1]),
    ("thread::scope", "pub fn f() { std::thread::scope(|_| ()); }", &[1]),
    ("thread::sleep", "pub fn f() { std::thread::sleep(std::time::Duration::ZERO); }", &[1]),
    ("thread::panicking is fine", "pub fn f() -> bool { std::thread::panicking() }", &[]),
    // sockets
    ("UdpSocket", "pub fn f() { let _ = std::net::UdpSocket::bind(\"0.0.0.0:0\"); }", &[1]),
    ("a socket field", "pub struct S { s: std::net::TcpStream }", &[1]),
    ("tokio", "pub async fn f() { let _ = tokio::net::UdpSocket::bind(\"0.0.0.0:0\").await; }", &[1]),
    ("mio", "pub fn f() { let _ = mio::Poll::new(); }", &[1]),
    ("socket2", "pub fn f(s: socket2::Socket) { drop(s) }", &[1]),
    ("addresses are fine", "use std::net::{IpAddr, SocketAddr};\npub fn f(a: SocketAddr) -> IpAddr { a.ip() }", &[]),
    // DNS
    ("ToSocketAddrs bound", "pub fn f<A: std::net::ToSocketAddrs>(a: A) { drop(a) }", &[1]),
    ("lookup_host", "pub async fn f() { let _ = tokio::net::lookup_host(\"x:1\").await; }", &[1]),
    // files
    ("fs::read", "pub fn f() { let _ = std::fs::read(\"x\"); }", &[1]),
    ("File::open", "use std::fs::File;\npub fn f() { let _ = File::open(\"x\"); }", &[2]),
    ("OpenOptions", "use std::fs::OpenOptions;\npub fn f() { let _ = OpenOptions::new(); }", &[2]),
    ("stdout", "pub fn f() { let _ = std::io::stdout(); }", &[1]),
    ("println!", "pub fn f() { println!(\"x\"); }", &[1]),
    ("include_bytes! is fine", "pub static X: &[u8] = include_bytes!(\"lib.rs\");", &[]),
    // processes and the environment
    ("process::Command", "use std::process::Command;\npub fn f() { let _ = Command::new(\"x\"); }", &[2]),
    ("env::var", "pub fn f() { let _ = std::env::var(\"X\"); }", &[1]),
    ("env::args", "use std::env;\npub fn f() { let _ = env::args(); }", &[2]),
    ("env! is compile time", "pub const V: &str = env!(\"CARGO_PKG_VERSION\");", &[]),
    ("option_env! too", "pub const V: Option<&str> = option_env!(\"X\");", &[]),
    ("env::consts is fine", "pub const OS: &str = std::env::consts::OS;", &[]),
    // random-state maps
    ("HashMap::default", "use std::collections::HashMap;\npub fn f() -> usize { HashMap::<u8, u8>::default().len() }", &[2]),
    ("HashMap::with_capacity", "use std::collections::HashMap;\npub fn f() { let _ = HashMap::<u8, u8>::with_capacity(4); }", &[2]),
    ("HashMap::from", "use std::collections::HashMap;\npub fn f() { let _ = HashMap::from([(1, 2)]); }", &[2]),
    ("HashSet type", "pub struct S { s: std::collections::HashSet<u32> }", &[1]),
    ("collect into a HashMap", "use std::collections::HashMap;\npub fn f() -> usize { [(1, 2)].into_iter().collect::<HashMap<_, _>>().len() }", &[2]),
    (
        "a named BuildHasher is fine",
        "use std::collections::HashMap;\nuse sansrtc_proto::SeededState;\n\
         pub struct S { m: HashMap<u32, u32, SeededState> }\n\
         pub fn f(s: SeededState) -> HashMap<u32, u32, SeededState> { HashMap::with_hasher(s) }\n\
         pub fn g() -> HashMap<u32, u32, SeededState> { HashMap::<u32, u32, SeededState>::default() }",
        &[],
    ),
    ("BTreeMap is fine", "pub fn f() { let _ = std::collections::BTreeMap::<u8, u8>::new(); }", &[]),
];

#[test]
fn each_rule_catches_its_plant_and_spares_the_look_alikes() {
    let mut wrong = Vec::new();
    for (case, source, expected) in CASES {
        let got = lines(source);
        if got != *expected {
            wrong.push(format!("{case}: expected lines {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
