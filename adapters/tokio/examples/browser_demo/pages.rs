//! The demo's page, served by the WHIP server next to its endpoint.

/// `(path, content type, body)` of each file of the page.
pub fn pages() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("/", "text/html; charset=utf-8", include_str!("demo.html")),
        (
            "/demo.js",
            "text/javascript; charset=utf-8",
            include_str!("demo.js"),
        ),
    ]
}
