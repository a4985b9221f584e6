//! Every way through the old text deny-list that issue #16 lists is caught.

use super::support::{lib_violations, Planted};

fn forbidden(lib: &str) -> Vec<String> {
    lib_violations(lib)
        .into_iter()
        .map(|v| {
            let at = v.what.rfind("forbidden `").expect("forbidden named") + 11;
            v.what[at..].trim_end_matches("`)").to_string()
        })
        .collect()
}

#[test]
fn ring_system_random() {
    let lib = "pub fn r() { let _ = ring::rand::SystemRandom::new(); }\n";
    assert_eq!(forbidden(lib), ["ring::rand::SystemRandom"]);
}

#[test]
fn chacha_from_entropy() {
    let lib = "use rand_chacha::ChaCha20Rng;\nuse rand_core::SeedableRng;\n\
               pub fn r() -> ChaCha20Rng { ChaCha20Rng::from_entropy() }\n\
               pub fn s() -> ChaCha20Rng { rand_chacha::ChaCha20Rng::from_os_rng() }\n";
    assert_eq!(forbidden(lib), ["from_entropy", "from_os_rng"]);
}

#[test]
fn an_aliased_clock() {
    let lib = "use std::time::Instant as Clock;\npub fn t() -> Clock { Clock::now() }\n";
    assert_eq!(forbidden(lib), ["std::time::Instant::now"]);
}

#[test]
fn instant_elapsed_as_method_and_as_path() {
    let lib = "use std::time::{Duration, Instant};\n\
               pub fn a(start: Instant) -> Duration { start.elapsed() }\n\
               pub fn b(start: &Instant) -> Duration { Instant::elapsed(start) }\n";
    assert_eq!(
        forbidden(lib),
        ["std::time::Instant::elapsed", "std::time::Instant::elapsed"]
    );
}

#[test]
fn a_random_state_hash_map() {
    let lib = "use std::collections::HashMap;\n\
               pub fn m() -> usize { let m: HashMap<u32, u32> = HashMap::new(); m.len() }\n";
    // The annotation and the constructor.
    assert_eq!(lines(lib), [2, 2]);
}

fn lines(lib: &str) -> Vec<usize> {
    super::support::lines(lib)
}

#[test]
fn getrandom_rand_random_and_to_socket_addrs() {
    let lib = "pub fn g(buf: &mut [u8]) { getrandom::fill(buf).unwrap(); }\n\
               pub fn r() -> u32 { rand::random::<u32>() }\n\
               pub fn d(host: &str) { let _ = host.to_socket_addrs(); }\n";
    assert_eq!(
        forbidden(lib),
        ["getrandom", "rand::random", "to_socket_addrs"]
    );
}

#[test]
fn std_process() {
    let lib = "pub fn p() { let _ = std::process::Command::new(\"ls\"); std::process::exit(1) }\n";
    assert_eq!(forbidden(lib), ["std::process", "std::process"]);
}

#[test]
fn every_denied_dependency_not_only_tokio_and_mio() {
    for (name, _) in crate::guard::deps::DENIED {
        let p = Planted::new(&format!("{name} = \"1\""), &[("src/lib.rs", "")]);
        let v = p.violations();
        assert_eq!(v.len(), 1, "{name}: {v:?}");
        assert!(v[0].what.contains(name), "{name}: {v:?}");
    }
}
