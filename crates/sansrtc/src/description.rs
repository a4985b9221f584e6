//! Building our descriptions (RFC 9429 §5.2, §5.3) from the connection's
//! state through `sansrtc-sdp`'s JSEP builders, and writing the gathered
//! candidates into them.

use sansrtc_sdp::attributes::Setup;
use sansrtc_sdp::jsep::{
    create_answer_with_transports, create_offer_with_transports, AnswerMedia, AnswerOptions,
    BundledSectionShape, DataMedia, MediaSpec, OfferOptions, TransportParams,
};
use sansrtc_sdp::{Attribute, Candidate, SessionDescription};

use crate::error::RtcError;

/// What our descriptions say about us.
#[derive(Debug, Clone)]
pub(crate) struct LocalParams {
    pub session_id: u64,
    pub session_version: u64,
    pub bundle_policy: sansrtc_config::BundlePolicy,
    pub rtcp_mux_policy: sansrtc_config::RtcpMuxPolicy,
    pub fingerprints: Vec<sansrtc_sdp::attributes::Fingerprint>,
    pub max_message_size: u64,
    /// `a=identity`, when an assertion was made.
    pub identity: Option<String>,
}

impl LocalParams {
    /// A transport's parameters in our descriptions: its ICE credentials
    /// and our fingerprints.
    pub(crate) fn transport(&self, ufrag: &str, pwd: &str) -> TransportParams {
        TransportParams::new(ufrag, pwd, self.fingerprints.clone())
    }
}

/// An offer with these sections, `transports[i]` section `i`'s transport
/// (one when there is no section).
pub(crate) fn build_offer(
    params: &LocalParams,
    transports: &[TransportParams],
    media: &[MediaSpec],
) -> Result<SessionDescription, RtcError> {
    let mut options = OfferOptions::new(params.session_id);
    options.session_version = params.session_version;
    options.bundle_policy = params.bundle_policy;
    options.rtcp_mux_policy = params.rtcp_mux_policy;
    let transports: Vec<&TransportParams> = transports.iter().collect();
    let mut offer = create_offer_with_transports(&options, &transports, media)?;
    add_identity(&mut offer, params);
    Ok(offer)
}

/// The data section we offer or accept.
pub(crate) fn data_media(params: &LocalParams, mid: &str) -> MediaSpec {
    MediaSpec::Data(DataMedia {
        mid: mid.to_owned(),
        sctp_port: 5000,
        max_message_size: params.max_message_size,
    })
}

/// An answer to `offer` with one choice per offered section, and
/// `transports[i]` for section `i` where it is not bundled. `setup` is ours
/// (`active` or `passive`).
pub(crate) fn build_answer(
    params: &LocalParams,
    transports: &[TransportParams],
    offer: &SessionDescription,
    setup: Setup,
    choices: &[AnswerMedia],
) -> Result<SessionDescription, RtcError> {
    let options = AnswerOptions {
        session_id: params.session_id,
        session_version: params.session_version,
        rtcp_mux_policy: params.rtcp_mux_policy,
        setup,
        extmap_allow_mixed: true,
        // libwebrtc's shape: aiortc reads ICE credentials from every
        // section and refuses a bundle-only one in an answer.
        bundled_sections: BundledSectionShape::RepeatTransport,
    };
    let transports: Vec<&TransportParams> = transports.iter().collect();
    let mut answer = create_answer_with_transports(offer, &options, &transports, choices)?;
    add_identity(&mut answer, params);
    Ok(answer)
}

fn add_identity(description: &mut SessionDescription, params: &LocalParams) {
    if let Some(identity) = &params.identity {
        description
            .session
            .push(sansrtc_sdp::Line::Attribute(Attribute::new(
                "identity",
                identity.clone(),
            )));
    }
}

/// `description` with the gathered candidates of each section's transport
/// (`candidates[i]`: section `i`'s, and whether its gathering is complete,
/// for `a=end-of-candidates`) in every section that carries a transport.
pub(crate) fn with_candidates(
    description: &SessionDescription,
    candidates: &[(Vec<Candidate>, bool)],
) -> SessionDescription {
    let mut out = description.clone();
    for (section, (candidates, complete)) in out.media.iter_mut().zip(candidates) {
        let carries_transport =
            section.media_line.port != 0 && section.attribute("ice-ufrag").is_some();
        if !carries_transport {
            continue;
        }
        for c in candidates {
            let line = c.to_string();
            let value = line.strip_prefix("candidate:").unwrap_or(&line);
            section.push_attribute(Attribute::new("candidate", value));
        }
        if *complete {
            section.push_attribute(Attribute::flag("end-of-candidates"));
        }
    }
    out
}
