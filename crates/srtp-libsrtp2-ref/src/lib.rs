//! A minimal safe wrapper over the system libsrtp2, the SRTP reference
//! implementation, for `sansrtc-srtp`'s cross-check tests and the benches.
//! Dev-only and unpublished: no sansrtc crate depends on it normally.
//!
//! The unsafe surface is the hand-written declarations in [`ffi`] and the
//! six calls in this file, each with its SAFETY argument.
//!
//! ```
//! use sansrtc_srtp_libsrtp2_ref::{Direction, LibSrtp, RefProfile};
//!
//! let key = [1u8; 16];
//! let salt = [2u8; 14];
//! let mut tx = LibSrtp::new(RefProfile::Aes128CmHmacSha1_80, &key, &salt, Direction::Outbound, 64).unwrap();
//! let mut rx = LibSrtp::new(RefProfile::Aes128CmHmacSha1_80, &key, &salt, Direction::Inbound, 64).unwrap();
//! let mut buf = vec![0u8; 12 + 20 + LibSrtp::PROTECT_HEADROOM];
//! buf[..12].copy_from_slice(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe]);
//! let n = tx.protect_rtp(&mut buf, 32).unwrap();
//! assert_eq!(n, 42);
//! assert_eq!(rx.unprotect_rtp(&mut buf[..n]).unwrap(), 32);
//! assert!(rx.unprotect_rtp(&mut buf[..n]).is_err(), "auth fails on plaintext now");
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

pub mod ffi;

use std::os::raw::{c_int, c_ulong, c_void};
use std::ptr;
use std::sync::Once;

/// The profiles sansrtc implements, as libsrtp2 policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefProfile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80`.
    Aes128CmHmacSha1_80,
    /// `SRTP_AES128_CM_HMAC_SHA1_32` (SRTCP keeps the 80-bit tag).
    Aes128CmHmacSha1_32,
    /// `SRTP_AEAD_AES_128_GCM`.
    AeadAes128Gcm,
    /// `SRTP_AEAD_AES_256_GCM`.
    AeadAes256Gcm,
}

/// Which way a libsrtp2 session works (its policy's wildcard SSRC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `ssrc_any_outbound`: protects.
    Outbound,
    /// `ssrc_any_inbound`: unprotects.
    Inbound,
}

/// A libsrtp2 status other than `srtp_err_status_ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibSrtpError(pub i32);

impl LibSrtpError {
    /// `srtp_err_status_auth_fail`.
    pub fn is_auth_fail(self) -> bool {
        self.0 == ffi::SRTP_ERR_STATUS_AUTH_FAIL
    }
    /// `srtp_err_status_replay_fail` or `srtp_err_status_replay_old`.
    pub fn is_replay(self) -> bool {
        self.0 == ffi::SRTP_ERR_STATUS_REPLAY_FAIL || self.0 == ffi::SRTP_ERR_STATUS_REPLAY_OLD
    }
}

fn check(status: ffi::SrtpErrStatus) -> Result<(), LibSrtpError> {
    if status == ffi::SRTP_ERR_STATUS_OK {
        Ok(())
    } else {
        Err(LibSrtpError(status))
    }
}

static INIT: Once = Once::new();

/// One libsrtp2 session with a single wildcard policy.
#[derive(Debug)]
pub struct LibSrtp {
    session: ffi::SrtpT,
}

impl LibSrtp {
    /// Bytes the buffer must have after the packet for `protect_rtp` /
    /// `protect_rtcp` (libsrtp2 may write up to its maximum trailer).
    pub const PROTECT_HEADROOM: usize = ffi::SRTCP_MAX_TRAILER_LEN;

