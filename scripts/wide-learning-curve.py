#!/usr/bin/env python3
"""Learning curve of the wide part's scikit-learn proxy (TF-IDF character 1-3-grams, logistic
regression C = 10) on data/zh-reviews.jsonl: validation accuracy at growing training sizes over
three random splits (1,736 validation, 1,736 test set aside and never scored, the rest to draw
training texts from). Deduplication here is NFKC + lowercase + strip, close to but not exactly
textserve's (17,360 texts against 17,358).

Needs scikit-learn and numpy (not installed by the setup scripts). Figures: the default model's
card, "More data?". Run from the repository root: python3 scripts/wide-learning-curve.py
"""
import json
import random
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

labels_by_text = {}
for line in open("data/zh-reviews.jsonl", encoding="utf-8"):
    row = json.loads(line)
    key = unicodedata.normalize("NFKC", row["text"]).lower().strip()
    labels_by_text.setdefault(key, set()).add(row["label"])
data = [(text, next(iter(labels))) for text, labels in labels_by_text.items() if len(labels) == 1]
print(f"{len(data)} texts labelled one way")

FRACTIONS = [0.6, 0.8, 0.89, 1.0]
accuracies = {fraction: [] for fraction in FRACTIONS}
for seed in range(3):
    # Shuffles the already shuffled list again: each seed's split depends on the ones before.
    random.Random(seed).shuffle(data)
    validation, pool = data[:1736], data[3472:]
    for fraction in FRACTIONS:
        train = pool[: int(len(pool) * fraction)]
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        features = vectorizer.fit_transform([text for text, _ in train])
        model = LogisticRegression(C=10, max_iter=2000).fit(features, [label for _, label in train])
        accuracy = model.score(
            vectorizer.transform([text for text, _ in validation]),
            [label for _, label in validation],
        )
        accuracies[fraction].append(accuracy)

print("training texts | mean validation accuracy | per split")
for fraction, values in accuracies.items():
    print(f"{int(len(pool) * fraction)} | {np.mean(values):.4f} | {np.round(values, 4)}")
