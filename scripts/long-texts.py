#!/usr/bin/env python3
"""Long texts for load tests: corpus texts joined with "。" until each holds 230-250 characters
(about what the default model reads before it truncates at 256 tokens), 3,000 of them, seed 5.

Usage: scripts/long-texts.py DATA OUT.jsonl
For the fairness drill's long-report flood: FLOOD_DATA=OUT.jsonl scripts/drills.sh fairness
"""
import json
import random
import sys

data, out = sys.argv[1], sys.argv[2]
texts = [json.loads(line)["text"] for line in open(data, encoding="utf-8") if line.strip()]
rng = random.Random(5)
with open(out, "w", encoding="utf-8") as f:
    for _ in range(3000):
        text = ""
        while len(text) < 230:
            text += rng.choice(texts) + "。"
        f.write(json.dumps({"text": text[:250]}, ensure_ascii=False) + "\n")