    /// A session for `profile` with master `key` and `salt`; `window` is
    /// the replay window (libsrtp2 takes 64..32768).
    pub fn new(
        profile: RefProfile,
        key: &[u8],
        salt: &[u8],
        direction: Direction,
        window: u64,
    ) -> Result<Self, LibSrtpError> {
        // SAFETY: srtp_init takes no arguments; Once makes it run once.
        INIT.call_once(|| check(unsafe { ffi::srtp_init() }).expect("srtp_init"));
        let zero = ffi::SrtpCryptoPolicy {
            cipher_type: 0,
            cipher_key_len: 0,
            auth_type: 0,
            auth_key_len: 0,
            auth_tag_len: 0,
            sec_serv: 0,
        };
        let (mut rtp, mut rtcp) = (zero, zero);
        // SAFETY: each setter writes the six fields of the struct it is
        // given; both are valid, exclusively borrowed, correctly laid out.
        unsafe {
            match profile {
                RefProfile::Aes128CmHmacSha1_80 => {
                    ffi::srtp_crypto_policy_set_rtp_default(&mut rtp);
                    ffi::srtp_crypto_policy_set_rtp_default(&mut rtcp);
                }
                RefProfile::Aes128CmHmacSha1_32 => {
                    ffi::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&mut rtp);
                    ffi::srtp_crypto_policy_set_rtp_default(&mut rtcp);
                }
                RefProfile::AeadAes128Gcm => {
                    ffi::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtp);
                    ffi::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtcp);
                }
                RefProfile::AeadAes256Gcm => {
                    ffi::srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut rtp);
                    ffi::srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut rtcp);
                }
            }
        }
        // libsrtp2 reads master key || master salt from one buffer.
        let mut key_and_salt: Vec<u8> = key.iter().chain(salt).copied().collect();
        if key_and_salt.len() != rtp.cipher_key_len as usize {
            return Err(LibSrtpError(-1));
        }
        let policy = ffi::SrtpPolicy {
            ssrc: ffi::SrtpSsrc {
                kind: match direction {
                    Direction::Outbound => ffi::SSRC_ANY_OUTBOUND,
                    Direction::Inbound => ffi::SSRC_ANY_INBOUND,
                },
                value: 0,
            },
            rtp,
            rtcp,
            key: key_and_salt.as_mut_ptr(),
            keys: ptr::null_mut(),
            num_master_keys: 0,
            deprecated_ekt: ptr::null_mut(),
            window_size: window as c_ulong,
            allow_repeat_tx: 0,
            enc_xtn_hdr: ptr::null_mut(),
            enc_xtn_hdr_count: 0,
            next: ptr::null_mut(),
        };
        let mut session: ffi::SrtpT = ptr::null_mut();
        // SAFETY: `policy` is a valid single-element policy list whose key
        // pointer covers cipher_key_len bytes; libsrtp2 copies the key
        // material during the call, so `key_and_salt` may drop after it.
        check(unsafe { ffi::srtp_create(&mut session, &policy) })?;
        Ok(LibSrtp { session })
    }

    fn call(
        &mut self,
        f: unsafe extern "C" fn(ffi::SrtpT, *mut c_void, *mut c_int) -> ffi::SrtpErrStatus,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, LibSrtpError> {
        let mut n = c_int::try_from(len).map_err(|_| LibSrtpError(-2))?;
        // SAFETY: the session is live (dropped only in Drop); `buf` is
        // valid for writes of buf.len() bytes and every caller checked that
        // this covers what the function may write (len + its trailer for
        // protect, len for unprotect).
        check(unsafe { f(self.session, buf.as_mut_ptr().cast(), &mut n) })?;
        Ok(n as usize)
    }

    /// `srtp_protect` of the RTP packet `buf[..len]`; `buf` needs
    /// [`PROTECT_HEADROOM`](Self::PROTECT_HEADROOM) bytes after it.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, LibSrtpError> {
        assert!(
            buf.len() >= len + Self::PROTECT_HEADROOM,
            "libsrtp2 needs trailer room"
        );
        self.call(ffi::srtp_protect, buf, len)
    }

    /// `srtp_unprotect` of the SRTP packet `buf`.
    pub fn unprotect_rtp(&mut self, buf: &mut [u8]) -> Result<usize, LibSrtpError> {
        let len = buf.len();
        self.call(ffi::srtp_unprotect, buf, len)
    }

    /// `srtp_protect_rtcp` of the RTCP packet `buf[..len]`; `buf` needs
    /// [`PROTECT_HEADROOM`](Self::PROTECT_HEADROOM) bytes after it.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, LibSrtpError> {
        assert!(
            buf.len() >= len + Self::PROTECT_HEADROOM,
            "libsrtp2 needs trailer room"
        );
        self.call(ffi::srtp_protect_rtcp, buf, len)
    }

    /// `srtp_unprotect_rtcp` of the SRTCP packet `buf`.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8]) -> Result<usize, LibSrtpError> {
        let len = buf.len();
        self.call(ffi::srtp_unprotect_rtcp, buf, len)
    }
}

impl Drop for LibSrtp {
    fn drop(&mut self) {
        // SAFETY: the session came from srtp_create and is freed once.
        unsafe {
            ffi::srtp_dealloc(self.session);
        }
    }
}
