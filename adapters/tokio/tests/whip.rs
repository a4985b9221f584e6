//! The WHIP example (RFC 9725) tested with sansrtc's own client: a whole
//! session with trickle (POST → 201, PATCH → 204, echo of messages and
//! audio frames, DELETE → 200), without trickle, and every refusal the
//! server gives to bad requests. Chromium's page is tested against the same
//! server in `browser_demo.rs`.

#[path = "../examples/whip/client.rs"]
mod client;
#[path = "../examples/whip/http.rs"]
mod http;
#[path = "../examples/whip/sdpfrag.rs"]
mod sdpfrag;
#[path = "../examples/whip/server.rs"]
mod server;

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use sdpfrag::{SdpFrag, MAX_FRAGMENT_CANDIDATES};
use server::{ServerOptions, WhipServer, ENDPOINT};

async fn start() -> (Arc<WhipServer>, String) {
    let server = WhipServer::new(ServerOptions::default());
    let at = server
        .listen("127.0.0.1:0".parse().unwrap())
        .await
        .expect("listen on loopback");
    (server, format!("http://{at}{ENDPOINT}"))
}

/// Waits (bounded) until the server forgot every session.
async fn no_sessions_left(server: &WhipServer) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server.session_count() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "a session stayed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_client_gets_its_messages_and_audio_back_and_deletes_the_session() {
    let (server, endpoint) = start().await;
    let options = client::ClientOptions {
        messages: 20,
        audio_frames: 50,
        trickle: true,
        ..Default::default()
    };
    let report = client::run(&endpoint, options)
        .await
        .expect("a WHIP session");
    assert!(
        report.location.starts_with(&format!("{endpoint}/")),
        "{report:?}"
    );
    assert_eq!(report.patches, vec![204], "the trickled candidates");
    assert_eq!(report.echoed, 20);
    assert!(report.frames_back >= 45, "audio echo: {report:?}");
    assert_eq!(report.delete_status, 200);
    no_sessions_left(&server).await;
    let counters = server.counters();
    assert_eq!((counters.created, counters.ended), (1, 1));
    assert!(counters.trickled >= 1, "{counters:?}");
    assert!(counters.echoed_messages >= 20 && counters.echoed_frames >= 45);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trickle_sends_every_candidate_in_the_offer() {
    let (server, endpoint) = start().await;
    let options = client::ClientOptions {
        messages: 5,
        trickle: false,
        ..Default::default()
    };
    let report = client::run(&endpoint, options)
        .await
        .expect("a WHIP session");
    assert!(report.patches.is_empty());
    assert_eq!(report.echoed, 5);
    assert_eq!(report.delete_status, 200);
    no_sessions_left(&server).await;
}

/// A minimal valid offer: one data channel, from a real sansrtc offer.
async fn an_offer() -> String {
    use sansrtc::{DataChannelInit, RtcConfiguration};
    use sansrtc_tokio::{PeerConnection, PeerConnectionOptions};
    let pc = PeerConnection::new(
        RtcConfiguration::default(),
        PeerConnectionOptions::with_local_addresses(["127.0.0.1".parse().unwrap()]),
    )
    .await
    .unwrap();
    let _channel = pc
        .create_data_channel(DataChannelInit::new("x"))
        .await
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    pc.close().await;
    offer.sdp
}

