#!/usr/bin/env python3
"""Check the try-it page (/) in a real headless Chromium, through chromedriver's W3C WebDriver API.

Standard library only. Runs against an already running server that requires --api-key:

    scripts/browser-check.py --base-url http://127.0.0.1:8080 --api-key KEY

Needs `chromedriver` and a Chromium (Debian: apt-get install chromium chromium-driver).
Prints one line per passed check; exits 1 with a FAIL line at the first miss, 2 on a setup error.
"""
import argparse
import base64
import colorsys
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CTRL, SHIFT, ENTER, TAB = "\ue009", "\ue008", "\ue007", "\ue004"
DEFAULT_TEXT = "来料检验未见异常，可以入库 👍 OK "  # a non-BMP character: code points != UTF-16 units


class CheckFailed(Exception):
    pass


class OutOfTime(Exception):
    pass


def fail(msg):
    raise CheckFailed(msg)


def passed(name, msg):
    print(f"PASS {name}: {msg}", flush=True)


# ---------------------------------------------------------------- the API, called directly
def api(base, method, path, body=None, key=None, timeout=30):
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = "Bearer " + key
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode("utf-8", "replace")


# ---------------------------------------------------------------- a minimal WebDriver client
class WebDriver:
    def __init__(self, url):
        self.url, self.sid = url, None

    def call(self, method, path, body=None, timeout=60):
        if path.startswith("~"):
            path = f"/session/{self.sid}" + path[1:]
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"content-type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            try:
                v = json.loads(e.read())["value"]
                msg = f"{v.get('error')}: {v.get('message', '').splitlines()[0] if v.get('message') else ''}"
            except Exception:
                msg = str(e)
            raise RuntimeError(f"WebDriver {method} {path}: {msg}") from None

    def js(self, script, *args):
        return self.call("POST", "~/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        return self.call("POST", "~/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        self.call("POST", f"~/element/{self.find(css)}/click")

    def clear(self, css):
        self.call("POST", f"~/element/{self.find(css)}/clear")

    def type(self, css, text):
        self.call("POST", f"~/element/{self.find(css)}/value", {"text": text})

    def keys(self, *seq):
        """Press keys through the Actions API: each item is a key, or a tuple of keys held together."""
        acts = []
        for item in seq:
            group = item if isinstance(item, tuple) else (item,)
            acts += [{"type": "keyDown", "value": k} for k in group]
            acts += [{"type": "keyUp", "value": k} for k in reversed(group)]
        self.call("POST", "~/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": acts}]})
        self.call("DELETE", "~/actions")

    def hover(self, element_id):
        self.call("POST", "~/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                   "actions": [{"type": "pointerMove", "duration": 0, "origin": {ELEMENT: element_id}, "x": 0, "y": 0}]}]})
        self.call("DELETE", "~/actions")

    def wait(self, script, what, timeout=20, *args):
        end = time.monotonic() + timeout
        while True:
            value = self.js(script, *args)
            if value:
                return value
            if time.monotonic() > end:
                fail(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromedriver():
    found = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.access("/usr/bin/chromedriver", os.X_OK) else None)
    if not found:
        print("SETUP: chromedriver not found on PATH or at /usr/bin/chromedriver "
              "(Debian: apt-get install chromium chromium-driver)", file=sys.stderr)
        sys.exit(2)
    return found


# ---------------------------------------------------------------- page-side helpers (JS)
WF = "const wf = (s) => (s == null || !s.toWellFormed) ? s : s.toWellFormed();\n"

JS_STATE = WF + r"""
const q = (s) => document.querySelector(s);
const rows = [...document.querySelectorAll('#bars .prob')].map((r) => ({
  label: r.dataset.label, num: (r.querySelector('.num') || r).textContent.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)?.pop(),
  weight: parseInt(getComputedStyle(r.querySelector('.name') || r).fontWeight, 10)}));
const ex = q('#explanation');
return {error: wf(q('#error')?.textContent || ''), model: wf(q('#model')?.textContent || ''), rows,
  legend: wf(q('#legend')?.textContent || ''), result: wf(q('#result')?.textContent || ''),
  text: ex ? wf(ex.textContent) : null,
  words: ex ? [...ex.querySelectorAll('.word')].map((w) => ({text: wf(w.textContent), a: w.dataset.attribution,
    tab: w.tabIndex, aria: wf(w.getAttribute('aria-label') || '')})) : []};
"""

JS_CONTRAST = WF + r"""
const parse = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
const bgOf = (node) => { const chain = []; for (let n = node; n && n.nodeType === 1; n = n.parentElement) chain.unshift(n);
  let c = [255, 255, 255, 1]; for (const n of chain) { const b = parse(getComputedStyle(n).backgroundColor); if (b) c = over(b, c); } return c; };
const lum = (c) => { const v = c.slice(0, 3).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const base = bgOf(document.querySelector('#explanation'));
return [...document.querySelectorAll('#explanation .word')].map((w) => { const bg = bgOf(w);
  const fg = over(parse(getComputedStyle(w).color) || [0, 0, 0, 1], bg);
  return {text: wf(w.textContent), a: parseFloat(w.dataset.attribution), bg, fg, ratio: ratio(fg, bg),
    dist: Math.hypot(bg[0] - base[0], bg[1] - base[1], bg[2] - base[2])}; });
"""

# Which visible elements (or the focused/hovered word's ::before/::after) show `num`?
JS_VISIBLE_NUMBER = WF + r"""
const [word, nums] = arguments;
const hits = [];
for (const e of document.body.querySelectorAll('*')) {
  if (e.closest('#bars') || e.matches('script,style')) continue;
  const own = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
  const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
  if (r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0 && nums.some((n) => own.includes(n)))
    hits.push((e.id ? '#' + e.id : e.tagName.toLowerCase()) + ': ' + wf(own.trim().slice(0, 80)));
}
for (const p of ['::before', '::after']) {
  const cs = getComputedStyle(word, p);
  if (cs.content && cs.content !== 'none' && cs.display !== 'none' && cs.visibility !== 'hidden' && nums.some((n) => cs.content.includes(n)))
    hits.push('word' + p + ': ' + cs.content);
}
return hits;
"""


def number_forms(a):
    s = f"{abs(a):.3f}"
    return [f"+{s}", f"-{s}", f"\u2212{s}", s] if a != 0 else [s]


# ---------------------------------------------------------------- the checks
def compare_result(st, expected, text, what, attributions=True):
    probs = expected["probabilities"]
    got = {r["label"]: r for r in st["rows"]}
    if set(got) != set(probs):
        fail(f"{what}: #bars has .prob rows for {sorted(got)}, the API has labels {sorted(probs)}")
    total = 0.0
    for label, p in probs.items():
        try:
            shown = float(got[label]["num"])
        except (TypeError, ValueError):
            fail(f"{what}: .prob row for {label!r} shows no number")
        total += shown
        if abs(shown - p) > 0.0005 + 1e-9:
            fail(f"{what}: probability of {label!r} shown as {shown}, the API says {p:.6f}")
    if abs(total - 1) > 0.0006 * len(probs) + 1e-9:
        fail(f"{what}: shown probabilities sum to {total:.4f}, not ~1")
    top = got[expected["label"]]["weight"]
    others = [r["weight"] for l, r in got.items() if l != expected["label"]]
    if top < 600 or any(w >= 600 for w in others):
        fail(f"{what}: the predicted label {expected['label']!r} is not the only bold one (weights {[(l, r['weight']) for l, r in got.items()]})")
    if expected["label"] not in st["result"]:
        fail(f"{what}: the predicted label {expected['label']!r} is not shown in #result")
    if st["text"] != text:
        fail(f"{what}: #explanation shows {st['text']!r}, not the original text {text!r} "
             "(code-point slicing, or gaps/trailing text dropped?)")
    cps = list(text)  # Python indexes code points, as the API's start/end do
    want = [w for w in expected["words"] if 0 <= w["start"] < w["end"] <= len(cps)]
    if len(st["words"]) != len(want):
        fail(f"{what}: {len(st['words'])} .word elements, the API returned {len(want)} words")
    for i, (page, api_w) in enumerate(zip(st["words"], want)):
        span = "".join(cps[api_w["start"]:api_w["end"]])
        if page["text"] != span:
            fail(f"{what}: word {i} shows {page['text']!r}, text[{api_w['start']}:{api_w['end']}] is {span!r}")
        if attributions:
            try:
                a = float(page["a"])
            except (TypeError, ValueError):
                fail(f"{what}: word {i} {span!r} has no numeric data-attribution ({page['a']!r})")
            if abs(a - api_w["attribution"]) > 0.0005:
                fail(f"{what}: word {i} {span!r} has data-attribution {a}, the API says {api_w['attribution']:.6f}")
    return len(want)


def submit_and_wait(wd, how, check):
    wd.js("document.getElementById('result').textContent = ''; document.getElementById('error').textContent = '';")
    if how == "keyboard":
        wd.js("document.getElementById('text').focus();")
        if wd.js("return document.activeElement && document.activeElement.id") != "text":
            fail(f"{check}: could not focus #text")
        wd.keys((CTRL, ENTER))
    else:
        wd.click("#go")
    wd.wait("return document.querySelector('#error').textContent.trim() || "
            "(document.querySelector('#legend') && document.querySelectorAll('#bars .prob').length > 0)",
            f"{check}: a result (#legend and #bars .prob) or an #error after submitting by {how}", 60)
    return wd.js(JS_STATE)


def run_checks(wd, base, key, text):
    origin = base.rstrip("/")

    # --- the server must require the key, or check b means nothing
    status, _ = api(origin, "GET", "/v1/models")
    if status != 401:
        print(f"SETUP: GET /v1/models without a key answered {status}, not 401: run the server with --api-key", file=sys.stderr)
        sys.exit(2)
    status, models = api(origin, "GET", "/v1/models", key=key)
    if status != 200:
        print(f"SETUP: GET /v1/models with the key answered {status}: {models}", file=sys.stderr)
        sys.exit(2)
    model = models["models"][0]

    # a. the page loads, and loads only same-origin resources
    wd.call("POST", "~/url", {"url": origin + "/"})
    wd.wait("return document.readyState === 'complete' && !!document.querySelector('#text')", "a: the page to load")
    for sel in ("#text", "#key", "#method", "#label", "#go", "#error", "#result"):
        if not wd.js("return !!document.querySelector(arguments[0])", sel):
            fail(f"a: the page has no {sel}")
    wd.wait("return !/^Loading/.test(document.querySelector('#model').textContent)", "a: the model line to be filled", 15)
    res = wd.js(r"""
      const o = location.origin, bad = [], seen = [];
      const chk = (what, u) => { if (!u) return; let x; try { x = new URL(u, location.href); } catch (e) { bad.push(what + ' ' + u); return; }
        seen.push(x.href); if (x.origin !== o) bad.push(what + ' ' + u); };
      for (const e of performance.getEntriesByType('resource')) chk('resource', e.name);
      for (const s of document.scripts) chk('script', s.getAttribute('src'));
      for (const l of document.querySelectorAll('link[href]')) chk('link', l.href);
      for (const a of document.links) chk('a', a.href);
      for (const i of document.images) chk('img', i.currentSrc || i.src);
      for (const e of document.querySelectorAll('[src],[srcset],object[data]')) chk(e.tagName, e.getAttribute('src') || e.getAttribute('data'));
      for (const s of document.querySelectorAll('style')) for (const m of s.textContent.matchAll(/(?:@import|url\()\s*['"]?([^'")\s]+)/g)) chk('css', m[1]);
      const nav = performance.getEntriesByType('navigation')[0];
      return {bad, n: seen.length, status: nav ? nav.responseStatus : null, origin: o};""")
    if res["status"] not in (None, 0, 200):
        fail(f"a: the page answered HTTP {res['status']}")
    if res["bad"]:
        fail(f"a: the page loaded or links to other origins: {res['bad']}")
    passed("a", f"page loaded; {res['n']} resources/links, all same-origin ({res['origin']})")

    # b. without a key: 401 in #error, and the model line asks for a key
    if wd.js("return document.querySelector('#key').value") != "":
        fail("b: #key is not empty on load")
    if wd.js("return document.querySelector('#key').type") != "password":
        fail("b: #key is not an input of type=password")
    wd.clear("#text")
    wd.type("#text", "来料检验未见异常，可以入库")
    st = submit_and_wait(wd, "click", "b")
    if not st["error"].startswith("401 "):
        fail(f"b: without a key, #error shows {st['error']!r} (expected '401 <code>: <message>')")
    if wd.js("return document.querySelector('#error').getAttribute('role')") != "alert":
        fail("b: #error is not role=alert")
    if "key" not in st["model"].lower():
        fail(f"b: without a key the model line says {st['model']!r}, which does not ask for a key")
    passed("b", f"no key → #error {st['error']!r}; model line: {st['model']!r}")

    # c. key + Chinese text, submitted with Ctrl+Enter only; compare with a direct POST
    req = {"text": text, "method": "occlusion"}
    status, expected = api(origin, "POST", "/v1/explain", req, key=key, timeout=60)
    if status != 200:
        fail(f"c: direct POST /v1/explain answered {status}: {expected}")
    wd.type("#key", key)
    wd.clear("#text")
    try:
        wd.type("#text", text)
    except RuntimeError:  # chromedriver types BMP characters only: type what it can, set the rest
        bmp = "".join(ch for ch in text if ord(ch) <= 0xFFFF)
        wd.clear("#text")
        wd.type("#text", bmp)
        wd.js("const t = document.getElementById('text'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));", text)
    if wd.js("return document.getElementById('text').value") != text:
        fail("c: could not put the text into #text")
    st = submit_and_wait(wd, "keyboard", "c")
    if st["error"]:
        fail(f"c: Ctrl+Enter with the key gave #error {st['error']!r}")
    n = compare_result(st, expected, text, "c")
    wd.wait("return document.querySelector('#model').textContent.includes(arguments[0])",
            f"c: the model line to name {model['name']!r} once the key is typed (GET /v1/models with the key)", 10, model["name"])
    passed("c", f"Ctrl+Enter → label {expected['label']!r}, {len(st['rows'])} bars matching the API, "
                f"{n} words reproducing the text with matching attributions")

    # d. contrast of every highlighted word; the colours diverge and grow with |attribution|
    words = wd.js(JS_CONTRAST)
    if not words:
        fail("d: no .word elements")
    low = [w for w in words if w["ratio"] < 4.5]
    if low:
        w = low[0]
        fail(f"d: {len(low)} word(s) below contrast 4.5, e.g. {w['text']!r} ratio {w['ratio']:.2f} "
             f"(text {[round(x) for x in w['fg'][:3]]} on {[round(x) for x in w['bg'][:3]]})")
    peak = max(words, key=lambda w: abs(w["a"]))
    if abs(peak["a"]) > 0 and peak["dist"] < 30:
        fail(f"d: the strongest word {peak['text']!r} ({peak['a']:+.3f}) is hardly highlighted")
    pos = max(words, key=lambda w: w["a"])
    neg = min(words, key=lambda w: w["a"])
    note = ""
    if pos["a"] > 0.25 * abs(peak["a"]) and -neg["a"] > 0.25 * abs(peak["a"]):
        hue = lambda c: colorsys.rgb_to_hsv(*(x / 255 for x in c[:3]))[0] * 360
        d = abs(hue(pos["bg"]) - hue(neg["bg"]))
        if min(d, 360 - d) < 60:
            fail(f"d: colours do not diverge: supporting {pos['text']!r} and opposing {neg['text']!r} have similar hues")
        note = f"; supporting/opposing hues differ by {min(d, 360 - d):.0f}°"
    # Only words whose weight the page can show apart: colours are 8-bit, so words far below
    # the peak (a confident model's occlusion gives most words < 0.1 % of it) all render at
    # the palest step.
    visible = 0.05 * abs(peak["a"])
    for sign in (1, -1):
        same = sorted((w for w in words if w["a"] * sign > 0), key=lambda w: abs(w["a"]))
        if (len(same) >= 2 and abs(same[-1]["a"]) >= visible
                and abs(same[-1]["a"]) > 2 * abs(same[0]["a"]) + 1e-9
                and same[-1]["dist"] <= same[0]["dist"]):
            fail(f"d: intensity not ∝ |attribution|: {same[-1]['text']!r} ({same[-1]['a']:+.3f}) is no stronger "
                 f"than {same[0]['text']!r} ({same[0]['a']:+.3f})")
    passed("d", f"{len(words)} words, minimum contrast {min(w['ratio'] for w in words):.2f}{note}")

    # e. Tab reaches every control, then the words; a focused/hovered word shows its number
    wd.click("#model")  # a click on plain text puts the sequential-focus starting point at the top
    order = []
    for _ in range(40):
        wd.keys(TAB)
        cur = wd.js("const a = document.activeElement; return a ? (a.classList.contains('word') ? '.word' : a.id || a.tagName) : null")
        order.append(cur)
        if cur == ".word":
            break
    missing = [c for c in ("text", "key", "method", "label", "go") if c not in order]
    if missing or order[-1] != ".word":
        shown = order if len(order) <= 12 else order[:12] + ["…"]
        fail(f"e: Tab order {shown} misses {missing or 'the highlighted words'}")
    focused = []
    for i in range(2):
        # What shows the number before this word has focus (e.g. a legend's max) does not count.
        upcoming = wd.js("const a = document.activeElement; const ws = [...document.querySelectorAll('#explanation .word')];"
                         "return ws[ws.indexOf(a) + 1] || null" if i else
                         "return document.querySelector('#explanation .word')")
        if i:
            if not upcoming:
                break
            up_a = float(wd.js("return arguments[0].dataset.attribution", upcoming))
            before = set(wd.js(JS_VISIBLE_NUMBER, upcoming, number_forms(up_a)))
            wd.keys(TAB)
        else:
            up_a = float(wd.js("return arguments[0].dataset.attribution", upcoming))
            wd.keys((SHIFT, TAB))
            before = set(wd.js(JS_VISIBLE_NUMBER, upcoming, number_forms(up_a)))
            wd.keys(TAB)
        info = wd.js("const w = document.activeElement; if (!w || !w.classList.contains('word')) return null;"
                     "const cs = getComputedStyle(w); return {id: w.textContent.toWellFormed(), a: parseFloat(w.dataset.attribution), aria: w.getAttribute('aria-label') || '',"
                     "tab: w.tabIndex, outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 || cs.boxShadow !== 'none',"
                     "ref: w}")
        if not info:
            if i == 0:
                fail("e: Tab back to the first word did not focus it")
            break
        nums = number_forms(info["a"])
        if info["tab"] != 0:
            fail(f"e: word {info['id']!r} has tabindex {info['tab']}, not 0")
        if not any(x in info["aria"] for x in nums):
            fail(f"e: word {info['id']!r} aria-label {info['aria']!r} lacks its attribution {nums[0]}")
        if not info["outline"]:
            fail(f"e: focused word {info['id']!r} has no visible focus outline")
        if info["ref"] != upcoming:
            fail(f"e: Tab did not move focus to the next word {info['id']!r}")
        hits = [h for h in wd.js(JS_VISIBLE_NUMBER, info["ref"], nums) if h not in before]
        if not hits:
            fail(f"e: focusing word {info['id']!r} shows its attribution {nums[0]} nowhere visible (that was not shown before)")
        focused.append(f"{info['id']!r} → {hits[0]}")
    last = wd.js("const w = [...document.querySelectorAll('#explanation .word')].pop();"
                 "document.getElementById('text').focus(); return {ref: w, id: w.textContent.toWellFormed(), a: parseFloat(w.dataset.attribution)}")
    wd.hover(wd.find("#model"))
    before = set(wd.js(JS_VISIBLE_NUMBER, last["ref"], number_forms(last["a"])))
    wd.hover(last["ref"][ELEMENT])
    hits = [h for h in wd.js(JS_VISIBLE_NUMBER, last["ref"], number_forms(last["a"])) if h not in before]
    if not hits:
        fail(f"e: hovering word {last['id']!r} shows its attribution {last['a']:+.3f} nowhere visible")
    passed("e", f"Tab order {' → '.join(order[:order.index('.word')])} → words; focus shows "
                f"{'; '.join(focused)}; hover {last['id']!r} → {hits[0]}")

    # h. the "explain label" select explains another label (occlusion: deterministic)
    others = [l for l in expected["probabilities"] if l != expected["label"]]
    if others:
        other = others[0]
        wd.click(f'#label option[value="{other}"]')
        st = submit_and_wait(wd, "click", "h")
        if st["error"]:
            fail(f"h: explaining {other!r} gave #error {st['error']!r}")
        status, exp2 = api(origin, "POST", "/v1/explain", {"text": text, "method": "occlusion", "label": other}, key=key, timeout=60)
        if status != 200:
            fail(f"h: direct POST /v1/explain label={other!r} answered {status}: {exp2}")
        compare_result(st, exp2, text, "h")
        if other not in st["legend"]:
            fail(f"h: the legend {st['legend']!r} does not name the explained label {other!r}")
        wd.click('#label option[value=""]')
        passed("h", f"explain label {other!r}: attributions match the API; legend names it")

    # f. method shap via the select
    wd.click('#method option[value="shap"]')
    if wd.js("return document.getElementById('method').value") != "shap":
        fail("f: could not choose shap in #method")
    st = submit_and_wait(wd, "keyboard", "f")
    if st["error"]:
        fail(f"f: shap gave #error {st['error']!r}")
    status, exp3 = api(origin, "POST", "/v1/explain", {"text": text, "method": "shap"}, key=key, timeout=60)
    if status != 200:
        fail(f"f: direct POST /v1/explain method=shap answered {status}: {exp3}")
    n = compare_result(st, exp3, text, "f")  # the server's default seed makes shap repeatable
    if "shap" not in st["legend"].lower():
        fail(f"f: the legend {st['legend']!r} does not name the method shap")
    if not expected["explained_label"] in st["legend"]:
        fail(f"f: the legend {st['legend']!r} does not name the explained label {expected['explained_label']!r}")
    passed("f", f"shap → {n} words, legend: {st['legend'][:90]!r}…")

    # g. the key stays in page memory only
    stored = wd.js("const dump = (s) => { const o = {}; for (let i = 0; i < s.length; i++) o[s.key(i)] = s.getItem(s.key(i)); return o; };"
                   "return {local: JSON.stringify(dump(localStorage)), session: JSON.stringify(dump(sessionStorage)),"
                   "cookie: document.cookie, url: location.href};")
    leaks = [k for k, v in stored.items() if key in v]
    if leaks:
        fail(f"g: the API key is in {leaks}")
    passed("g", "the key is in none of localStorage, sessionStorage, document.cookie, the URL")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--text", default=DEFAULT_TEXT, help="comment to classify (default has a non-BMP character)")
    ap.add_argument("--timeout", type=int, default=120, help="overall limit in seconds")
    ap.add_argument("--screenshot", help="save a PNG of the page here at the end (pass or fail); after the "
                    "checks pass, the page first explains --screenshot-text")
    ap.add_argument("--screenshot-text", default="虽然包装简单，但是来料检验未见异常，可以入库")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()

    def out_of_time(*_):
        raise OutOfTime(f"overall timeout of {args.timeout}s")
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)

    started = time.monotonic()
    driver = find_chromedriver()
    port = free_port()
    proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wd = WebDriver(f"http://127.0.0.1:{port}")
    code = 0
    try:
        end = time.monotonic() + 20
        while True:
            try:
                if wd.call("GET", "/status", timeout=2).get("ready"):
                    break
            except Exception:
                pass
            if time.monotonic() > end or proc.poll() is not None:
                raise RuntimeError("chromedriver did not become ready")
            time.sleep(0.1)
        chrome = {"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--window-size=1200,1000", "--no-first-run", "--disable-extensions"]}
        if os.path.exists(args.chromium):
            chrome["binary"] = args.chromium
        session = wd.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": chrome,
            "timeouts": {"script": 30000, "pageLoad": 30000, "implicit": 0}}}})
        wd.sid = session["sessionId"]
        run_checks(wd, args.base_url, args.api_key, args.text)
        print(f"all browser checks passed in {time.monotonic() - started:.1f}s", flush=True)
        if args.screenshot:
            # What README shows: a factory note explained by occlusion.
            wd.js("const t = document.getElementById('text'); t.value = arguments[0]; "
                  "t.dispatchEvent(new Event('input', {bubbles: true}));", args.screenshot_text)
            wd.click('#method option[value="occlusion"]')
            st = submit_and_wait(wd, "click", "screenshot")
            if st["error"]:
                fail(f"screenshot: {args.screenshot_text!r} gave #error {st['error']!r}")
    except CheckFailed as e:
        print(f"FAIL {e}", file=sys.stderr, flush=True)
        code = 1
    except (OutOfTime, RuntimeError, OSError) as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
        code = 1
    finally:
        signal.alarm(0)
        if wd.sid:
            if args.screenshot:
                try:
                    with open(args.screenshot, "wb") as f:
                        f.write(base64.b64decode(wd.call("GET", "~/screenshot", timeout=10)))
                except Exception as e:
                    print(f"(screenshot failed: {e})", file=sys.stderr)
            try:
                wd.call("DELETE", "~", timeout=10)
            except Exception:
                pass
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        try:  # chromium children of the driver, if the session did not close them
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    sys.exit(code)


if __name__ == "__main__":
    main()
