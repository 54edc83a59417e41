#!/usr/bin/env python3
"""Summarises audit.jsonl: how often blind readers, the file's labels and the shipped model agree.

Standard library only. Run from anywhere: python3 docs/label-audit/analyze.py
"""
import json
import math
import pathlib


def wilson(successes, n, z=1.96):
    """95 % interval for a proportion; honest at the edges where the normal one is not."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def share(successes, n):
    low, high = wilson(successes, n)
    return f"{successes} / {n} = {successes / n:.3f} (95 % {low:.3f}–{high:.3f})"


READERS = {"reader_a": "reader A", "reader_b": "reader B"}


def report(rows, title):
    model = ["positive" if r["model_p_positive"] >= 0.5 else "negative" for r in rows]
    consensus = [i for i, r in enumerate(rows) if r["reader_a"] == r["reader_b"]]
    clear = [i for i in consensus if rows[i]["reader_a_clear"] and rows[i]["reader_b_clear"]]
    print(f"## {title}: {len(rows)} texts\n")
    print("| pair | agree |")
    print("|---|---|")
    print(f"| reader A, reader B | {share(len(consensus), len(rows))} |")
    for name, shown in READERS.items():
        hits = sum(r[name] == r["label"] for r in rows)
        print(f"| {shown}, file label | {share(hits, len(rows))} |")
    print(f"| model, file label | {share(sum(m == r['label'] for m, r in zip(model, rows)), len(rows))} |")
    for name, shown in READERS.items():
        hits = sum(m == r[name] for m, r in zip(model, rows))
        print(f"| model, {shown} | {share(hits, len(rows))} |")
    label_hits = sum(rows[i]["label"] == rows[i]["reader_a"] for i in consensus)
    model_hits = sum(model[i] == rows[i]["reader_a"] for i in consensus)
    print(f"| file label, readers where A = B | {share(label_hits, len(consensus))} |")
    print(f"| model, readers where A = B | {share(model_hits, len(consensus))} |")
    label_hits = sum(rows[i]["label"] == rows[i]["reader_a"] for i in clear)
    model_hits = sum(model[i] == rows[i]["reader_a"] for i in clear)
    print(f"| file label, readers where A = B and both call it clear | {share(label_hits, len(clear))} |")
    print(f"| model, readers where A = B and both call it clear | {share(model_hits, len(clear))} |")
    print()


def main():
    path = pathlib.Path(__file__).with_name("audit.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    sample = [r for r in rows if r["in_random_sample"]]
    mistakes = [
        r for r in rows if (r["model_p_positive"] >= 0.5) != (r["label"] == "positive")
    ]
    report(sample, "Random sample of the validation split")
    report(mistakes, "Every validation text the shipped model gets wrong")


if __name__ == "__main__":
    main()
