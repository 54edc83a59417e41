"""The Open Inference Protocol routes driven by the real client, tritonclient[http] (PyPI):
server and model metadata, liveness and readiness, inference of one text and of a batch (shapes
[n] and [n, 1]) with tensors as JSON and as binary data (the client's default), the answers
checked against the server's own /v1 API, and error cases. Usage: triton-check.py PORT KEY MODEL."""

import json
import sys
import urllib.request

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

port, key, model = sys.argv[1], sys.argv[2], sys.argv[3]
KEY_HEADER = {"Authorization": f"Bearer {key}"}


def auth():
    # A fresh dict each call: tritonclient writes Inference-Header-Content-Length into the
    # headers it is given, which would then go out stale with the next request.
    return dict(KEY_HEADER)

client = httpclient.InferenceServerClient(url=f"127.0.0.1:{port}")
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail else ""))
    failures += not ok


def v1_batch(texts):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/predict/batch",
        data=json.dumps({"texts": texts}).encode(),
        headers={**KEY_HEADER, "content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def infer(texts, shape, binary):
    data = np.array([t.encode() for t in texts], dtype=object).reshape(shape)
    tensor = httpclient.InferInput("text", list(shape), "BYTES")
    tensor.set_data_from_numpy(data, binary_data=binary)
    outputs = [httpclient.InferRequestedOutput(name, binary_data=binary)
               for name in ("probabilities", "label")]
    return client.infer(model, [tensor], outputs=outputs, headers=auth(), request_id="check-1")


check("server is live", client.is_server_live())
check("server is ready", client.is_server_ready())
server = client.get_server_metadata()
check("server metadata", server.get("name") == "textserve"
      and "binary_tensor_data" in server.get("extensions", []), server)
meta = client.get_model_metadata(model, headers=auth())
check("model metadata", meta["name"] == model and meta["inputs"][0]["datatype"] == "BYTES", meta)
# Probability columns come in the order of the model's labels, as /v1/models/{name} lists them.
with urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/models/{model}", headers=KEY_HEADER)) as response:
    labels = json.load(response)["labels"]
check("model is ready", client.is_model_ready(model, headers=auth()))
version = meta["versions"][0]
check("model version is ready", client.is_model_ready(model, model_version=version, headers=auth()))

for texts, shape, binary in [
    (["来料检验未见异常"], (1,), False),
    (["来料检验未见异常", "电机异响严重，客户投诉", "包装完好，交期准"], (3, 1), False),
    (["来料检验未见异常"], (1,), True),
    (["来料检验未见异常", "电机异响严重，客户投诉", "包装完好，交期准"], (3,), True),
]:
    print(f"-- tensors as {'binary data' if binary else 'JSON'}")
    result = infer(texts, shape, binary)
    probabilities = result.as_numpy("probabilities")
    label = result.as_numpy("label")
    v1 = v1_batch(texts)["predictions"]
    expected = np.array([[p["probabilities"][name] for name in labels] for p in v1])
    check(f"infer {len(texts)} text(s), shape {list(shape)}: probabilities {probabilities.shape}",
          probabilities.shape == (len(texts), len(labels))
          and np.allclose(probabilities, expected, atol=1e-6), probabilities.tolist())
    got = [x.decode() if isinstance(x, bytes) else x for x in label.reshape(-1)]
    check(f"  labels {got}", got == [p["label"] for p in v1])
    check("  response names the model and the request", result.get_response()["model_name"] == model
          and result.get_response()["id"] == "check-1")

try:
    client.get_model_metadata("no-such-model", headers=auth())
    check("unknown model is an error", False)
except InferenceServerException as error:
    check("unknown model is an error", "no-such-model" in error.message(), error.message())
try:
    bad = httpclient.InferInput("text", [1], "FP32")
    bad.set_data_from_numpy(np.array([1.0], dtype=np.float32), binary_data=False)
    client.infer(model, [bad], headers=auth())
    check("an input of the wrong datatype is an error", False)
except InferenceServerException as error:
    check("an input of the wrong datatype is an error", "expected BYTES" in error.message(),
          error.message())
try:
    client.get_model_metadata(model)
    check("model routes need the key", False)
except InferenceServerException as error:
    check("model routes need the key", "API key" in error.message(), error.message())

print(f"tritonclient check: {failures} failure(s)")
sys.exit(1 if failures else 0)
