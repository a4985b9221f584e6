//! `AEAD_AES_128_GCM` and `AEAD_AES_256_GCM` for SRTP and SRTCP
//! (RFC 7714 §8–§10), on `ring`'s AES-GCM.
//!
//! The key (AES key schedule and GHASH table) is expanded once per context.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};

use crate::SrtpError;

/// GCM tag length used by both profiles.
pub(crate) const TAG_LEN: usize = 16;

/// One AES-GCM transform (SRTP or SRTCP session key and salt).
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct AesGcm {
    key: LessSafeKey,
    salt: [u8; 12],
}

impl AesGcm {
    /// `key` is 16 or 32 bytes (checked by the context).
    pub(crate) fn new(key: &[u8], salt: &[u8; 12]) -> Self {
        let alg = if key.len() == 32 {
            &AES_256_GCM
        } else {
            &AES_128_GCM
        };
        let unbound = UnboundKey::new(alg, key).expect("key length checked by the context");
        AesGcm {
            key: LessSafeKey::new(unbound),
            salt: *salt,
        }
    }

    /// RTP IV (RFC 7714 §8.1): `00 00 || SSRC || ROC || SEQ` XOR salt.
    /// Built as two words, bytes 0..8 and 8..12, the way AES-GCM reads it
    /// back: written byte by byte, or in other pieces, the reads would
    /// stall (no store-to-load forwarding across several stores).
    #[inline]
    fn rtp_nonce(&self, ssrc: u32, index: u64) -> Nonce {
        let (salt_head, salt_tail) = self.salt.split_at(8);
        // Bytes 2..6 the SSRC, 6..8 the ROC's high half (`index` is at
        // most 48 bits: ROC << 16 | SEQ).
        let head = u64::from_be_bytes(salt_head.try_into().expect("8 bytes"))
            ^ (u64::from(ssrc) << 16 | (index >> 32) & 0xffff);
        // The ROC's low half and SEQ.
        let tail = u32::from_be_bytes(salt_tail.try_into().expect("4 bytes")) ^ index as u32;
        let mut iv = [0u8; 12];
        iv[..8].copy_from_slice(&head.to_be_bytes());
        iv[8..].copy_from_slice(&tail.to_be_bytes());
        Nonce::assume_unique_for_key(iv)
    }

    /// RTCP IV (RFC 7714 §9.1): `00 00 || SSRC || 00 00 || 0 || index`
    /// XOR salt.
    #[inline]
    fn rtcp_nonce(&self, ssrc: u32, index: u32) -> Nonce {
        let mut iv = self.salt;
        let s = ssrc.to_be_bytes();
        let x = index.to_be_bytes();
        for i in 0..4 {
            iv[2 + i] ^= s[i];
            iv[8 + i] ^= x[i];
        }
        Nonce::assume_unique_for_key(iv)
    }

    /// Encrypts `buf[header_len..len]` with the header as AAD and writes the
    /// tag at `buf[len..len + 16]`.
    #[inline]
    pub(crate) fn protect_rtp(
        &self,
        buf: &mut [u8],
        header_len: usize,
        len: usize,
        ssrc: u32,
        index: u64,
    ) {
        let (header, rest) = buf.split_at_mut(header_len);
        let (payload, tail) = rest.split_at_mut(len - header_len);
        let tag = self
            .key
            .seal_in_place_separate_tag(self.rtp_nonce(ssrc, index), Aad::from(&*header), payload)
            .expect("an SRTP payload is far below GCM's length limit");
        tail[..TAG_LEN].copy_from_slice(tag.as_ref());
    }

    /// Verifies and decrypts the payload and tag after the header; returns
    /// the RTP length.
    #[inline]
    pub(crate) fn unprotect_rtp(
        &self,
        buf: &mut [u8],
        header_len: usize,
        ssrc: u32,
        index: u64,
    ) -> Result<usize, SrtpError> {
        let len = buf.len() - TAG_LEN;
        let (header, rest) = buf.split_at_mut(header_len);
        self.key
            .open_in_place(self.rtp_nonce(ssrc, index), Aad::from(&*header), rest)
            .map_err(|_| SrtpError::AuthenticationFailed)?;
        Ok(len)
    }

    /// Encrypts `buf[8..len]` (AAD: the first 8 bytes and `E=1 || index`),
    /// then appends the tag and the trailer.
    #[inline]
    pub(crate) fn protect_rtcp(&self, buf: &mut [u8], len: usize, ssrc: u32, index: u32) {
        let trailer = (index | 0x8000_0000).to_be_bytes();
        let mut aad = [0u8; 12];
        aad[..8].copy_from_slice(&buf[..8]);
        aad[8..].copy_from_slice(&trailer);
        let (payload, tail) = buf[8..].split_at_mut(len - 8);
        let tag = self
            .key
            .seal_in_place_separate_tag(self.rtcp_nonce(ssrc, index), Aad::from(aad), payload)
            .expect("an SRTCP payload is far below GCM's length limit");
        tail[..TAG_LEN].copy_from_slice(tag.as_ref());
        tail[TAG_LEN..TAG_LEN + 4].copy_from_slice(&trailer);
    }

    /// Verifies (and, when E is set, decrypts) an SRTCP packet whose last 4
    /// bytes are the trailer; returns the RTCP length.
    #[inline]
    pub(crate) fn unprotect_rtcp(
        &self,
        buf: &mut [u8],
        ssrc: u32,
        index: u32,
        encrypted: bool,
    ) -> Result<usize, SrtpError> {
        let trailer_at = buf.len() - 4;
        let len = trailer_at - TAG_LEN;
        let trailer: [u8; 4] = buf[trailer_at..].try_into().expect("4 bytes");
        let nonce = self.rtcp_nonce(ssrc, index);
        if encrypted {
            let mut aad = [0u8; 12];
            aad[..8].copy_from_slice(&buf[..8]);
            aad[8..].copy_from_slice(&trailer);
            self.key
                .open_in_place(nonce, Aad::from(aad), &mut buf[8..trailer_at])
                .map_err(|_| SrtpError::AuthenticationFailed)?;
        } else {
            // Authentication only (RFC 7714 §9.3, E = 0): the whole packet and
            // the trailer are AAD, the plaintext is empty, the tag stays.
            // The tag is the GCM "ciphertext" of an empty plaintext.
            let mut tag = [0u8; TAG_LEN];
            tag.copy_from_slice(&buf[len..trailer_at]);
            // Move the trailer next to the packet so that AAD is one slice
            // (the packet is rejected or returned as buf[..len] either way).
            buf.copy_within(trailer_at.., len);
            self.key
                .open_in_place(nonce, Aad::from(&buf[..len + 4]), &mut tag)
                .map_err(|_| SrtpError::AuthenticationFailed)?;
        }
        Ok(len)
    }
}
