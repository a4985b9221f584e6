//! HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label and Derive-Secret
//! (RFC 8446 §7.1), on ring: HKDF-Extract is an HMAC (ring's `hkdf::Prk`
//! does not hand out its bytes, and the key schedule needs them), and
//! HKDF-Expand is ring's `hkdf::Prk::expand`.
//!
//! DTLS 1.3 labels carry the prefix `"dtls13"` where TLS 1.3 has
//! `"tls13 "` (RFC 9147 §5.9); every function takes the prefix, so the
//! RFC 8448 TLS 1.3 vectors test the same code that DTLS runs.

use super::cipher_suite::SuiteHash;
use super::error::Dtls13Error;

/// The label prefix of HKDF-Expand-Label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelPrefix {
    /// `"tls13 "` (RFC 8446 §7.1): TLS 1.3, and the RFC 8448 vectors.
    Tls13,
    /// `"dtls13"` (RFC 9147 §5.9): DTLS 1.3.
    Dtls13,
}

impl LabelPrefix {
    /// The prefix bytes (six for both).
    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            LabelPrefix::Tls13 => b"tls13 ",
            LabelPrefix::Dtls13 => b"dtls13",
        }
    }
}

/// A secret of the key schedule (`Hash.length` bytes). Its `Debug` never
/// shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }

    /// The secret bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// `HKDF-Extract(salt, IKM)` = `HMAC-Hash(salt, IKM)` (RFC 5869 §2.2). An
/// empty salt acts as `Hash.length` zero bytes (HMAC zero-pads its key).
pub(crate) fn extract(hash: SuiteHash, salt: &[u8], ikm: &[u8]) -> Secret {
    let key = ring::hmac::Key::new(hash.hmac_algorithm(), salt);
    Secret(ring::hmac::sign(&key, ikm).as_ref().to_vec())
}

/// ring's output length type for `expand`.
struct OutputLen(usize);

impl ring::hkdf::KeyType for OutputLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// The longest HKDF-Expand output: `255 * Hash.length` (RFC 5869 §2.3).
pub(crate) fn max_expand_len(hash: SuiteHash) -> usize {
    255 * hash.output_len()
}

