//! The dependency deny-list of the core crates.

use super::support::Planted;

fn dependency_findings(deps: &str) -> Vec<String> {
    Planted::new(deps, &[("src/lib.rs", "")])
        .violations()
        .into_iter()
        .map(|v| v.what)
        .collect()
}

#[test]
fn renamed_and_target_specific_dependencies_are_seen() {
    let v = dependency_findings("evented = { package = \"mio\", version = \"1\" }");
    assert!(v.len() == 1 && v[0].contains("`mio`"), "{v:?}");
    let p = Planted::new("", &[("src/lib.rs", "")]);
    p.write(
        "crates/victim/Cargo.toml",
        "[package]\nname = \"victim\"\n\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n\n\
         [build-dependencies]\nsocket2 = \"0.6\"\n\n[dev-dependencies]\ntokio = \"1\"\n",
    );
    let v = p.violations();
    assert_eq!(v.len(), 2, "{v:?}");
}

#[test]
fn rand_only_without_its_os_and_thread_rngs() {
    assert_eq!(dependency_findings("rand = \"0.8\"").len(), 1);
    assert_eq!(
        dependency_findings(
            "rand = { version = \"0.9\", default-features = false, features = [\"thread_rng\"] }"
        )
        .len(),
        1
    );
    assert_eq!(
        dependency_findings(
            "rand = { version = \"0.8\", default-features = false, features = [\"alloc\"] }"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        dependency_findings("rand_core = { version = \"0.6\", features = [\"getrandom\"] }").len(),
        1
    );
    assert_eq!(
        dependency_findings("rand_core = \"0.6\"\nring = \"0.17\""),
        Vec::<String>::new()
    );
}

#[test]
fn workspace_inherited_dependencies_are_resolved() {
    let p = Planted::new(
        "net = { workspace = true }\nrng = { workspace = true }",
        &[("src/lib.rs", "")],
    );
    p.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n\
         net = { package = \"tokio\", version = \"1\" }\nrng = { package = \"rand\", version = \"0.8\" }\n",
    );
    let v = p.violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(
        v[0].what.contains("tokio") && v[1].what.contains("rand"),
        "{v:?}"
    );
}

#[test]
fn test_only_crates_may_have_them() {
    let p = Planted::new("", &[("src/lib.rs", "")]);
    p.write(
        "crates/victim/Cargo.toml",
        "[package]\nname = \"sansrtc-srtp-libsrtp2-ref\"\n\n[dependencies]\nlibc = \"0.2\"\n",
    );
    assert_eq!(p.violations(), vec![]);
}
