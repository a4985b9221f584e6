//! Hand-written declarations of the few libsrtp2 items used, checked
//! against `/usr/include/srtp2/srtp.h` of libsrtp 2.5 (Debian
//! `libsrtp2-dev`). Field order, types and sizes follow the header exactly.

use std::os::raw::{c_int, c_uint, c_ulong, c_void};

/// `srtp_err_status_t` (an `int`-sized C enum).
pub type SrtpErrStatus = c_int;
/// `srtp_err_status_ok`.
pub const SRTP_ERR_STATUS_OK: SrtpErrStatus = 0;
/// `srtp_err_status_auth_fail`.
pub const SRTP_ERR_STATUS_AUTH_FAIL: SrtpErrStatus = 7;
/// `srtp_err_status_replay_fail`.
pub const SRTP_ERR_STATUS_REPLAY_FAIL: SrtpErrStatus = 9;
/// `srtp_err_status_replay_old`.
pub const SRTP_ERR_STATUS_REPLAY_OLD: SrtpErrStatus = 10;

/// `SRTP_MAX_TRAILER_LEN` = `SRTP_MAX_TAG_LEN` (16) + `SRTP_MAX_MKI_LEN`
/// (128): the bytes `srtp_protect` may write after the packet.
pub const SRTP_MAX_TRAILER_LEN: usize = 16 + 128;
/// `srtp_protect_rtcp` writes the 4-byte E/index word too.
pub const SRTCP_MAX_TRAILER_LEN: usize = SRTP_MAX_TRAILER_LEN + 4;

/// `srtp_ssrc_type_t::ssrc_any_inbound`.
pub const SSRC_ANY_INBOUND: c_int = 2;
/// `srtp_ssrc_type_t::ssrc_any_outbound`.
pub const SSRC_ANY_OUTBOUND: c_int = 3;

/// `srtp_crypto_policy_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SrtpCryptoPolicy {
    /// `srtp_cipher_type_id_t cipher_type` (`uint32_t`).
    pub cipher_type: u32,
    /// `int cipher_key_len`.
    pub cipher_key_len: c_int,
    /// `srtp_auth_type_id_t auth_type` (`uint32_t`).
    pub auth_type: u32,
    /// `int auth_key_len`.
    pub auth_key_len: c_int,
    /// `int auth_tag_len`.
    pub auth_tag_len: c_int,
    /// `srtp_sec_serv_t sec_serv` (C enum, `int`-sized).
    pub sec_serv: c_int,
}

/// `srtp_ssrc_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SrtpSsrc {
    /// `srtp_ssrc_type_t type`.
    pub kind: c_int,
    /// `unsigned int value`.
    pub value: c_uint,
}

/// `srtp_policy_t`.
#[repr(C)]
#[derive(Debug)]
pub struct SrtpPolicy {
    /// `srtp_ssrc_t ssrc`.
    pub ssrc: SrtpSsrc,
    /// `srtp_crypto_policy_t rtp`.
    pub rtp: SrtpCryptoPolicy,
    /// `srtp_crypto_policy_t rtcp`.
    pub rtcp: SrtpCryptoPolicy,
    /// `unsigned char *key`: master key followed by master salt.
    pub key: *mut u8,
    /// `srtp_master_key_t **keys` (MKI; unused, null).
    pub keys: *mut *mut c_void,
    /// `unsigned long num_master_keys`.
    pub num_master_keys: c_ulong,
    /// `void *deprecated_ekt` (null).
    pub deprecated_ekt: *mut c_void,
    /// `unsigned long window_size` (0 = libsrtp's default of 128).
    pub window_size: c_ulong,
    /// `int allow_repeat_tx`.
    pub allow_repeat_tx: c_int,
    /// `int *enc_xtn_hdr` (null).
    pub enc_xtn_hdr: *mut c_int,
    /// `int enc_xtn_hdr_count`.
    pub enc_xtn_hdr_count: c_int,
    /// `struct srtp_policy_t *next` (null: one policy).
    pub next: *mut SrtpPolicy,
}

/// `srtp_t`: an opaque session pointer.
pub type SrtpT = *mut c_void;

extern "C" {
    /// `srtp_init` (srtp.h).
    pub fn srtp_init() -> SrtpErrStatus;
    /// `srtp_create` (srtp.h).
    pub fn srtp_create(session: *mut SrtpT, policy: *const SrtpPolicy) -> SrtpErrStatus;
    /// `srtp_dealloc` (srtp.h).
    pub fn srtp_dealloc(session: SrtpT) -> SrtpErrStatus;
    /// `srtp_protect` (srtp.h).
    pub fn srtp_protect(ctx: SrtpT, rtp_hdr: *mut c_void, len_ptr: *mut c_int) -> SrtpErrStatus;
    /// `srtp_unprotect` (srtp.h).
    pub fn srtp_unprotect(ctx: SrtpT, srtp_hdr: *mut c_void, len_ptr: *mut c_int) -> SrtpErrStatus;
    /// `srtp_protect_rtcp` (srtp.h).
    pub fn srtp_protect_rtcp(
        ctx: SrtpT,
        rtcp_hdr: *mut c_void,
        len_ptr: *mut c_int,
    ) -> SrtpErrStatus;
    /// `srtp_unprotect_rtcp` (srtp.h).
    pub fn srtp_unprotect_rtcp(
        ctx: SrtpT,
        srtcp_hdr: *mut c_void,
        len_ptr: *mut c_int,
    ) -> SrtpErrStatus;
    /// `srtp_crypto_policy_set_rtp_default` = `..._aes_cm_128_hmac_sha1_80`
    /// (a macro in the header).
    pub fn srtp_crypto_policy_set_rtp_default(p: *mut SrtpCryptoPolicy);
    /// `srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32` (srtp.h).
    pub fn srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p: *mut SrtpCryptoPolicy);
    /// `srtp_crypto_policy_set_aes_gcm_128_16_auth` (srtp.h).
    pub fn srtp_crypto_policy_set_aes_gcm_128_16_auth(p: *mut SrtpCryptoPolicy);
    /// `srtp_crypto_policy_set_aes_gcm_256_16_auth` (srtp.h).
    pub fn srtp_crypto_policy_set_aes_gcm_256_16_auth(p: *mut SrtpCryptoPolicy);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// Sizes and offsets printed by a C program compiled against
    /// /usr/include/srtp2/srtp.h on x86_64 (sizeof, offsetof).
    #[test]
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    fn layout_matches_the_c_header() {
        assert_eq!(size_of::<SrtpCryptoPolicy>(), 24);
        assert_eq!(size_of::<SrtpPolicy>(), 128);
        assert_eq!(offset_of!(SrtpPolicy, key), 56);
        assert_eq!(offset_of!(SrtpPolicy, window_size), 88);
        assert_eq!(offset_of!(SrtpPolicy, enc_xtn_hdr_count), 112);
        assert_eq!(offset_of!(SrtpPolicy, next), 120);
    }
}
