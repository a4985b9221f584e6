//! SRTP keying material from the DTLS exporter (RFC 5764 §4.2).

use crate::config::Role;
use crate::suite::SrtpProfile;

/// The RFC 5705 exporter label of DTLS-SRTP.
pub const DTLS_SRTP_LABEL: &str = "EXTRACTOR-dtls_srtp";

/// One direction's SRTP master key and salt.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpMasterKey {
    /// The master key.
    pub key: Vec<u8>,
    /// The master salt.
    pub salt: Vec<u8>,
}

impl std::fmt::Debug for SrtpMasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrtpMasterKey(..)")
    }
}

/// Both directions' SRTP keys, laid out as RFC 5764 §4.2 says:
/// client key ‖ server key ‖ client salt ‖ server salt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtpKeyingMaterial {
    /// The negotiated profile.
    pub profile: SrtpProfile,
    /// What the DTLS client protects with (and the server unprotects with).
    pub client: SrtpMasterKey,
    /// What the DTLS server protects with.
    pub server: SrtpMasterKey,
}

impl SrtpKeyingMaterial {
    /// The exporter output length for `profile`: 2 × (key + salt).
    pub fn export_len(profile: SrtpProfile) -> usize {
        profile.keying_material_len()
    }

    /// Splits exported bytes (exactly [`SrtpKeyingMaterial::export_len`] long).
    pub fn from_exported(profile: SrtpProfile, material: &[u8]) -> Option<Self> {
        let (k, s) = (profile.key_len(), profile.salt_len());
        if material.len() != profile.keying_material_len() {
            return None;
        }
        Some(Self {
            profile,
            client: SrtpMasterKey {
                key: material[..k].to_vec(),
                salt: material[2 * k..2 * k + s].to_vec(),
            },
            server: SrtpMasterKey {
                key: material[k..2 * k].to_vec(),
                salt: material[2 * k + s..].to_vec(),
            },
        })
    }

    /// The key `role` protects its outgoing SRTP with.
    pub fn local(&self, role: Role) -> &SrtpMasterKey {
        match role {
            Role::Client => &self.client,
            Role::Server => &self.server,
        }
    }

    /// The key `role` unprotects incoming SRTP with.
    pub fn remote(&self, role: Role) -> &SrtpMasterKey {
        match role {
            Role::Client => &self.server,
            Role::Server => &self.client,
        }
    }
}
