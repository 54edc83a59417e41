//! The Open Inference Protocol (KServe v2) routes over real TCP: metadata, health, inference
//! against the same model's /v1 answers, and every error in the protocol's `{"error": "..."}`.

mod common;

use common::{MODEL_NAME, spawn_app, spawn_app_with};
use serde_json::{Value, json};

async fn infer(app: &common::TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = app.post_json(path, &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The protocol's error shape: a single string.
fn protocol_error(body: &Value) -> &str {
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    body["error"].as_str().unwrap_or_else(|| panic!("{body}"))
}

#[tokio::test]
async fn metadata_and_health_describe_the_served_model() {
    let app = spawn_app().await;
    let server: Value = app.get("/v2").await.json().await.unwrap();
    assert_eq!(server["name"], "textserve");
    assert_eq!(app.get("/v2/health/live").await.status(), 200);
    let ready = app.get("/v2/health/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap(), json!({"ready": true}));

    let model: Value = app
        .get(&format!("/v2/models/{MODEL_NAME}"))
        .await
        .json()
        .await
        .unwrap();
    let labels = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .labels
        .len() as i64;
    let version = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .version
        .clone();
    assert_eq!(model["name"], MODEL_NAME);
    assert_eq!(model["versions"], json!([version]));
    assert_eq!(
        model["inputs"],
        json!([{"name": "text", "datatype": "BYTES", "shape": [-1]}])
    );
    assert_eq!(model["outputs"][0]["shape"], json!([-1, labels]));
    // The test model mixes its LSTM and n-gram part evenly, and says so.
    assert_eq!(
        model["computes"],
        "LSTM and n-gram mixture: the LSTM's log-probabilities weigh 0.50, the n-gram part's 0.50"
    );
    let versioned = app
        .get(&format!("/v2/models/{MODEL_NAME}/versions/{version}"))
        .await;
    assert_eq!(versioned.status(), 200);
    for ready in [
        format!("/v2/models/{MODEL_NAME}/ready"),
        format!("/v2/models/{MODEL_NAME}/versions/{version}/ready"),
    ] {
        assert_eq!(app.get(&ready).await.status(), 200, "{ready}");
    }
    for (missing, named) in [
        ("/v2/models/other".to_string(), "\"other\""),
        ("/v2/models/other/ready".to_string(), "\"other\""),
        (
            format!("/v2/models/{MODEL_NAME}/versions/999/ready"),
            "no version \"999\"",
        ),
    ] {
        let response = app.get(&missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        let body: Value = response.json().await.unwrap();
        let message = protocol_error(&body);
        assert!(message.contains(named), "{missing}: {message}");
    }
}

#[tokio::test]
async fn inference_answers_as_v1_does_in_the_protocols_tensors() {
    let app = spawn_app().await;
    let texts = ["来料检验未见异常", "电机异响严重", "包装完好"];
    let v1: Value = app
        .post_json("/v1/predict/batch", &json!({ "texts": texts }))
        .await
        .json()
        .await
        .unwrap();
    let labels = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .labels
        .clone();
    let version = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .version
        .clone();
    for (path, shape, data) in [
        (
            format!("/v2/models/{MODEL_NAME}/infer"),
            json!([3]),
            json!(texts),
        ),
        (
            format!("/v2/models/{MODEL_NAME}/versions/{version}/infer"),
            json!([3, 1]),
            json!([[texts[0]], [texts[1]], [texts[2]]]),
        ),
    ] {
        let (status, body) = infer(
            &app,
            &path,
            json!({"id": "req-7", "parameters": {"priority": 1}, "inputs": [
                {"name": "text", "shape": shape, "datatype": "BYTES", "data": data}]}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["model_name"], MODEL_NAME);
        assert_eq!(body["model_version"], version.as_str());
        assert_eq!(body["id"], "req-7");
        let probabilities = &body["outputs"][0];
        assert_eq!(probabilities["name"], "probabilities");
        assert_eq!(probabilities["datatype"], "FP32");
        assert_eq!(probabilities["shape"], json!([3, labels.len()]));
        let label = &body["outputs"][1];
        assert_eq!(label["shape"], json!([3]));
        for (i, prediction) in v1["predictions"].as_array().unwrap().iter().enumerate() {
            assert_eq!(label["data"][i], prediction["label"]);
            for (j, name) in labels.iter().enumerate() {
                let v2 = probabilities["data"][i * labels.len() + j]
                    .as_f64()
                    .unwrap();
                let v1 = prediction["probabilities"][name].as_f64().unwrap();
                assert!((v2 - v1).abs() < 1e-6, "{name}: {v2} vs {v1}");
            }
        }
    }
    // Asking for one output returns only it.
    let (status, body) = infer(
        &app,
        &format!("/v2/models/{MODEL_NAME}/infer"),
        json!({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["好"]}],
               "outputs": [{"name": "label", "parameters": {"binary_data": false}}]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["outputs"].as_array().unwrap().len(), 1);
    assert_eq!(body["outputs"][0]["name"], "label");
    assert!(body.get("id").is_none());
}

#[tokio::test]
async fn bad_requests_get_the_protocols_error_shape() {
    let app = spawn_app_with(|c| c.max_batch_size = common::nz(4)).await;
    let path = format!("/v2/models/{MODEL_NAME}/infer");
    let one = |name: &str, datatype: &str, shape: Value, data: Value| json!({"inputs": [{"name": name, "shape": shape, "datatype": datatype, "data": data}]});
    for (body, status, says) in [
        (
            one("text", "FP32", json!([1]), json!([1.0])),
            400,
            "expected BYTES",
        ),
        (
            one("txt", "BYTES", json!([1]), json!(["a"])),
            400,
            "unknown input \"txt\"",
        ),
        (
            one("text", "BYTES", json!([2]), json!(["a"])),
            400,
            "but 1 elements",
        ),
        (
            one("text", "BYTES", json!([1, 2]), json!(["a", "b"])),
            400,
            "[n] or [n, 1]",
        ),
        (
            one("text", "BYTES", json!([1]), json!([null])),
            400,
            "must be strings",
        ),
        (
            one(
                "text",
                "BYTES",
                json!([5]),
                json!(["a", "b", "c", "d", "e"]),
            ),
            413,
            "limit is 4",
        ),
        (
            one("text", "BYTES", json!([1]), json!(["  "])),
            422,
            "empty",
        ),
        (json!({"inputs": []}), 400, "exactly one input"),
        (json!({"inputs": [], "extra": 1}), 400, "unknown field"),
        (json!([1, 2]), 400, "not a valid inference request"),
    ] {
        let (got, answer) = infer(&app, &path, body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert!(protocol_error(&answer).contains(says), "{body} → {answer}");
    }
    let unknown = format!("/v2/models/{MODEL_NAME}/versions/0.0.0-none/infer");
    let (got, answer) = infer(
        &app,
        &unknown,
        one("text", "BYTES", json!([1]), json!(["a"])),
    )
    .await;
    assert_eq!(got, 404);
    assert!(protocol_error(&answer).contains("no version"));
    let route = app.get("/v2/repository/index").await;
    assert_eq!(route.status(), 404);
    protocol_error(&route.json().await.unwrap());
    // No Content-Type at all, as tritonclient sends: still read as JSON.
    let raw = app
        .client
        .post(app.url(&path))
        .body(one("text", "BYTES", json!([1]), json!(["好"])).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
}

#[tokio::test]
async fn model_routes_need_the_key_and_answer_401_in_the_protocols_shape() {
    const KEY: &str = "factory-floor-key-0002";
    let app = spawn_app_with(|c| c.api_keys = vec![KEY.parse().unwrap()]).await;
    for open in ["/v2", "/v2/health/live", "/v2/health/ready"] {
        assert_eq!(app.get(open).await.status(), 200, "{open}");
    }
    let path = format!("/v2/models/{MODEL_NAME}");
    let refused = app.get(&path).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(protocol_error(&body), "missing or invalid API key");
    let allowed = app
        .client
        .get(app.url(&path))
        .header("authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
}

#[tokio::test]
async fn binary_tensor_data_goes_both_ways() {
    let app = spawn_app().await;
    let texts = ["来料检验未见异常", "电机异响"];
    let mut binary = Vec::new();
    for text in texts {
        binary.extend_from_slice(&(text.len() as u32).to_le_bytes());
        binary.extend_from_slice(text.as_bytes());
    }
    let header = json!({"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES",
        "parameters": {"binary_data_size": binary.len()}}],
        "outputs": [{"name": "probabilities", "parameters": {"binary_data": true}},
                    {"name": "label", "parameters": {"binary_data": false}}]})
    .to_string();
    let send = |header_length: usize, body: Vec<u8>| {
        app.client
            .post(app.url(&format!("/v2/models/{MODEL_NAME}/infer")))
            .header("inference-header-content-length", header_length.to_string())
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
    };
    let response = send(header.len(), [header.as_bytes(), &binary].concat())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let json_length: usize = response.headers()["inference-header-content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = response.bytes().await.unwrap();
    let answer: Value = serde_json::from_slice(&body[..json_length]).unwrap();
    let probabilities = &answer["outputs"][0];
    let labels = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .labels
        .len();
    assert_eq!(
        probabilities["parameters"]["binary_data_size"],
        json!(2 * labels * 4)
    );
    assert!(probabilities.get("data").is_none());
    let values: Vec<f32> = body[json_length..]
        .chunks(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), 2 * labels);
    let v1: Value = app
        .post_json("/v1/predict/batch", &json!({ "texts": texts }))
        .await
        .json()
        .await
        .unwrap();
    let names = app
        .state
        .default_model()
        .unwrap()
        .served
        .details
        .labels
        .clone();
    for (i, prediction) in v1["predictions"].as_array().unwrap().iter().enumerate() {
        for (j, name) in names.iter().enumerate() {
            let expected = prediction["probabilities"][name].as_f64().unwrap() as f32;
            assert!((values[i * labels + j] - expected).abs() < 1e-6);
        }
        assert_eq!(answer["outputs"][1]["data"][i], prediction["label"]);
    }
    // A header length beyond the body, and binary data that ends inside an element.
    let (status, answer) = {
        let response = send(10_000, header.as_bytes().to_vec()).await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 400);
    assert!(protocol_error(&answer).contains("Inference-Header-Content-Length"));
    let cut = [header.as_bytes(), &binary[..binary.len() - 1]].concat();
    let response = send(header.len(), cut).await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(protocol_error(&response.json().await.unwrap()).contains("binary_data_size"));
}
