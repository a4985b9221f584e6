//! Known answers: the TLS 1.2 PRF, master secret and key block, and the
//! DTLS-SRTP exporter layout (tests/data/tls12-prf-and-dtls-srtp-exporter.json).

use sansrtc_dtls::prf::{self, PrfHash};
use sansrtc_dtls::{SrtpKeyingMaterial, SrtpProfile};
use serde_json::Value;

fn vectors() -> Value {
    let text = include_str!("data/tls12-prf-and-dtls-srtp-exporter.json");
    serde_json::from_str(text).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn random(v: &Value) -> [u8; 32] {
    h(v).try_into().unwrap()
}

#[test]
fn prf_matches_published_vectors() {
    let v = vectors();
    for case in v["prfVectors"].as_array().unwrap() {
        let hash = match case["hash"].as_str().unwrap() {
            "SHA-256" => PrfHash::Sha256,
            "SHA-384" => PrfHash::Sha384,
            other => panic!("{other}"),
        };
        let out = prf::prf(
            hash,
            &h(&case["secretHex"]),
            case["label"].as_str().unwrap().as_bytes(),
            &h(&case["seedHex"]),
            case["length"].as_u64().unwrap() as usize,
        );
        assert_eq!(out, h(&case["outputHex"]), "{}", case["hash"]);
    }
}

#[test]
fn master_secret_and_key_block_match() {
    let v = vectors();
    let d = &v["handshakeDerivation"];
    let cr = random(&d["clientRandomHex"]);
    let sr = random(&d["serverRandomHex"]);
    let mut seed = cr.to_vec();
    seed.extend_from_slice(&sr);
    let master = prf::master_secret(PrfHash::Sha256, &h(&d["preMasterSecretHex"]), false, &seed);
    assert_eq!(master, h(&d["masterSecretHex"]));
    let block = prf::key_block(PrfHash::Sha256, &master, &cr, &sr, 40);
    let kb = &d["keyBlock"];
    assert_eq!(&block[..16], &h(&kb["clientWriteKeyHex"])[..]);
    assert_eq!(&block[16..32], &h(&kb["serverWriteKeyHex"])[..]);
    assert_eq!(&block[32..36], &h(&kb["clientWriteIVHex"])[..]);
    assert_eq!(&block[36..40], &h(&kb["serverWriteIVHex"])[..]);
}

#[test]
fn dtls_srtp_exporter_layout() {
    let v = vectors();
    let d = &v["handshakeDerivation"];
    let e = &v["dtlsSrtpExporter"];
    for p in e["profiles"].as_array().unwrap() {
        let name = p["name"]
            .as_str()
            .unwrap()
            .replace("CM_HMAC_SHA1", "CM_SHA1");
        let profile = SrtpProfile::from_name(&name).unwrap();
        let id =
            u16::from_str_radix(p["id"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        assert_eq!(profile.dtls_id(), id);
        assert_eq!(profile.key_len() as u64, p["keyLen"].as_u64().unwrap());
        assert_eq!(profile.salt_len() as u64, p["saltLen"].as_u64().unwrap());
        assert_eq!(
            SrtpKeyingMaterial::export_len(profile) as u64,
            p["exportLen"].as_u64().unwrap()
        );
    }
    let ex = &e["computedExample"];
    let out = prf::export(
        PrfHash::Sha256,
        &h(&d["masterSecretHex"]),
        &random(&d["clientRandomHex"]),
        &random(&d["serverRandomHex"]),
        b"EXTRACTOR-dtls_srtp",
        None,
        60,
    );
    assert_eq!(out, h(&ex["keyingMaterialHex"]));
    let km = SrtpKeyingMaterial::from_exported(SrtpProfile::Aes128CmHmacSha1_80, &out).unwrap();
    assert_eq!(km.client.key, h(&ex["clientMasterKeyHex"]));
    assert_eq!(km.server.key, h(&ex["serverMasterKeyHex"]));
    assert_eq!(km.client.salt, h(&ex["clientMasterSaltHex"]));
    assert_eq!(km.server.salt, h(&ex["serverMasterSaltHex"]));
    assert!(
        SrtpKeyingMaterial::from_exported(SrtpProfile::Aes128CmHmacSha1_80, &out[..59]).is_none()
    );
}
