"""A plain FastAPI + PyTorch text classifier: the speed peer of scripts/peer-bench.sh.

It serves textserve's JSON contract (``POST /v1/predict``, ``POST /v1/predict/batch``, the
``{"error": {"code", "message"}}`` shape for bad input) with the network shape of textserve's
default model, read from the model directory's model.json:

- character tokens looked up in the model's vocabulary (unknown → 1, padding 0, whitespace
  dropped, cut at ``tokenizer.max_length``);
- a token embedding concatenated with a hashed adjacent-token (bigram) embedding, the last token
  paired with an end marker, as textserve does;
- one bidirectional ``nn.LSTM`` layer over packed sequences, so padding is never computed;
- masked max- and mean-pooled LSTM outputs with the mean input embedding → Linear → softmax.

The weights are random (seeded): this is a speed peer, and its labels mean nothing. It leaves
out what textserve's model adds to the LSTM (the n-gram logistic regression and its evidence,
scope embeddings, text normalisation), so it does less work per text than textserve does.

It is served the way a FastAPI model server usually is: one uvicorn process, torch on 2 threads,
one forward pass per request and no batching across requests. Handlers are ``async`` and run the
pass inline, so passes run one at a time, each on torch's threads; sync handlers would run up to
40 at once in Starlette's thread pool, oversubscribing 2 cores. Responses are built as
``JSONResponse`` directly, skipping FastAPI's generic encoder.

Run from the repository root (scripts/peer-bench.sh does)::

    PEER_MODEL=models/zh-reviews-sentiment python -m uvicorn --app-dir benches/peer \
        fastapi_lstm:app --host 127.0.0.1 --port 18090 --loop uvloop --http httptools
"""

import json
import os
from pathlib import Path

import torch
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD_ID = 0
UNKNOWN_ID = 1
# textserve's default --max-batch-size: the most texts one batch request may carry.
MAX_BATCH_SIZE = 256
SEED = 7
# Multiplier of the bigram hash: a prime, so (left, right) pairs spread over the buckets.
BIGRAM_PRIME = 1_000_003

torch.set_num_threads(2)


