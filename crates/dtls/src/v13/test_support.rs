//! Test helpers of the DTLS 1.3 modules: hex and the vector files under
//! `crates/dtls/tests/data/`.

use std::collections::BTreeMap;

/// Decodes hex, ignoring spaces.
pub(crate) fn hex(s: impl AsRef<str>) -> Vec<u8> {
    let s: String = s.as_ref().chars().filter(|c| !c.is_whitespace()).collect();
    ::hex::decode(s).expect("test vector hex")
}

/// A flat JSON object of hex strings (and notes).
pub(crate) struct Vectors(BTreeMap<String, serde_json::Value>);

impl Vectors {
    /// Parses a vector file.
    pub(crate) fn parse(json: &str) -> Self {
        Vectors(serde_json::from_str(json).expect("vector JSON"))
    }

    /// The bytes of the hex field `name`.
    pub(crate) fn get(&self, name: &str) -> Vec<u8> {
        let value = self
            .0
            .get(name)
            .unwrap_or_else(|| panic!("no field {name}"));
        hex(value
            .as_str()
            .unwrap_or_else(|| panic!("{name} is not a string")))
    }
}

/// RFC 8448 §3 (Simple 1-RTT Handshake).
pub(crate) fn rfc8448() -> Vectors {
    Vectors::parse(include_str!(
        "../../tests/data/tls13-rfc8448-simple-1rtt.json"
    ))
}
