//! ECDSA P-256 / SHA-256 signing with RFC 6979 nonces: no randomness at
//! all, so a handshake's bytes depend only on the endpoint's RNG.
//!
//! The arithmetic is RustCrypto `p256`'s; what is ours is the fixed-base
//! multiplication `k·G`: `p256` 0.13 multiplies the base point like any
//! other point (about 10× ring's signing time), so we keep a table of
//! `j·16^i·G` (64 windows × 16 affine points, 64 KiB, built once per
//! process) and add one entry per 4-bit window of `k`, each chosen by a
//! constant-time scan of its row. The rest is `ecdsa`'s `sign_prehashed`
//! written out (its generic version always takes the slow path), with the
//! inversion of `k` blinded (below); a test checks our signatures equal
//! `p256::ecdsa::SigningKey`'s byte for byte.

use std::sync::OnceLock;

use p256::ecdsa::Signature;
use p256::elliptic_curve::bigint::U256;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use p256::elliptic_curve::{Curve, FieldBytesEncoding, PrimeField};
use p256::{AffinePoint, NistP256, NonZeroScalar, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};

use crate::error::DtlsError;

/// Windows of 4 bits in a 256-bit scalar.
const WINDOWS: usize = 64;

/// `TABLE[i][j] = j·16^i·G`.
type Table = Vec<[AffinePoint; 16]>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut base = ProjectivePoint::GENERATOR;
        let mut rows = Vec::with_capacity(WINDOWS);
        for _ in 0..WINDOWS {
            let mut row = [ProjectivePoint::IDENTITY; 16];
            for j in 1..16 {
                row[j] = row[j - 1] + base;
            }
            base = row[15] + base;
            rows.push(row.map(|p| p.to_affine()));
        }
        rows
    })
}

/// `k·G` in constant time (for a secret `k`).
pub(crate) fn mul_base(k: &Scalar) -> ProjectivePoint {
    let bytes = k.to_repr(); // big-endian
    let mut acc = ProjectivePoint::IDENTITY;
    for (i, row) in table().iter().enumerate() {
        let byte = bytes[31 - i / 2];
        let digit = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
        let mut point = AffinePoint::IDENTITY;
        for (j, entry) in (0u8..).zip(row.iter()) {
            point.conditional_assign(entry, j.ct_eq(&digit));
        }
        acc += point;
    }
    acc
}

/// An ECDSA P-256 signature of SHA-256(`msg`) by the private scalar `key`, ASN.1 DER, with
/// the RFC 6979 nonce (what `p256::ecdsa::SigningKey::sign` computes).
pub(crate) fn sign(key: &NonZeroScalar, msg: &[u8]) -> Result<Vec<u8>, DtlsError> {
    let d: &Scalar = key.as_ref();
    let z_bytes = Sha256::digest(msg);
    let k_bytes = rfc6979::generate_k::<Sha256, _>(
        &d.to_repr(),
        &<U256 as FieldBytesEncoding<NistP256>>::encode_field_bytes(&NistP256::ORDER),
        &z_bytes,
        &[],
    );
    let k = Option::<Scalar>::from(Scalar::from_repr(k_bytes)).ok_or(DtlsError::Signing)?;
    if bool::from(k.ct_eq(&Scalar::ZERO)) {
        return Err(DtlsError::Signing);
    }
    // k⁻¹ = b·(k·b)⁻¹ with a secret blinding scalar b (also RFC 6979,
    // with other additional data): a variable-time inversion of k·b says
    // nothing about k, and is several times faster than the constant-time
    // one (Fermat, ~300 multiplications).
    let b_bytes = rfc6979::generate_k::<Sha256, _>(
        &d.to_repr(),
        &<U256 as FieldBytesEncoding<NistP256>>::encode_field_bytes(&NistP256::ORDER),
        &z_bytes,
        b"sansrtc ecdsa blinding",
    );
    let b = Option::<Scalar>::from(Scalar::from_repr(b_bytes)).ok_or(DtlsError::Signing)?;
    let kb_inv =
        Option::<Scalar>::from(Invert::invert_vartime(&(k * b))).ok_or(DtlsError::Signing)?;
    let k_inv = b * kb_inv;
    let big_r = mul_base(&k).to_affine();
    let r = <Scalar as Reduce<U256>>::reduce_bytes(&big_r.x());
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&z_bytes);
    let s = k_inv * (z + r * d);
    let sig = Signature::from_scalars(r, s).map_err(|_| DtlsError::Signing)?;
    Ok(sig.to_der().as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::elliptic_curve::Field;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn table_multiplication_matches_the_generic_one() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let mut scalars = vec![Scalar::ZERO, Scalar::ONE, Scalar::from(15u64), -Scalar::ONE];
        scalars.extend((0..40).map(|_| Scalar::random(&mut rng)));
        for k in scalars {
            assert_eq!(mul_base(&k), ProjectivePoint::GENERATOR * k);
        }
    }

    #[test]
    fn signatures_equal_the_ecdsa_crates_and_verify_with_ring() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        for n in 0..20usize {
            let key = p256::ecdsa::SigningKey::random(&mut rng);
            let msg = vec![n as u8; n * 13];
            let ours = sign(key.as_nonzero_scalar(), &msg).unwrap();
            let theirs: Signature = key.sign(&msg);
            assert_eq!(ours, theirs.to_der().as_bytes());
            let public = key.verifying_key().to_encoded_point(false);
            ring::signature::UnparsedPublicKey::new(
                &ring::signature::ECDSA_P256_SHA256_ASN1,
                public.as_bytes(),
            )
            .verify(&msg, &ours)
            .unwrap();
        }
    }
}
