//! The TLS 1.2 PRF (RFC 5246 §5), the master secret (RFC 5246 §8.1 and
//! RFC 7627 §4), the key block (RFC 5246 §6.3), Finished (§7.4.9) and the
//! keying-material exporter (RFC 5705 §4).

use ring::hmac;

/// The hash a cipher suite's PRF uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrfHash {
    /// SHA-256 (the `_SHA256` suites).
    Sha256,
    /// SHA-384 (the `_SHA384` suites).
    Sha384,
}

impl PrfHash {
    fn hmac(self) -> hmac::Algorithm {
        match self {
            PrfHash::Sha256 => hmac::HMAC_SHA256,
            PrfHash::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// The digest of `data` with this hash.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            PrfHash::Sha256 => &ring::digest::SHA256,
            PrfHash::Sha384 => &ring::digest::SHA384,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }
}

/// `PRF(secret, label, seed)` truncated to `len` bytes: P_hash of RFC 5246 §5.
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(hash.hmac(), secret);
    let mut label_seed = Vec::with_capacity(label.len() + seed.len());
    label_seed.extend_from_slice(label);
    label_seed.extend_from_slice(seed);
    let mut out = Vec::with_capacity(len);
    // A(1) = HMAC(secret, label_seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = hmac::sign(&key, &label_seed);
    while out.len() < len {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(&label_seed);
        out.extend_from_slice(ctx.sign().as_ref());
        a = hmac::sign(&key, a.as_ref());
    }
    out.truncate(len);
    out
}

/// The 48-byte master secret: RFC 7627 §4 with `extended` (the seed is the
/// session hash), else RFC 5246 §8.1 (the seed is client_random ‖ server_random).
pub fn master_secret(hash: PrfHash, pre_master: &[u8], extended: bool, seed: &[u8]) -> Vec<u8> {
    let label: &[u8] = if extended {
        b"extended master secret"
    } else {
        b"master secret"
    };
    prf(hash, pre_master, label, seed, 48)
}

/// The key block: `PRF(master, "key expansion", server_random ‖ client_random)`.
pub fn key_block(
    hash: PrfHash,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    len: usize,
) -> Vec<u8> {
    let mut seed = server_random.to_vec();
    seed.extend_from_slice(client_random);
    prf(hash, master, b"key expansion", &seed, len)
}

/// The 12-byte Finished verify_data over a transcript hash.
pub fn verify_data(hash: PrfHash, master: &[u8], client: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let label: &[u8] = if client {
        b"client finished"
    } else {
        b"server finished"
    };
    prf(hash, master, label, transcript_hash, 12)
}

/// The RFC 5705 exporter: `PRF(master, label, client_random ‖ server_random
/// [‖ u16 context length ‖ context])`.
pub fn export(
    hash: PrfHash,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    label: &[u8],
    context: Option<&[u8]>,
    len: usize,
) -> Vec<u8> {
    let mut seed = client_random.to_vec();
    seed.extend_from_slice(server_random);
    if let Some(ctx) = context {
        seed.extend_from_slice(&(ctx.len() as u16).to_be_bytes());
        seed.extend_from_slice(ctx);
    }
    prf(hash, master, label, &seed, len)
}

/// Constant-time equality of two byte strings.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
