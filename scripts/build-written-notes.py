#!/usr/bin/env python3
"""Merge the written factory notes into suites/zh-manufacturing/written-notes.jsonl.

Run from the repository root (Python 3 standard library only):

    python3 scripts/build-written-notes.py PART.jsonl [PART.jsonl ...]

Each part is one writer's output under the brief in scripts/prompts/written-factory-notes.md
(lines {"text", "label", "frame"}). EVERY LINE IS SYNTHETIC: written by language-model
writers who had no access to this repository. The output lines are

    {"text": ..., "label": ..., "source": "synthetic:written-<frame>"}

The held-out guard, the same promise the template generators keep: a line is dropped when
- its text, without spaces and punctuation, equals a text (or variant) of the guarded files
  (the suite's held-out and dev parts and the factory-notes dev suite);
- it shares a run of GUARD_RUN characters (without spaces and punctuation) with such a text;
- it contains a word of the held-out or dev vocabulary
  (suites/zh-manufacturing/vocabulary/{heldout,dev}.json: defects, subjects, praise
  adjectives, intensifiers and every other word list), so that the held-out part keeps
  testing words the model never trained on.
Lines with an unknown label or frame, out of the 4-100 character range, or repeating an
earlier line (after normalisation) are dropped as well. The script prints what each rule
dropped, never the words.
"""

import json
import os
import re
import sys
import unicodedata
from collections import Counter

OUT = os.path.join("suites", "zh-manufacturing", "written-notes.jsonl")
GUARDED = [
    os.path.join("suites", "zh-manufacturing", "heldout.jsonl"),
    os.path.join("suites", "zh-manufacturing", "dev.jsonl"),
    os.path.join("suites", "factory-notes", "dev.jsonl"),
]
VOCABULARIES = [
    os.path.join("suites", "zh-manufacturing", "vocabulary", "heldout.json"),
    os.path.join("suites", "zh-manufacturing", "vocabulary", "dev.json"),
]
SENTENCE_LISTS = ("_FRAMES", "_HAND", "_HAND_DIR", "_HAND_INV")
IDEOGRAPHS = re.compile("[\u4e00-\u9fff]{2,}")
FRAMES = {
    "removed": {"positive"},
    "unresolved": {"negative"},
    "negated_defect": {"positive"},
    "negated_praise": {"negative"},
    "double_negation": {"positive", "negative"},
    "contrast": {"positive", "negative"},
    "plain_defect": {"negative"},
    "plain_ok": {"positive"},
}
GUARD_RUN = 5
MIN_LEN, MAX_LEN = 4, 100


def norm(text):
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text
                   if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


def guarded_texts():
    texts = []
    for path in GUARDED:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                case = json.loads(line)
                texts.append(case["text"])
                texts.extend(v for v in case.get("variants") or [] if isinstance(v, str))
    return texts


def guarded_words():
    """Every word of two or more ideographs in the held-out and dev word lists: defects,
    subjects, praise adjectives, intensifiers, services, levels and the rest. Sentence frames
    and hand-written sentences are left to the shared-run rule."""
    words = set()

    def walk(value):
        if isinstance(value, str):
            if IDEOGRAPHS.fullmatch(value):
                words.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in VOCABULARIES:
        with open(path, encoding="utf-8") as f:
            vocab = json.load(f)
        for name, entries in vocab.items():
            if not name.endswith(SENTENCE_LISTS):
                walk(entries)
    return words


def runs(text, n):
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def main(parts):
    if not parts:
        sys.exit(__doc__)
    texts = guarded_texts()
    exact = {norm(t) for t in texts}
    shared_runs = set()
    for t in texts:
        shared_runs |= runs(norm(t), GUARD_RUN)
    words = guarded_words()

    dropped = Counter()
    seen = set()
    kept = []
    for part in parts:
        with open(part, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text, label, frame = item["text"].strip(), item["label"], item["frame"]
                except (ValueError, KeyError, AttributeError):
                    dropped["malformed"] += 1
                    continue
                key = norm(text)
                if frame not in FRAMES or label not in FRAMES[frame]:
                    dropped["label does not fit frame"] += 1
                elif not MIN_LEN <= len(text) <= MAX_LEN:
                    dropped["length"] += 1
                elif key in seen:
                    dropped["repeat"] += 1
                elif key in exact:
                    dropped["guard: equal to a guarded text"] += 1
                elif any(w in text or w in key for w in words):
                    dropped["guard: held-out or dev word"] += 1
                elif runs(key, GUARD_RUN) & shared_runs:
                    dropped["guard: %d characters shared with a guarded text" % GUARD_RUN] += 1
                else:
                    seen.add(key)
                    kept.append({"text": text, "label": label, "source": "synthetic:written-" + frame})

    with open(OUT, "w", encoding="utf-8") as f:
        for item in kept:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")

    print("wrote %s: %d lines from %d parts" % (OUT, len(kept), len(parts)))
    for reason, count in sorted(dropped.items()):
        print("  dropped %5d  %s" % (count, reason))
    by = Counter((item["source"].split("-", 1)[1], item["label"]) for item in kept)
    print("  %-16s %8s %8s" % ("frame", "positive", "negative"))
    for frame in FRAMES:
        print("  %-16s %8d %8d" % (frame, by[(frame, "positive")], by[(frame, "negative")]))


if __name__ == "__main__":
    main(sys.argv[1:])
