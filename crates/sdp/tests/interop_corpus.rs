//! The reference peers' own SDP (tests/data/interop, saved by the interop
//! matrix): each is read, its WebRTC attributes are there, and what we
//! write from it is canonical and stable.

use std::path::{Path, PathBuf};

use sansrtc_sdp::attributes::IceOption;
use sansrtc_sdp::{SessionDescription, SessionView};

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/interop");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/data/interop exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_reference_peer_description_is_read() {
    let files = files();
    assert!(files.len() >= 6, "{} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let description: SessionDescription = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let view =
            SessionView::new(&description).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let data = view
            .media
            .iter()
            .position(|m| m.is_data_channel())
            .unwrap_or_else(|| panic!("{}: no data section", path.display()));
        assert!(view.ice_ufrag_for(data).is_some(), "{}", path.display());
        assert!(view.ice_pwd_for(data).is_some(), "{}", path.display());
        assert!(
            !view.fingerprints_for(data).is_empty(),
            "{}",
            path.display()
        );
        assert!(
            !view.media[data].candidates.is_empty(),
            "{}",
            path.display()
        );
        // Canonical and stable: what we write reads back to itself.
        let written = description.to_string();
        let again: SessionDescription = written.parse().unwrap();
        assert_eq!(again, description, "{}", path.display());
        assert_eq!(again.to_string(), written, "{}", path.display());
    }
}

#[test]
fn libdatachannel_separates_ice_options_with_a_comma() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/interop");
    let text = std::fs::read_to_string(dir.join("ndc-datachannel-offer.sdp")).unwrap();
    assert!(text.contains("a=ice-options:ice2,trickle"));
    let description: SessionDescription = text.parse().unwrap();
    let view = SessionView::new(&description).unwrap();
    assert_eq!(view.ice_options, [IceOption::Ice2, IceOption::Trickle]);
    assert!(description
        .to_string()
        .contains("a=ice-options:ice2 trickle\r\n"));
}