class BiLstmClassifier(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        bigram_buckets: int,
        bigram_dim: int,
        hidden_size: int,
        num_labels: int,
    ):
        super().__init__()
        self.bigram_buckets = bigram_buckets
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_ID)
        self.bigram_embedding = nn.Embedding(bigram_buckets, bigram_dim, padding_idx=PAD_ID)
        input_dim = embedding_dim + bigram_dim
        self.lstm = nn.LSTM(
            input_dim, hidden_size, num_layers=1, batch_first=True, bidirectional=True
        )
        self.output = nn.Linear(2 * 2 * hidden_size + input_dim, num_labels)

    def bigrams(self, ids: torch.Tensor, lengths: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Bucket of each (token, next token) pair, 1…buckets-1; the last token pairs with -1 and
        padding gets bucket 0."""
        positions = torch.arange(ids.size(1))
        following = torch.full_like(ids, -1)
        following[:, :-1] = ids[:, 1:]
        following = torch.where(positions[None, :] + 1 < lengths[:, None], following, -1)
        buckets = 1 + (ids * BIGRAM_PRIME + following + 1) % (self.bigram_buckets - 1)
        return buckets * mask

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Label probabilities ``[batch, labels]`` of right-padded ``ids`` ``[batch, width]``."""
        width = ids.size(1)
        mask = torch.arange(width)[None, :] < lengths[:, None]
        bigrams = self.bigrams(ids, lengths, mask)
        x = torch.cat([self.embedding(ids), self.bigram_embedding(bigrams)], -1)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        states, _ = self.lstm(packed)
        # Zeros past each text's length, so the sum below is the masked sum.
        states, _ = pad_packed_sequence(states, batch_first=True, total_length=width)
        mask = mask.unsqueeze(-1)
        count = lengths.unsqueeze(-1).to(x.dtype)
        max_pool = states.masked_fill(~mask, float("-inf")).amax(1)
        mean_pool = states.sum(1) / count
        mean_input = (x * mask).sum(1) / count
        return self.output(torch.cat([max_pool, mean_pool, mean_input], -1)).softmax(-1)


class Classifier:
    """model.json's tokenizer and network shape, with random weights."""

    def __init__(self, model_dir: Path):
        manifest = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
        architecture = manifest["architecture"]
        tokenizer = manifest["tokenizer"]
        self.name = manifest["name"]
        # Marked as not the model of that name: same shape, none of its weights.
        self.version = f"{manifest['version']}+random-weights"
        self.labels = manifest["labels"]
        self.max_length = tokenizer["max_length"]
        self.vocabulary = {token: i for i, token in enumerate(tokenizer["vocabulary"])}
        torch.manual_seed(SEED)
        self.network = BiLstmClassifier(
            vocab_size=len(self.vocabulary),
            embedding_dim=architecture["embedding_dim"],
            bigram_buckets=architecture["bigram_buckets"],
            bigram_dim=architecture["bigram_dim"],
            hidden_size=architecture["hidden_size"],
            num_labels=len(self.labels),
        ).eval()

    def encode(self, text: str) -> list[int]:
        get = self.vocabulary.get
        return [get(ch, UNKNOWN_ID) for ch in text if not ch.isspace()][: self.max_length]

    @torch.inference_mode()
    def predict(self, encoded: list[list[int]]) -> list[dict]:
        """One forward pass over every text of ``encoded`` (each non-empty)."""
        width = max(len(ids) for ids in encoded)
        padded = [seq + [PAD_ID] * (width - len(seq)) for seq in encoded]
        ids = torch.tensor(padded, dtype=torch.long)
        lengths = torch.tensor([len(seq) for seq in encoded], dtype=torch.long)
        predictions = []
        for row in self.network(ids, lengths).tolist():
            best = max(range(len(row)), key=row.__getitem__)
            predictions.append(
                {
                    "label": self.labels[best],
                    "score": row[best],
                    "probabilities": dict(zip(self.labels, row)),
                }
            )
        return predictions


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


EMPTY_TEXT = "text must not be empty or only whitespace"

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "zh-reviews-sentiment"
model_dir = Path(os.environ.get("PEER_MODEL") or DEFAULT_MODEL)
classifier = Classifier(model_dir)
# The first pass initialises torch's kernels; do it before the server reports ready.
classifier.predict([classifier.encode("预热")])

app = FastAPI(title="FastAPI LSTM peer", docs_url=None, redoc_url=None, openapi_url=None)


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[str]


@app.exception_handler(RequestValidationError)
async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error(400, "malformed_json", "body is not valid JSON")
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}")


@app.get("/health/live")
@app.get("/health/ready")
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@app.post("/v1/predict")
async def predict(request: PredictRequest) -> JSONResponse:
    ids = classifier.encode(request.text)
    if not ids:
        return error(422, "empty_text", EMPTY_TEXT)
    (prediction,) = classifier.predict([ids])
    return JSONResponse(
        {"model": classifier.name, "model_version": classifier.version, **prediction}
    )


@app.post("/v1/predict/batch")
async def predict_batch(request: BatchRequest) -> JSONResponse:
    if not request.texts:
        return error(422, "empty_batch", "texts must not be empty")
    if len(request.texts) > MAX_BATCH_SIZE:
        return error(413, "batch_too_large", f"at most {MAX_BATCH_SIZE} texts per request")
    encoded = [classifier.encode(text) for text in request.texts]
    for i, ids in enumerate(encoded):
        if not ids:
            return error(422, "empty_text", f"texts[{i}]: {EMPTY_TEXT}")
    return JSONResponse(
        {
            "model": classifier.name,
            "model_version": classifier.version,
            "predictions": classifier.predict(encoded),
        }
    )
