//! Routes and their OpenAPI entries, registered together so the spec cannot drift from the
//! router. The committed `openapi/openapi.json` is checked against this by a test.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use super::extract::{self, BodyLimits};
use super::routes;
use super::security::{self, AdminAccess, ApiKeys};
use super::state::{AppState, Limits};

#[derive(OpenApi)]
#[openapi(
    // Referenced only through IntoResponses types, which do not register what they name.
    components(schemas(
        super::v2::InferResponse,
        super::routes::PredictResponse,
        super::routes::BatchPredictResponse,
        super::explain::ExplainResponse,
        super::explain::AttributedSpan,
        crate::runtime::registry::ModelStatus,
        super::routes::TlsReloaded,
        super::feedback::FeedbackStored
    )),
    info(
        title = "textserve",
        description = "LSTM text classification for manufacturing comments: predict labels with probabilities.",
        license(name = "MIT")
    ),
    tags(
        (name = "predict", description = "Classify texts"),
        (name = "models", description = "What is served, and (with the admin key) reloading, loading and unloading models and setting their shadows and canaries"),
        (name = "feedback", description = "Operators' corrections, stored for retraining (with --feedback-db)"),
        (name = "health", description = "Probes and metrics"),
        (name = "open inference protocol", description = "KServe v2 / Open Inference Protocol REST: the same model for Triton, KServe and MLServer clients")
    )
)]
struct ApiDoc;

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::predict))
        .routes(routes!(routes::predict_batch))
        .routes(routes!(super::explain::explain))
        .routes(routes!(super::stream::predict_stream))
        .routes(routes!(routes::list_models))
        .routes(routes!(routes::get_model))
        .routes(routes!(routes::predict_model))
        .routes(routes!(routes::predict_batch_model))
        .routes(routes!(super::explain::explain_model))
        .routes(routes!(super::feedback::feedback))
        .routes(routes!(super::feedback::feedback_model))
        .routes(routes!(routes::reload_model))
        .routes(routes!(routes::reload_tls))
        .routes(routes!(routes::load_model))
        .routes(routes!(routes::unload_model))
        .routes(routes!(
            super::rollout::set_shadow,
            super::rollout::remove_shadow
        ))
        .routes(routes!(
            super::rollout::set_canary,
            super::rollout::remove_canary
        ))
        .routes(routes!(routes::live))
        .routes(routes!(routes::ready))
        .routes(routes!(routes::metrics_text))
        .routes(routes!(super::v2::server_metadata))
        .routes(routes!(super::v2::server_live))
        .routes(routes!(super::v2::server_ready))
        .routes(routes!(super::v2::model_metadata))
        .routes(routes!(super::v2::model_version_metadata))
        .routes(routes!(super::v2::model_ready))
        .routes(routes!(super::v2::model_version_ready))
        .routes(routes!(super::v2::infer))
        .routes(routes!(super::v2::infer_version))
}

/// The OpenAPI document for the default limits, as printed by `textserve openapi` and
/// committed as openapi/openapi.json.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_for(&Limits::from(&crate::config::ServeConfig::default()))
}

/// The OpenAPI document a server with these limits serves at /openapi.json: request schemas
/// carry the limits it enforces, so a schema-valid request is one it accepts.
pub fn openapi_for(limits: &Limits) -> utoipa::openapi::OpenApi {
    let mut doc = api_router().into_openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serializes");
    // Non-empty, not only whitespace, at most --max-text-chars characters.
    let text = serde_json::json!({
        "type": "string",
        "minLength": 1,
        "maxLength": limits.max_text_chars,
        "pattern": routes::NOT_BLANK_PATTERN,
    });
    let schemas = "/components/schemas";
    let mut set = |pointer: &str, schema: serde_json::Value| {
        let slot = value
            .pointer_mut(&format!("{schemas}/{pointer}"))
            .unwrap_or_else(|| panic!("{pointer} is in the OpenAPI document"));
        merge(slot, schema);
    };
    set("PredictRequest/properties/text", text.clone());
    set("ExplainRequest/properties/text", text.clone());
    set("FeedbackRequest/properties/text", text.clone());
    set(
        "FeedbackRequest/properties/source",
        serde_json::json!({ "maxLength": super::feedback::MAX_SOURCE_CHARS }),
    );
    set(
        "FeedbackRequest/properties/note",
        serde_json::json!({ "maxLength": super::feedback::MAX_NOTE_CHARS }),
    );
    // As X-Request-Id: 1 to 64 printable ASCII characters, no space.
    set(
        "FeedbackRequest/properties/request_id",
        serde_json::json!({ "pattern": "^[!-~]{1,64}$" }),
    );
    set(
        "ExplainRequest/properties/samples",
        serde_json::json!({ "minimum": 1, "maximum": limits.max_explain_samples }),
    );
    // A u64: utoipa's "int64" would tell clients 2^63 and above are invalid, yet they are seeds.
    set(
        "ExplainRequest/properties/seed",
        serde_json::json!({ "format": "uint64", "minimum": 0, "maximum": u64::MAX }),
    );
    set(
        "BatchPredictRequest/properties/texts",
        serde_json::json!({ "minItems": 1, "maxItems": limits.max_batch_size, "items": text }),
    );
    serde_json::from_value(value).expect("the patched document is still OpenAPI")
}

fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(target), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (target, patch) => *target = patch,
    }
}

/// HTTP-level settings of `app`.
#[derive(Clone)]
pub struct HttpOptions {
    pub body: BodyLimits,
    pub api_keys: ApiKeys,
    pub admin: AdminAccess,
    pub audit: super::audit::Audit,
    pub cors_origins: Vec<axum::http::HeaderValue>,
}

/// The whole HTTP surface. Tests drive it with `oneshot` or over TCP.
pub fn app(state: AppState, options: &HttpOptions) -> Router {
    let (router, _) = api_router().split_for_parts();
    let router = router
        .route("/", get(routes::try_it))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi_for(&state.limits())))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        // Bodies are bounded in size and time by read_body_within_limits, before extraction.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            options.body,
            extract::read_body_within_limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (options.api_keys.clone(), options.audit.clone()),
            security::require_api_key,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (options.admin.clone(), options.audit.clone()),
            security::require_admin_key,
        ));
    // CORS outside authentication, so preflight requests (which carry no key) are answered.
    let router = match security::cors(&options.cors_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            close_connections_when_shutting_down,
        ))
        .layer(super::error::catch_panics())
        .layer(axum::middleware::from_fn(super::v2::protocol_errors))
        .layer(axum::middleware::from_fn(super::telemetry::observe))
        .with_state(state)
}

/// While shutting down, every HTTP/1 answer tells the client to close its connection, so each
/// open connection carries one last answered request instead of being cut while a request may
/// already be on its way.
async fn close_connections_when_shutting_down(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let http1 = request.version() <= axum::http::Version::HTTP_11;
    let mut response = next.run(request).await;
    if http1 && state.is_shutting_down() {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}
