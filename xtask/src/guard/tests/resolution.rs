//! Names are resolved before rules are matched: renames, groups, globs,
//! `self`/`super`/`crate` paths, re-exports, block imports, macros.

use super::support::{lines, Planted};

/// `(case, source, lines expected)`.
const CASES: &[(&str, &str, &[usize])] = &[
    (
        "nested groups with renames",
        "use std::{thread as t, time::{Instant as T, SystemTime}};\n\
         pub fn f() { T::now(); SystemTime::now(); t::spawn(|| ()); }",
        &[2, 2, 2],
    ),
    (
        "a group with self",
        "use std::time::{self, Duration};\npub fn f() -> Duration { time::Instant::now().elapsed() }",
        &[2, 2],
    ),
    ("a glob of std::time", "use std::time::*;\npub fn f() { let _ = Instant::now(); }", &[2]),
    (
        "a glob of std::collections",
        "use std::collections::*;\npub fn f() { let _: HashMap<u8, u8> = HashMap::new(); let _ = BTreeMap::<u8, u8>::new(); }",
        &[2, 2],
    ),
    ("a glob of std::thread", "use std::thread::*;\npub fn f() { spawn(|| ()); }", &[2]),
    ("a leading ::", "pub fn f() { ::std::time::Instant::now(); }", &[1]),
    ("extern crate renamed", "extern crate std as s;\npub fn f() { s::time::Instant::now(); }", &[2]),
    (
        "a use inside a function",
        "pub fn f() { use std::time::Instant as C; let _ = C::now(); }\npub fn g() { let _ = C::now(); }",
        &[1],
    ),
    (
        "a re-export through crate::",
        "mod clock { pub use std::time::Instant as Now; }\n\
         pub fn f() { let _ = crate::clock::Now::now(); }",
        &[2],
    ),
    (
        "self:: and super::",
        "mod clock { pub use std::time::SystemTime as Wall; }\n\
         use self::clock::Wall;\n\
         pub fn f() { let _ = Wall::now(); }\n\
         mod inner { use super::clock::Wall as W; pub fn g() { let _ = W::now(); } }\n\
         mod deep { pub mod er { pub fn h() { let _ = super::super::clock::Wall::now(); } } }",
        &[3, 4, 5],
    ),
    (
        "a glob of our own module",
        "mod prelude { pub use std::thread::sleep; }\nuse prelude::*;\n\
         pub fn f() { sleep(std::time::Duration::ZERO); }",
        &[3],
    ),
    (
        "a type alias",
        "type Clock = std::time::Instant;\npub fn f() -> Clock { Clock::now() }\n\
         type Map = std::collections::HashMap<u8, u8, S>;\npub fn g() -> Map { Map::default() }",
        &[2],
    ),
    (
        "Self in an impl for a clock type",
        "pub trait Stamp { fn stamp() -> Self; }\n\
         impl Stamp for std::time::Instant { fn stamp() -> Self { Self::now() } }",
        &[2],
    ),
    (
        "our own Instant is not std's",
        "pub struct Instant;\nimpl Instant { pub fn now() -> Self { Instant } }\n\
         pub fn f() -> Instant { Instant::now() }",
        &[],
    ),
    (
        "a local item shadows a glob",
        "use std::time::*;\nstruct Instant;\nimpl Instant { fn now() {} }\npub fn f() { Instant::now() }",
        &[],
    ),
    (
        "inside macro arguments",
        "use std::time::Instant;\npub fn f() -> Vec<Instant> { vec![Instant::now()] }\n\
         pub fn g() -> String { format!(\"{:?}\", std::time::SystemTime::now()) }\n\
         pub fn h() { assert!(std::env::var(\"X\").is_ok(), \"{}\", 1); }",
        &[2, 3, 4],
    ),
    (
        "inside a macro_rules! body",
        "macro_rules! now { () => { ::std::time::Instant::now() }; }\npub fn f() { let _ = now!(); }",
        &[1],
    ),
    (
        "elapsed() of a clock returned by our own function",
        "use std::time::Instant;\nfn start(x: Instant) -> Instant { x }\n\
         pub fn f(x: Instant) { let _ = start(x).elapsed(); }",
        &[3],
    ),
];

#[test]
fn names_are_resolved_before_matching() {
    let mut wrong = Vec::new();
    for (case, source, expected) in CASES {
        let got = lines(source);
        if got != *expected {
            wrong.push(format!("{case}: expected lines {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_re_export_in_another_file() {
    let p = Planted::new(
        "",
        &[
            ("src/lib.rs", "pub mod time_source;\nmod user;\n"),
            (
                "src/time_source.rs",
                "pub use std::time::Instant as Clock;\n",
            ),
            (
                "src/user.rs",
                "use crate::time_source::Clock;\npub fn f() -> Clock { Clock::now() }\n",
            ),
        ],
    );
    let v = p.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].file.ends_with("src/user.rs"));
    assert!(v[0].what.contains("std::time::Instant::now"), "{v:?}");
}

#[test]
fn a_dependency_renamed_in_cargo_toml() {
    let p = Planted::new(
        "",
        &[(
            "src/lib.rs",
            "pub fn f() { let _ = evented::Poll::new(); }\npub fn g() { let _ = clock::OffsetDateTime::now_utc(); }\n",
        )],
    );
    p.write(
        "crates/victim/Cargo.toml",
        "[package]\nname = \"victim\"\n\n[dependencies]\nevented = { package = \"mio\", version = \"1\" }\n\
         clock = { package = \"time\", version = \"0.3\" }\n",
    );
    let v = p.violations();
    // The manifest (mio is denied) and the two uses.
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(v[1].what.contains("mio::Poll::new"), "{v:?}");
    assert!(v[2].what.contains("time::OffsetDateTime::now_utc"), "{v:?}");
}

#[test]
fn elapsed_by_name_only_where_no_elapsed_is_defined() {
    // No `elapsed` anywhere: an unknown receiver is taken for a clock.
    let unknown = "pub fn f<T: Tick>(t: T) { let _ = t.elapsed(); }\npub trait Tick {}\n";
    assert_eq!(lines(unknown), [1]);
    // The crate has a simulated clock with its own `elapsed`.
    let own = "pub struct Net;\nimpl Net { pub fn elapsed(&self) -> u64 { 0 } }\n\
               pub fn f(n: &Net) -> u64 { n.elapsed() }\n\
               pub fn g(t: std::time::Instant) { let _ = t.elapsed(); }\n";
    assert_eq!(lines(own), [4]);
}

#[test]
fn a_re_export_in_another_workspace_crate() {
    let p = Planted::new(
        "",
        &[(
            "src/lib.rs",
            "use other::time::Wall;\npub fn f() { let _ = other::Clock::now(); let _ = Wall::now(); }\n",
        )],
    );
    p.write(
        "crates/other/Cargo.toml",
        "[package]\nname = \"other\"\nversion = \"0.1.0\"\n",
    );
    p.write(
        "crates/other/src/lib.rs",
        "pub use std::time::Instant as Clock;\npub mod time { pub type Wall = std::time::SystemTime; }\n",
    );
    let v = p.violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].what.contains("std::time::Instant::now"), "{v:?}");
    assert!(v[1].what.contains("std::time::SystemTime::now"), "{v:?}");
}
