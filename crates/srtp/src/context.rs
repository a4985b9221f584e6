//! [`SrtpContext`]: the keys of one direction of a DTLS-SRTP session and the
//! per-SSRC state of the streams protected or received with them.

use crate::aead_gcm::AesGcm;
use crate::aes_cm::AesCmHmac;
use crate::index::RocState;
use crate::kdf::{derive, Label};
use crate::replay::{ReplayWindow, DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW};
use crate::rtp_header::{rtcp_ssrc, rtp_fields};
use crate::stream_table::StreamTable;
use crate::{Profile, SeededState, SrtpError, SrtpStats};

/// Largest SRTCP index (31 bits, RFC 3711 §3.4).
const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;
/// SRTP indices are 48 bits (RFC 3711 §3.3.1).
const MAX_SRTP_INDEX: u64 = (1 << 48) - 1;

/// Default bound on the SSRCs a context keeps state for (per kind: SRTP
/// send, SRTP receive, SRTCP send, SRTCP receive).
pub const DEFAULT_MAX_STREAMS: usize = 256;

/// Options of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SrtpConfig {
    /// Replay window in packets, for SRTP and SRTCP (default 64, the
    /// RFC 3711 minimum; up to [`MAX_REPLAY_WINDOW`]).
    pub replay_window: usize,
    /// Bound on the number of SSRCs with state, per kind (default
    /// [`DEFAULT_MAX_STREAMS`]). A packet of a further SSRC is refused with
    /// [`SrtpError::StreamLimit`] and counted.
    pub max_streams: usize,
    /// Key of the per-SSRC lookup tables (SSRCs are chosen by the peer).
    /// The default is a fixed key: deterministic, but a peer could choose
    /// SSRCs that collide (at most `max_streams` of them); a session should
    /// set it from its injected RNG with [`with_hash_seed`](Self::with_hash_seed).
    pub hash_seed: SeededState,
}

impl Default for SrtpConfig {
    fn default() -> Self {
        SrtpConfig {
            replay_window: DEFAULT_REPLAY_WINDOW,
            max_streams: DEFAULT_MAX_STREAMS,
            hash_seed: SeededState::new(0, 0),
        }
    }
}

impl SrtpConfig {
    /// This configuration with another replay window size.
    pub fn with_replay_window(mut self, packets: usize) -> Self {
        self.replay_window = packets;
        self
    }

    /// This configuration with another SSRC bound.
    pub fn with_max_streams(mut self, streams: usize) -> Self {
        self.max_streams = streams;
        self
    }

    /// This configuration with the SSRC tables keyed by `seed` (for
    /// instance `SeededState::new(rng.next_u64(), rng.next_u64())` from the
    /// injected RNG).
    pub fn with_hash_seed(mut self, seed: SeededState) -> Self {
        self.hash_seed = seed;
        self
    }
}

/// The session keys of SRTP or SRTCP under one profile. Both variants are
/// large (key schedules); boxing one would add a pointer chase per packet.
#[allow(clippy::large_enum_variant)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
enum Transform {
    AesCm(AesCmHmac),
    Gcm(AesGcm),
}

impl Transform {
    fn derive(profile: Profile, master_key: &[u8], master_salt: &[u8], rtcp: bool) -> Self {
        let (enc, auth, salt) = if rtcp {
            (Label::RtcpEncryption, Label::RtcpAuth, Label::RtcpSalt)
        } else {
            (Label::RtpEncryption, Label::RtpAuth, Label::RtpSalt)
        };
        let mut key = [0u8; 32];
        let key = &mut key[..profile.key_len()];
        derive(master_key, master_salt, enc, key);
        if profile.is_aead() {
            let mut s = [0u8; 12];
            derive(master_key, master_salt, salt, &mut s);
            Transform::Gcm(AesGcm::new(key, &s))
        } else {
            let mut s = [0u8; 14];
            derive(master_key, master_salt, salt, &mut s);
            let mut a = [0u8; 20];
            derive(master_key, master_salt, auth, &mut a);
            let k: [u8; 16] = key[..16].try_into().expect("AES-CM keys are 16 bytes");
            let tag_len = if rtcp {
                profile.rtcp_tag_len()
            } else {
                profile.rtp_tag_len()
            };
            Transform::AesCm(AesCmHmac::new(&k, &s, &a, tag_len))
        }
    }
}

