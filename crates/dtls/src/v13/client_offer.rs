//! A client's DTLS 1.3 offer inside the ClientHello the DTLS 1.2 code
//! sends (RFC 8446 §4.1.2, §4.2.1): the 1.3 suites before the 1.2 ones,
//! supported_versions, the 1.3 groups and signature schemes, and key
//! shares. The endpoint keeps the private keys; if the ServerHello picks
//! 1.3, a `Dtls13Connection` takes over with [`SentClientHello`].

use rand_core::CryptoRngCore;

use super::client_hello::ClientHello13;
use super::connection_config::Dtls13Config;
use super::key_share::ClientKeyShare;
use super::key_share_extension::{self, KeyShareEntry};
use super::peer_auth;
use super::supported_versions::{DTLS_1_2, DTLS_1_3};
use crate::error::DtlsError;
use crate::messages::ClientHello;
use crate::version::DtlsVersion;

/// A ClientHello the 1.2 code sent with a 1.3 offer: what a 1.3 client
/// needs to continue from it.
pub(crate) struct SentClientHello {
    /// The hello, as the 1.3 code reads it.
    pub(crate) hello: ClientHello13,
    /// Its body (for the transcript).
    pub(crate) body: Vec<u8>,
    /// The private keys of its key shares.
    pub(crate) key_shares: Vec<ClientKeyShare>,
    /// Its message_seq.
    pub(crate) message_seq: u16,
    /// The next epoch-0 record sequence number.
    pub(crate) next_record_seq: u64,
}

/// Appends `extra` to `list`, skipping values already in it.
fn extend_unique(list: &mut Vec<u16>, extra: impl IntoIterator<Item = u16>) {
    for v in extra {
        if !list.contains(&v) {
            list.push(v);
        }
    }
}

/// Adds the 1.3 offer of `config` to a 1.2 ClientHello and returns the
/// private keys of its key shares. With `min_version` 1.3 the 1.2 suites
/// are left out and only 1.3 is offered.
pub(crate) fn add_dtls13_offer(
    hello: &mut ClientHello,
    config: &Dtls13Config,
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<ClientKeyShare>, DtlsError> {
    let only_13 = !config.shared.allows(DtlsVersion::Dtls12);
    let mut suites: Vec<u16> = config.cipher_suites.iter().map(|s| s.code()).collect();
    if !only_13 {
        extend_unique(&mut suites, hello.cipher_suites.iter().copied());
    }
    hello.cipher_suites = suites;
    let ext = &mut hello.extensions;
    ext.supported_versions = Some(if only_13 {
        vec![DTLS_1_3]
    } else {
        vec![DTLS_1_3, DTLS_1_2]
    });
    let mut groups: Vec<u16> = config.groups.iter().map(|g| g.code()).collect();
    extend_unique(&mut groups, ext.supported_groups.take().unwrap_or_default());
    ext.supported_groups = Some(groups);
    let mut schemes = ext.signature_algorithms.take().unwrap_or_default();
    extend_unique(&mut schemes, peer_auth::offered_scheme_codes());
    ext.signature_algorithms = Some(schemes);
    let mut keys = Vec::new();
    let mut entries = Vec::new();
    for group in &config.client_key_shares {
        let (key, share) = ClientKeyShare::generate(*group, rng);
        keys.push(key);
        entries.push(KeyShareEntry {
            group: group.code(),
            key_exchange: share,
        });
    }
    let mut data = Vec::new();
    key_share_extension::encode_client(&entries, &mut data)?;
    ext.raw.push((key_share_extension::EXTENSION_TYPE, data));
    Ok(keys)
}
