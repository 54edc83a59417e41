#!/usr/bin/env python3
"""The usual PyTorch path for a text classifier, ending where textserve takes over.

A WordPiece tokenizer (Hugging Face tokenizers; BERT's normalizer and pre-tokenizer, so every
Chinese character is a word) and an embedding → bidirectional LSTM (final states and max
pooling over its outputs) → dense softmax network are
trained on the parts of the corpus `textserve data split` wrote, the epoch with the best
validation accuracy is kept, and the network is exported with torch.jit.script as a module that
takes (input_ids, attention_mask) and returns probabilities. Padding is packed away
(pack_padded_sequence), so a text gets the same answer alone and padded in a batch — what
`textserve import` checks before it accepts a module.

Usage: python train.py --split DIR --out DIR [--epochs 4] [--threads 2]
Writes OUT/model.pt, OUT/tokenizer.json and OUT/metrics.json (accuracy on validation and test,
as PyTorch computes it).
"""
import argparse
import json
import random
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

LABELS = ["negative", "positive"]
MAX_LENGTH = 128


class LstmClassifier(nn.Module):
    def __init__(self, vocab_size: int, pad_id: int, embedding_dim: int = 128, hidden_size: int = 128):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(0.3)
        self.out = nn.Linear(4 * hidden_size, len(LABELS))

    def logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        lengths = attention_mask.sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(
            self.embedding(input_ids), lengths, batch_first=True, enforce_sorted=False
        )
        outputs, (hidden, _) = self.lstm(packed)
        # Padded positions get a value no LSTM output reaches, so the max never reads them.
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, padding_value=-1e4)
        # The final states, forward and backward, and the largest output along the text.
        features = torch.cat([hidden[-2], hidden[-1], outputs.max(dim=1).values], dim=1)
        return self.out(self.dropout(features))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(input_ids, attention_mask), dim=-1)


def read(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [row["text"] for row in rows], [LABELS.index(row["label"]) for row in rows]


def build_tokenizer(texts):
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=8000, min_frequency=2, special_tokens=["[PAD]", "[UNK]"], show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def encode(tokenizer, texts):
    tokenizer.enable_truncation(MAX_LENGTH)
    # An empty text still needs one step through the LSTM: it reads as one unknown token.
    unknown = tokenizer.token_to_id("[UNK]")
    return [e.ids or [unknown] for e in tokenizer.encode_batch(texts)]


def batches(ids, labels, size, pad_id, shuffle):
    order = list(range(len(ids)))
    if shuffle:
        random.shuffle(order)
    else:
        order.sort(key=lambda i: len(ids[i]))
    for start in range(0, len(order), size):
        chosen = order[start : start + size]
        width = max(len(ids[i]) for i in chosen)
        input_ids = torch.full((len(chosen), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chosen), width), dtype=torch.long)
        for row, i in enumerate(chosen):
            input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
            mask[row, : len(ids[i])] = 1
        yield input_ids, mask, torch.tensor([labels[i] for i in chosen])


def accuracy(model, ids, labels, pad_id):
    model.eval()
    correct = 0
    with torch.no_grad():
        for input_ids, mask, gold in batches(ids, labels, 256, pad_id, shuffle=False):
            correct += (model(input_ids, mask).argmax(-1) == gold).sum().item()
    return correct / len(ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", required=True, help="the directory `textserve data split` wrote")
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    split = Path(args.split)
    train_texts, train_labels = read(split / "train.jsonl")
    validation_texts, validation_labels = read(split / "validation.jsonl")
    test_texts, test_labels = read(split / "test.jsonl")

    tokenizer = build_tokenizer(train_texts)
    pad_id = tokenizer.token_to_id("[PAD]")
    train_ids = encode(tokenizer, train_texts)
    validation_ids = encode(tokenizer, validation_texts)
    test_ids = encode(tokenizer, test_texts)

    model = LstmClassifier(tokenizer.get_vocab_size(), pad_id)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_of = nn.CrossEntropyLoss()
    best, best_state, started = -1.0, None, time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        for input_ids, mask, gold in batches(train_ids, train_labels, 64, pad_id, shuffle=True):
            loss = loss_of(model.logits(input_ids, mask), gold)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        validation = accuracy(model, validation_ids, validation_labels, pad_id)
        print(f"epoch {epoch}: validation accuracy {validation:.4f} ({time.time() - started:.0f} s)")
        if validation > best:
            best = validation
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    test = accuracy(model, test_ids, test_labels, pad_id)
    print(f"kept the best epoch: validation {best:.4f}, test {test:.4f}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.jit.script(model).save(str(out / "model.pt"))
    tokenizer.save(str(out / "tokenizer.json"))
    metrics = {
        "validation_accuracy": round(best, 4),
        "test_accuracy": round(test, 4),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": round(time.time() - started),
        "torch": torch.__version__,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"wrote {out}: {metrics}")


if __name__ == "__main__":
    main()
