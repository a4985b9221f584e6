//! Known-answer tests: RFC 3711 Appendix B (AES-CM keystream, key
//! derivation), RFC 6188 §7 (AES-256 PRF), libsrtp's SRTP/SRTCP validation
//! packets for AES_CM_128_HMAC_SHA1_80, and RFC 7714 §16–17 (AES-GCM SRTP
//! and SRTCP, encrypted and authentication-only). Vectors are the copies in
//! tests/data of ../shared/conformance/vectors.

use sansrtc_srtp::kdf::{derive, Label};
use sansrtc_srtp::{Profile, SessionKeys, SrtpConfig, SrtpContext, SrtpError};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn rfc3711_b2_aes_cm_keystream() {
    let v = load("srtp-rfc3711-aes-cm.json");
    let ks = &v["aesCmKeystream"];
    let key = hex(&ks["sessionKey"]);
    let salt = hex(&ks["sessionSalt"]);
    // Label 0 leaves the salt as it is, so the PRF output is the plain
    // AES-CM keystream starting at counter salt || 0000.
    let mut stream = vec![0u8; 16 * 0xff02];
    derive(&key, &salt, Label::RtpEncryption, &mut stream);
    for block in ks["blocks"].as_array().unwrap() {
        let counter = hex(&block["counter"]);
        let n = usize::from(u16::from_be_bytes([counter[14], counter[15]]));
        assert_eq!(counter[..14], salt[..]);
        assert_eq!(
            stream[16 * n..16 * n + 16],
            hex(&block["keystream"])[..],
            "block {n:#06x}"
        );
    }
}

#[test]
fn rfc3711_b3_key_derivation() {
    let v = load("srtp-rfc3711-aes-cm.json");
    let kd = &v["keyDerivation"];
    let (mk, ms) = (hex(&kd["masterKey"]), hex(&kd["masterSalt"]));
    let e = &kd["expected"];
    let mut key = [0u8; 16];
    derive(&mk, &ms, Label::RtpEncryption, &mut key);
    assert_eq!(key[..], hex(&e["cipherKey"])[..]);
    let mut salt = [0u8; 14];
    derive(&mk, &ms, Label::RtpSalt, &mut salt);
    assert_eq!(salt[..], hex(&e["cipherSalt"])[..]);
    let mut auth = [0u8; 94];
    derive(&mk, &ms, Label::RtpAuth, &mut auth);
    assert_eq!(auth[..20], hex(&e["authKey"])[..]);
    assert_eq!(auth[..], hex(&e["authKeyFirst94Bytes"])[..]);
}

#[test]
fn rfc6188_aes256_key_derivation() {
    let v = load("srtp-rfc3711-aes-cm.json");
    let kd = &v["keyDerivationAes256"];
    let (mk, ms) = (hex(&kd["masterKey"]), hex(&kd["masterSalt"]));
    let e = &kd["expected"];
    let mut key = [0u8; 32];
    derive(&mk, &ms, Label::RtpEncryption, &mut key);
    assert_eq!(key[..], hex(&e["cipherKey"])[..]);
    let mut salt = [0u8; 14];
    derive(&mk, &ms, Label::RtpSalt, &mut salt);
    assert_eq!(salt[..], hex(&e["cipherSalt"])[..]);
    let mut auth = [0u8; 20];
    derive(&mk, &ms, Label::RtpAuth, &mut auth);
    assert_eq!(auth[..], hex(&e["authKey"])[..]);
}

#[test]
fn libsrtp_validation_keys_for_srtcp() {
    let v = load("srtp-aes-cm-128-hmac-sha1-80-protect.json");
    let (mk, ms) = (hex(&v["masterKey"]), hex(&v["masterSalt"]));
    let d = &v["derived"];
    let mut k = [0u8; 16];
    derive(&mk, &ms, Label::RtcpEncryption, &mut k);
    assert_eq!(k[..], hex(&d["srtcpEncryptionKey"])[..]);
    let mut a = [0u8; 20];
    derive(&mk, &ms, Label::RtcpAuth, &mut a);
    assert_eq!(a[..], hex(&d["srtcpAuthKey"])[..]);
    let mut s = [0u8; 14];
    derive(&mk, &ms, Label::RtcpSalt, &mut s);
    assert_eq!(s[..], hex(&d["srtcpSalt"])[..]);
}

/// Protects `n` throw-away RTCP packets of `ssrc` so that the next SRTCP
/// index is `n`.
fn advance_srtcp_index(ctx: &mut SrtpContext, ssrc: u32, n: u32) {
    for _ in 0..n {
        let mut p = vec![0x80, 200, 0, 1];
        p.extend_from_slice(&ssrc.to_be_bytes());
        ctx.protect_rtcp(&mut p).unwrap();
    }
}

