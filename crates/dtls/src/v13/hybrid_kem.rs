//! The hybrid key exchange X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem,
//! group 0x11EC), what Chromium offers first: ML-KEM-768 (FIPS 203, from
//! RustCrypto `ml-kem`) next to X25519 (`x25519-dalek`), ML-KEM first:
//!
//! ```text
//! client key_share = ML-KEM-768 encapsulation key (1184) ‖ X25519 public (32)
//! server key_share = ML-KEM-768 ciphertext (1088)        ‖ X25519 public (32)
//! shared secret    = ML-KEM shared secret (32)           ‖ X25519 shared secret (32)
//! ```
//!
//! Every random value comes from the injected RNG, in a fixed order
//! (client: ML-KEM `d`, `z`, then the X25519 secret; server: ML-KEM `m`,
//! then the X25519 secret), so a seeded RNG gives the same bytes.

use ml_kem::kem::{Decapsulate, DecapsulationKey, EncapsulationKey};
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore, MlKem768, MlKem768Params};
use rand_core::CryptoRngCore;

use super::error::Dtls13Error;

/// The NamedGroup code point of X25519MLKEM768.
pub(crate) const X25519_MLKEM768: u16 = 0x11ec;
/// ML-KEM-768 encapsulation key length.
pub(crate) const MLKEM768_ENCAPSULATION_KEY_LEN: usize = 1184;
/// ML-KEM-768 ciphertext length.
pub(crate) const MLKEM768_CIPHERTEXT_LEN: usize = 1088;
/// X25519 public key length.
pub(crate) const X25519_LEN: usize = 32;
/// The client's key share length (1216).
pub(crate) const CLIENT_SHARE_LEN: usize = MLKEM768_ENCAPSULATION_KEY_LEN + X25519_LEN;
/// The server's key share length (1120).
pub(crate) const SERVER_SHARE_LEN: usize = MLKEM768_CIPHERTEXT_LEN + X25519_LEN;
/// The shared secret length (64).
pub(crate) const SHARED_SECRET_LEN: usize = 64;

/// ML-KEM's modulus q.
const MLKEM_Q: u16 = 3329;

/// The FIPS 203 §7.2 encapsulation key check: every 12-bit coefficient of
/// the encoded vector (all but the last 32 bytes, which are the seed ρ)
/// is below q, i.e. `ByteEncode12(ByteDecode12(ek)) == ek`.
pub(crate) fn encapsulation_key_is_valid(ek: &[u8]) -> bool {
    if ek.len() != MLKEM768_ENCAPSULATION_KEY_LEN {
        return false;
    }
    let vector = &ek[..MLKEM768_ENCAPSULATION_KEY_LEN - 32];
    vector.chunks_exact(3).all(|b| {
        let c0 = u16::from(b[0]) | (u16::from(b[1] & 0x0f) << 8);
        let c1 = u16::from(b[1] >> 4) | (u16::from(b[2]) << 4);
        c0 < MLKEM_Q && c1 < MLKEM_Q
    })
}

/// X25519 with the all-zero (low-order peer point) check of RFC 8446
/// §7.4.2.
fn x25519_agree(secret: &x25519_dalek::StaticSecret, peer: &[u8]) -> Result<[u8; 32], Dtls13Error> {
    let peer: [u8; 32] = peer
        .try_into()
        .map_err(|_| Dtls13Error::KeyShare("X25519 public key length"))?;
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
    if !shared.was_contributory() {
        return Err(Dtls13Error::KeyShare("X25519 low-order point"));
    }
    Ok(*shared.as_bytes())
}

/// Draws 32 bytes from the RNG.
fn draw32(rng: &mut impl CryptoRngCore) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// The client's private half of an X25519MLKEM768 key share.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct HybridClientKey {
    decapsulation_key: DecapsulationKey<MlKem768Params>,
    x25519: x25519_dalek::StaticSecret,
}

impl std::fmt::Debug for HybridClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HybridClientKey(..)")
    }
}

