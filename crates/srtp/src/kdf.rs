//! The SRTP key derivation function (RFC 3711 §4.3) with a key derivation
//! rate of 0, as DTLS-SRTP uses it: the AES-CM PRF keyed with the master key.

use aes::cipher::{KeyIvInit, StreamCipher};

/// The labels of RFC 3711 §4.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Label {
    /// SRTP encryption key.
    RtpEncryption = 0,
    /// SRTP authentication key.
    RtpAuth = 1,
    /// SRTP salt.
    RtpSalt = 2,
    /// SRTCP encryption key.
    RtcpEncryption = 3,
    /// SRTCP authentication key.
    RtcpAuth = 4,
    /// SRTCP salt.
    RtcpSalt = 5,
}

/// Fills `out` with the PRF output for `label` (RFC 3711 §4.3.1, kdr = 0):
/// `x = label || 0^48 XOR master_salt`, `out = AES-CM(master_key, x · 2^16)`.
///
/// `master_key` is 16 bytes (AES-128) or 32 bytes (AES-256). A 12-byte
/// (GCM) master salt is padded with two zero bytes on the right, as
/// RFC 7714 §11 and libsrtp do. Panics only on other key lengths, which the
/// context checks before calling.
pub fn derive(master_key: &[u8], master_salt: &[u8], label: Label, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..master_salt.len()].copy_from_slice(master_salt);
    iv[7] ^= label as u8;
    out.fill(0);
    match master_key.len() {
        16 => {
            let mut c = ctr::Ctr128BE::<aes::Aes128>::new(master_key.into(), &iv.into());
            c.apply_keystream(out);
        }
        32 => {
            let mut c = ctr::Ctr128BE::<aes::Aes256>::new(master_key.into(), &iv.into());
            c.apply_keystream(out);
        }
        n => unreachable!("master key length {n} was checked"),
    }
}