#[test]
fn aes_cm_128_hmac_sha1_80_protect_and_unprotect() {
    let v = load("srtp-aes-cm-128-hmac-sha1-80-protect.json");
    let (mk, ms) = (hex(&v["masterKey"]), hex(&v["masterSalt"]));
    let p = Profile::Aes128CmHmacSha1_80;
    let mut tx = SrtpContext::new(p, &mk, &ms, SrtpConfig::default()).unwrap();
    let mut rx = SrtpContext::new(p, &mk, &ms, SrtpConfig::default()).unwrap();

    let plain = hex(&v["rtp"]["plaintextHex"]);
    let protected = hex(&v["rtp"]["protectedHex"]);
    let mut pkt = plain.clone();
    tx.protect_rtp(&mut pkt).unwrap();
    assert_eq!(pkt, protected);
    rx.unprotect_rtp(&mut pkt).unwrap();
    assert_eq!(pkt, plain);

    let plain = hex(&v["rtcp"]["plaintextHex"]);
    let protected = hex(&v["rtcp"]["protectedHex"]);
    assert_eq!(v["rtcp"]["srtcpIndex"], 1);
    advance_srtcp_index(&mut tx, 0xcafe_babe, 1);
    let mut pkt = plain.clone();
    tx.protect_rtcp(&mut pkt).unwrap();
    assert_eq!(pkt, protected);
    rx.unprotect_rtcp(&mut pkt).unwrap();
    assert_eq!(pkt, plain);
}

fn gcm_profile(name: &str) -> Profile {
    match name {
        "AEAD_AES_128_GCM" => Profile::AeadAes128Gcm,
        "AEAD_AES_256_GCM" => Profile::AeadAes256Gcm,
        other => panic!("unknown algorithm {other}"),
    }
}

#[test]
fn rfc7714_aes_gcm_srtp_and_srtcp() {
    let v = load("srtp-aead-gcm-rfc7714.json");
    let vectors = v["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for t in vectors {
        let profile = gcm_profile(t["algorithm"].as_str().unwrap());
        let key = hex(&t["sessionKey"]);
        let salt = hex(&t["sessionSalt"]);
        let keys = SessionKeys {
            encryption_key: &key,
            salt: &salt,
            auth_key: &[],
        };
        let ctx =
            || SrtpContext::from_session_keys(profile, keys, keys, SrtpConfig::default()).unwrap();
        let (mut tx, mut rx) = (ctx(), ctx());

        let plain = hex(&t["rtp"]["plaintextHex"]);
        let mut pkt = plain.clone();
        tx.protect_rtp(&mut pkt).unwrap();
        assert_eq!(pkt, hex(&t["rtp"]["encryptedHex"]), "{profile:?} SRTP");
        rx.unprotect_rtp(&mut pkt).unwrap();
        assert_eq!(pkt, plain);

        // SRTCP, encrypted (E = 1), at index 1492.
        let plain = hex(&t["rtcp"]["plaintextHex"]);
        let index = t["rtcp"]["srtcpIndex"].as_u64().unwrap() as u32;
        advance_srtcp_index(&mut tx, 0x4d61_7273, index);
        let mut pkt = plain.clone();
        tx.protect_rtcp(&mut pkt).unwrap();
        assert_eq!(pkt, hex(&t["rtcp"]["encryptedHex"]), "{profile:?} SRTCP");
        rx.unprotect_rtcp(&mut pkt).unwrap();
        assert_eq!(pkt, plain);

        // SRTCP, authentication only (E = 0): accepted by a fresh receiver,
        // and a flipped bit anywhere is refused.
        let auth_only = hex(&t["rtcp"]["authenticatedOnlyHex"]);
        let mut rx2 = ctx();
        let mut pkt = auth_only.clone();
        rx2.unprotect_rtcp(&mut pkt).unwrap();
        assert_eq!(pkt, plain, "{profile:?} SRTCP auth-only");
        for at in [0, 9, auth_only.len() - 20, auth_only.len() - 5] {
            let mut bad = auth_only.clone();
            bad[at] ^= 0x01;
            assert_eq!(
                ctx().unprotect_rtcp(&mut bad),
                Err(SrtpError::AuthenticationFailed),
                "{profile:?} auth-only, byte {at} flipped"
            );
        }
    }
}

#[test]
fn every_profile_has_its_dtls_id_and_sizes() {
    for p in Profile::ALL {
        assert_eq!(Profile::from_dtls_id(p.dtls_id()), Some(p));
    }
    assert_eq!(Profile::from_dtls_id(0x0003), None);
    assert_eq!(Profile::Aes128CmHmacSha1_32.rtp_tag_len(), 4);
    assert_eq!(Profile::Aes128CmHmacSha1_32.rtcp_tag_len(), 10);
    assert_eq!(Profile::AeadAes256Gcm.keying_material_len(), 2 * (32 + 12));
}
