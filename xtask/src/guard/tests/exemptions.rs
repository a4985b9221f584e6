//! Test code, comments and strings are exempt; nothing else is.

use super::support::{lines, Planted};

#[test]
fn strings_and_comments_neither_trigger_nor_exempt() {
    let lib = "//! Never call `Instant::now()` here.\n\
               /// `std::thread::spawn(|| ())` is what the driver does.\n\
               pub fn msg() -> &'static str { \"do not use Instant::now or std::fs::read\" }\n\
               /* std::process::exit(1) */\n\
               pub fn raw() -> &'static str { r#\"std::env::var(\"X\")\"# }\n\
               pub fn t() { let _ = std::time::Instant::now(); } // sansio-allow: old marker, no effect\n\
               pub fn u() { let _ = \"// sansio-allow: \"; let _ = std::time::SystemTime::now(); }\n";
    assert_eq!(lines(lib), [6, 7]);
}

#[test]
fn test_items_files_and_folders_are_exempt() {
    let lib = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { let _ = std::time::Instant::now(); }\n}\n\
               #[cfg(test)]\nmod helpers;\n\
               #[cfg(all(test, feature = \"x\"))]\npub fn only_in_tests() { std::thread::spawn(|| ()); }\n\
               #[test]\nfn bare_test() { let _ = std::fs::read(\"x\"); }\n\
               pub struct S;\nimpl S {\n    #[cfg(test)]\n    fn probe() { let _ = std::env::var(\"X\"); }\n}\n";
    let p = Planted::new(
        "",
        &[
            ("src/lib.rs", lib),
            (
                "src/helpers.rs",
                "pub fn h() { std::thread::spawn(|| ()); }\nmod deeper;\n",
            ),
            (
                "src/helpers/deeper.rs",
                "pub fn d() { let _ = std::time::Instant::now(); }\n",
            ),
            ("tests/it.rs", "fn main() { std::time::Instant::now(); }\n"),
            ("benches/b.rs", "fn main() { std::time::Instant::now(); }\n"),
            (
                "examples/e.rs",
                "fn main() { std::time::Instant::now(); }\n",
            ),
            (
                "fuzz/fuzz_targets/f.rs",
                "fn main() { std::time::Instant::now(); }\n",
            ),
            (
                "build.rs",
                "fn main() { std::process::Command::new(\"pkg-config\"); }\n",
            ),
        ],
    );
    assert_eq!(p.violations(), vec![]);
}

#[test]
fn cfg_any_test_is_ordinary_code_and_code_after_a_test_module_is_checked() {
    let lib = "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\
               #[cfg(any(test, feature = \"x\"))]\npub fn sometimes() { let _ = std::time::Instant::now(); }\n\
               pub fn late() -> std::time::Instant { std::time::Instant::now() }\n";
    assert_eq!(lines(lib), [6, 7]);
}

#[test]
fn nested_module_files_and_unreached_files_are_checked() {
    let p = Planted::new(
        "",
        &[
            ("src/lib.rs", "mod inner;\n"),
            ("src/inner.rs", "mod leaf;\n"),
            (
                "src/inner/leaf.rs",
                "pub fn t() { let _ = std::time::Instant::now(); }\n",
            ),
            (
                "src/stray.rs",
                "pub fn s() { let _ = std::env::var(\"X\"); }\n",
            ),
        ],
    );
    let v = p.violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].file.ends_with("src/inner/leaf.rs"));
    assert!(v[1].file.ends_with("src/stray.rs"));
}
