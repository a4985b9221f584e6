//! The guard's tests: violations planted in scratch workspaces.

mod allows;
mod examples;
mod exemptions;
mod manifests;
mod resolution;
mod rules_each;
mod support;

#[test]
fn the_real_workspace_keeps_the_contract() {
    let report = crate::guard::check_workspace(&crate::workspace_root()).unwrap();
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
}