#[tokio::test]
async fn bad_requests_get_the_status_rfc_9725_and_http_give_them() {
    let (server, endpoint) = start().await;
    let post = |content_type: &'static str, body: String| {
        let endpoint = endpoint.clone();
        async move {
            http::request(
                Method::POST,
                &endpoint,
                &[("content-type", content_type)],
                body,
            )
            .await
            .unwrap()
            .status
        }
    };
    // The wrong media type, an offer that is not SDP, a body too large.
    assert_eq!(
        post("text/plain", an_offer().await).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        post("application/sdp", "v=0\r\nnonsense".into()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post("application/sdp", "a".repeat(server::MAX_BODY + 1)).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Methods and paths that do not exist.
    let call = |method: Method, url: String| async move {
        http::request(method, &url, &[], String::new())
            .await
            .unwrap()
            .status
    };
    assert_eq!(
        call(Method::PUT, endpoint.clone()).await,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        call(Method::DELETE, format!("{endpoint}/nope")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(Method::GET, format!("{endpoint}/x")).await,
        StatusCode::NOT_FOUND
    );
    let options = http::request(Method::OPTIONS, &endpoint, &[], String::new())
        .await
        .unwrap();
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    assert_eq!(options.header("accept-post"), Some("application/sdp"));
    let frag = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n";
    let patch = |url: String,
                 content_type: &'static str,
                 if_match: Option<&'static str>,
                 body: String| async move {
        let mut headers = vec![("content-type", content_type)];
        if let Some(m) = if_match {
            headers.push(("if-match", m));
        }
        http::request(Method::PATCH, &url, &headers, body)
            .await
            .unwrap()
            .status
    };
    assert_eq!(
        patch(
            format!("{endpoint}/nope"),
            "application/trickle-ice-sdpfrag",
            None,
            frag.into()
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // A real session, then PATCHes it refuses.
    let created = http::request(
        Method::POST,
        &endpoint,
        &[("content-type", "application/sdp")],
        an_offer().await,
    )
    .await
    .unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.header("content-type"), Some("application/sdp"));
    let location = http::resolve_location(&endpoint, created.header("location").unwrap());
    assert_eq!(
        patch(location.clone(), "application/sdp", None, frag.into()).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        patch(
            location.clone(),
            "application/trickle-ice-sdpfrag",
            Some("\"other\""),
            frag.into()
        )
        .await,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        patch(
            location.clone(),
            "application/trickle-ice-sdpfrag",
            None,
            "garbage line".into()
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    // A new ufrag is an ICE restart, which this server does not do.
    assert_eq!(
        patch(
            location.clone(),
            "application/trickle-ice-sdpfrag",
            None,
            frag.into()
        )
        .await,
        StatusCode::NOT_IMPLEMENTED
    );
    assert_eq!(call(Method::DELETE, location.clone()).await, StatusCode::OK);
    assert_eq!(call(Method::DELETE, location).await, StatusCode::NOT_FOUND);
    no_sessions_left(&server).await;
}

#[test]
fn a_fragment_parses_into_candidates_with_their_mid() {
    let text = "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n\
                a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n\
                a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2\r\n\
                a=end-of-candidates\r\n";
    let frag = SdpFrag::parse(text).unwrap();
    assert_eq!(frag.ufrag.as_deref(), Some("EsAw"));
    assert_eq!(frag.pwd.as_deref(), Some("P2uYro0UCOQ4zxjKXaWCBui1"));
    assert_eq!(frag.candidates.len(), 2);
    assert!(frag.end_of_candidates);
    assert_eq!(frag.candidates[0].sdp_mid.as_deref(), Some("0"));
    assert!(frag.candidates[1]
        .candidate
        .starts_with("candidate:3471623853 1 udp"));
    // What the client writes parses back to the same candidates.
    let lines: Vec<String> = frag
        .candidates
        .iter()
        .map(|c| c.candidate.clone())
        .collect();
    let again = SdpFrag::parse(&SdpFrag::write(
        "EsAw",
        "P2uYro0UCOQ4zxjKXaWCBui1",
        "0",
        &lines,
        true,
    ))
    .unwrap();
    assert_eq!(again, frag);
}

#[test]
fn hostile_fragments_are_refused() {
    assert!(SdpFrag::parse("not sdp").is_err());
    assert!(
        SdpFrag::parse("\u{0}=x").is_ok(),
        "an unknown type is skipped"
    );
    let many: String = (0..=MAX_FRAGMENT_CANDIDATES)
        .map(|i| format!("a=candidate:{i} 1 udp 1 192.0.2.1 {i} typ host\r\n"))
        .collect();
    assert_eq!(
        SdpFrag::parse(&many),
        Err(sdpfrag::SdpFragError::TooManyCandidates)
    );
    assert!(SdpFrag::parse("").unwrap().candidates.is_empty());
}