impl HybridClientKey {
    /// A fresh key pair from `rng`, and the client key share (1216 bytes).
    pub(crate) fn generate(rng: &mut impl CryptoRngCore) -> (Self, Vec<u8>) {
        let d = draw32(rng);
        let z = draw32(rng);
        let x25519 = x25519_dalek::StaticSecret::from(draw32(rng));
        Self::from_seeds(&d, &z, x25519)
    }

    /// The key pair of ML-KEM seeds `d`, `z` (FIPS 203 ML-KEM.KeyGen_internal)
    /// and an X25519 secret.
    fn from_seeds(
        d: &[u8; 32],
        z: &[u8; 32],
        x25519: x25519_dalek::StaticSecret,
    ) -> (Self, Vec<u8>) {
        let (decapsulation_key, encapsulation_key) =
            MlKem768::generate_deterministic(&(*d).into(), &(*z).into());
        let mut share = Vec::with_capacity(CLIENT_SHARE_LEN);
        share.extend_from_slice(&encapsulation_key.as_bytes());
        share.extend_from_slice(x25519_dalek::PublicKey::from(&x25519).as_bytes());
        (
            HybridClientKey {
                decapsulation_key,
                x25519,
            },
            share,
        )
    }

    /// The 64-byte shared secret from the server's key share (1120 bytes).
    /// ML-KEM decapsulation never fails (implicit rejection: a bad
    /// ciphertext gives a secret the server does not have, and the
    /// handshake fails at Finished); the length and the X25519 point are
    /// checked.
    pub(crate) fn shared_secret(&self, server_share: &[u8]) -> Result<Vec<u8>, Dtls13Error> {
        if server_share.len() != SERVER_SHARE_LEN {
            return Err(Dtls13Error::KeyShare("X25519MLKEM768 server share length"));
        }
        let (ciphertext, x25519_public) = server_share.split_at(MLKEM768_CIPHERTEXT_LEN);
        let ciphertext = ml_kem::Ciphertext::<MlKem768>::try_from(ciphertext)
            .map_err(|_| Dtls13Error::KeyShare("ML-KEM ciphertext length"))?;
        let mlkem_secret = self
            .decapsulation_key
            .decapsulate(&ciphertext)
            .map_err(|_| Dtls13Error::KeyShare("ML-KEM decapsulation"))?;
        let ecdh_secret = x25519_agree(&self.x25519, x25519_public)?;
        Ok([mlkem_secret.as_slice(), &ecdh_secret].concat())
    }
}

