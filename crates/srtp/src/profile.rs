//! The DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2).

/// An SRTP protection profile as negotiated by DTLS-SRTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80` (0x0001): AES-128 counter mode,
    /// HMAC-SHA1 tag of 80 bits on SRTP and SRTCP.
    Aes128CmHmacSha1_80,
    /// `SRTP_AES128_CM_HMAC_SHA1_32` (0x0002): as above with a 32-bit SRTP
    /// tag; SRTCP keeps the 80-bit tag (RFC 5764 §4.1.2).
    Aes128CmHmacSha1_32,
    /// `SRTP_AEAD_AES_128_GCM` (0x0007): AES-128-GCM, 16-byte tag.
    AeadAes128Gcm,
    /// `SRTP_AEAD_AES_256_GCM` (0x0008): AES-256-GCM, 16-byte tag.
    AeadAes256Gcm,
}

impl Profile {
    /// Every profile, in DTLS-SRTP identifier order.
    pub const ALL: [Profile; 4] = [
        Profile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
    ];

    /// The profile for a DTLS `use_srtp` identifier, if it is one of ours.
    pub fn from_dtls_id(id: u16) -> Option<Profile> {
        match id {
            0x0001 => Some(Profile::Aes128CmHmacSha1_80),
            0x0002 => Some(Profile::Aes128CmHmacSha1_32),
            0x0007 => Some(Profile::AeadAes128Gcm),
            0x0008 => Some(Profile::AeadAes256Gcm),
            _ => None,
        }
    }

    /// The DTLS `use_srtp` identifier.
    pub fn dtls_id(self) -> u16 {
        match self {
            Profile::Aes128CmHmacSha1_80 => 0x0001,
            Profile::Aes128CmHmacSha1_32 => 0x0002,
            Profile::AeadAes128Gcm => 0x0007,
            Profile::AeadAes256Gcm => 0x0008,
        }
    }

    /// The name as OpenSSL's `-use_srtp` spells it (the RFC 5764 names with
    /// `CM_SHA1` for `CM_HMAC_SHA1`; the GCM ones as in RFC 7714), e.g.
    /// `"SRTP_AEAD_AES_128_GCM"`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
            Profile::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_SHA1_32",
            Profile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Profile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// The profile with this [`Profile::name`].
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Master (and session encryption) key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Profile::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    /// Master (and session) salt length in bytes: 14 for AES-CM, 12 for GCM.
    pub fn salt_len(self) -> usize {
        if self.is_aead() {
            12
        } else {
            14
        }
    }

    /// Bytes SRTP adds to an RTP packet (the tag).
    pub fn rtp_tag_len(self) -> usize {
        match self {
            Profile::Aes128CmHmacSha1_80 => 10,
            Profile::Aes128CmHmacSha1_32 => 4,
            Profile::AeadAes128Gcm | Profile::AeadAes256Gcm => 16,
        }
    }

    /// Tag length of SRTCP packets (80 bits for both AES-CM profiles).
    pub fn rtcp_tag_len(self) -> usize {
        if self.is_aead() {
            16
        } else {
            10
        }
    }

    /// Bytes SRTCP adds to an RTCP packet: the E-bit/index word and the tag.
    pub fn rtcp_overhead(self) -> usize {
        4 + self.rtcp_tag_len()
    }

    /// Whether the profile is an AEAD (GCM) one.
    pub fn is_aead(self) -> bool {
        matches!(self, Profile::AeadAes128Gcm | Profile::AeadAes256Gcm)
    }

    /// Length of the DTLS exporter output the profile needs
    /// (RFC 5764 §4.2: two keys and two salts).
    pub fn keying_material_len(self) -> usize {
        2 * (self.key_len() + self.salt_len())
    }
}

#[cfg(test)]
mod tests {
    use super::Profile;

    #[test]
    fn identifiers_and_names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_dtls_id(p.dtls_id()), Some(p));
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
        assert_eq!(Profile::AeadAes128Gcm.name(), "SRTP_AEAD_AES_128_GCM");
        assert_eq!(
            Profile::Aes128CmHmacSha1_80.name(),
            "SRTP_AES128_CM_SHA1_80"
        );
        assert_eq!(Profile::from_dtls_id(0x0003), None);
        assert_eq!(Profile::from_name("SRTP_NULL_SHA1_80"), None);
    }
}