/// `HKDF-Expand(PRK, info, L)` (RFC 5869 §2.3). Fails when `len` exceeds
/// [`max_expand_len`] or the PRK is shorter than `Hash.length`.
pub(crate) fn expand(
    hash: SuiteHash,
    prk: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Vec<u8>, Dtls13Error> {
    if len > max_expand_len(hash) {
        return Err(Dtls13Error::TooLarge("HKDF-Expand output"));
    }
    if prk.len() < hash.output_len() {
        return Err(Dtls13Error::Crypto("HKDF PRK shorter than the hash"));
    }
    let prk = ring::hkdf::Prk::new_less_safe(hash.hkdf_algorithm(), prk);
    let info = [info];
    let okm = prk
        .expand(&info, OutputLen(len))
        .map_err(|_| Dtls13Error::TooLarge("HKDF-Expand output"))?;
    let mut out = vec![0u8; len];
    okm.fill(&mut out)
        .map_err(|_| Dtls13Error::TooLarge("HKDF-Expand output"))?;
    Ok(out)
}

/// The `HkdfLabel` structure (RFC 8446 §7.1): `uint16 length`,
/// `opaque label<7..255>` = prefix ‖ label, `opaque context<0..255>`.
pub(crate) fn hkdf_label(
    prefix: LabelPrefix,
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Vec<u8>, Dtls13Error> {
    let length = u16::try_from(len).map_err(|_| Dtls13Error::TooLarge("HkdfLabel length"))?;
    let full_label_len = prefix.bytes().len() + label.len();
    let full_label_len =
        u8::try_from(full_label_len).map_err(|_| Dtls13Error::TooLarge("HkdfLabel label"))?;
    let context_len =
        u8::try_from(context.len()).map_err(|_| Dtls13Error::TooLarge("HkdfLabel context"))?;
    let mut out = Vec::with_capacity(4 + full_label_len as usize + context.len());
    out.extend_from_slice(&length.to_be_bytes());
    out.push(full_label_len);
    out.extend_from_slice(prefix.bytes());
    out.extend_from_slice(label);
    out.push(context_len);
    out.extend_from_slice(context);
    Ok(out)
}

/// `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 §7.1)
/// with the given label prefix.
pub(crate) fn expand_label(
    hash: SuiteHash,
    prefix: LabelPrefix,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Vec<u8>, Dtls13Error> {
    let info = hkdf_label(prefix, label, context, len)?;
    expand(hash, secret, &info, len)
}

/// `Derive-Secret(Secret, Label, Messages)` (RFC 8446 §7.1), given
/// `Transcript-Hash(Messages)` rather than the messages: the caller keeps
/// a running transcript hash.
pub(crate) fn derive_secret(
    hash: SuiteHash,
    prefix: LabelPrefix,
    secret: &Secret,
    label: &[u8],
    transcript_hash: &[u8],
) -> Result<Secret, Dtls13Error> {
    expand_label(
        hash,
        prefix,
        secret.as_bytes(),
        label,
        transcript_hash,
        hash.output_len(),
    )
    .map(Secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::{hex, rfc8448};

    /// RFC 5869 Appendix A.1 (SHA-256, basic test case).
    #[test]
    fn rfc5869_test_case_1() {
        let ikm = [0x0bu8; 22];
        let salt = hex("000102030405060708090a0b0c");
        let info = hex("f0f1f2f3f4f5f6f7f8f9");
        let prk = extract(SuiteHash::Sha256, &salt, &ikm);
        assert_eq!(
            prk.as_bytes(),
            hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        );
        let okm = expand(SuiteHash::Sha256, prk.as_bytes(), &info, 42).unwrap();
        assert_eq!(
            okm,
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        );
    }

    /// RFC 8448 §3 prints the HkdfLabel ("key info", "iv info").
    #[test]
    fn hkdf_label_bytes_match_rfc8448() {
        assert_eq!(
            hkdf_label(LabelPrefix::Tls13, b"key", b"", 16).unwrap(),
            hex("001009746c73313320 6b657900")
        );
        assert_eq!(
            hkdf_label(LabelPrefix::Tls13, b"iv", b"", 12).unwrap(),
            hex("000c08746c7331332069 7600")
        );
    }

    #[test]
    fn derive_secret_matches_rfc8448_derived() {
        let v = rfc8448();
        let early = Secret::new(v.get("early_secret"));
        let empty = SuiteHash::Sha256.digest(b"");
        let derived = derive_secret(
            SuiteHash::Sha256,
            LabelPrefix::Tls13,
            &early,
            b"derived",
            &empty,
        )
        .unwrap();
        assert_eq!(derived.as_bytes(), v.get("derived_for_handshake"));
    }

    #[test]
    fn dtls13_prefix_changes_the_output() {
        let secret = [7u8; 32];
        let tls = expand_label(
            SuiteHash::Sha256,
            LabelPrefix::Tls13,
            &secret,
            b"key",
            b"",
            16,
        );
        let dtls = expand_label(
            SuiteHash::Sha256,
            LabelPrefix::Dtls13,
            &secret,
            b"key",
            b"",
            16,
        );
        assert_ne!(tls.unwrap(), dtls.unwrap());
        assert_eq!(
            hkdf_label(LabelPrefix::Dtls13, b"sn", b"", 16).unwrap(),
            [&[0x00, 0x10, 0x08][..], b"dtls13sn", &[0x00]].concat()
        );
    }

    #[test]
    fn oversized_inputs_are_errors() {
        let secret = [7u8; 32];
        assert!(expand(SuiteHash::Sha256, &secret, b"", 255 * 32).is_ok());
        assert_eq!(
            expand(SuiteHash::Sha256, &secret, b"", 255 * 32 + 1),
            Err(Dtls13Error::TooLarge("HKDF-Expand output"))
        );
        assert!(expand(SuiteHash::Sha256, &secret[..31], b"", 16).is_err());
        let long_label = [b'a'; 250];
        assert!(hkdf_label(LabelPrefix::Dtls13, &long_label, b"", 16).is_err());
        assert!(hkdf_label(LabelPrefix::Dtls13, b"x", &[0u8; 256], 16).is_err());
        assert!(hkdf_label(LabelPrefix::Dtls13, b"x", b"", 70_000).is_err());
    }

    #[test]
    fn secret_debug_hides_the_bytes() {
        let s = Secret::new(vec![0xab; 32]);
        assert_eq!(format!("{s:?}"), "Secret(32 bytes)");
    }
}
