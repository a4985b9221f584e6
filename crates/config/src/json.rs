//! Reading and writing the W3C JSON shape of `RTCConfiguration`, with the
//! WebIDL conversions a browser applies to the same JavaScript values.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::certificate::RtcCertificate;
use crate::configuration::{IceServer, RtcConfiguration};
use crate::error::ConfigError;
use crate::policy::{BundlePolicy, IceTransportPolicy, RtcpMuxPolicy};
use crate::registry::{CertificateRegistry, CERTIFICATE_KEY};
use crate::webidl::{enforce_range_octet, to_js_string};

impl RtcConfiguration {
    /// Parses JSON text (see [`RtcConfiguration::from_json_value`]).
    pub fn from_json_str(
        text: &str,
        certificates: &CertificateRegistry,
    ) -> Result<Self, ConfigError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ConfigError::JsonSyntax {
            line: e.line(),
            column: e.column(),
        })?;
        Self::from_json_value(&value, certificates)
    }

    /// Converts a JSON value as WebIDL converts the same JavaScript value to
    /// an `RTCConfiguration`: members in lexicographic order, `null` → `{}`,
    /// unknown members ignored, strings via `ToString`, `iceCandidatePoolSize`
    /// via `[EnforceRange] octet`. Certificates are `{"$cert": id}` objects
    /// naming entries of `certificates`. Only conversion errors (`TypeError`)
    /// come from here; the rest is [`crate::RtcConfigurationState`]'s work.
    pub fn from_json_value(
        value: &Value,
        certificates: &CertificateRegistry,
    ) -> Result<Self, ConfigError> {
        let empty = Map::new();
        let dict = match value {
            Value::Null => &empty,
            Value::Object(map) => map,
            // An array is an object: WebIDL reads its (absent) members.
            Value::Array(_) => &empty,
            _ => return Err(ConfigError::ConfigurationNotObject),
        };
        let mut config = RtcConfiguration::default();
        if let Some(v) = dict.get("bundlePolicy") {
            config.bundle_policy =
                convert_enum(v, BundlePolicy::MEMBER, BundlePolicy::from_webidl)?;
        }
        if let Some(v) = dict.get("certificates") {
            config.certificates = convert_certificates(v, certificates)?;
        }
        if let Some(v) = dict.get("iceCandidatePoolSize") {
            config.ice_candidate_pool_size = enforce_range_octet(v)?;
        }
        if let Some(v) = dict.get("iceServers") {
            config.ice_servers = convert_ice_servers(v)?;
        }
        if let Some(v) = dict.get("iceTransportPolicy") {
            config.ice_transport_policy = convert_enum(
                v,
                IceTransportPolicy::MEMBER,
                IceTransportPolicy::from_webidl,
            )?;
        }
        if let Some(v) = dict.get("peerIdentity") {
            config.peer_identity = Some(to_js_string(v));
        }
        if let Some(v) = dict.get("rtcpMuxPolicy") {
            config.rtcp_mux_policy =
                convert_enum(v, RtcpMuxPolicy::MEMBER, RtcpMuxPolicy::from_webidl)?;
        }
        Ok(config)
    }

    /// The W3C JSON shape, normalised as `getConfiguration()` reports it:
    /// every member with its value, `urls` always a list, `username`,
    /// `credential` and `peerIdentity` only when given. A certificate is
    /// `{"$cert": id, "expires": ms}` with its id in `certificates`, or its
    /// SHA-256 fingerprint when it has none.
    pub fn to_json_value(&self, certificates: &CertificateRegistry) -> Value {
        let mut out = Map::new();
        let servers = self.ice_servers.iter().map(ice_server_to_json).collect();
        out.insert("iceServers".into(), Value::Array(servers));
        out.insert(
            "iceTransportPolicy".into(),
            self.ice_transport_policy.as_str().into(),
        );
        out.insert("bundlePolicy".into(), self.bundle_policy.as_str().into());
        out.insert("rtcpMuxPolicy".into(), self.rtcp_mux_policy.as_str().into());
        let certs = self
            .certificates
            .iter()
            .map(|c| certificate_to_json(c, certificates))
            .collect();
        out.insert("certificates".into(), Value::Array(certs));
        out.insert(
            "iceCandidatePoolSize".into(),
            self.ice_candidate_pool_size.into(),
        );
        if let Some(identity) = &self.peer_identity {
            out.insert("peerIdentity".into(), identity.clone().into());
        }
        Value::Object(out)
    }
}

fn convert_enum<T>(
    value: &Value,
    member: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, ConfigError> {
    let text = to_js_string(value);
    parse(&text).ok_or(ConfigError::InvalidEnumValue {
        member,
        value: text,
    })
}

fn convert_certificates(
    value: &Value,
    registry: &CertificateRegistry,
) -> Result<Vec<Arc<RtcCertificate>>, ConfigError> {
    let Value::Array(items) = value else {
        return Err(ConfigError::CertificatesNotSequence);
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.get(CERTIFICATE_KEY)
                .and_then(Value::as_str)
                .and_then(|id| registry.get(id))
                .cloned()
                .ok_or(ConfigError::NotACertificate { index })
        })
        .collect()
}

fn convert_ice_servers(value: &Value) -> Result<Vec<IceServer>, ConfigError> {
    let Value::Array(items) = value else {
        return Err(ConfigError::IceServersNotSequence);
    };
    let empty = Map::new();
    let mut servers = Vec::with_capacity(items.len());
    for (server, item) in items.iter().enumerate() {
        let dict = match item {
            Value::Null => &empty,
            Value::Object(map) => map,
            Value::Array(_) => &empty,
            _ => return Err(ConfigError::IceServerNotDictionary { server }),
        };
        // Members in lexicographic order: credential, urls, username.
        let credential = dict.get("credential").map(to_js_string);
        let urls = match dict.get("urls") {
            None => return Err(ConfigError::UrlsMissing { server }),
            // (DOMString or sequence<DOMString>): an array is the sequence;
            // a plain object is not iterable, so it becomes a string.
            Some(Value::Array(list)) => list.iter().map(to_js_string).collect(),
            Some(other) => vec![to_js_string(other)],
        };
        let username = dict.get("username").map(to_js_string);
        servers.push(IceServer {
            urls,
            username,
            credential,
        });
    }
    Ok(servers)
}

fn ice_server_to_json(server: &IceServer) -> Value {
    let mut out = Map::new();
    out.insert(
        "urls".into(),
        Value::Array(server.urls.iter().cloned().map(Value::from).collect()),
    );
    if let Some(username) = &server.username {
        out.insert("username".into(), username.clone().into());
    }
    if let Some(credential) = &server.credential {
        out.insert("credential".into(), credential.clone().into());
    }
    Value::Object(out)
}

fn certificate_to_json(certificate: &Arc<RtcCertificate>, registry: &CertificateRegistry) -> Value {
    let id = registry.id_of(certificate).map_or_else(
        || certificate.sha256_fingerprint().to_string(),
        str::to_owned,
    );
    let mut out = Map::new();
    out.insert(CERTIFICATE_KEY.into(), id.into());
    out.insert("expires".into(), certificate.expires_millis().into());
    if let Some(origin) = certificate.origin() {
        out.insert("origin".into(), origin.into());
    }
    Value::Object(out)
}
