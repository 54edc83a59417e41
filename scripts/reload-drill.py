#!/usr/bin/env python3
"""Reload drill for RELIABILITY.md, loopback only, bounded in time and count.

Serves a copy of a model from a repository directory and, while --clients closed-loop clients
send single-text predictions for --seconds, reloads it every --every seconds, each time with a
new version string in its model.json. Halfway through, two corrupt versions are deployed in
turn (weights that do not match their checksum; a format_version this build cannot read): each
reload must be refused with a JSON error, the served version must stay, and the error must show
in GET /v1/models and in textserve_model_reloads_total. After the load, it reloads without
traffic until --total-reloads reloads have succeeded, then compares resident memory with its
value before the first reload.

Checks: every response is 200; every response names a version that was live at some moment
between the request's sending and its answer (a version is live from the start of the reload
that brought it until the end of the reload that replaced it). Prints one JSON summary and
exits non-zero if a check fails.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from loadgen import predict_bodies

ADMIN_KEY = "reload-drill-admin-key-0001"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="target/release/textserve")
    p.add_argument("--model", default="models/zh-reviews-sentiment")
    p.add_argument("--data", default="data/zh-reviews.jsonl")
    p.add_argument("--port", type=int, default=18360)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--every", type=float, default=2)
    p.add_argument("--total-reloads", type=int, default=50)
    return p.parse_args()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    args = parse_args()
    if args.port <= 0:
        sys.exit("--port must be positive")
    bodies = predict_bodies(args.data)

    work = tempfile.mkdtemp(prefix="reload-drill-")
    model_dir = os.path.join(work, "repo", "served")
    shutil.copytree(args.model, model_dir)
    manifest_path = os.path.join(model_dir, "model.json")
    manifest = json.load(open(manifest_path, encoding="utf-8"))
    name, base_version = manifest["name"], manifest["version"]
    weights_path = os.path.join(model_dir, manifest["weights"]["file"])
    good_weights = os.path.join(work, "weights.good")
    shutil.copyfile(weights_path, good_weights)

    def write_manifest(version, format_version=None):
        m = dict(manifest, version=version)
        if format_version is not None:
            m["format_version"] = format_version
        tmp = manifest_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(m, f, ensure_ascii=False)
        os.replace(tmp, manifest_path)

    server = subprocess.Popen(
        [args.bin, "serve", "--model-repository", os.path.join(work, "repo"), "--port", str(args.port),
         "--threads", "1", "--admin-api-key", ADMIN_KEY, "--log-level", "warn"],
        stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"

    def call(method, path, admin=False):
        request = urllib.request.Request(base + path, method=method)
        if admin:
            request.add_header("Authorization", f"Bearer {ADMIN_KEY}")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call("GET", "/health/ready")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("server not ready within 60 s")
            time.sleep(0.05)

        lock = threading.Lock()
        answers = []  # (sent, finished, status, version)
        stop = threading.Event()

        def client(index):
            rng = random.Random(index)
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            while not stop.is_set():
                sent = time.monotonic()
                try:
                    conn.request("POST", "/v1/predict", body=bodies[rng.randrange(len(bodies))],
                                 headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    body = response.read()
                    version = json.loads(body).get("model_version") if response.status == 200 else None
                    outcome = response.status
                except (OSError, http.client.HTTPException, ValueError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                    outcome, version = "lost", None
                with lock:
                    answers.append((sent, time.monotonic(), outcome, version))
            conn.close()

        # A short warm load, so the memory baseline includes the activations a load needs.
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(5)
        stop.set()
        for t in threads:
            t.join()
        answers.clear()
        time.sleep(2)
        rss_start = rss_mb(server.pid)

        # live[version] = (start of the reload that brought it, end of the one that replaced it)
        live = {base_version: [0.0, float("inf")]}
        current = base_version
        reloads = {"ok": 0, "refused_as_expected": 0, "unexpected": []}
        reload_ms = []
        checks = []

        def reload_to(version, corrupt=None):
            nonlocal current
            if corrupt == "weights":
                write_manifest(version)
                with open(weights_path, "wb") as f:
                    f.write(b"not a safetensors file")
            elif corrupt == "format":
                write_manifest(version, format_version=999)
            else:
                write_manifest(version)
            started = time.monotonic()
            status, body = call("POST", f"/v1/models/{name}/reload", admin=True)
            ended = time.monotonic()
            if corrupt:
                shutil.copyfile(good_weights, weights_path)
                write_manifest(current)
                listed = json.loads(call("GET", "/v1/models")[1])["models"][0]
                ok = (status == 422 and json.loads(body)["error"]["code"] == "load_failed"
                      and listed["version"] == current and listed["error"])
                checks.append({"corrupt": corrupt, "status": status, "served_after": listed["version"],
                               "listed_error": listed["error"]})
                if ok:
                    reloads["refused_as_expected"] += 1
                else:
                    reloads["unexpected"].append((version, status, body[:200]))
                return
            if status != 200:
                reloads["unexpected"].append((version, status, body[:200]))
                return
            live[current][1] = ended
            live[version] = [started, float("inf")]
            current = version
            reloads["ok"] += 1
            reload_ms.append((ended - started) * 1000)

        stop.clear()
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        load_started = time.monotonic()
        for t in threads:
            t.start()
        rss_max = rss_start
        k = 0
        corrupt_at = args.seconds / 2
        corrupt_done = False
        while time.monotonic() - load_started < args.seconds:
            time.sleep(args.every)
            rss_max = max(rss_max, rss_mb(server.pid))
            k += 1
            if not corrupt_done and time.monotonic() - load_started >= corrupt_at:
                reload_to(f"{base_version}-bad-weights", corrupt="weights")
                reload_to(f"{base_version}-bad-format", corrupt="format")
                corrupt_done = True
            reload_to(f"{base_version}-r{k}")
        stop.set()
        for t in threads:
            t.join()
        load_seconds = time.monotonic() - load_started
        under_load = reloads["ok"]
        while reloads["ok"] < args.total_reloads and len(reloads["unexpected"]) < 5:
            k += 1
            reload_to(f"{base_version}-r{k}")
        time.sleep(3)
        rss_end = rss_mb(server.pid)
        metrics = call("GET", "/metrics")[1]
        reload_lines = [l for l in metrics.splitlines() if l.startswith("textserve_model_reloads_total")]

        statuses = {}
        violations = []
        for sent, finished, status, version in answers:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                start, end = live.get(version, (None, None))
                if start is None or not (start <= finished and end >= sent):
                    violations.append((round(sent - load_started, 3), round(finished - load_started, 3), version))
        latencies = sorted(f - s for s, f, st, _ in answers if st == 200)

        def pct(q):
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None

        summary = {
            "clients": args.clients,
            "load_seconds": round(load_seconds, 1),
            "requests": len(answers),
            "statuses": statuses,
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "versions_answering": len({v for *_, v in answers if v}),
            "answers_from_a_version_not_live": len(violations),
            "reloads_under_load": under_load,
            "reloads_total": reloads["ok"],
            "reload_ms_median": round(sorted(reload_ms)[len(reload_ms) // 2], 1) if reload_ms else None,
            "reload_ms_max": round(max(reload_ms), 1) if reload_ms else None,
            "corrupt_versions": checks,
            "unexpected_reload_results": reloads["unexpected"],
            "reload_metrics": reload_lines,
            "rss_mb_before_reloads": round(rss_start, 1),
            "rss_mb_max_under_load": round(rss_max, 1),
            "rss_mb_after_reloads": round(rss_end, 1),
            "rss_change_percent": round(100 * (rss_end - rss_start) / rss_start, 1),
        }
        print(json.dumps(summary, ensure_ascii=False))
        failed = (set(statuses) != {"200"} or violations or reloads["unexpected"]
                  or reloads["refused_as_expected"] != 2 or abs(summary["rss_change_percent"]) > 10)
        sys.exit(1 if failed else 0)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