/// The server's side: from the client's key share (1216 bytes), the
/// server key share (1120 bytes) and the 64-byte shared secret. Rejects a
/// share of the wrong length, an encapsulation key failing the FIPS 203
/// modulus check, and a low-order X25519 point.
pub(crate) fn server_encapsulate(
    client_share: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<(Vec<u8>, Vec<u8>), Dtls13Error> {
    let m = draw32(rng);
    let x25519 = x25519_dalek::StaticSecret::from(draw32(rng));
    server_encapsulate_with(client_share, &m, &x25519)
}

/// [`server_encapsulate`] with the ML-KEM message `m` and the X25519 secret
/// given.
fn server_encapsulate_with(
    client_share: &[u8],
    m: &[u8; 32],
    x25519: &x25519_dalek::StaticSecret,
) -> Result<(Vec<u8>, Vec<u8>), Dtls13Error> {
    if client_share.len() != CLIENT_SHARE_LEN {
        return Err(Dtls13Error::KeyShare("X25519MLKEM768 client share length"));
    }
    let (ek, x25519_public) = client_share.split_at(MLKEM768_ENCAPSULATION_KEY_LEN);
    if !encapsulation_key_is_valid(ek) {
        return Err(Dtls13Error::KeyShare(
            "ML-KEM encapsulation key modulus check",
        ));
    }
    let ek = ml_kem::Encoded::<EncapsulationKey<MlKem768Params>>::try_from(ek)
        .map_err(|_| Dtls13Error::KeyShare("ML-KEM encapsulation key length"))?;
    let ek = EncapsulationKey::<MlKem768Params>::from_bytes(&ek);
    let (ciphertext, mlkem_secret) = ek
        .encapsulate_deterministic(&(*m).into())
        .map_err(|_| Dtls13Error::KeyShare("ML-KEM encapsulation"))?;
    let ecdh_secret = x25519_agree(x25519, x25519_public)?;
    let mut share = Vec::with_capacity(SERVER_SHARE_LEN);
    share.extend_from_slice(&ciphertext);
    share.extend_from_slice(x25519_dalek::PublicKey::from(x25519).as_bytes());
    Ok((share, [mlkem_secret.as_slice(), &ecdh_secret].concat()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::Vectors;
    use rand_chacha::rand_core::SeedableRng;
    use sha3::digest::{ExtendableOutput, Update, XofReader};

    fn vectors() -> Vectors {
        Vectors::parse(include_str!("../../tests/data/mlkem768-and-hybrid.json"))
    }

    /// C2SP CCTV "accumulated" ML-KEM-768 vectors: 10,000 deterministic
    /// KeyGen/Encaps/Decaps runs (and a decapsulation of random bytes,
    /// implicit rejection) with seeds from one SHAKE-128 stream, every
    /// output absorbed into another; the digest is the published one.
    #[test]
    fn mlkem768_cctv_accumulated_10000() {
        let v = vectors();
        let mut rng = sha3::Shake128::default().finalize_xof();
        let mut accumulator = sha3::Shake128::default();
        for _ in 0..10_000 {
            let mut d = [0u8; 32];
            let mut z = [0u8; 32];
            let mut m = [0u8; 32];
            let mut random_ciphertext = [0u8; MLKEM768_CIPHERTEXT_LEN];
            rng.read(&mut d);
            rng.read(&mut z);
            let (dk, ek) = MlKem768::generate_deterministic(&d.into(), &z.into());
            let ek_bytes = ek.as_bytes();
            assert!(encapsulation_key_is_valid(&ek_bytes));
            accumulator.update(&ek_bytes);
            accumulator.update(&dk.as_bytes());
            rng.read(&mut m);
            let (ct, k) = ek.encapsulate_deterministic(&m.into()).unwrap();
            accumulator.update(&ct);
            accumulator.update(&k);
            assert_eq!(dk.decapsulate(&ct).unwrap(), k);
            rng.read(&mut random_ciphertext);
            let random_ct =
                ml_kem::Ciphertext::<MlKem768>::try_from(&random_ciphertext[..]).unwrap();
            accumulator.update(&dk.decapsulate(&random_ct).unwrap());
        }
        let mut digest = [0u8; 32];
        accumulator.finalize_xof().read(&mut digest);
        assert_eq!(digest.to_vec(), v.get("cctv_accumulated_10000_shake128"));
    }

    /// The hybrid with fixed inputs: the ML-KEM half from the CCTV stream's
    /// first seeds, the X25519 half RFC 7748 §6.1's Alice (client) and Bob
    /// (server) keys, so the X25519 half of the secret is RFC 7748's.
    #[test]
    fn hybrid_known_answer() {
        let v = vectors();
        let x25519_client = x25519_dalek::StaticSecret::from(
            <[u8; 32]>::try_from(v.get("x25519_alice_private")).unwrap(),
        );
        let x25519_server = x25519_dalek::StaticSecret::from(
            <[u8; 32]>::try_from(v.get("x25519_bob_private")).unwrap(),
        );
        let d: [u8; 32] = v.get("mlkem_d").try_into().unwrap();
        let z: [u8; 32] = v.get("mlkem_z").try_into().unwrap();
        let m: [u8; 32] = v.get("mlkem_m").try_into().unwrap();
        let (client, client_share) = HybridClientKey::from_seeds(&d, &z, x25519_client);
        assert_eq!(client_share.len(), CLIENT_SHARE_LEN);
        assert_eq!(
            client_share[MLKEM768_ENCAPSULATION_KEY_LEN..],
            v.get("x25519_alice_public")
        );
        let (server_share, server_secret) =
            server_encapsulate_with(&client_share, &m, &x25519_server).unwrap();
        assert_eq!(server_share.len(), SERVER_SHARE_LEN);
        assert_eq!(
            server_share[MLKEM768_CIPHERTEXT_LEN..],
            v.get("x25519_bob_public")
        );
        assert_eq!(server_secret[32..], v.get("x25519_shared"));
        let client_secret = client.shared_secret(&server_share).unwrap();
        assert_eq!(client_secret, server_secret);
        // kyber-py's shares and ML-KEM secret for the same seeds.
        let sha256 = |b: &[u8]| {
            ring::digest::digest(&ring::digest::SHA256, b)
                .as_ref()
                .to_vec()
        };
        assert_eq!(sha256(&client_share), v.get("client_share_sha256"));
        assert_eq!(sha256(&server_share), v.get("server_share_sha256"));
        assert_eq!(client_secret[..32], v.get("mlkem_shared_secret"));
    }

    #[test]
    fn round_trip_from_the_injected_rng_is_deterministic() {
        let run = |seed| {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
            let (client, share) = HybridClientKey::generate(&mut rng);
            let (server_share, server_secret) = server_encapsulate(&share, &mut rng).unwrap();
            assert_eq!(client.shared_secret(&server_share).unwrap(), server_secret);
            (share, server_share, server_secret)
        };
        let a = run(1);
        assert_eq!(a, run(1));
        assert_ne!(a.0, run(2).0);
        assert_eq!(a.2.len(), SHARED_SECRET_LEN);
    }

    #[test]
    fn malformed_shares_are_errors() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let (client, share) = HybridClientKey::generate(&mut rng);
        // Lengths.
        for len in [0, 32, CLIENT_SHARE_LEN - 1, CLIENT_SHARE_LEN + 1] {
            let bad = vec![0u8; len];
            assert!(server_encapsulate(&bad, &mut rng).is_err(), "{len}");
        }
        // A coefficient of q (3329 = 0xd01) in the first slot: modulus check.
        let mut bad = share.clone();
        bad[0] = 0x01;
        bad[1] = (bad[1] & 0xf0) | 0x0d;
        assert!(!encapsulation_key_is_valid(
            &bad[..MLKEM768_ENCAPSULATION_KEY_LEN]
        ));
        assert_eq!(
            server_encapsulate(&bad, &mut rng),
            Err(Dtls13Error::KeyShare(
                "ML-KEM encapsulation key modulus check"
            ))
        );
        // 0xfff in the second coefficient of the last triple.
        let mut bad = share.clone();
        let last = MLKEM768_ENCAPSULATION_KEY_LEN - 32 - 1;
        bad[last] = 0xff;
        bad[last - 1] |= 0xf0;
        assert!(server_encapsulate(&bad, &mut rng).is_err());
        // 3328 (q - 1) is fine.
        let mut edge = share.clone();
        edge[0] = 0x00;
        edge[1] = (edge[1] & 0xf0) | 0x0d;
        assert!(encapsulation_key_is_valid(
            &edge[..MLKEM768_ENCAPSULATION_KEY_LEN]
        ));
        // A low-order X25519 point from either side.
        let mut zero_x = share.clone();
        zero_x[MLKEM768_ENCAPSULATION_KEY_LEN..].fill(0);
        assert_eq!(
            server_encapsulate(&zero_x, &mut rng),
            Err(Dtls13Error::KeyShare("X25519 low-order point"))
        );
        let (server_share, _) = server_encapsulate(&share, &mut rng).unwrap();
        let mut zero_x = server_share.clone();
        zero_x[MLKEM768_CIPHERTEXT_LEN..].fill(0);
        assert!(client.shared_secret(&zero_x).is_err());
        for len in [0, SERVER_SHARE_LEN - 1, SERVER_SHARE_LEN + 1] {
            assert!(client.shared_secret(&vec![1u8; len]).is_err());
        }
        // A corrupted ciphertext decapsulates (implicit rejection) to
        // another secret.
        let good = client.shared_secret(&server_share).unwrap();
        let mut corrupted = server_share.clone();
        corrupted[5] ^= 1;
        let other = client.shared_secret(&corrupted).unwrap();
        assert_ne!(other[..32], good[..32]);
        assert_eq!(other[32..], good[32..]);
    }
}
