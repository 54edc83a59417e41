//! The committed spec is what the server serves; regenerate with
//! `cargo run -- openapi > openapi/openapi.json`.

#[test]
fn committed_openapi_matches_the_generated_document() {
    let generated: serde_json::Value =
        serde_json::from_str(&textserve::serve::openapi().to_pretty_json().unwrap()).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
            .unwrap();
    assert!(
        generated == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
    for path in [
        "/v1/predict",
        "/v1/predict/batch",
        "/v1/models",
        "/v1/models/{name}",
        "/health/live",
        "/health/ready",
        "/metrics",
    ] {
        assert!(
            generated["paths"][path].is_object(),
            "{path} missing from the spec"
        );
    }
}
