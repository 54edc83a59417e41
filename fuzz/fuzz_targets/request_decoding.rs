//! Any body, with any content type, through the same JSON extractor the handlers use: it
//! decodes or is rejected with a 4xx in our error shape — never a panic or a 5xx.
#![no_main]

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::Request;
use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use textserve::serve::extract::ApiJson;
use textserve::serve::explain::ExplainRequest;
use textserve::serve::routes::{BatchPredictRequest, PredictRequest};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

fn request(content_type: &str, body: &[u8]) -> Request<Body> {
    Request::post("/v1/predict")
        .header("content-type", content_type)
        .body(Body::from(body.to_vec()))
        .expect("request")
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks a content type, so malformed ones are explored too.
    let (selector, body) = data.split_first().unwrap_or((&0, &[]));
    let content_type = [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "",
    ][usize::from(*selector) % 4];
    RUNTIME.block_on(async {
        let single =
            ApiJson::<PredictRequest>::from_request(request(content_type, body), &()).await;
        if let Err(rejection) = single {
            assert!(rejection.into_response().status().is_client_error());
        }
        let batch =
            ApiJson::<BatchPredictRequest>::from_request(request(content_type, body), &()).await;
        if let Err(rejection) = batch {
            assert!(rejection.into_response().status().is_client_error());
        }
        let explain =
            ApiJson::<ExplainRequest>::from_request(request(content_type, body), &()).await;
        if let Err(rejection) = explain {
            assert!(rejection.into_response().status().is_client_error());
        }
    });
});
