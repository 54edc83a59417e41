#!/usr/bin/env python3
"""Merge the written factory notes into suites/zh-manufacturing/written-notes.jsonl.

Run from the repository root (Python 3 standard library only):

    python3 scripts/build-written-notes.py [PART.jsonl ...]

With no arguments it reads suites/zh-manufacturing/written/part-1.jsonl … in part order.

Each part is one writer's output under the brief in scripts/prompts/written-factory-notes.md
(lines {"text", "label", "frame"}). EVERY LINE IS SYNTHETIC: written by language-model
writers who had no access to this repository. The output lines are

    {"text": ..., "label": ..., "source": "synthetic:written-<frame>"}

The held-out guard, the same promise the template generators keep: a line is dropped when
- its text, without spaces and punctuation, equals a text (or variant) of the guarded files
  (the suite's held-out and dev parts and the factory-notes dev suite);
- it shares a run of GUARD_RUN characters (without spaces and punctuation) with such a text;
- it contains, without spaces and punctuation, an entry of the held-out or dev vocabulary
  (suites/zh-manufacturing/vocabulary/{heldout,dev}.json: defects, subjects, praise
  adjectives, intensifiers, register markers, line names and every other word list), so that
  the held-out part keeps testing words the model never trained on.
Lines with an unknown label or frame, out of the 4-100 character range, or repeating an
earlier line (after normalisation) are dropped as well. The script prints what each rule
dropped, never the words.
"""

import importlib.util
import json
import os
import re
import sys
from collections import Counter

OUT = os.path.join("suites", "zh-manufacturing", "written-notes.jsonl")
PARTS = os.path.join("suites", "zh-manufacturing", "written")
VOCABULARIES = [
    os.path.join("suites", "zh-manufacturing", "vocabulary", "heldout.json"),
    os.path.join("suites", "zh-manufacturing", "vocabulary", "dev.json"),
]
SENTENCE_LISTS = ("_FRAMES", "_HAND", "_HAND_DIR", "_HAND_INV")
IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
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


def _template_notes_generator():
    """scripts/gen-factory-notes.py, whose held-out guard (the guarded files, their texts and the
    normalisation) this merge keeps too: one definition of what the guard reads."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen-factory-notes.py")
    spec = importlib.util.spec_from_file_location("gen_factory_notes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_GUARD = _template_notes_generator()
norm = _GUARD.norm
guarded_texts = _GUARD.load_guarded


def guarded_words():
    """Every entry of the held-out and dev word lists (defects, subjects, praise adjectives,
    intensifiers, services, levels, register markers, line names, batch codes and the rest),
    without spaces and punctuation, that has two or more characters and an ideograph
    ("夜班巡查：" → 夜班巡查, "2号线" as it is). Sentence frames and hand-written sentences are
    left to the shared-run rule."""
    words = set()

    def walk(value):
        if isinstance(value, str):
            word = norm(value)
            if len(word) >= 2 and IDEOGRAPH.search(word):
                words.add(word)
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


DROPPED_WORD = "guard: held-out or dev word"
DROPPED_RUN = "guard: %d characters shared with a guarded text" % GUARD_RUN
DROPPED_EQUAL = "guard: equal to a guarded text"
DROPPED_REPEAT = "repeat"


def default_parts():
    names = [n for n in os.listdir(PARTS) if re.fullmatch(r"part-\d+\.jsonl", n)]
    names.sort(key=lambda n: int(re.search(r"\d+", n).group()))
    return [os.path.join(PARTS, n) for n in names]


def merge(parts):
    """The kept lines, in part order, and how many lines each rule dropped."""
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
            for line in f:
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
                    dropped[DROPPED_REPEAT] += 1
                elif key in exact:
                    dropped[DROPPED_EQUAL] += 1
                elif any(w in key for w in words):
                    dropped[DROPPED_WORD] += 1
                elif runs(key, GUARD_RUN) & shared_runs:
                    dropped[DROPPED_RUN] += 1
                else:
                    seen.add(key)
                    kept.append({"text": text, "label": label, "source": "synthetic:written-" + frame})
    return kept, dropped


def frame_counts(kept):
    """(frame, label) -> lines."""
    return Counter((item["source"].split("-", 1)[1], item["label"]) for item in kept)


def main(parts):
    parts = parts or default_parts()
    kept, dropped = merge(parts)
    with open(OUT, "w", encoding="utf-8") as f:
        for item in kept:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")

    print("wrote %s: %d lines from %d parts" % (OUT, len(kept), len(parts)))
    for reason, count in sorted(dropped.items()):
        print("  dropped %5d  %s" % (count, reason))
    by = frame_counts(kept)
    print("  %-16s %8s %8s" % ("frame", "positive", "negative"))
    for frame in FRAMES:
        print("  %-16s %8d %8d" % (frame, by[(frame, "positive")], by[(frame, "negative")]))


if __name__ == "__main__":
    main(sys.argv[1:])
