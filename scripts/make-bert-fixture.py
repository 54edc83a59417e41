#!/usr/bin/env python3
"""Makes tests/fixtures/tiny-bert: a BERT-style classifier trained elsewhere, as textserve's
import and TorchScript tests meet one.

- tokenizer.json: a WordPiece tokenizer (BERT's normalizer and pre-tokenizer, every Chinese
  character its own word, [CLS] text [SEP]) trained by Hugging Face tokenizers on the corpus;
- model.pt: transformers' BertForSequenceClassification with a small config (2 layers of 64,
  2 heads), fine-tuned briefly on the corpus, traced with torch.jit.trace; its arguments are
  input_ids, attention_mask, token_type_ids and it returns logits;
- reads-padding.pt: a module with a classic serving bug, for import to refuse: it averages
  embeddings over every position, padding included, so a text's answer depends on the length
  of the others in its batch;
- reference.json: for texts of every kind (reviews, factory notes, English, emoji, empty, longer
  than the maximum length), the ids Hugging Face tokenizers gives and the probabilities the
  eager PyTorch model gives, each text alone. textserve's must match: an independent
  implementation of the same computation.

Usage: PY=$(scripts/examples-venv.sh); $PY scripts/make-bert-fixture.py
       [--data data/zh-reviews.jsonl] [--out tests/fixtures/tiny-bert]
Seeded, but the WordPiece trainer breaks ties between equally frequent pieces in no fixed order,
so a rerun makes a different fixture, equally valid, with its own reference; about a minute on
two cores.
"""
import argparse
import json
import random
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForSequenceClassification

LABELS = ["negative", "positive"]
MAX_LENGTH = 64
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

REFERENCE_TEXTS = [
    "质量很好，物流也快",
    "用了两天就坏了，太差",
    "外观检查未发现划痕，尺寸全部合格",
    "焊缝有气孔，返工两次仍不合格",
    "虽然包装有点破，但是产品本身没问题",
    "The motor runs quietly and the fit is perfect.",
    "Bearing noise after 3 hours, replaced under warranty",
    "ＣＮＣ加工精度达标 ±0.01mm",
    "服務態度很好，下次還來",
    "👍👍 好评",
    "",
    "   ",
    "不是不好",
    "没有一件不合格",
    "客服回复慢，" * 30,
]


def read_corpus(path):
    """Each text once; texts the corpus gives both labels are left out (about half its lines
    are repeats, so without this the held-out texts would be training texts too)."""
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            labels.setdefault(row["text"].strip(), set()).add(LABELS.index(row["label"]))
    return sorted((text, next(iter(seen))) for text, seen in labels.items() if len(seen) == 1 and text)


def build_tokenizer(texts, vocab_size):
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL, show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer


def encode(tokenizer, texts):
    tokenizer.enable_truncation(MAX_LENGTH)
    ids = [e.ids for e in tokenizer.encode_batch(texts)]
    tokenizer.no_truncation()
    return ids


def padded(batch_ids, pad_id):
    width = max(len(ids) for ids in batch_ids)
    input_ids = torch.full((len(batch_ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch_ids), width), dtype=torch.long)
    for row, ids in enumerate(batch_ids):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
    return input_ids, mask, torch.zeros_like(input_ids)


class Logits(torch.nn.Module):
    """The classifier with positional arguments and logits out, as textserve calls it."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            return_dict=False,
        )[0]


class MeanOfEverything(torch.nn.Module):
    """Averages embeddings over every position, padding included."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, 8)
        self.out = torch.nn.Linear(8, len(LABELS))

    def forward(self, input_ids):
        return self.out(self.embedding(input_ids).mean(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/zh-reviews.jsonl")
    parser.add_argument("--out", default="tests/fixtures/tiny-bert")
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(1)

    examples = read_corpus(args.data)
    random.shuffle(examples)
    held_out, train = examples[:1000], examples[1000:]
    tokenizer = build_tokenizer([t for t, _ in train], args.vocab_size)
    pad_id = tokenizer.token_to_id("[PAD]")

    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=MAX_LENGTH,
        num_labels=len(LABELS),
        pad_token_id=pad_id,
    )
    config._attn_implementation = "eager"
    model = BertForSequenceClassification(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    train_ids = encode(tokenizer, [t for t, _ in train])
    train_labels = [label for _, label in train]
    started = time.time()
    model.train()
    for epoch in range(args.epochs):
        order = list(range(len(train)))
        random.shuffle(order)
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            input_ids, mask, types = padded([train_ids[i] for i in batch], pad_id)
            labels = torch.tensor([train_labels[i] for i in batch])
            loss = model(
                input_ids=input_ids, attention_mask=mask, token_type_ids=types, labels=labels
            ).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: last loss {loss.item():.3f}, {time.time() - started:.0f} s")
    model.eval()

    held_ids = encode(tokenizer, [t for t, _ in held_out])
    correct = 0
    with torch.no_grad():
        for start in range(0, len(held_ids), 64):
            logits = model(*padded(held_ids[start : start + 64], pad_id)).logits
            predicted = logits.argmax(-1).tolist()
            correct += sum(
                p == label for p, (_, label) in zip(predicted, held_out[start : start + 64])
            )
    accuracy = correct / len(held_out)
    print(f"accuracy on 1,000 corpus texts it was not trained on: {accuracy:.3f}")

    wrapped = Logits(model).eval()
    with torch.no_grad():
        example = padded(encode(tokenizer, ["质量很好", "用了两天就坏了，太差"]), pad_id)
        traced = torch.jit.trace(wrapped, example, check_trace=False)
        # A trace records one run: it must still hold for other batch sizes and lengths.
        other = padded(encode(tokenizer, REFERENCE_TEXTS), pad_id)
        difference = (traced(*other) - wrapped(*other)).abs().max().item()
        assert difference < 1e-5, f"the trace does not generalise: {difference}"

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    traced.save(str(out / "model.pt"))
    tokenizer.save(str(out / "tokenizer.json"))
    torch.jit.script(MeanOfEverything(tokenizer.get_vocab_size())).save(str(out / "reads-padding.pt"))
    reference = []
    with torch.no_grad():
        for text, ids in zip(REFERENCE_TEXTS, encode(tokenizer, REFERENCE_TEXTS)):
            logits = model(input_ids=torch.tensor([ids])).logits
            probabilities = torch.softmax(logits, -1)[0].tolist()
            reference.append({"text": text, "ids": ids, "probabilities": probabilities})
    document = {
        "labels": LABELS,
        "max_length": MAX_LENGTH,
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "output": "logits",
        "parameters": sum(p.numel() for p in model.parameters()),
        "held_out_accuracy": round(accuracy, 4),
        "torch": torch.__version__,
        "texts": reference,
    }
    (out / "reference.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {out}: {document['parameters']:,} parameters")


if __name__ == "__main__":
    main()
