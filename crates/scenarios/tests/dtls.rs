//! The DTLS scenarios pass on a few seeds, and a seed decides the outcome:
//! the same seed gives the same handshake time.

use sansrtc_scenarios::{dtls, ScenarioInput};

#[test]
fn dtls_scenarios_pass_and_repeat_per_seed() {
    for scenario in dtls::scenarios() {
        for seed in 1..=3 {
            let input = ScenarioInput {
                seed,
                capture: false,
            };
            let first = (scenario.run)(&input).unwrap_or_else(|e| {
                panic!(
                    "{} seed {seed}: {e}\nreproduce: cargo xtask sim --scenario {} --seed {seed}",
                    scenario.name, scenario.name
                )
            });
            let again = (scenario.run)(&input).unwrap();
            assert_eq!(first.time_to_goal, again.time_to_goal, "{}", scenario.name);
            assert!(first.time_to_goal.as_millis() >= 120, "{}", scenario.name);
        }
    }
}

#[test]
fn a_capture_holds_the_dtls_datagrams() {
    let s = dtls::scenarios().into_iter().next().unwrap();
    let out = (s.run)(&ScenarioInput {
        seed: 1,
        capture: true,
    })
    .unwrap();
    let pcap = out.pcap.expect("capture asked for");
    // Several DTLS records (content type 22, version fe fd) are in it.
    let records = pcap.windows(3).filter(|w| *w == [22, 0xfe, 0xfd]).count();
    assert!(records >= 6, "{records}");
}

/// An independent dissector (tshark, installed by `.ci/run`) reads the
/// captured handshake as the RFC 6347 flights, with nothing malformed.
#[test]
fn tshark_decodes_the_captured_handshake() {
    let s = dtls::scenarios().into_iter().next().unwrap();
    let out = (s.run)(&ScenarioInput {
        seed: 1,
        capture: true,
    })
    .unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("dtls-handshake.pcap");
    std::fs::write(&file, out.pcap.unwrap()).unwrap();
    let run = |extra: &[&str]| {
        let o = std::process::Command::new("tshark")
            .arg("-r")
            .arg(&file)
            .args(["-d", "udp.port==5000,dtls"])
            .args(extra)
            .output()
            .expect("tshark runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let fields = run(&["-T", "fields", "-e", "dtls.handshake.type"]);
    let flights: Vec<&str> = fields.lines().collect();
    assert_eq!(
        &flights[..5],
        &["1", "3", "1", "2,11,12,13,14", "11,16,15"],
        "{fields}"
    );
    let bad = run(&["-Y", "_ws.malformed || _ws.expert.severity >= warning"]);
    assert!(bad.trim().is_empty(), "{bad}");
}
