//! The check behind `cargo run --example sdp_check`: what it reports for
//! good files, sloppy files and broken files.

use sansrtc_sdp::check::{check_round_trip, CheckFailure};

const GOOD: &str = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n";

#[test]
fn good_files_report_their_media_sections_whatever_the_line_endings() {
    assert_eq!(check_round_trip(GOOD.as_bytes()), Ok(2));
    assert_eq!(
        check_round_trip(GOOD.replace("\r\n", "\n").as_bytes()),
        Ok(2)
    );
    let no_final_newline = GOOD.trim_end();
    assert_eq!(check_round_trip(no_final_newline.as_bytes()), Ok(2));
}

#[test]
fn corpus_files_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sdp") {
            let bytes = std::fs::read(&path).unwrap();
            assert!(check_round_trip(&bytes).is_ok(), "{}", path.display());
        }
    }
}

#[test]
fn differences_and_errors_name_the_line() {
    let trailing = GOOD.replace("a=mid:0\r\n", "a=mid:0  \r\n");
    let failure = check_round_trip(trailing.as_bytes()).unwrap_err();
    assert_eq!(failure.line, 6);
    assert!(
        failure.reason.starts_with("round-trip differs"),
        "{failure}"
    );

    let blank = GOOD.replace("s=-\r\n", "s=-\r\n\r\n");
    assert_eq!(check_round_trip(blank.as_bytes()).unwrap_err().line, 4);

    let bad = GOOD.replace("a=mid:1", "a=setup:maybe");
    assert_eq!(
        check_round_trip(bad.as_bytes()).unwrap_err(),
        CheckFailure {
            line: 8,
            reason: "a=setup: expected actpass, active, passive or holdconn".into()
        }
    );
    let failure = check_round_trip(b"v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=\xff\r\n").unwrap_err();
    assert_eq!(failure.to_string(), "line 3: not valid UTF-8");
    let failure = check_round_trip(b"").unwrap_err();
    assert_eq!(failure.to_string(), "line 0: description is empty");
}