/// Session keys given directly instead of derived (RFC 3711 §4.3): for
/// known-answer tests such as RFC 7714 §16–17, which list session keys, and
/// for keys derived elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct SessionKeys<'a> {
    /// Session encryption key (16 or 32 bytes, as the profile says).
    pub encryption_key: &'a [u8],
    /// Session salt (14 bytes for AES-CM, 12 for GCM).
    pub salt: &'a [u8],
    /// Session authentication key (20 bytes for HMAC-SHA1; empty for GCM).
    pub auth_key: &'a [u8],
}

impl Transform {
    fn from_session_keys(
        profile: Profile,
        keys: &SessionKeys<'_>,
        rtcp: bool,
    ) -> Result<Self, SrtpError> {
        if keys.encryption_key.len() != profile.key_len() {
            return Err(SrtpError::MasterKeyLength {
                profile,
                expected: profile.key_len(),
                got: keys.encryption_key.len(),
            });
        }
        if keys.salt.len() != profile.salt_len() {
            return Err(SrtpError::MasterSaltLength {
                profile,
                expected: profile.salt_len(),
                got: keys.salt.len(),
            });
        }
        if profile.is_aead() {
            let salt: [u8; 12] = keys.salt.try_into().expect("length checked");
            return Ok(Transform::Gcm(AesGcm::new(keys.encryption_key, &salt)));
        }
        let key: [u8; 16] = keys.encryption_key.try_into().expect("length checked");
        let salt: [u8; 14] = keys.salt.try_into().expect("length checked");
        let auth: [u8; 20] = keys
            .auth_key
            .try_into()
            .map_err(|_| SrtpError::AuthKeyLength(keys.auth_key.len()))?;
        let tag_len = if rtcp {
            profile.rtcp_tag_len()
        } else {
            profile.rtp_tag_len()
        };
        Ok(Transform::AesCm(AesCmHmac::new(
            &key, &salt, &auth, tag_len,
        )))
    }
}

/// Receive state of one SRTP stream.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct RxRtp {
    roc: RocState,
    window: ReplayWindow,
}

/// One direction of SRTP/SRTCP: the session keys derived from one master
/// key and salt (RFC 3711 §4.3, key derivation rate 0), plus per-SSRC
/// rollover counters, SRTCP indices and replay windows.
///
/// DTLS-SRTP yields two master keys per session (RFC 5764 §4.2): build one
/// context to protect what you send and one to unprotect what you receive,
/// for instance with [`SrtpContext::pair_from_keying_material`].
///
/// All protect and unprotect calls work in place on the caller's buffer and
/// do not allocate (except when a new SSRC gets its state).
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct SrtpContext {
    profile: Profile,
    rtp: Transform,
    rtcp: Transform,
    config: SrtpConfig,
    tx_rtp: StreamTable<RocState>,
    rx_rtp: StreamTable<RxRtp>,
    tx_rtcp: StreamTable<u32>,
    rx_rtcp: StreamTable<ReplayWindow>,
    stats: SrtpStats,
}

