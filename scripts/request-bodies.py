#!/usr/bin/env python3
"""Request bodies from real corpus texts for wrk (scripts/wrk-bodies.lua), one JSON body per line.

Usage: scripts/request-bodies.py DATA OUT_DIR
Writes OUT_DIR/single.bodies (5,000 texts, one per /v1/predict body) and OUT_DIR/batch32.bodies,
OUT_DIR/batch256.bodies (200 /v1/predict/batch bodies each). Shared by scripts/bench.sh and the
fairness drill in scripts/drills.sh, so both load the server with the same texts.
"""
import json
import random
import sys

data, out = sys.argv[1], sys.argv[2]
texts = [json.loads(l)["text"] for l in open(data, encoding="utf-8") if l.strip()]
random.Random(7).shuffle(texts)
with open(f"{out}/single.bodies", "w", encoding="utf-8") as f:
    for t in texts[:5000]:
        f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
for n in (32, 256):
    with open(f"{out}/batch{n}.bodies", "w", encoding="utf-8") as f:
        for i in range(200):
            chunk = [texts[(i * n + k) % len(texts)] for k in range(n)]
            f.write(json.dumps({"texts": chunk}, ensure_ascii=False) + "\n")
