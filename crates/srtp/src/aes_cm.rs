//! `AES_CM_128_HMAC_SHA1_{80,32}` (RFC 3711 §4.1.1, §4.2.1): AES-128 in
//! counter mode with HMAC-SHA1 tags.
//!
//! The AES key schedule and the keyed HMAC (inner and outer SHA-1 states)
//! are computed once per context; a packet costs one clone of each (a
//! memcpy) and the IV.

use aes::cipher::{InnerIvInit, KeyInit, StreamCipher};
use aes::Aes128;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::SrtpError;

type Ctr = ctr::Ctr128BE<Aes128>;
type CtrCore = ctr::CtrCore<Aes128, ctr::flavors::Ctr128BE>;

/// One direction-independent AES-CM + HMAC-SHA1 transform (SRTP or SRTCP
/// session keys).
#[derive(Clone)]
pub(crate) struct AesCmHmac {
    cipher: Aes128,
    salt: [u8; 14],
    mac: Hmac<Sha1>,
    tag_len: usize,
}

impl AesCmHmac {
    pub(crate) fn new(
        key: &[u8; 16],
        salt: &[u8; 14],
        auth_key: &[u8; 20],
        tag_len: usize,
    ) -> Self {
        AesCmHmac {
            cipher: Aes128::new(key.into()),
            salt: *salt,
            mac: <Hmac<Sha1> as Mac>::new_from_slice(auth_key)
                .expect("HMAC takes keys of any length"),
            tag_len,
        }
    }

    /// IV = (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16).
    #[inline]
    fn iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(&self.salt);
        let s = ssrc.to_be_bytes();
        for i in 0..4 {
            iv[4 + i] ^= s[i];
        }
        let x = index.to_be_bytes();
        for i in 0..6 {
            iv[8 + i] ^= x[2 + i];
        }
        iv
    }

    #[inline]
    fn keystream(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        let iv = self.iv(ssrc, index);
        let mut c = Ctr::from_core(CtrCore::inner_iv_init(self.cipher.clone(), &iv.into()));
        c.apply_keystream(data);
    }

    #[inline]
    fn rtp_tag(&self, authenticated: &[u8], roc: u32) -> [u8; 20] {
        let mut mac = self.mac.clone();
        mac.update(authenticated);
        mac.update(&roc.to_be_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Encrypts `buf[header_len..len]` and writes the tag at `buf[len..]`.
    #[inline]
    pub(crate) fn protect_rtp(
        &self,
        buf: &mut [u8],
        header_len: usize,
        len: usize,
        ssrc: u32,
        index: u64,
    ) {
        self.keystream(ssrc, index, &mut buf[header_len..len]);
        let tag = self.rtp_tag(&buf[..len], (index >> 16) as u32);
        buf[len..len + self.tag_len].copy_from_slice(&tag[..self.tag_len]);
    }

    /// Verifies the tag that ends `buf` and decrypts; returns the RTP length.
    #[inline]
    pub(crate) fn unprotect_rtp(
        &self,
        buf: &mut [u8],
        header_len: usize,
        ssrc: u32,
        index: u64,
    ) -> Result<usize, SrtpError> {
        let len = buf.len() - self.tag_len;
        let mut mac = self.mac.clone();
        mac.update(&buf[..len]);
        mac.update(&((index >> 16) as u32).to_be_bytes());
        mac.verify_truncated_left(&buf[len..])
            .map_err(|_| SrtpError::AuthenticationFailed)?;
        self.keystream(ssrc, index, &mut buf[header_len..len]);
        Ok(len)
    }

    /// Encrypts `buf[8..len]`, appends `E=1 || index` and the tag.
    #[inline]
    pub(crate) fn protect_rtcp(&self, buf: &mut [u8], len: usize, ssrc: u32, index: u32) {
        self.keystream(ssrc, u64::from(index), &mut buf[8..len]);
        buf[len..len + 4].copy_from_slice(&(index | 0x8000_0000).to_be_bytes());
        let mut mac = self.mac.clone();
        mac.update(&buf[..len + 4]);
        let tag: [u8; 20] = mac.finalize().into_bytes().into();
        buf[len + 4..len + 4 + self.tag_len].copy_from_slice(&tag[..self.tag_len]);
    }

    /// Verifies an SRTCP packet's tag (over everything up to it, trailer
    /// included) and decrypts when E is set; returns the RTCP length.
    #[inline]
    pub(crate) fn unprotect_rtcp(
        &self,
        buf: &mut [u8],
        ssrc: u32,
        index: u32,
        encrypted: bool,
    ) -> Result<usize, SrtpError> {
        let auth_len = buf.len() - self.tag_len;
        let mut mac = self.mac.clone();
        mac.update(&buf[..auth_len]);
        mac.verify_truncated_left(&buf[auth_len..])
            .map_err(|_| SrtpError::AuthenticationFailed)?;
        let len = auth_len - 4;
        if encrypted {
            self.keystream(ssrc, u64::from(index), &mut buf[8..len]);
        }
        Ok(len)
    }
}