impl std::fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print keys.
        f.debug_struct("SrtpContext")
            .field("profile", &self.profile)
            .field("config", &self.config)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl SrtpContext {
    /// Derives the session keys of `profile` from a master key and salt.
    pub fn new(
        profile: Profile,
        master_key: &[u8],
        master_salt: &[u8],
        config: SrtpConfig,
    ) -> Result<Self, SrtpError> {
        if master_key.len() != profile.key_len() {
            return Err(SrtpError::MasterKeyLength {
                profile,
                expected: profile.key_len(),
                got: master_key.len(),
            });
        }
        if master_salt.len() != profile.salt_len() {
            return Err(SrtpError::MasterSaltLength {
                profile,
                expected: profile.salt_len(),
                got: master_salt.len(),
            });
        }
        if !(1..=MAX_REPLAY_WINDOW).contains(&config.replay_window) {
            return Err(SrtpError::InvalidReplayWindow(config.replay_window));
        }
        if config.max_streams == 0 {
            return Err(SrtpError::InvalidStreamLimit);
        }
        Ok(SrtpContext {
            profile,
            rtp: Transform::derive(profile, master_key, master_salt, false),
            rtcp: Transform::derive(profile, master_key, master_salt, true),
            config,
            tx_rtp: StreamTable::new(config.max_streams, config.hash_seed),
            rx_rtp: StreamTable::new(config.max_streams, config.hash_seed),
            tx_rtcp: StreamTable::new(config.max_streams, config.hash_seed),
            rx_rtcp: StreamTable::new(config.max_streams, config.hash_seed),
            stats: SrtpStats::default(),
        })
    }

    /// A context from session keys given directly (no key derivation).
    pub fn from_session_keys(
        profile: Profile,
        rtp: SessionKeys<'_>,
        rtcp: SessionKeys<'_>,
        config: SrtpConfig,
    ) -> Result<Self, SrtpError> {
        if !(1..=MAX_REPLAY_WINDOW).contains(&config.replay_window) {
            return Err(SrtpError::InvalidReplayWindow(config.replay_window));
        }
        if config.max_streams == 0 {
            return Err(SrtpError::InvalidStreamLimit);
        }
        Ok(SrtpContext {
            profile,
            rtp: Transform::from_session_keys(profile, &rtp, false)?,
            rtcp: Transform::from_session_keys(profile, &rtcp, true)?,
            config,
            tx_rtp: StreamTable::new(config.max_streams, config.hash_seed),
            rx_rtp: StreamTable::new(config.max_streams, config.hash_seed),
            tx_rtcp: StreamTable::new(config.max_streams, config.hash_seed),
            rx_rtcp: StreamTable::new(config.max_streams, config.hash_seed),
            stats: SrtpStats::default(),
        })
    }

    /// Splits DTLS-SRTP keying material (RFC 5764 §4.2: client key, server
    /// key, client salt, server salt) into the context that protects what
    /// this side sends and the one that unprotects what it receives.
    pub fn pair_from_keying_material(
        profile: Profile,
        material: &[u8],
        is_client: bool,
        config: SrtpConfig,
    ) -> Result<(SrtpContext, SrtpContext), SrtpError> {
        if material.len() != profile.keying_material_len() {
            return Err(SrtpError::KeyingMaterialLength {
                expected: profile.keying_material_len(),
                got: material.len(),
            });
        }
        let (k, s) = (profile.key_len(), profile.salt_len());
        let client_key = &material[..k];
        let server_key = &material[k..2 * k];
        let client_salt = &material[2 * k..2 * k + s];
        let server_salt = &material[2 * k + s..];
        let client = SrtpContext::new(profile, client_key, client_salt, config)?;
        let server = SrtpContext::new(profile, server_key, server_salt, config)?;
        Ok(if is_client {
            (client, server)
        } else {
            (server, client)
        })
    }

    /// The profile of this context.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The configuration of this context.
    pub fn config(&self) -> SrtpConfig {
        self.config
    }

    /// Counters of protected and accepted packets and of rejection causes.
    pub fn stats(&self) -> SrtpStats {
        self.stats
    }

    /// Bytes SRTP adds to an RTP packet.
    pub fn rtp_overhead(&self) -> usize {
        self.profile.rtp_tag_len()
    }

    /// Bytes SRTCP adds to an RTCP packet.
    pub fn rtcp_overhead(&self) -> usize {
        self.profile.rtcp_overhead()
    }

    /// The rollover counter this context holds for `ssrc` (sending side
    /// first, then receiving side), if it has state for it.
    pub fn roc(&mut self, ssrc: u32) -> Option<u32> {
        if let Some(slot) = self.tx_rtp.find(ssrc) {
            return Some(self.tx_rtp.get_mut(slot).roc());
        }
        let slot = self.rx_rtp.find(ssrc)?;
        Some(self.rx_rtp.get_mut(slot).roc.roc())
    }

    /// Number of SSRCs with SRTP receive state.
    pub fn receive_streams(&self) -> usize {
        self.rx_rtp.len()
    }

    /// Forgets every state kept for `ssrc` (after an RTCP BYE, say); a later
    /// packet of it starts a new stream. Returns whether any state existed.
    pub fn remove_ssrc(&mut self, ssrc: u32) -> bool {
        let a = self.tx_rtp.remove(ssrc);
        let b = self.rx_rtp.remove(ssrc);
        let c = self.tx_rtcp.remove(ssrc);
        let d = self.rx_rtcp.remove(ssrc);
        a | b | c | d
    }

    /// Protects the RTP packet `buf[..len]` in place: encrypts its payload
    /// and writes the tag after it. `buf` must have room for
    /// [`rtp_overhead`](Self::rtp_overhead) more bytes. Returns the SRTP
    /// packet's length.
    pub fn protect_rtp_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let r = self.protect_rtp_inner(buf, len);
        match r {
            Ok(_) => self.stats.rtp_protected += 1,
            Err(_) => self.stats.protect_errors += 1,
        }
        r
    }

    #[inline]
    fn protect_rtp_inner(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let out_len = len + self.profile.rtp_tag_len();
        if buf.len() < out_len {
            return Err(SrtpError::BufferTooSmall {
                needed: out_len,
                available: buf.len(),
            });
        }
        let h = rtp_fields(&buf[..len])?;
        let slot = match self.tx_rtp.find(h.ssrc) {
            Some(slot) => slot,
            None => self.tx_rtp.insert(h.ssrc, RocState::default())?,
        };
        let state = self.tx_rtp.get_mut(slot);
        let index = state.estimate(h.seq).ok_or(SrtpError::TooOld {
            index: u64::from(h.seq),
            highest: 0,
        })?;
        if index > MAX_SRTP_INDEX {
            return Err(SrtpError::IndexExhausted);
        }
        match &self.rtp {
            Transform::AesCm(t) => t.protect_rtp(buf, h.header_len, len, h.ssrc, index),
            Transform::Gcm(t) => t.protect_rtp(buf, h.header_len, len, h.ssrc, index),
        }
        state.update(index);
        Ok(out_len)
    }

    /// Verifies and decrypts the SRTP packet `buf` in place. Returns the
    /// length of the RTP packet now in `buf[..n]`. A rejected packet leaves
    /// the stream's state untouched and is counted under its cause; its
    /// bytes are unchanged, except after a failed GCM tag check (`ring`
    /// leaves them unspecified), and it is to be dropped in any case.
    pub fn unprotect_rtp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let r = self.unprotect_rtp_inner(buf);
        match &r {
            Ok(_) => self.stats.rtp_unprotected += 1,
            Err(e) => self.stats.count_rejection(e),
        }
        r
    }

    #[inline]
    fn unprotect_rtp_inner(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let tag_len = self.profile.rtp_tag_len();
        if buf.len() < 12 + tag_len {
            return Err(SrtpError::TooShort {
                len: buf.len(),
                min: 12 + tag_len,
            });
        }
        let h = rtp_fields(&buf[..buf.len() - tag_len])?;
        let slot = self.rx_rtp.find(h.ssrc);
        let index = match slot {
            Some(slot) => {
                let state = self.rx_rtp.get_mut(slot);
                let index = state.roc.estimate(h.seq).ok_or(SrtpError::TooOld {
                    index: u64::from(h.seq),
                    highest: state.window.highest().unwrap_or(0),
                })?;
                state.window.check(index)?;
                index
            }
            None => {
                if self.rx_rtp.is_full() {
                    return Err(SrtpError::StreamLimit {
                        limit: self.config.max_streams,
                    });
                }
                u64::from(h.seq)
            }
        };
        let n = match &self.rtp {
            Transform::AesCm(t) => t.unprotect_rtp(buf, h.header_len, h.ssrc, index)?,
            Transform::Gcm(t) => t.unprotect_rtp(buf, h.header_len, h.ssrc, index)?,
        };
        let slot = match slot {
            Some(slot) => slot,
            None => {
                let state = RxRtp {
                    roc: RocState::default(),
                    window: ReplayWindow::new(self.config.replay_window),
                };
                self.rx_rtp.insert(h.ssrc, state)?
            }
        };
        let state = self.rx_rtp.get_mut(slot);
        state.roc.update(index);
        state.window.accept(index);
        Ok(n)
    }

    /// Protects the RTCP packet (or compound packet) `buf[..len]` in place:
    /// encrypts all but its first 8 bytes, adds the E-bit and SRTCP index,
    /// and the tag. `buf` must have room for
    /// [`rtcp_overhead`](Self::rtcp_overhead) more bytes. Returns the SRTCP
    /// packet's length.
    pub fn protect_rtcp_in_place(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, SrtpError> {
        let r = self.protect_rtcp_inner(buf, len);
        match r {
            Ok(_) => self.stats.rtcp_protected += 1,
            Err(_) => self.stats.protect_errors += 1,
        }
        r
    }

    fn protect_rtcp_inner(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let out_len = len + self.profile.rtcp_overhead();
        if buf.len() < out_len {
            return Err(SrtpError::BufferTooSmall {
                needed: out_len,
                available: buf.len(),
            });
        }
        let ssrc = rtcp_ssrc(&buf[..len])?;
        let slot = match self.tx_rtcp.find(ssrc) {
            Some(slot) => slot,
            None => self.tx_rtcp.insert(ssrc, 0)?,
        };
        let next = self.tx_rtcp.get_mut(slot);
        let index = *next;
        if index > MAX_SRTCP_INDEX {
            return Err(SrtpError::IndexExhausted);
        }
        match &self.rtcp {
            Transform::AesCm(t) => t.protect_rtcp(buf, len, ssrc, index),
            Transform::Gcm(t) => t.protect_rtcp(buf, len, ssrc, index),
        }
        *next = index + 1;
        Ok(out_len)
    }

    /// Verifies and (when its E-bit is set) decrypts the SRTCP packet `buf`
    /// in place. Returns the length of the RTCP packet now in `buf[..n]`.
    pub fn unprotect_rtcp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let r = self.unprotect_rtcp_inner(buf);
        match &r {
            Ok(_) => self.stats.rtcp_unprotected += 1,
            Err(e) => self.stats.count_rejection(e),
        }
        r
    }

    fn unprotect_rtcp_inner(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let tag_len = self.profile.rtcp_tag_len();
        let min = 8 + 4 + tag_len;
        if buf.len() < min {
            return Err(SrtpError::TooShort {
                len: buf.len(),
                min,
            });
        }
        let ssrc = rtcp_ssrc(buf)?;
        let trailer_at = if self.profile.is_aead() {
            buf.len() - 4
        } else {
            buf.len() - tag_len - 4
        };
        let word = u32::from_be_bytes(buf[trailer_at..trailer_at + 4].try_into().expect("4 bytes"));
        let encrypted = word & 0x8000_0000 != 0;
        let index = word & MAX_SRTCP_INDEX;
        let slot = self.rx_rtcp.find(ssrc);
        match slot {
            Some(slot) => self.rx_rtcp.get_mut(slot).check(u64::from(index))?,
            None if self.rx_rtcp.is_full() => {
                return Err(SrtpError::StreamLimit {
                    limit: self.config.max_streams,
                })
            }
            None => {}
        }
        let n = match &self.rtcp {
            Transform::AesCm(t) => t.unprotect_rtcp(buf, ssrc, index, encrypted)?,
            Transform::Gcm(t) => t.unprotect_rtcp(buf, ssrc, index, encrypted)?,
        };
        let slot = match slot {
            Some(slot) => slot,
            None => self
                .rx_rtcp
                .insert(ssrc, ReplayWindow::new(self.config.replay_window))?,
        };
        self.rx_rtcp.get_mut(slot).accept(u64::from(index));
        Ok(n)
    }

    /// Protects the RTP packet in `packet`, growing it by the tag (this
    /// allocates only when the vector lacks the capacity).
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = packet.len();
        packet.resize(len + self.rtp_overhead(), 0);
        match self.protect_rtp_in_place(packet, len) {
            Ok(n) => {
                packet.truncate(n);
                Ok(())
            }
            Err(e) => {
                packet.truncate(len);
                Err(e)
            }
        }
    }

    /// Unprotects the SRTP packet in `packet`, shrinking it to the RTP
    /// packet. On error its length is unchanged (after a failed GCM tag
    /// check its bytes are unspecified: drop it).
    pub fn unprotect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtp_in_place(packet)?;
        packet.truncate(n);
        Ok(())
    }

    /// Protects the RTCP packet in `packet`, growing it by the SRTCP
    /// trailer and tag.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = packet.len();
        packet.resize(len + self.rtcp_overhead(), 0);
        match self.protect_rtcp_in_place(packet, len) {
            Ok(n) => {
                packet.truncate(n);
                Ok(())
            }
            Err(e) => {
                packet.truncate(len);
                Err(e)
            }
        }
    }

    /// Unprotects the SRTCP packet in `packet`, shrinking it to the RTCP
    /// packet.
    pub fn unprotect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtcp_in_place(packet)?;
        packet.truncate(n);
        Ok(())
    }
}
