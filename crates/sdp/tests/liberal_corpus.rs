//! Every corpus file round-trips byte for byte, and loosened in every way
//! `docs/sdp.md` ("Liberal reading") lists, reads to the same description
//! and writes the file back byte for byte.

use std::path::{Path, PathBuf};

use sansrtc_sdp::SessionDescription;

fn read(text: &str) -> SessionDescription {
    text.parse()
        .unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    files.sort();
    files
}

/// Loosens one canonical line the way sloppy writers do.
fn loosen_line(line: &str) -> String {
    let doubled = |s: &str| s.replace(' ', " \t ");
    let Some((letter, value)) = line.split_once('=') else {
        return line.to_owned();
    };
    let loose = match letter {
        "o" | "c" | "t" | "m" => doubled(value),
        "a" => {
            let (name, value) = value.split_once(':').unwrap_or((value, ""));
            let upper = name.to_ascii_uppercase();
            match name {
                "candidate" => format!(
                    "{upper}: {}",
                    doubled(value)
                        .replace(" typ ", " TYP ")
                        .replace(" host", " HOST")
                ),
                "fingerprint" => {
                    let (hash, hex) = value.split_once(' ').unwrap();
                    format!(
                        "{upper}:{}\t{}",
                        hash.to_ascii_uppercase(),
                        hex.to_ascii_lowercase()
                    )
                }
                "setup" => format!("{upper}: {}", value.to_ascii_uppercase()),
                "rtpmap" | "group" | "ice-options" | "msid" | "ssrc-group" | "rtcp-fb" | "rtcp" => {
                    format!("{upper}:{}", doubled(value))
                }
                "sctp-port" | "max-message-size" | "mid" | "ice-ufrag" | "ice-pwd" => {
                    format!("{upper} : {value}")
                }
                "rtcp-mux" | "sendrecv" | "end-of-candidates" => upper,
                _ => return line.to_owned(),
            }
        }
        _ => return line.to_owned(),
    };
    format!("{letter}={loose}")
}

#[test]
fn every_corpus_file_loosened_reads_back_to_the_file_byte_for_byte() {
    let files = corpus_files();
    assert!(files.len() >= 13);
    for path in files {
        let canonical = std::fs::read_to_string(&path).unwrap();
        // Canonical input: byte for byte, line endings included.
        assert_eq!(
            read(&canonical).to_string(),
            canonical,
            "{}",
            path.display()
        );
        let loose_lines: Vec<String> = canonical.lines().map(loosen_line).collect();
        let loose = format!(
            "\u{feff}\n\n{}\n \n\n",
            loose_lines
                .iter()
                .enumerate()
                .map(|(i, l)| if i % 2 == 0 {
                    format!("{l}  ")
                } else {
                    format!("{l}\t")
                })
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert_ne!(loose, canonical);
        let description = read(&loose);
        assert_eq!(description, read(&canonical), "{}", path.display());
        assert_eq!(description.to_string(), canonical, "{}", path.display());
    }
}
