//! The committed spec is what the server serves; regenerate with
//! `cargo run -- openapi > openapi/openapi.json`.

mod common;

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

#[tokio::test]
async fn the_served_spec_carries_the_configured_limits() {
    let app = common::spawn_app_with(|c| {
        c.max_text_chars = common::nz(321);
        c.max_batch_size = common::nz(7);
    })
    .await;
    let spec = app.get_json("/openapi.json").await;
    let schemas = &spec["components"]["schemas"];
    let text = &schemas["PredictRequest"]["properties"]["text"];
    assert_eq!(text["maxLength"], 321);
    assert_eq!(text["minLength"], 1);
    let texts = &schemas["BatchPredictRequest"]["properties"]["texts"];
    assert_eq!(texts["maxItems"], 7);
    assert_eq!(texts["minItems"], 1);
    assert_eq!(texts["items"]["maxLength"], 321);
}

#[test]
fn every_reference_in_the_spec_resolves() {
    fn references(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value.as_str()) {
                        ("$ref", Some(reference)) => out.push(reference.to_string()),
                        _ => references(value, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| references(v, out)),
            _ => {}
        }
    }
    let spec: serde_json::Value =
        serde_json::from_str(&textserve::serve::openapi().to_pretty_json().unwrap()).unwrap();
    let mut found = Vec::new();
    references(&spec, &mut found);
    assert!(!found.is_empty());
    let dangling: Vec<&String> = found
        .iter()
        .filter(|r| {
            r.strip_prefix('#')
                .is_none_or(|pointer| spec.pointer(pointer).is_none())
        })
        .collect();
    assert!(dangling.is_empty(), "unresolvable: {dangling:?}");
}
