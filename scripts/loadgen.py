#!/usr/bin/env python3
"""Load generator for the reliability drills (RELIABILITY.md), loopback only.

Each worker thread keeps one HTTP/1.1 keep-alive connection and sends single-text predictions
from real corpus texts, either back to back (closed loop) or paced so that all workers together
offer --rate requests per second (open loop: arrivals do not slow down when the server does).

Every request ends in exactly one outcome, so nothing can go missing from the tally:
  status N    the server answered with HTTP status N
  refused     the connection could not be opened (server not listening) — nothing was sent
  lost        the request was sent and no complete answer came back (reset, closed, timeout)
Prints one JSON summary line; with --timeline, also one JSON line per second.
"""

import argparse
import http.client
import json
import random
import socket
import sys
import threading
import time
from collections import Counter


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data", default="data/zh-reviews.jsonl")
    p.add_argument("--workers", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=0.0, help="total requests/s offered (0 = closed loop)")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--timeline", action="store_true")
    p.add_argument("--header", action="append", default=[], help="extra header NAME:VALUE")
    p.add_argument("--path", default="/v1/predict", help="prediction route, e.g. /v1/models/NAME/predict")
    p.add_argument("--tls-ca", help="speak HTTPS, trusting this PEM CA (the certificate must name 127.0.0.1)")
    p.add_argument("--tls-cert", help="client certificate (PEM) for mutual TLS")
    p.add_argument("--tls-key", help="its private key (PEM)")
    return p.parse_args()


def connection_factory(args):
    """Plain HTTP, or HTTPS verified against --tls-ca with an optional client certificate. Each
    new connection is a full handshake, as a client that reconnects would make."""
    if not args.tls_ca:
        return lambda: http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
    import ssl
    context = ssl.create_default_context(cafile=args.tls_ca)
    if args.tls_cert:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    return lambda: http.client.HTTPSConnection("127.0.0.1", args.port, timeout=args.timeout,
                                               context=context)


def predict_bodies(data, count=5000):
    """JSON bodies of single-text predictions: `count` corpus texts in a fixed shuffled order."""
    texts = []
    with open(data, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
    random.Random(7).shuffle(texts)
    return [json.dumps({"text": t}, ensure_ascii=False).encode() for t in texts[:count]]


def main():
    args = parse_args()
    if args.port <= 0:
        sys.exit("--port must be positive")
    bodies = predict_bodies(args.data)
    connect = connection_factory(args)
    headers = {"Content-Type": "application/json"}
    for h in args.header:
        name, _, value = h.partition(":")
        headers[name.strip()] = value.strip()

    lock = threading.Lock()
    outcomes = Counter()
    latencies = []  # (finish time, seconds) of answered requests
    per_second = {}
    started = time.monotonic()
    stop_at = started + args.seconds

    def record(outcome, latency=None):
        now = time.monotonic()
        second = int(now - started)
        with lock:
            outcomes[outcome] += 1
            per_second.setdefault(second, Counter())[outcome] += 1
            if latency is not None:
                latencies.append((now, latency))

    def worker(index):
        rng = random.Random(index)
        conn = None
        interval = args.workers / args.rate if args.rate > 0 else 0.0
        next_send = started + rng.random() * interval
        while True:
            if interval:
                next_send += interval
                delay = next_send - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            if time.monotonic() >= stop_at:
                break
            body = bodies[rng.randrange(len(bodies))]
            if conn is None:
                conn = connect()
                try:
                    conn.connect()
                except OSError:
                    conn = None
                    record("refused")
                    time.sleep(0.01)
                    continue
            sent_at = time.monotonic()
            try:
                conn.request("POST", args.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                record(f"status {response.status}", time.monotonic() - sent_at)
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException, socket.timeout):
                record("lost")
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    def percentile(values, q):
        if not values:
            return None
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)

    if args.timeline:
        for second in sorted(per_second):
            answered = [l for (t, l) in latencies if int(t - started) == second]
            print(json.dumps({"second": second, **per_second[second], "p99_ms": percentile(answered, 0.99)}))
    all_latencies = [l for (_, l) in latencies]
    summary = {
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "offered_rate": args.rate or "closed loop",
        "requests": sum(outcomes.values()),
        "answered_per_s": round(len(all_latencies) / elapsed, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "p50_ms": percentile(all_latencies, 0.50),
        "p99_ms": percentile(all_latencies, 0.99),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
