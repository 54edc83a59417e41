#!/usr/bin/env python3
"""Generate the zh-manufacturing behavioural test suite (CheckList style).

Run from the repository root (Python 3 standard library only, fixed seed):

    python3 scripts/gen-zh-manufacturing-suite.py

It writes, under suites/zh-manufacturing/:
  train.jsonl            the training/tuning part of the suite
  heldout.jsonl          the held-out part (the only part that is reported)
  synthetic-train.jsonl  synthetic training examples built from the TRAINING part only
  dev.jsonl              the dev part, for model selection: training frames, a vocabulary of its own
  README.md              what the suite tests, the case format, how the parts are disjoint

The words and sentences are data, not code: suites/zh-manufacturing/vocabulary/train.json,
heldout.json and dev.json hold each side's vocabulary, frames and written-out sentences (the
D / S / F helpers below document their fields), so that editing one side never shows another
side's words.  This script is the logic.  `make suites-check` (in CI) regenerates every file
and fails unless the result is byte for byte what is committed.

Why the held-out part is disjoint from the training part
--------------------------------------------------------
Everything comes from two separate definitions, TRAIN and HELDOUT.  Each has its own
sentence frames (templates), its own content vocabulary (parts and processes, equipment,
defects, good states, praise and complaint adjectives, services, contexts, line / station /
batch ids, contrast clauses, actions, intensifiers) and its own written-out sentences.
synthetic-train.jsonl is generated from TRAIN only.  The training side is deliberately much
broader than the held-out side (about ten times the parts and many times the defects and
good states after the third, fourth and fifth vocabulary rounds, three times the frames, fourteen
degree adverbs against three, 12000 synthetic lines spread evenly over 119 templates), so that a model trained on it learns the constructions rather than a template
or a small vocabulary; the held-out part and its random stream (its own random.Random) are
unaffected by anything on the training side.  Before anything is written the script
asserts that:
  (a) no held-out vocabulary item equals, contains or is contained in a training item
      (items of two or more characters; single characters, the negation cues
      未/没/无/不, contrast connectives and a few generic words are shared on purpose);
  (b) frame ids and frame patterns of the two parts are disjoint;
  (c) no held-out text (INV/DIR variants included) equals a training-part or synthetic
      text after normalisation (spaces, punctuation, full/half width, traditional forms);
  (d) no written-out held-out sentence is in the training data, and no text of one side
      contains a vocabulary item of the other side (so written-out held-out sentences
      use no training vocabulary either);
  (e) synthetic-train.jsonl has the planned size, balanced labels, no template above 3 % of
      the lines, and no training-side text uses a held-out degree adverb (十分 / 相当 / 极其).

The dev part (dev.jsonl)
------------------------
The training part shares its vocabulary with synthetic-train.jsonl, so it cannot show how a
model copes with words it never saw.  The dev part fills that gap for model selection: it is
built from the TRAINING frames (reused) with a third content vocabulary DEV_* (parts and
equipment, defects, good states, praise / complaint words, services, contexts, line / station /
batch ids, written-out sentences; the training degree adverbs are reused on purpose), with its
own random.Random (SEED + 4) drawn after everything else, so the other three files do not
change.  It is never trained on and never reported.  Asserted before anything is written:
  (f) no dev vocabulary item equals, contains or is contained in a training or a held-out item
      (two or more characters), and the dev part uses no held-out degree adverb;
  (g) every dev frame is a training frame;
  (h) no dev text (INV/DIR variants and written-out sentences included) equals a text of
      train.jsonl, heldout.jsonl or synthetic-train.jsonl after normalisation;
  (i) no dev text contains a training or held-out vocabulary item, and no text of the other
      three files (synthetic training data included) contains a dev vocabulary item;
  plus unique ids across the three suite files, 30+ cases per capability, 300-400 cases.
"""

import importlib.util
import json
import os
import random
import re
import sys
import unicodedata
from collections import Counter, OrderedDict

SEED = 20240611
OUT_DIR = os.path.join("suites", "zh-manufacturing")
SCRIPT = "scripts/gen-zh-manufacturing-suite.py"

POS, NEG = "positive", "negative"

CAPABILITIES = [
    "negated_defect", "negated_praise", "double_negation", "contrast",
    "domain_defect", "domain_ok", "intensity", "invariance",
]
CAP_PREFIX = {
    "negated_defect": "nd", "negated_praise": "np", "double_negation": "dn",
    "contrast": "ct", "domain_defect": "dd", "domain_ok": "ok",
    "intensity": "in", "invariance": "iv",
}

# Cases per capability (written-out cases included).
TARGETS = {
    "train": {"negated_defect": 62, "negated_praise": 56, "double_negation": 50, "contrast": 62,
              "domain_defect": 46, "domain_ok": 46, "intensity": 44, "invariance": 50},
    "dev": {"negated_defect": 50, "negated_praise": 46, "double_negation": 44, "contrast": 50,
            "domain_defect": 42, "domain_ok": 42, "intensity": 36, "invariance": 40},
    "heldout": {"negated_defect": 70, "negated_praise": 68, "double_negation": 64, "contrast": 70,
                "domain_defect": 55, "domain_ok": 55, "intensity": 54, "invariance": 64},
}

# Synthetic training examples per family; positive and negative add up to 6000 each.
# Within a family the frames take turns, so every frame gets about the same share
# (intensity sentences join the plain good-state / defect families).
SYNTH_QUOTAS = OrderedDict([
    ("negated_defect", (POS, 2250)),
    ("domain_defect", (NEG, 1800)),
    ("negated_praise", (NEG, 1800)),
    ("domain_ok", (POS, 1350)),
    ("double_negation_pos", (POS, 750)),
    ("double_negation_neg", (NEG, 750)),
    ("contrast_pos", (POS, 1650)),
    ("contrast_neg", (NEG, 1650)),
])
# No synthetic template may supply more than this share of the lines (asserted).
SYNTH_MAX_TEMPLATE_SHARE = 0.03


# --------------------------------------------------------------------------------------
# Vocabulary helpers
# --------------------------------------------------------------------------------------

def D(n=None, v=None, bu=None, again=False, xx=False, count=False, sev=None, every=False,
      bad=None, ev=False, you=None, wenti=True, stop=True, evv=True, huan=True):
    """A defect and the forms it takes naturally.

    n      noun form, after 无/没有/未发现/未见/出现/有 ("裂纹", "过热现象")
    v      verb form, "{subject}{v}" is a plain report ("主轴异响", "导轨磨损")
    bu     negated-adjective form ("不漏油", "不松动")
    again  "{subject}又{v}了" is natural
    xx     "{n}现象" is natural
    count  countable spots: "连一处{n}都没有", "没有一个不带{n}的"
    sev    "{v}得厉害" is natural (default: whenever there is a verb form)
    every  "没有一个不{v}的" is natural for a batch of parts
    bad    the complaint clause used in contrasts, when the default reads badly
    ev     an event that happens (or stops happening) over time: "{key}现象再也没出现过",
           "{subject}从来没{v}过", "{subject}{bu}了", "{key}的毛病又犯了" (training frames)
    you    "{subject}有{n}" is natural (default: only when there is no verb form)
    wenti  "{subject}的{key}问题…" is natural (training frames; not for keys that are a problem
           already, "质量问题", "电气故障", or a phrase, "吱吱响")
    stop   "{subject}因{key}停机" is natural for an event (training frame; not for "跳停")
    evv    for an event with a verb form, "修完以后{subject}不再{v}" / "{subject}从来没{v}过" are
           natural (training frames; not for subject-predicate compounds, "读数漂移")
    huan   "{subject}{v}，不得不更换" is natural (training frame; not for a fault of supply,
           setting or load: "缺相", "缺油", "卡料"-like jams, "报故障")
    """
    return {"n": n, "v": v, "bu": bu, "again": again, "xx": xx, "count": count,
            "sev": bool(v) if sev is None else sev, "every": every, "bad": bad, "ev": ev,
            "you": (v is None) if you is None else you, "wenti": wenti, "stop": stop, "evv": evv,
            "huan": huan}


def S(name, kind, defects, oks, batch=False, repair=True, drawing=True, swap=True, rework=True):
    """A part, process or piece of equipment with the defects and good states that fit it.

    batch   "这批{name}" makes sense (countable parts)
    repair  "不返修不行" makes sense for its defects
    drawing "这批{name}达不到图纸要求" makes sense (training frame; not for goods in transit,
            garments, labels ...)
    swap    "{name}…，不得不更换" / "{name}换新以后…" make sense (training frames; not for a
            boiler, a machining centre or a whole line)
    rework  "{name}有…，不得不返工" / "需要返工" / "待返修" make sense (not for raw material,
            goods in transit, tablets, liquids ...)
    """
    return {"name": name, "kind": kind, "defects": defects, "oks": oks, "batch": batch,
            "repair": repair, "drawing": drawing, "swap": swap,
            "rework": rework}


# --------------------------------------------------------------------------------------
# TRAINING part: vocabulary
# --------------------------------------------------------------------------------------

# The vocabularies, frames and written-out sentences are data, one file per side, so that editing
# the training side never shows a held-out or dev word: suites/zh-manufacturing/vocabulary/
# train.json (the training part and the synthetic data, all vocabulary rounds), heldout.json and
# dev.json. Each holds NAME: value for the names below; sets, tuples and dicts with non-string
# keys are tagged ({"__set__": [...]}, {"__tuple__": [...]}, {"__pairs__": [[k, v], ...]}).
VOCABULARY_DIR = os.path.join(OUT_DIR, "vocabulary")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__set__" in value:
            return {_decode(v) for v in value["__set__"]}
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        if "__pairs__" in value:
            return {_decode(k): _decode(v) for k, v in value["__pairs__"]}
        if "__odict__" in value:
            return OrderedDict((_decode(k), _decode(v)) for k, v in value["__odict__"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def load_side(side):
    with open(os.path.join(VOCABULARY_DIR, side + ".json"), encoding="utf-8") as f:
        return {name: _decode(value) for name, value in json.load(f).items()}


globals().update(load_side("train"))
globals().update(load_side("heldout"))
globals().update(load_side("dev"))



# Defects that can keep coming back: "{subject}{key}不断" ("变频器报错不断").
# Equipment that can "出故障" / be "一切正常", and the subset that "运行" (powered machines).

# --- third round (written after 2.0.0, without reading the held-out or dev lists): more
# defects and equipment from machining, hydraulics, pneumatics, electrical cabinets, coating,
# casting blanks, packaging and assembly, so that the synthetic data covers more of the
# characters factory notes use. `extend_training_vocabulary` drops any of them that equals,
# contains or is contained in a held-out or dev item, or appears in a held-out or dev text.


# "{subject}{quantity}不{adj}": a quantity where high/large is bad.

# (subject phrase, praise adjective, kind, gradable) for negated praise.
# Praise adjectives that do not take a bare 不 ("做工不精良" reads oddly; "不够精良" is fine).

# (subject, praise adjective, kind) that can wear off: "{subj}没有以前{adj}了".

# Decay subjects that are not "used" ("焊接质量用了不到一个月" reads wrong).

# (who, what they should have done) for "{who}没有{what}".
# (who, what is still outstanding) for "{who}迟迟没有{what}" / "{who}到现在还没{what}".

# Surfaces for "{subject}没有一处不{adj}".

# (context, kinds it fits, subjects it does not fit: welds are not incoming material ...)


# Intensity (DIR) pairs and intensifiers.
# Degree adverbs of the training side (the held-out side uses 十分 / 相当 / 极其 only).
# Adjectives of complaints (the intensifier makes things worse) and praise words that take
# colloquial 超 / 实在是 / 太…了 naturally.

# Synthetic-only tails by kind (training vocabulary as well).

# --- fourth round (written without reading the held-out or dev lists): many more industries
# and processes (machining, welding, casting and forging, stamping, moulding, coating and
# plating, SMT and electronics, wiring, textiles and garments, food and pharma packaging,
# printing and labelling, chemical plants, refrigeration, boilers, hydraulics, pneumatics,
# conveyors and sorting, robots, lifting and trucks, pumps, valves, seals, gearboxes, sensors
# and networks, woodworking, glass and tiles, logistics, after-sales) and the everyday words
# operators use (毛病, 故障, 隐患, 吱吱响, 霉点, 水垢, 跳停 ...).  Like the third round it goes
# through `extend_training_vocabulary`, which drops every item that equals, contains or is
# contained in a held-out or dev item or appears in a held-out or dev text (printing counts
# only); a subject keeps only its surviving defects and good states.


# New defects for subjects that already exist (training side only).

# "{subject}{key}不断" (never a key that starts with 断: "断纱不断" reads as a pun).

# Quantities where high / large is bad (不良率-style rates among them): "{subject}{quantity}偏{adj}".
# (subject phrase, praise adjective, kind, gradable) for negated praise and plain praise.
# (subject, praise adjective, kind) that can wear off.
# Subjects a context does not fit (a coating is not incoming material; goods in transit,
# raw material and returned repairs have no first-article inspection).
# Synthetic tails that do not fit a subject (garments and goods are not "assembled" ...).
# Actions that do not fit a subject: a process is not sent back; subjects with rework=False
# get no "需要返工" / "待返修" either (added by extend_training_vocabulary).

# --- fifth round (written without reading the held-out or dev lists): industries and processes
# the earlier rounds cover thinly or not at all (semiconductors and wafers, batteries and cells,
# solar modules, optics and displays, medical devices, pharma capsules and coated tablets, food
# processing and the cold chain, beverages and bottling, paper and corrugated boxes, tyres and
# rubber, cables and wire drawing, ceramics, cement and concrete, steel rolling, aluminium
# extrusion, shipbuilding, aerospace composites, automotive assembly, HVAC, lifts and cranes,
# grinding, EDM, 3D printing, laser cutting, dyeing, leather, furniture, toys, cosmetics,
# warehouses and AGVs, networks and MES software, power distribution, water treatment) and more
# of the everyday words operators and customers use (掉链子, 趴窝, 卡壳, 罢工, 松动, 磨损, 发黄,
# 掉色, 刮花, 哐当响 ...).  Like the third and fourth rounds it goes through
# `extend_training_vocabulary`, which drops every item that equals, contains or is contained in a
# held-out or dev item or appears in a held-out or dev text; a subject keeps only its surviving
# defects and good states.


# New defects for subjects of the earlier rounds (training side only).

# Equipment that can "出故障" / be "一切正常", and the subset that "运行" (powered machines).
# "{subject}{key}不断" (never a key that starts with 断).

# Subjects a context does not fit (surfaces, structures and processes are not incoming
# material; raw material, goods in transit and liquids have no first-article inspection).
# Synthetic tails that do not fit a subject (food, drugs, garments and goods are not "assembled";
# consumables and fluids are not "started up" ...).
# Filled by extend_training_vocabulary (tail / action -> training subjects it does not fit;
# exact names, so the held-out and dev parts are never affected).


# --------------------------------------------------------------------------------------
# HELD-OUT part: vocabulary (disjoint from the training lists above; asserted)
# --------------------------------------------------------------------------------------







# Closers that do not fit a subject (an outer carton is not assembled).




def heldout_intensifiers_for(adj):
    """Which held-out intensifiers sit naturally before `adj`."""
    if adj in ("多", "慢", "长", "大"):
        return ["相当"]
    if len(adj) == 1:
        return ["相当", "十分"]
    if adj in ("严重", "稳定", "可靠", "专业", "明显", "精确", "顺畅", "耐用", "细腻", "清晰"):
        return ["十分", "相当", "极其"]
    return ["十分", "相当"]


def train_intensifiers_for(adj):
    """Training intensifiers that sit naturally before `adj` with no other change (DIR cases).

    Every adverb goes with praise and with complaints alike, so none is tied to a label;
    比较 (it softens) and 尤其 (it wants a comparison) are kept out of the DIR cases.
    """
    out = ["非常", "特别", "很", "挺", "真", "蛮"]
    if adj in TRAIN_COMPLAINT_ADJ:
        out += ["太", "超", "实在是"]
    elif adj in TRAIN_SUBJECTIVE_PRAISE:
        out += ["超", "实在是"]
    if len(adj) == 2:
        out += ["格外", "颇为", "更加"]
    return out


def train_int_forms(adj):
    """(before, after) intensifier forms for the synthetic intensity sentences."""
    forms = [(i, "") for i in train_intensifiers_for(adj)] + [("比较", "")]
    if adj not in TRAIN_COMPLAINT_ADJ and adj not in TRAIN_SUBJECTIVE_PRAISE:
        forms.append(("超", ""))            # colloquial "超平整", "超灵活" (not in DIR cases)
    if adj in TRAIN_COMPLAINT_ADJ or adj in TRAIN_SUBJECTIVE_PRAISE:
        forms.append(("太", "了"))          # "噪音太大了" / "售后团队太给力了"
    if len(adj) == 2:
        forms.append(("尤其", ""))
    return forms


# --------------------------------------------------------------------------------------
# Frames.  F(id, capability, label, pattern, source, prefix)
#   source names the slot generator in `combos`; prefix: "any" (context or line id or
#   nothing), "ctx" (context or nothing), "line" (line id or nothing), "none".  Pattern strings are compared across
#   parts (assertion b), so the two parts never share a frame.
# --------------------------------------------------------------------------------------

def F(fid, cap, label, pattern, source, prefix="any"):
    return {"id": fid, "cap": cap, "label": label, "pattern": pattern, "source": source,
            "prefix": prefix}



# Intensity and invariance frames (own lists as well).



# --------------------------------------------------------------------------------------
# Written-out sentences (not from templates).  Written as operators, QC engineers and
# customers write notes.  Labels are meant to be unambiguous to a native reader.
# --------------------------------------------------------------------------------------

# (base, variants, label of the base: praise -> not_lower, complaint -> not_raise)



# --------------------------------------------------------------------------------------
# DEV part: the TRAINING side's frames with a third, separate content vocabulary
# (disjoint from both the training and the held-out vocabulary; asserted).  It measures how
# a model trained on synthetic-train.jsonl handles words it never saw in training, for model
# selection; it is never trained on and never reported.
# --------------------------------------------------------------------------------------


# Training frames the dev vocabulary does not fit ("{subj}因{key}停机" wants a machine that
# stops because of the fault; "显示器因花屏停机" reads wrong).


def dev_intensifiers_for(adj):
    """Training degree adverbs (shared on purpose) that sit naturally before a dev adjective."""
    out = ["非常", "特别", "很", "挺", "真", "蛮"]
    if adj in DEV_COMPLAINT_ADJ:
        out.append("太")
    if len(adj) == 2:
        out += ["格外", "颇为"]
    return out


def dev_int_forms(adj):
    forms = [(i, "") for i in dev_intensifiers_for(adj) if i != "太"]
    if adj in DEV_COMPLAINT_ADJ:
        forms.append(("太", "了"))
    return forms


# Written-out dev sentences: no training or held-out vocabulary item (asserted).


def make_part(name):
    if name == "train":
        return {
            "name": "train", "tag": "t",
            "defects": TRAIN_DEFECTS, "subjects": TRAIN_SUBJECTS, "levels": TRAIN_LEVELS,
            "praise_pairs": TRAIN_PRAISE_PAIRS, "good_actions": TRAIN_GOOD_ACTIONS,
            "services": TRAIN_SERVICES, "surfaces": TRAIN_SURFACES,
            "contexts": TRAIN_CONTEXTS, "lines": TRAIN_LINES, "batches": TRAIN_BATCHES,
            "numbers": TRAIN_NUMBERS, "actions": TRAIN_ACTIONS, "closers": TRAIN_CLOSERS,
            "minor_bad": TRAIN_MINOR_BAD, "minor_good": TRAIN_MINOR_GOOD,
            "good_generic": TRAIN_GOOD_GENERIC, "bad_generic": TRAIN_BAD_GENERIC,
            "dir_praise": TRAIN_DIR_PRAISE, "dir_complaint": TRAIN_DIR_COMPLAINT,
            "intensifiers": TRAIN_INTENSIFIERS, "intensifiers_for": train_intensifiers_for,
            "pos_tails": TRAIN_POS_TAILS, "neg_tails": TRAIN_NEG_TAILS, "bad_style": "plain",
            "decay": TRAIN_DECAY, "pending": TRAIN_PENDING_ACTIONS, "no_plain_bu": TRAIN_NO_PLAIN_BU,
            "int_forms": train_int_forms,
            "machines": TRAIN_MACHINES, "powered": TRAIN_POWERED, "buduan": TRAIN_BUDUAN,
            "decay_not_used": TRAIN_DECAY_NOT_USED,
            "frames": TRAIN_FRAMES, "dir_frames": TRAIN_DIR_FRAMES, "inv_frames": TRAIN_INV_FRAMES,
            "hand": TRAIN_HAND, "hand_dir": TRAIN_HAND_DIR, "hand_inv": TRAIN_HAND_INV,
        }
    if name == "dev":
        return {
            "name": "dev", "tag": "d",
            "defects": DEV_DEFECTS, "subjects": DEV_SUBJECTS, "levels": DEV_LEVELS,
            "praise_pairs": DEV_PRAISE_PAIRS, "good_actions": DEV_GOOD_ACTIONS,
            "services": DEV_SERVICES, "surfaces": DEV_SURFACES,
            "contexts": DEV_CONTEXTS, "lines": DEV_LINES, "batches": DEV_BATCHES,
            "numbers": DEV_NUMBERS, "actions": DEV_ACTIONS, "closers": DEV_CLOSERS,
            "minor_bad": DEV_MINOR_BAD, "minor_good": DEV_MINOR_GOOD,
            "good_generic": DEV_GOOD_GENERIC, "bad_generic": DEV_BAD_GENERIC,
            "dir_praise": DEV_DIR_PRAISE, "dir_complaint": DEV_DIR_COMPLAINT,
            "intensifiers": TRAIN_INTENSIFIERS, "intensifiers_for": dev_intensifiers_for,
            "pos_tails": {"svc": ["以后接着合作"], "delivery": ["生产没受影响"]}, "neg_tails": {},
            "bad_style": "plain",
            "decay": DEV_DECAY, "pending": DEV_PENDING_ACTIONS, "no_plain_bu": set(),
            "int_forms": dev_int_forms,
            "machines": DEV_MACHINES, "powered": DEV_POWERED, "buduan": DEV_BUDUAN,
            "decay_not_used": set(),
            # the TRAINING side's frames (dev reuses them; only its vocabulary is new)
            "frames": [f for f in TRAIN_FRAMES if f["id"] not in DEV_SKIP_FRAMES],
            "dir_frames": TRAIN_DIR_FRAMES, "inv_frames": TRAIN_INV_FRAMES,
            "hand": DEV_HAND, "hand_dir": DEV_HAND_DIR, "hand_inv": DEV_HAND_INV,
        }
    return {
        "name": "heldout", "tag": "h",
        "defects": HELDOUT_DEFECTS, "subjects": HELDOUT_SUBJECTS, "levels": HELDOUT_LEVELS,
        "praise_pairs": HELDOUT_PRAISE_PAIRS, "good_actions": HELDOUT_GOOD_ACTIONS,
        "services": HELDOUT_SERVICES, "surfaces": HELDOUT_SURFACES,
        "contexts": HELDOUT_CONTEXTS, "lines": HELDOUT_LINES, "batches": HELDOUT_BATCHES,
        "numbers": HELDOUT_NUMBERS, "actions": HELDOUT_ACTIONS, "closers": HELDOUT_CLOSERS,
        "minor_bad": HELDOUT_MINOR_BAD, "minor_good": HELDOUT_MINOR_GOOD,
        "good_generic": HELDOUT_GOOD_GENERIC, "bad_generic": HELDOUT_BAD_GENERIC,
        "dir_praise": HELDOUT_DIR_PRAISE, "dir_complaint": HELDOUT_DIR_COMPLAINT,
        "intensifiers": HELDOUT_INTENSIFIERS, "intensifiers_for": heldout_intensifiers_for,
        "pos_tails": {}, "neg_tails": {}, "bad_style": "le",
        "frames": HELDOUT_FRAMES, "dir_frames": HELDOUT_DIR_FRAMES, "inv_frames": HELDOUT_INV_FRAMES,
        "hand": HELDOUT_HAND, "hand_dir": HELDOUT_HAND_DIR, "hand_inv": HELDOUT_HAND_INV,
    }


# Generic words both parts use on purpose (listed in the README); never vocabulary items.


def vocabulary_items(P):
    """Every content vocabulary item of a part (used by the disjointness assertions)."""
    items = set()
    for key, d in P["defects"].items():
        items.update([key, d["n"], d["v"], d["bu"]])
    for s in P["subjects"]:
        items.add(s["name"])
        items.update(s["oks"])
    for subj, qty, adj in P["levels"]:
        items.update([subj, qty, adj])
    for subj, adj, _, _ in P["praise_pairs"]:
        items.update([subj, adj])
    for who, what, _ in P["good_actions"]:
        items.update([who, what])
    items.update(P["services"])
    for subj, adj in P["surfaces"]:
        items.update([subj, adj])
    items.update(c for c, _, _ in P["contexts"])
    items.update(P["lines"])
    items.update(P["batches"])
    for lst in P["actions"].values():
        items.update(lst)
    for lst in P["closers"].values():
        items.update(lst)
    for key in ("minor_bad", "minor_good", "good_generic", "bad_generic"):
        items.update(P[key])
    for key in ("pos_tails", "neg_tails"):
        for lst in P[key].values():
            items.update(lst)
    for subj, adj in P["dir_praise"] + P["dir_complaint"]:
        items.update([subj, adj])
    for subj, adj, _ in P.get("decay", []) + P.get("pending", []):
        items.update([subj, adj])
    # Single characters (and None) are not content vocabulary: 高, 大, 多 ... are shared,
    # and so are the generic words no factory note can avoid.
    return {x for x in items if x and len(x) >= 2 and x not in SHARED_GENERIC}


# --------------------------------------------------------------------------------------
# Slot generators
# --------------------------------------------------------------------------------------

def subject_defects(P, pred, kinds=None, batch_only=False):
    for s in P["subjects"]:
        if kinds and s["kind"] not in kinds:
            continue
        if batch_only and not s["batch"]:
            continue
        for key in s["defects"]:
            d = P["defects"][key]
            if pred(d):
                yield s, d


def good_mains(P):
    mains = [s["name"] + ok for s in P["subjects"] for ok in s["oks"]]
    return mains + list(P["good_generic"])


def bad_mains(P, kinds=None):
    """Complaint clauses: "主轴异响", "焊缝有裂纹" (training) / "导轨磨损了", "铸件有气孔" (held-out)."""
    out = []
    for s, d in subject_defects(P, lambda d: d["v"] or d["n"], kinds=kinds):
        if d["bad"]:
            clause = d["bad"]
        elif not d["v"] or (P["bad_style"] == "le" and d["count"]):
            clause = "有" + d["n"]
        else:
            clause = d["v"] + ("了" if P["bad_style"] == "le" else "")
        out.append(s["name"] + clause)
    return out + list(P["bad_generic"])


def combos(P, source):
    """Slot dictionaries for a frame source.  `kind` drives which prefixes fit."""
    repairable = {s["name"]: s["repair"] for s in P["subjects"]}
    sd = lambda pred, **kw: [dict(subj=s["name"], kind=s["kind"], n=d["n"], v=d["v"], bu=d["bu"],
                                  x=d["n"] or d["v"])
                             for s, d in subject_defects(P, pred, **kw)]
    if source == "sd_n":
        return sd(lambda d: d["n"])
    if source == "sd_n_part":
        return sd(lambda d: d["n"], kinds={"part"})
    if source == "sd_v":
        return sd(lambda d: d["v"])
    if source == "sd_v_equip":
        return sd(lambda d: d["v"], kinds={"equip"})
    if source == "sd_v_equip_swap":   # "…，不得不更换": equipment one can replace
        swappable = {s["name"] for s in P["subjects"] if s.get("swap", True)}
        return [c for c in sd(lambda d: d["v"] and d.get("huan", True), kinds={"equip"})
                if c["subj"] in swappable]
    if source == "sd_bu":
        return sd(lambda d: d["bu"])
    if source == "sd_again":
        return sd(lambda d: d["again"])
    if source == "sd_xx":
        return sd(lambda d: d["xx"])
    if source == "sd_count":
        return sd(lambda d: d["count"])
    if source == "sd_sev":
        return sd(lambda d: d["sev"])
    if source == "sd_sev_equip":
        return sd(lambda d: d["sev"], kinds={"equip"})
    if source == "sd_sev_part":
        return [c for c in sd(lambda d: d["sev"], kinds={"part"}) if repairable[c["subj"]]]
    if source in ("sd_n_action", "sd_v_action", "sd_again_action", "sd_n_batch_action"):
        base = {"sd_n_action": lambda: sd(lambda d: d["n"]),
                "sd_v_action": lambda: sd(lambda d: d["v"]),
                "sd_again_action": lambda: sd(lambda d: d["again"]),
                "sd_n_batch_action": lambda: sd(lambda d: d["n"], batch_only=True)}[source]()
        return [dict(c, action=a) for c in base for a in P["actions"][c["kind"]]
                if c["subj"] not in TRAIN_ACTION_MISFITS.get(a, ())]
    fits = lambda subj, kind: [cl for cl in P["closers"][kind] if (subj, cl) not in CLOSER_MISFITS]
    if source == "sd_n_close":
        return [dict(c, close=cl) for c in sd(lambda d: d["n"]) for cl in fits(c["subj"], c["kind"])]
    if source == "level":
        kinds = {s["name"]: s["kind"] for s in P["subjects"]}
        return [dict(subj=s, qty=q, adj=a, kind=kinds[s]) for s, q, a in P["levels"]]
    if source == "np":
        return [dict(subj=s, adj=a, kind=k) for s, a, k, g in P["praise_pairs"]]
    if source == "np_grad":
        return [dict(subj=s, adj=a, kind=k) for s, a, k, g in P["praise_pairs"] if g]
    if source == "np_fixable":
        return [dict(subj=s, adj=a, kind=k) for s, a, k, g in P["praise_pairs"]
                if k in ("equip", "part", "delivery")]
    if source == "good_action":
        return [dict(who=w, what=t, kind=k) for w, t, k in P["good_actions"]]
    if source == "svc":
        return [dict(svc=s, kind="svc") for s in P["services"]]
    if source == "ok":
        return [dict(subj=s["name"], ok=ok, kind=s["kind"]) for s in P["subjects"] for ok in s["oks"]]
    if source == "ok_batch":
        return [dict(subj=s["name"], ok=ok, kind=s["kind"]) for s in P["subjects"]
                for ok in s["oks"] if s["batch"]]
    if source == "ok_close":
        return [dict(subj=s["name"], ok=ok, kind=s["kind"], close=cl) for s in P["subjects"]
                for ok in s["oks"] for cl in fits(s["name"], s["kind"])]
    if source == "batch_part":
        return [dict(part=s["name"], kind="part") for s in P["subjects"] if s["batch"]]
    if source == "batch_count":
        return [dict(part=s["name"], n=d["n"], kind="part")
                for s, d in subject_defects(P, lambda d: d["count"], batch_only=True)]
    if source == "batch_every":
        return [dict(part=s["name"], v=d["v"], kind="part")
                for s, d in subject_defects(P, lambda d: d["every"], batch_only=True)]
    if source == "surface":
        kinds = {s["name"]: s["kind"] for s in P["subjects"]}
        return [dict(subj=s, adj=a, kind=kinds.get(s, "part")) for s, a in P["surfaces"]]
    # The two clauses of a contrast never talk about the same thing ("包装简单…包装完好").
    if source == "c_pos":
        return [dict(a=a, b=b) for a in P["minor_bad"] for b in good_mains(P) if a[:2] not in b]
    if source in ("c_neg", "c_neg2"):
        return [dict(a=a, b=b) for a in P["minor_good"] for b in bad_mains(P) if a[:2] not in b]
    if source == "c_neg_func":  # 只是/只不过 only with a functional failure, never a cosmetic one
        return [dict(a=a, b=b) for a in P["minor_good"] for b in bad_mains(P, kinds={"equip"})
                if a[:2] not in b]
    if source == "c_que_n":
        return [dict(a=a, subj=c["subj"], n=c["n"]) for a in P["minor_good"]
                for c in sd(lambda d: d["n"] and not d["v"])]
    if source == "c_que_v":
        return [dict(a=a, subj=c["subj"], v=c["v"]) for a in P["minor_good"]
                for c in sd(lambda d: d["v"] and len(d["v"]) == 2)]
    if source in ("dir_praise", "dir_complaint"):
        return [dict(subj=s, adj=a, kind=kind_of(P, s)) for s, a in P[source]]
    if source.startswith("t_"):
        return combos_train(P, source)
    raise KeyError(source)


def combos_train(P, source):
    """Slot generators used only by training frames (the held-out part never calls these)."""
    assert P["name"] in ("train", "dev"), source   # dev: training frames, dev vocabulary
    rows = [(s, key, P["defects"][key]) for s in P["subjects"] for key in s["defects"]]

    def sd(pred, kinds=None, batch_only=False):
        return [dict(subj=s["name"], kind=s["kind"], key=key, n=d["n"], v=d["v"], bu=d["bu"])
                for s, key, d in rows
                if pred(d) and (not kinds or s["kind"] in kinds) and (not batch_only or s["batch"])]

    def pairs(s, pred):
        keys = [k for k in s["defects"] if pred(P["defects"][k])]
        return [(P["defects"][a], P["defects"][b]) for i, a in enumerate(keys) for b in keys[i + 1:]]

    subjects = P["subjects"]
    batch = [s for s in subjects if s["batch"]]
    if source == "t_count":
        return sd(lambda d: d["count"])
    if source == "t_ev":
        return sd(lambda d: d["ev"])
    if source == "t_ev_equip":
        return sd(lambda d: d["ev"], kinds={"equip"})
    if source == "t_ev_bu":
        return sd(lambda d: d["ev"] and d["bu"])
    if source == "t_ev_v":
        return sd(lambda d: d["ev"] and d["v"] and d["evv"])
    if source == "t_ev_v_equip":   # "开机没有一次不{v}的": powered machines only
        return [c for c in sd(lambda d: d["ev"] and d["v"] and d["evv"], kinds={"equip"})
                if c["subj"] in P["powered"]]
    if source == "t_key":      # "{key}问题": every defect with a noun form that takes 问题
        return sd(lambda d: d["n"] and d["wenti"])
    if source == "t_ev_stop":  # "{subj}因{key}停机": events that stop the machine
        return sd(lambda d: d["ev"] and d["stop"], kinds={"equip"})
    if source == "t_batch_drawing":   # "这批{part}达不到图纸要求": parts made to a drawing
        return [dict(part=s["name"], kind="part") for s in batch if s["drawing"]]
    if source == "t_v":            # "刚才发现{subj}{v}了": not for forms that end in 了 already
        return sd(lambda d: d["v"] and not d["v"].endswith("了"))
    if source == "t_part_n":
        return sd(lambda d: d["n"], kinds={"part"})
    if source == "t_batch_look":  # countable batches, countable defects, a count
        return [dict(c, num=num) for c in sd(lambda d: d["count"], kinds={"part"}, batch_only=True)
                for num in P["numbers"]]
    if source == "t_look2":        # "外观良好，无{n}、无{n2}": specific defects, not "质量问题"
        return [dict(subj=s["name"], kind=s["kind"], n=a["n"], n2=b["n"]) for s in subjects
                if s["kind"] == "part"
                for a, b in pairs(s, lambda d: d["n"] and not d["ev"] and d["wenti"])]
    if source == "t_n2":
        return [dict(subj=s["name"], kind=s["kind"], n=a["n"], n2=b["n"]) for s in subjects
                for a, b in pairs(s, lambda d: d["n"])]
    if source == "t_batch_num":
        return [dict(part=s["name"], kind="part", num=num) for s in batch for num in P["numbers"]]
    if source == "t_batch_n":
        return [dict(part=c["subj"], kind="part", n=c["n"]) for c in sd(lambda d: d["n"], batch_only=True)]
    if source == "t_batch_count":
        return [dict(part=c["subj"], kind="part", n=c["n"])
                for c in sd(lambda d: d["count"], batch_only=True)]
    if source == "t_equip":
        return [dict(subj=s["name"], kind="equip") for s in subjects if s["name"] in P["machines"]]
    if source == "t_powered_action":
        return [dict(subj=s["name"], kind="equip", action=a) for s in subjects if s["name"] in P["powered"]
                for a in P["actions"]["equip"]]
    if source == "t_buduan":
        return [c for c in sd(lambda d: d["ev"]) if c["key"] in P["buduan"]]
    if source == "t_you_action":
        return [dict(c, action=a) for c in sd(lambda d: d["n"] and d["you"]) for a in P["actions"][c["kind"]]
                if c["subj"] not in TRAIN_ACTION_MISFITS.get(a, ())]
    if source == "t_you_part":
        return sd(lambda d: d["n"] and d["you"], kinds={"part"})
    if source == "t_you_part_rework":   # "…，不得不返工": only what can be reworked
        reworkable = {s["name"] for s in subjects if s.get("rework", True)}
        return [c for c in sd(lambda d: d["n"] and d["you"], kinds={"part"}) if c["subj"] in reworkable]
    if source == "t_you_batch":
        return [dict(part=c["subj"], kind="part", n=c["n"])
                for c in sd(lambda d: d["n"] and d["you"], batch_only=True)]
    if source == "t_ok_fix":       # repaired / replaced / used for months: powered, repairable kit
        return [dict(subj=s["name"], kind="equip", ok=ok) for s in subjects
                if s["kind"] == "equip" and s["repair"] for ok in s["oks"]]
    if source == "t_ok_swap":      # "换新以后": the same, only what one can replace
        return [dict(subj=s["name"], kind="equip", ok=ok) for s in subjects
                if s["kind"] == "equip" and s["repair"] and s.get("swap", True) for ok in s["oks"]]
    if source == "t_ok2":
        return [dict(subj=s["name"], kind=s["kind"], ok=a, ok2=b) for s in subjects
                for a in s["oks"] for b in s["oks"] if a != b]
    if source in ("t_ok_part", "t_ok_equip"):
        kind = source.rsplit("_", 1)[1]
        return [dict(subj=s["name"], kind=kind, ok=ok) for s in subjects if s["kind"] == kind
                for ok in s["oks"]]
    if source == "t_praise_all":
        return [dict(subj=s, adj=a, kind=k) for s, a, k, g in P["praise_pairs"]]
    if source == "t_praise_svc":
        return [dict(subj=s, adj=a, kind=k, ptail=t) for s, a, k, g in P["praise_pairs"]
                if k in ("svc", "delivery") for t in P["pos_tails"][k]]
    if source == "t_np_plain":
        return [dict(subj=s, adj=a, kind=k) for s, a, k, g in P["praise_pairs"]
                if a not in P["no_plain_bu"]]
    if source == "t_decay":
        return [dict(subj=s, adj=a, kind=k) for s, a, k in P["decay"]]
    if source == "t_decay_phys":   # "用了不到一个月就不…了": only things that are used
        return [dict(subj=s, adj=a, kind=k) for s, a, k in P["decay"]
                if k in ("equip", "part") and s not in P["decay_not_used"]]
    if source == "t_pending":
        return [dict(who=w, what=t, kind=k) for w, t, k in P["pending"]]
    if source == "t_complaint_int":
        return [dict(subj=s, adj=a, int=i, kind=kind_of(P, s)) for s, a in P["dir_complaint"]
                for i in ("太", "真", "实在是", "非常", "特别")]
    if source == "t_praise_int":
        return [dict(subj=s, adj=a, int=i, kind=kind_of(P, s)) for s, a in P["dir_praise"]
                for i in P["intensifiers_for"](a) if i in ("真", "实在是", "非常", "特别", "格外", "很")]
    if source == "t_c_neg_eval":   # "…，就是{b}": b is a complaint, often intensified ("噪音太大了")
        evals = list(P["bad_generic"]) + bad_mains(P) + \
            [s + pre + a + post for s, a in P["dir_complaint"] for pre, post in P["int_forms"](a)]
        return [dict(a=a, b=b) for a in P["minor_good"] for b in evals if a[:2] not in b]
    if source == "t_c_pos_eval":   # "…，但整体上{b}": b is an overall judgement
        evals = list(P["good_generic"]) + [s + adv + a for s, a, k, g in P["praise_pairs"]
                                           if g and k == "part"
                                           for adv in ("很", "挺", "非常", "特别", "真", "比较")]
        return [dict(a=a, b=b) for a in P["minor_bad"] for b in evals if a[:2] not in b]
    raise KeyError(source)


def kind_of(P, phrase):
    """Kind of a subject phrase: the longest known subject it starts with."""
    known = [(s, k) for s, _, k, _ in P["praise_pairs"]] + \
            [(w, k) for w, _, k in P["good_actions"]] + \
            [(s["name"], s["kind"]) for s in P["subjects"]]
    best = max((s for s in known if phrase.startswith(s[0])), key=lambda s: len(s[0]),
               default=(None, None))
    return best[1]


def prefixes(P, frame, slots):
    """Every prefix that fits a frame and its slots ("" first)."""
    out = [""]
    kind = slots.get("kind")
    mode = frame["prefix"]
    if mode == "none" or kind is None:
        return out
    if mode in ("any", "ctx"):
        # A frame that opens with its own clause ("不得不说，", "检查…，") only takes a
        # "…：" context, never a second "…，" clause in front.
        opens_with_word = not frame["pattern"].startswith("{")
        subject = slots.get("subj") or slots.get("part") or ""
        for ctx, kinds, misfits in P["contexts"]:
            if kind not in kinds or any(subject.startswith(m) for m in misfits):
                continue
            if opens_with_word and not ctx.endswith("："):
                continue
            if any(str(v) in ctx for v in slots.values() if v):
                continue
            out.append(ctx)
    if mode in ("any", "line") and kind in ("equip", "part"):
        out.extend(P["lines"])
    return out


def render(frame, slots):
    return frame["pattern"].format(**dict({"int": ""}, **slots))


# --------------------------------------------------------------------------------------
# Normalisation, traditional characters, width
# --------------------------------------------------------------------------------------

# Simplified -> traditional (Taiwan usage) for the characters the INV bases use.
S2T_CHARS = (
    "划劃采採历歷发發现現异異检檢验驗设設备備运運转轉报報质質线線号號没沒无無问問题題货貨时時说說观觀这這"
    "个個满滿轴軸响響电電机機热熱松鬆动動齐齊产產后後对對块塊损損坏壞过過纹紋锈鏽蚀蝕变變"
    "缝縫缩縮飞飛边邊挂掛壳殼冲沖压壓减減来來装裝稳穩灵靈润潤饱飽匀勻洁潔确確缘緣温溫规規"
    "范範图圖纸紙与與头頭阀閥门門齿齒轮輪导導轨軌涂塗层層铸鑄传傳带帶协協气氣丝絲钣鈑"
    "闸閘伤傷渗滲顿頓脱脫翘翹级級终終记記录錄评評价價维維修修厂廠认認为為从從们們两兩还還"
    "进進实實际際应應试試车車间間单單据據证證务務员員态態师師业業调調场場换換计計处處结結"
    "书書样樣贵貴买買订訂数數总總厉厲严嚴紧緊适適锋鋒弹彈细細腻膩标標识識铭銘专專谱譜达達"
    "续續连連开開关關闭閉钢鋼铁鐵铝鋁铜銅销銷节節东東风風让讓给給会會里裡么麼几幾余餘"
    "着著叶葉术術种種于於万萬须須杠槓通通知知隔隔离離准準抽抽件件部部全全批批次次缺缺"
    "监監测測现現样樣视視觉覺组組织織务務装裝卡卡压壓罚罰听聽读讀写寫觉覺军軍层層"
    "湿濕经經验驗油油迹跡护護挡擋级級剂劑类類项項错錯误誤长長门門问問间間闻聞阅閱"
    "扰擾扫掃挂掛拥擁择擇击擊执執扩擴热熱烧燒灯燈炉爐状狀犹猶疗療盘盤码碼础礎确確"
    "离離种種积積称稱稳穩穷窮窜竄竞競笔筆筑築签簽简簡约約红紅纤纖级級纪紀纳納纯純纷紛"
    "组組细細织織终終绍紹经經绑綁结結绕繞绘繪给給络絡绝絕统統继繼续續维維综綜绿綠缓緩"
    "编編缘緣网網罗羅职職联聯肤膚胁脅脉脈胶膠脏髒脑腦舱艙艺藝节節苏蘇范範荐薦药藥获獲"
    "虑慮虽雖蛮蠻补補装裝见見观觀规規视視览覽触觸订訂计計认認讨討让讓训訓议議记記讲講"
    "许許论論设設访訪证證评評识識诉訴试試诚誠话話询詢该該详詳语語误誤说說请請读讀调調"
    "谈談谢謝负負贡貢财財责責败敗货貨质質购購贯貫费費贴貼资資赶趕趋趨跃躍车車转轉轻輕"
    "较較辆輛输輸辑輯边邊达達过過迟遲选選递遞遗遺邮郵钻鑽铅鉛铺鋪链鏈销銷锁鎖错錯键鍵"
    "镜鏡长長门門闪閃闲閒间間闷悶阶階际際陈陳险險随隨隐隱难難页頁顶頂项項顺順须須顾顧"
    "领領频頻颗顆题題额額风風饭飯馆館驱驅验驗鱼魚鸟鳥黄黃齐齊龙龍"
    "体體"
)
S2T = {}
for i in range(0, len(S2T_CHARS), 2):
    S2T[S2T_CHARS[i]] = S2T_CHARS[i + 1]
# Phrases whose characters map differently from the table (准予 stays 准予 ...).
S2T_PHRASES = [("标签", "標籤"), ("准予", "准予"), ("准许", "准許"), ("复检", "複檢"), ("复查", "複查"),
               ("复测", "複測"), ("复位", "復位"), ("恢复", "恢復"), ("一周", "一週"),
               ("只是", "只是"), ("干净", "乾淨"), ("控制", "控制"), ("制造", "製造"),
               ("精致", "精緻"), ("一致", "一致"), ("联系", "聯繫")]
# Characters whose traditional form depends on the word: only converted inside a phrase
# above; a base holding one elsewhere gets no traditional variant.
S2T_AMBIGUOUS = set("准复周只干制致系")
T2S = {t: s for s, t in S2T.items() if s != t}
T2S.update({"複": "复", "復": "复", "週": "周", "乾": "干", "製": "制", "緻": "致", "籤": "签", "繫": "系"})


def to_traditional(text):
    """Whole-sentence traditional form, or None when a character is not covered."""
    out, i = [], 0
    while i < len(text):
        for simp, trad in S2T_PHRASES:
            if text.startswith(simp, i):
                out.append(trad)
                i += len(simp)
                break
        else:
            ch = text[i]
            if ch in S2T_AMBIGUOUS:
                return None
            if ch in S2T:
                out.append(S2T[ch])
            elif is_shared_form(ch):
                out.append(ch)
            else:
                return None
            i += 1
    return "".join(out)


def is_shared_form(ch):
    """A character that is written the same in simplified and traditional Chinese.

    Approximation: anything that is not a CJK ideograph, or an ideograph that Big5
    (a traditional character set) can encode.  The few simplified-only forms that Big5
    also holds are listed in S2T / S2T_AMBIGUOUS.
    """
    if not ("\u4e00" <= ch <= "\u9fff"):
        return True
    try:
        ch.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


def to_fullwidth(text):
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def normalize(text):
    """Comparison key: NFKC (full/half width), no spaces or punctuation, simplified forms."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(T2S.get(c, c) for c in t)
    return "".join(c for c in t if not (c.isspace() or unicodedata.category(c)[0] in "PSZ"))


# --------------------------------------------------------------------------------------
# Invariance variants
# --------------------------------------------------------------------------------------

def inv_ops(P):
    lines, batches, numbers = P["lines"], P["batches"], P["numbers"]

    def swap_line(t, rng):
        present = [x for x in lines if x in t]
        if not present:
            return None
        old = present[0]
        return t.replace(old, rng.choice([x for x in lines if x != old]), 1)

    def swap_batch(t, rng):
        present = [x for x in batches if x in t]
        if not present:
            return None
        old = present[0]
        return t.replace(old, rng.choice([x for x in batches if x != old]), 1)

    def swap_number(t, rng):
        m = re.search(r"(?<![0-9A-Za-z次])(\d+)(件|小时|台|天)", t)
        if not m:
            return None
        old = int(m.group(1))
        new = rng.choice([n for n in numbers if n != old])
        return t[:m.start(1)] + str(new) + t[m.end(1):]

    def ascii_punct(t, rng):
        out = t.replace("，", ",").replace("。", ".").replace("：", ":").replace("、", ",")
        return out if out != t else None

    def exclaim(t, rng):
        if t.endswith("。"):
            return t[:-1] + "！"
        if t.endswith("！"):
            return t[:-1]
        return t + "！"

    def drop_full_stop(t, rng):
        if t.endswith("。"):
            return t[:-1]
        return t + "。"

    def spaces(t, rng):
        for x in lines + batches:
            if x in t:
                return t.replace(x, x + " ", 1)
        if "，" in t:
            return t.replace("，", "， ")
        if "：" in t:
            return t.replace("：", "： ")
        return None

    def fullwidth(t, rng):
        out = to_fullwidth(t)
        return out if out != t else None

    def traditional(t, rng):
        out = to_traditional(t)
        return out if out and out != t else None

    return OrderedDict([
        ("swap_line", swap_line), ("swap_batch", swap_batch), ("swap_number", swap_number),
        ("traditional", traditional), ("fullwidth", fullwidth), ("ascii_punct", ascii_punct),
        ("spaces", spaces), ("exclaim", exclaim), ("drop_full_stop", drop_full_stop),
    ])


def inv_variants(P, text, rng):
    ops = inv_ops(P)
    content = [k for k in ("swap_line", "swap_batch", "swap_number") if ops[k](text, rng)]
    surface = [k for k in ("traditional", "fullwidth", "ascii_punct", "spaces", "exclaim",
                           "drop_full_stop") if ops[k](text, rng)]
    rng.shuffle(content)
    rng.shuffle(surface)
    # Prefer the informative edits: ids first, then traditional / full-width.
    surface.sort(key=lambda k: 0 if k in ("traditional", "fullwidth") else 1)
    chosen = content[:2] + surface
    k = rng.choice([2, 3, 3, 4])
    variants = []
    for name in chosen:
        if len(variants) >= k:
            break
        v = ops[name](text, rng)
        # Sometimes combine an id edit with a punctuation edit (like "A2工位主轴异响,已停机").
        if name.startswith("swap") and rng.random() < 0.4:
            v2 = ops["ascii_punct"](v, rng)
            v = v2 or v
        if v and v != text and v not in variants:
            variants.append(v)
    return variants


# --------------------------------------------------------------------------------------
# Building one part of the suite
# --------------------------------------------------------------------------------------

class Picker:
    """Draws distinct texts from frames, preferring cores (texts without prefix) not yet used."""

    def __init__(self, P, rng, used):
        self.P, self.rng, self.used = P, rng, used
        self.pools = {}
        self.core_count = Counter()

    def pool(self, frame):
        if frame["id"] not in self.pools:
            items = []
            for slots in combos(self.P, frame["source"]):
                core = render(frame, slots)
                items.append((core, slots))
            self.rng.shuffle(items)
            self.pools[frame["id"]] = items
        return self.pools[frame["id"]]

    def least_used(self, frame):
        """Pool items, cores used least often first (stable, so the shuffle still decides)."""
        return sorted(self.pool(frame), key=lambda item: self.core_count[item[0]])

    def draw(self, frame, prefix_rate=0.5):
        for core, slots in self.least_used(frame):
            options = prefixes(self.P, frame, slots)
            if len(options) > 1 and self.rng.random() < prefix_rate:
                order = options[1:]
                self.rng.shuffle(order)
                order = order + [""]
            else:
                order = [""] + self.rng.sample(options[1:], len(options) - 1)
            for pre in order:
                text = pre + core
                if normalize(text) not in self.used:
                    self.used.add(normalize(text))
                    self.core_count[core] += 1
                    return text, slots
        return None, None


def round_robin(frames, quota, draw):
    """Draw `quota` items cycling over frames; frames that run dry drop out."""
    out = []
    active = list(frames)
    while len(out) < quota and active:
        for frame in list(active):
            if len(out) >= quota:
                break
            item = draw(frame)
            if item is None:
                active.remove(frame)
            else:
                out.append(item)
    return out


def build_part(P, rng, forbidden=()):
    """One part of the suite; `forbidden` holds normalised texts of other parts to avoid."""
    tag = P["tag"]
    targets = TARGETS[P["name"]]
    used = set(forbidden)
    hand_norm = set()
    cases = {cap: [] for cap in CAPABILITIES}
    frame_use = Counter()

    def mft(cap, text, label, fid):
        cases[cap].append({"capability": cap, "type": "mft", "text": text, "expect": label})
        frame_use[fid] += 1

    # Written-out MFT cases first.
    for cap, items in P["hand"].items():
        for text, label in items:
            key = normalize(text)
            assert key not in used, f"duplicate written-out text {text!r}"
            used.add(key)
            hand_norm.add(key)
            mft(cap, text, label, "hand")

    picker = Picker(P, rng, used)

    def draw_mft(frame):
        text, _ = picker.draw(frame, prefix_rate=0.45)
        return None if text is None else (frame, text)

    for cap in ("negated_defect", "negated_praise", "domain_defect", "domain_ok"):
        frames = [f for f in P["frames"] if f["cap"] == cap]
        need = targets[cap] - len(cases[cap])
        for frame, text in round_robin(frames, need, draw_mft):
            mft(cap, text, frame["label"], frame["id"])

    # Contrast and double negation: balance labels over written-out + templated.
    for cap in ("contrast", "double_negation"):
        have = Counter(c["expect"] for c in cases[cap])
        need = targets[cap] - len(cases[cap])
        total = targets[cap]
        want_pos = max(0, total // 2 - have[POS]) if cap == "contrast" else max(0, (total * 9) // 20 - have[POS])
        want_pos = min(want_pos, need)
        for label, quota in ((POS, want_pos), (NEG, need - want_pos)):
            frames = [f for f in P["frames"] if f["cap"] == cap and f["label"] == label]
            got = round_robin(frames, quota, draw_mft)
            for frame, text in got:
                mft(cap, text, frame["label"], frame["id"])
        # top up from either label if one side ran dry
        short = targets[cap] - len(cases[cap])
        if short > 0:
            frames = [f for f in P["frames"] if f["cap"] == cap]
            for frame, text in round_robin(frames, short, draw_mft):
                mft(cap, text, frame["label"], frame["id"])

    # Intensity (DIR).
    for base, variants, label in P["hand_dir"]:
        for t in [base] + variants:
            key = normalize(t)
            assert key not in used, f"duplicate text {t!r}"
            used.add(key)
            hand_norm.add(key)
        cases["intensity"].append(dir_case(base, variants, label))
        frame_use["hand"] += 1

    def draw_dir(frame):
        for core, slots in picker.least_used(frame):
            options = prefixes(P, frame, slots)
            order = [""] + rng.sample(options[1:], len(options) - 1)
            if rng.random() < 0.4:
                order = order[1:] + [""]
            for pre in order:
                base = pre + render(frame, dict(slots, int=""))
                ints = P["intensifiers_for"](slots["adj"])
                ints = rng.sample(ints, min(len(ints), rng.choice([1, 2, 2])))
                variants = [pre + render(frame, dict(slots, int=i)) for i in ints]
                keys = [normalize(t) for t in [base] + variants]
                if any(k in used for k in keys):
                    continue
                used.update(keys)
                picker.core_count[core] += 1
                return frame, base, variants
        return None

    need = targets["intensity"] - len(cases["intensity"])
    for frame, base, variants in round_robin(P["dir_frames"], need, draw_dir):
        cases["intensity"].append(dir_case(base, variants, frame["label"]))
        frame_use[frame["id"]] += 1

    # Invariance (INV).
    for base in P["hand_inv"]:
        variants = inv_variants(P, base, rng)
        keys = [normalize(t) for t in [base] + variants]
        assert not any(k in used for k in keys), f"duplicate text {base!r}"
        used.update(keys)
        hand_norm.update(keys)
        cases["invariance"].append({"capability": "invariance", "type": "inv", "text": base,
                                    "variants": variants})
        frame_use["hand"] += 1

    def draw_inv(frame):
        pool = picker.pools.setdefault(frame["id"], None)
        if pool is None:
            pool = []
            for slots in combos(P, frame["source"]):
                pool.append(slots)
            rng.shuffle(pool)
            picker.pools[frame["id"]] = pool
        while pool:
            slots = pool.pop()
            filled = dict(slots, line=rng.choice(P["lines"]), batch=rng.choice(P["batches"]),
                          num=rng.choice(P["numbers"]))
            base = render(frame, filled)
            variants = inv_variants(P, base, rng)
            if len(variants) < 2:
                continue
            keys = [normalize(t) for t in [base] + variants]
            if any(k in used for k in keys):
                continue
            used.update(keys)
            return frame, base, variants
        return None

    need = targets["invariance"] - len(cases["invariance"])
    for frame, base, variants in round_robin(P["inv_frames"], need, draw_inv):
        cases["invariance"].append({"capability": "invariance", "type": "inv", "text": base,
                                    "variants": variants})
        frame_use[frame["id"]] += 1

    # Ids and order.
    ordered = []
    for cap in CAPABILITIES:
        for i, case in enumerate(cases[cap], 1):
            ordered.append(OrderedDict([("id", f"{CAP_PREFIX[cap]}-{tag}-{i:03d}")] +
                                       list(case.items())))
    return ordered, hand_norm, frame_use


def dir_case(base, variants, label):
    return {"capability": "intensity", "type": "dir", "text": base, "variants": variants,
            "label": POS, "direction": "not_lower" if label == POS else "not_raise",
            "tolerance": 0.1}


# --------------------------------------------------------------------------------------
# Synthetic training examples (TRAINING part only)
# --------------------------------------------------------------------------------------

SYNTH_FAMILIES = {
    "negated_defect": lambda f: f["cap"] == "negated_defect",
    "domain_defect": lambda f: f["cap"] == "domain_defect",
    "negated_praise": lambda f: f["cap"] == "negated_praise",
    "domain_ok": lambda f: f["cap"] == "domain_ok",
    "double_negation_pos": lambda f: f["cap"] == "double_negation" and f["label"] == POS,
    "double_negation_neg": lambda f: f["cap"] == "double_negation" and f["label"] == NEG,
    "contrast_pos": lambda f: f["cap"] == "contrast" and f["label"] == POS,
    "contrast_neg": lambda f: f["cap"] == "contrast" and f["label"] == NEG,
}


def build_synthetic(P, rng, forbidden):
    """Synthetic examples from the training frames and vocabulary only."""
    assert P["name"] == "train"
    used = set(forbidden)
    rows = []
    # Intensity sentences join the plain families: praise -> domain_ok, complaint -> domain_defect.
    dir_as = {"domain_ok": POS, "domain_defect": NEG}
    for family, (label, quota) in SYNTH_QUOTAS.items():
        frames = [f for f in P["frames"] if SYNTH_FAMILIES[family](f)]
        if family in dir_as:
            frames += [f for f in P["dir_frames"] if f["label"] == dir_as[family]]
        pools = {}
        for frame in frames:
            items = []
            for slots in combos(P, frame["source"]):
                if frame["cap"] == "intensity":
                    forms = [("", "")] + P["int_forms"](slots["adj"])
                    cores = [render(frame, dict(slots, int=pre)) + post for pre, post in forms]
                else:
                    cores = [render(frame, slots)]
                tails = P["pos_tails"] if label == POS else P["neg_tails"]
                tails = [""] + tails.get(slots.get("kind"), [])
                if frame["cap"] in ("contrast", "double_negation") or \
                        any(p in frame["pattern"] for p in "，：、"):
                    tails = [""]
                subject = slots.get("subj") or slots.get("part") or ""
                tails = [t for t in tails
                         if not any(subject.startswith(m) for m in TRAIN_TAIL_MISFITS.get(t, ()))]
                for core in cores:
                    fit = [t for t in tails if not t or (t[:2] not in core and t[-2:] not in core)]
                    for pre in prefixes(P, frame, slots):
                        # a customer does not write "可以开机": tails only on shop-floor notes
                        for tail in (fit if pre not in CUSTOMER_CONTEXTS else [""]):
                            items.append(pre + core + ("，" + tail if tail else ""))
            rng.shuffle(items)
            pools[frame["id"]] = items

        def draw(frame):
            pool = pools[frame["id"]]
            while pool:
                text = pool.pop()
                key = normalize(text)
                if key in used:
                    continue
                used.add(key)
                return frame, text
            return None

        got = round_robin(frames, quota, draw)
        assert len(got) == quota, f"synthetic family {family}: only {len(got)} of {quota}"
        for frame, text in got:
            rows.append(OrderedDict([("text", text), ("label", label),
                                     ("source", "synthetic:" + frame["id"])]))
    rng.shuffle(rows)
    return rows


def check_synthetic(rows):
    """Size, label balance and spread over templates of synthetic-train.jsonl."""
    problems = []
    want = sum(q for _, q in SYNTH_QUOTAS.values())
    if len(rows) != want:
        problems.append(f"synthetic: {len(rows)} lines, expected {want}")
    labels = Counter(r["label"] for r in rows)
    if labels[POS] != labels[NEG]:
        problems.append(f"synthetic: labels not balanced {dict(labels)}")
    for src, n in Counter(r["source"] for r in rows).items():
        if n > SYNTH_MAX_TEMPLATE_SHARE * len(rows):
            problems.append(f"synthetic: {src} has {n} lines (> {SYNTH_MAX_TEMPLATE_SHARE:.0%})")
    return problems


# --------------------------------------------------------------------------------------
# Assertions
# --------------------------------------------------------------------------------------

def all_texts(cases):
    for c in cases:
        yield c["text"]
        for v in c.get("variants", []):
            yield v


def check_disjoint(T, H, train_cases, held_cases, synth_rows, held_hand):
    problems = []
    t_items, h_items = vocabulary_items(T), vocabulary_items(H)

    # (a) vocabulary
    for h in sorted(h_items):
        for t in sorted(t_items):
            if h == t or h in t or t in h:
                problems.append(f"(a) vocabulary overlap: held-out {h!r} / training {t!r}")
    if set(T["intensifiers"]) & set(H["intensifiers"]):
        problems.append("(a) intensifier lists overlap")
    for t in list(all_texts(train_cases)) + [r["text"] for r in synth_rows]:
        for i in H["intensifiers"]:
            if i in t:
                problems.append(f"(a) training-side text {t!r} uses held-out intensifier {i!r}")

    # (b) frames
    t_frames = T["frames"] + T["dir_frames"] + T["inv_frames"]
    h_frames = H["frames"] + H["dir_frames"] + H["inv_frames"]
    if {f["id"] for f in t_frames} & {f["id"] for f in h_frames}:
        problems.append("(b) frame ids overlap")
    for pat in {f["pattern"] for f in t_frames} & {f["pattern"] for f in h_frames}:
        problems.append(f"(b) frame pattern in both parts: {pat!r}")
    if any("-t-" not in f["id"] for f in t_frames) or any("-h-" not in f["id"] for f in h_frames):
        problems.append("(b) frame id without its part tag")

    # (c) texts
    train_keys = {normalize(t) for t in all_texts(train_cases)}
    synth_keys = {normalize(r["text"]) for r in synth_rows}
    for t in all_texts(held_cases):
        k = normalize(t)
        if k in train_keys:
            problems.append(f"(c) held-out text also in train.jsonl: {t!r}")
        if k in synth_keys:
            problems.append(f"(c) held-out text also in synthetic-train.jsonl: {t!r}")
    for r in synth_rows:
        if normalize(r["text"]) in train_keys:
            problems.append(f"synthetic text also in train.jsonl: {r['text']!r}")

    # (d) written-out held-out sentences and cross-side vocabulary
    for k in held_hand:
        if k in train_keys or k in synth_keys:
            problems.append(f"(d) written-out held-out sentence in training data: {k!r}")
    for t in all_texts(held_cases):
        for item in t_items:
            if item in t:
                problems.append(f"(d) held-out text {t!r} contains training item {item!r}")
    for t in list(all_texts(train_cases)) + [r["text"] for r in synth_rows]:
        for item in h_items:
            if item in t:
                problems.append(f"(d) training-side text {t!r} contains held-out item {item!r}")

    # ids unique across both files; synthetic shape
    ids = [c["id"] for c in train_cases + held_cases]
    if len(ids) != len(set(ids)):
        problems.append("case ids are not unique")
    if len(synth_keys) != len(synth_rows):
        problems.append("synthetic texts are not unique")
    for name, cases in (("train", train_cases), ("heldout", held_cases)):
        owner = {}
        for c in cases:
            for t in all_texts([c]):
                k = normalize(t)
                if owner.setdefault(k, c["id"]) != c["id"]:
                    problems.append(f"{name}: {t!r} ({c['id']}) repeats a text of {owner[k]}")
    return problems


def check_dev(T, H, Dv, train_cases, held_cases, synth_rows, dev_cases):
    """The dev part: training frames, a vocabulary of its own, no text shared with any part."""
    problems = []
    t_items, h_items, d_items = vocabulary_items(T), vocabulary_items(H), vocabulary_items(Dv)

    # (f) dev vocabulary against the training and the held-out vocabulary
    for d in sorted(d_items):
        for side, items in (("training", t_items), ("held-out", h_items)):
            for x in sorted(items):
                if d == x or d in x or x in d:
                    problems.append(f"(f) vocabulary overlap: dev {d!r} / {side} {x!r}")
    if set(Dv["intensifiers"]) & set(H["intensifiers"]):
        problems.append("(f) dev intensifiers overlap the held-out ones")
    # (g) dev frames are training frames
    t_pats = {f["pattern"] for f in T["frames"] + T["dir_frames"] + T["inv_frames"]}
    for f in Dv["frames"] + Dv["dir_frames"] + Dv["inv_frames"]:
        if f["pattern"] not in t_pats:
            problems.append(f"(g) dev frame is not a training frame: {f['pattern']!r}")
    # (h) dev texts (variants and written-out ones included) equal no other text
    other = {normalize(t) for t in all_texts(train_cases)} | \
            {normalize(t) for t in all_texts(held_cases)} | \
            {normalize(r["text"]) for r in synth_rows}
    dev_texts = list(all_texts(dev_cases))
    for t in dev_texts:
        if normalize(t) in other:
            problems.append(f"(h) dev text also in train / heldout / synthetic: {t!r}")
    # (i) no dev text holds a training or held-out item or a held-out intensifier; no text of
    #     another part (synthetic training data included) holds a dev item
    for t in dev_texts:
        for side, items in (("training", t_items), ("held-out", h_items)):
            for item in items:
                if item in t:
                    problems.append(f"(i) dev text {t!r} contains {side} item {item!r}")
        for i in H["intensifiers"]:
            if i in t:
                problems.append(f"(i) dev text {t!r} uses held-out intensifier {i!r}")
    for t in list(all_texts(train_cases)) + list(all_texts(held_cases)) + \
            [r["text"] for r in synth_rows]:
        for item in d_items:
            if item in t:
                problems.append(f"(i) text {t!r} of another part contains dev item {item!r}")
    # ids and texts unique, size
    ids = [c["id"] for c in train_cases + held_cases + dev_cases]
    if len(ids) != len(set(ids)):
        problems.append("case ids are not unique across the three parts")
    if any("-d-" not in c["id"] for c in dev_cases):
        problems.append("dev id without its part tag")
    owner = {}
    for c in dev_cases:
        for t in all_texts([c]):
            if owner.setdefault(normalize(t), c["id"]) != c["id"]:
                problems.append(f"dev: {t!r} ({c['id']}) repeats a text of {owner[normalize(t)]}")
    caps = Counter(c["capability"] for c in dev_cases)
    for cap in CAPABILITIES:
        if caps[cap] < 30:
            problems.append(f"dev: {cap} has {caps[cap]} < 30 cases")
    if not (300 <= len(dev_cases) <= 400):
        problems.append(f"dev: {len(dev_cases)} cases, expected 300-400")
    return problems


def check_shape(name, cases):
    problems = []
    caps = Counter(c["capability"] for c in cases)
    for cap in CAPABILITIES:
        if caps[cap] == 0:
            problems.append(f"{name}: capability {cap} missing")
    if name == "heldout":
        for cap in CAPABILITIES:
            floor = 60 if cap in CAPABILITIES[:4] else 40
            if caps[cap] < floor:
                problems.append(f"heldout: {cap} has {caps[cap]} < {floor} cases")
        if len(cases) < 450:
            problems.append(f"heldout: {len(cases)} < 450 cases")
    for c in cases:
        texts = list(all_texts([c]))
        for t in texts:
            n = len(t.replace(" ", ""))
            if not (4 <= n <= 40):
                problems.append(f"{name}: text length {n} out of range: {t!r}")
        if c["type"] == "inv" and not (2 <= len(c["variants"]) <= 4):
            problems.append(f"{name}: {c['id']} has {len(c['variants'])} variants")
        if c["type"] == "mft" and ("expect" in c) == ("expect_not" in c):
            problems.append(f"{name}: {c['id']} needs exactly one of expect/expect_not")
    return problems


def check_traditional_coverage(cases):
    """A traditional INV variant must be fully converted (no simplified-only form left)."""
    problems = []
    for c in cases:
        if c["type"] != "inv":
            continue
        for v in c["variants"]:
            if not any(ch in T2S for ch in v):
                continue
            left = [ch for ch in v if ch not in S2T_AMBIGUOUS and ch not in T2S and
                    ((ch in S2T and S2T[ch] != ch) or not is_shared_form(ch))]
            if left:
                problems.append(f"traditional variant keeps simplified {left}: {v!r}")
    return problems


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def count_table(train_cases, held_cases, train_hand, held_hand_counts):
    tc = Counter(c["capability"] for c in train_cases)
    hc = Counter(c["capability"] for c in held_cases)
    lines = ["| capability | type | train | of which written-out | heldout | of which written-out |",
             "|---|---|---:|---:|---:|---:|"]
    types = {"intensity": "dir", "invariance": "inv"}
    for cap in CAPABILITIES:
        lines.append(f"| `{cap}` | {types.get(cap, 'mft')} | {tc[cap]} | {train_hand[cap]} | "
                     f"{hc[cap]} | {held_hand_counts[cap]} |")
    lines.append(f"| **total** | | {len(train_cases)} | {sum(train_hand.values())} | "
                 f"{len(held_cases)} | {sum(held_hand_counts.values())} |")
    return "\n".join(lines)


def dev_count_table(cases, hand):
    c = Counter(x["capability"] for x in cases)
    types = {"intensity": "dir", "invariance": "inv"}
    lines = ["| capability | type | dev | of which written-out |", "|---|---|---:|---:|"]
    for cap in CAPABILITIES:
        lines.append(f"| `{cap}` | {types.get(cap, 'mft')} | {c[cap]} | {hand[cap]} |")
    lines.append(f"| **total** | | {len(cases)} | {sum(hand.values())} |")
    return "\n".join(lines)


def label_table(cases):
    lines = ["| capability | positive | negative |", "|---|---:|---:|"]
    for cap in CAPABILITIES[:6]:
        c = Counter(x["expect"] for x in cases if x["capability"] == cap)
        lines.append(f"| `{cap}` | {c[POS]} | {c[NEG]} |")
    return "\n".join(lines)


def synth_table(rows):
    by_label = Counter(r["label"] for r in rows)
    fam = Counter()
    for r in rows:
        fid = r["source"].split(":", 1)[1]
        fam[(fid.split("-")[0], r["label"])] += 1
    names = {"nd": "negated defect", "np": "negated praise", "dn": "double negation",
             "ct": "contrast", "dd": "plain defect", "ok": "plain good state",
             "in": "intensifier (praise / complaint)"}
    lines = ["| template family | positive | negative |", "|---|---:|---:|"]
    for prefix in ("nd", "dd", "np", "ok", "in", "dn", "ct"):
        lines.append(f"| {names[prefix]} (`{prefix}-t-*`) | {fam[(prefix, POS)]} | {fam[(prefix, NEG)]} |")
    lines.append(f"| **total** | {by_label[POS]} | {by_label[NEG]} |")
    per_template = Counter(r["source"] for r in rows)
    return "\n".join(lines), per_template


def vocab_table(T, H):
    """Distinct vocabulary items per list, training side against held-out side."""
    def counts(P):
        praise = {a for _, a, _, _ in P["praise_pairs"]} | {a for _, a in P["dir_praise"]} | \
                 {a for _, a in P["surfaces"]}
        complaint = {a for _, a in P["dir_complaint"]} | {a for _, _, a in P["levels"]} | \
                    {q for _, q, _ in P["levels"]}
        people = set(P["services"]) | {x for w, t, _ in P["good_actions"] + P.get("pending", []) for x in (w, t)} | \
                 {s for s, _, k, _ in P["praise_pairs"] if k in ("svc", "delivery")}
        phrases = {s for s, *_ in P["praise_pairs"]} | {s for s, _ in P["dir_praise"] + P["dir_complaint"]}
        ends = {x for key in ("actions", "closers", "pos_tails", "neg_tails") for l in P[key].values() for x in l}
        return OrderedDict([
            ("parts, processes, equipment", len(P["subjects"])),
            ("defects / abnormal states", len(P["defects"])),
            ("good states", len({ok for s in P["subjects"] for ok in s["oks"]})),
            ("praise adjectives", len(praise)),
            ("complaint adjectives and quantities", len(complaint)),
            ("praise / complaint subject phrases", len(phrases)),
            ("services, delivery, people, their actions", len(people)),
            ("contexts (巡检，/ 客户反馈： …)", len(P["contexts"])),
            ("line / station / batch ids", len(P["lines"]) + len(P["batches"])),
            ("actions, closers, tails", len(ends)),
            ("contrast clauses (minor good / bad, generic)",
             sum(len(P[k]) for k in ("minor_bad", "minor_good", "good_generic", "bad_generic"))),
            ("degree adverbs", len(P["intensifiers"])),
            ("written-out sentences", sum(hand_counts(P).values())),
        ])
    t, h = counts(T), counts(H)
    lines = ["| list | training side | held-out side |", "|---|---:|---:|"]
    lines += [f"| {k} | {t[k]} | {h[k]} |" for k in t]
    return "\n".join(lines)


def frame_table(T, H):
    def counts(P):
        return Counter((f["cap"], f["label"]) for f in P["frames"] + P["dir_frames"] + P["inv_frames"])
    t, h = counts(T), counts(H)
    lines = ["| family | label | training frames | held-out frames |", "|---|---|---:|---:|"]
    for cap in CAPABILITIES:
        for label in (POS, NEG):
            if t[(cap, label)] or h[(cap, label)]:
                lines.append(f"| `{cap}` | {label} | {t[(cap, label)]} | {h[(cap, label)]} |")
    lines.append(f"| **total** | | {sum(t.values())} | {sum(h.values())} |")
    return "\n".join(lines)


def frame_list(T):
    out = []
    for cap in CAPABILITIES:
        for label in (POS, NEG):
            pats = [f["pattern"] for f in T["frames"] + T["dir_frames"] + T["inv_frames"]
                    if f["cap"] == cap and f["label"] == label]
            if pats:
                pats = list(OrderedDict.fromkeys(pats))
                out.append(f"- `{cap}` → {label}: " + " · ".join(f"`{p}`" for p in pats))
    return "\n".join(out)


def adverb_counts(rows, adverbs):
    parts = []
    for a in adverbs:
        pos = sum(1 for r in rows if r["label"] == POS and a in r["text"])
        neg = sum(1 for r in rows if r["label"] == NEG and a in r["text"])
        parts.append(f"{a} {pos} / {neg}")
    return ", ".join(parts)


def hand_counts(P):
    out = Counter({cap: len(items) for cap, items in P["hand"].items()})
    out["intensity"] = len(P["hand_dir"])
    out["invariance"] = len(P["hand_inv"])
    return out


def examples(cases, cap, n=2):
    return [c for c in cases if c["capability"] == cap][:n]


README_TEMPLATE = """# zh-manufacturing behavioural suite

A CheckList-style behavioural test suite for the default Chinese model
(labels `negative` / `positive`), aimed at the comments textserve actually receives from
factories: inspection and maintenance notes, acceptance comments, supplier reviews, delivery
and after-sales feedback.  It checks whether the model handles negation, double negation,
contrast, plain defect reports and good states, intensifiers, and edits that must not change
the answer (ids, punctuation, spacing, width, traditional characters).

Everything here is generated by `{script}` (Python 3 standard library, fixed seed
{seed}) from the word lists in `vocabulary/`.  Do not edit the generated files; edit the
script or the word lists and regenerate:

```sh
python3 {script}
```

| file | what | lines |
|---|---|---:|
| `train.jsonl` | training / tuning part of the suite: use it freely while developing | {n_train} |
| `heldout.jsonl` | held-out part: **only this part is reported**; never tune on it | {n_held} |
| `synthetic-train.jsonl` | synthetic training examples for data augmentation, generated from the training part only | {n_synth} |
| `synthetic-notes.jsonl` | synthetic factory notes in eight frames (problems removed or unresolved, negated defects and praise, double negation, contrast, plain reports), written by its own generator `scripts/gen-factory-notes.py`; see the last section | 16000 |
| `written-notes.jsonl` | synthetic factory notes in the same eight frames, written in free form by language-model writers under `scripts/prompts/written-factory-notes.md` and merged and guarded by `scripts/build-written-notes.py`; see "written-notes.jsonl" below | {wn_lines} |
| `dev.jsonl` | dev part for **model selection**: training frames with words the training data never uses; never train on it, never report it | {n_dev} |
| `v2/train.jsonl`, `v2/synthetic-train.jsonl` | the training side before the third and fourth vocabulary rounds (416 cases, 8,000 synthetic lines), as this script wrote them at commit 99f9741; kept because the default model `zh-reviews-sentiment` 2.0.0 was trained and tuned on them (its card and the 3.0.0 card's table refer to them); no shipped model uses them since 3.0.0. Not regenerated | 416 / 8000 |

## Case format

JSONL, one object per line; blank lines allowed; keep the fields exactly as named.

- MFT (minimum functionality): `{{"id": "nd-h-001", "capability": "negated_defect", "type": "mft", "text": "来料检验未见异常", "expect": "positive"}}`;
  alternatively `"expect_not": "negative"` instead of `expect` (exactly one of the two).
- INV (invariance: the prediction must not change across variants):
  `{{"id": ..., "capability": "invariance", "type": "inv", "text": "3号线主轴异响，已停机", "variants": ["5号线主轴异响，已停机", "A2工位主轴异响,已停机"]}}`
- DIR (directional: editing must not lower/raise a label's probability by more than tolerance):
  `{{"id": ..., "capability": "intensity", "type": "dir", "text": "焊接质量好", "variants": ["焊接质量非常好"], "label": "positive", "direction": "not_lower", "tolerance": 0.1}}`;
  direction is `"not_lower"` or `"not_raise"`.

`id` is unique across the three suite files: `<capability prefix>-t-NNN` in `train.jsonl`,
`<capability prefix>-h-NNN` in `heldout.jsonl`, `<capability prefix>-d-NNN` in `dev.jsonl`
(prefixes: {prefixes}).  All cases here use `expect`; none uses `expect_not`.

## Capabilities

| capability | type | what it checks | held-out examples |
|---|---|---|---|
{cap_rows}

Contrast cases are balanced between the labels; the clause after the connective decides.
Intensity cases add an intensifier to praise (`not_lower` on `positive`) or to a complaint
(`not_raise` on `positive`), tolerance 0.1.  Invariance bases are clear statements (negated
defects, plain defects and good states); each case has 2–4 variants that change line /
station / batch ids or counts, punctuation (，→, 。→. ！ added or removed), spacing,
full-width digits and letters, or write the whole sentence in traditional characters.

## Counts

{count_table}

Labels of the MFT cases:

`train.jsonl`:

{train_labels}

`heldout.jsonl`:

{held_labels}

## dev.jsonl: model selection on unseen words

`train.jsonl` is built from the same vocabulary as `synthetic-train.jsonl`, so a model trained
on the synthetic data has seen every content word of it; its score there says little about
how the model generalises (it reads far higher than the held-out part).  `dev.jsonl` measures
exactly that generalisation, so use it to choose between models, checkpoints and settings:

- **built from the training side's sentence frames**: {n_dev_frames} of its {n_train_frames}
  frames, reused as they are (`{dev_skipped}` is left out: the dev vocabulary does not fit
  it), so the constructions are ones the model was trained on;
- **with a content vocabulary of its own**, disjoint from the training vocabulary (so none of
  it ever appears in `synthetic-train.jsonl`) **and** from the held-out vocabulary: parts and
  equipment {d_subjects}; defects and abnormal states {d_defects}; praise words {d_praise};
  its own services and people, contexts, line / station / batch ids ({d_lines}), actions,
  closers and contrast clauses; the same part → fitting defects → fitting good states table
  approach, so only words that go together are combined (冷却塔有结垢, 面料不褪色, 行车溜钩).
  Only the training degree adverbs are reused on purpose (非常, 特别, 很 …; never the held-out
  十分 / 相当 / 极其);
- **{n_hand_d} written-out sentences** (叉车, 冷库, 打包机, 贴片机, 喷码机, 烘干房 …) that use
  no training or held-out vocabulary item.

It is **never trained on**, and it is **not reported**: `heldout.jsonl` stays the only
reported part.  Tuning against the dev part over many rounds slowly fits it as well, which
is one more reason the held-out part (different frames as well as different words) keeps the
final word.

{dev_count_table}

Labels of the MFT cases in `dev.jsonl`:

{dev_labels}

Before writing anything the generator asserts, for the dev part:

- (f) no dev vocabulary item equals, contains or is contained in a training or a held-out
  vocabulary item (two or more characters; {n_dev_items} dev items), and no dev text uses a
  held-out degree adverb;
- (g) every dev frame is a training frame;
- (h) no dev text, INV/DIR variants and written-out sentences included, equals a text of
  `train.jsonl`, `heldout.jsonl` or `synthetic-train.jsonl` after normalisation;
- (i) no dev text contains a training or held-out vocabulary item, and no text of the other
  three files (the synthetic training data included) contains a dev vocabulary item;
- ids are unique across the three suite files, every capability has 30+ dev cases, the part
  has 300–400 cases; the shape checks below (text length, 2–4 INV variants) apply too.

The dev part has its own random stream (its own `random.Random`, drawn after the other
parts), so adding it left `train.jsonl`, `heldout.jsonl` and `synthetic-train.jsonl`
byte-identical.

## How the held-out part is disjoint from the training part

The generator holds two separate definitions, TRAIN and HELDOUT, and builds each part from
its own:

- **sentence frames (templates)**: separate lists with separate ids (`*-t-*` / `*-h-*`) and
  different patterns (asserted); every training pattern is listed in "The training side"
  below.  Negation: held-out `{{part}}未见{{defect}}`, `{{part}}复检没查出{{defect}}`,
  `{{part}}不存在{{defect}}问题`, `{{part}}无任何{{defect}}`, `{{part}}没有出现{{defect}}现象`,
  `{{part}}连一处{{defect}}都没有`, `处理后{{part}}不松动了`, `{{part}}{{quantity}}一直不高`,
  `{{part}}{{defect}}现象没有再出现`; the training side covers the same cue families
  未 / 没 / 无 / 不 with its own {n_nd_t} frames, pre- and post-positional (`{{part}}无{{defect}}`,
  `{{part}}{{defect}}一处都没有`, `{{part}}{{defect}}：无`, `{{part}}从来没{{defect}}过`,
  `修完以后{{part}}不再{{defect}}` …).  Contrast: the connectives are shared function words, the
  frames are not: held-out 虽说…但 / …好在 / …可是 / …可惜的是 / …但 / …只不过 / 虽然…可 /
  …却…了; training 虽然…但是 / 虽然…不过 / 虽然…可是 / 虽然…好在 / 尽管… / …但是 / …不过 /
  …不过好在 / …还好 / …但整体上 / …不过总的来说 / …然而 / …可惜 / …只是 / …就是 / …但问题是 /
  …却有, most of them in both directions.  Double negation: held-out 无一不合格 /
  找不出一个不合格的 / 没有哪一件是不达标的 / 找不出一处不…的地方 / 并非没有 / 没有一个不带…的 /
  没有一个不…的 / 不否认…存在 / 不换不行 / 不返修不行; training 没有一件不合格 / 里没有不合格的 /
  不得不说 / 不得不承认 / 没有一处不… / 客户没有不说好的 / 全检下来没有一件不合格 /
  没有不满意的地方 / 不是没有 / 不能说…没有 / 不得不停机检修 / 不得不返工 / 不得不整批退货 /
  不得不更换 / 开机没有一次不…的.  A few training frames share a cue word with a held-out
  frame without sharing the frame (training `…现象再也没出现过`, `…未出现任何…`, `{{part}}不漏油了`
  against held-out `…现象没有再出现`, `…无任何…`, `处理后{{part}}不松动了`).
- **content vocabulary**: parts, processes and equipment, defects, good states, praise and
  complaint adjectives, services, contexts, line / station / batch ids, actions, contrast
  clauses and intensifiers.  Training parts: {t_subjects}.  Held-out parts: {h_subjects}.
  Training defects: {t_defects}.  Held-out defects: {h_defects}.  Training praise words:
  {t_praise}.  Held-out praise words: {h_praise}.  Intensifiers: training {t_ints}, held-out
  {h_ints}.  Each part is listed with the defects and good states that fit it (a table of
  part → fitting defects → fitting good states), so a template only combines words that go
  together (焊缝无夹渣, 导轨未见磨损; never 焊缝无掉色 or 配电箱无任何崩刃).
- **written-out sentences**: {n_hand_t} in the training part, {n_hand_h} in the held-out part,
  written separately.

What is shared on purpose: single characters (so 高 / 大 / 多 after 不 appear in both),
the negation cues 未 / 没 / 无 / 不, the contrast connectives, the literal words of a few
frames (返工, 整改 …), and generic words no factory note can avoid, which are not vocabulary
items in either part: 设备, 质量, 产品, 零件, 合格, 正常, 异常, 问题, 故障, 报警, 满意, 客户,
供应商, 售后, 检验.  Everything in the vocabulary lists, by contrast, belongs to one part only:
for example 交货, 发货 and 客服 occur only on the training side (suite and synthetic data), and
到货, 物流, 服务工程师 and 稳定 only on the held-out side.

Before writing anything the generator **asserts**:

1. (a) no held-out vocabulary item equals, contains or is contained in a training vocabulary
   item (items of two or more characters), and the intensifier lists are disjoint;
2. (b) frame ids and frame patterns of the two parts are disjoint;
3. (c) no held-out text, INV/DIR variants included, equals a training-part or synthetic text
   after normalisation (spaces and punctuation removed, NFKC for full/half width,
   traditional characters mapped back);
4. (d) no written-out held-out sentence appears in the training data, no held-out text
   (written-out ones included) contains a training vocabulary item, and no training-part or
   synthetic text contains a held-out vocabulary item.

It also checks the shape: every capability in both parts, at least 40 held-out cases per
capability (60 for the first four), 450+ held-out cases, 2–4 variants per INV case, texts of
4–40 characters, unique ids.

## The training side

The training side (`train.jsonl` and `synthetic-train.jsonl`) is deliberately much broader
than the held-out side, so that what a model learns from it is the construction (negation,
double negation, the clause after a connective, degree adverbs …), not one template or a
small vocabulary.  Vocabulary per list (distinct items; the held-out column is for
comparison, the two sides never share an item):

{vocab_table}

The training vocabulary was widened three times after the held-out and dev parts were fixed
(a third, a fourth and a fifth round, written without reading their lists; the fourth covers machining,
welding, casting and forging, stamping, moulding, coating and plating, SMT and electronics,
wiring, textiles and garments, food and pharma packaging, printing and labelling, chemical
plants, refrigeration, boilers, hydraulics, pneumatics, conveyors, robots, lifting gear,
pumps, valves and seals, gearboxes, sensors and networks, woodworking, glass and tiles,
logistics and after-sales, plus everyday words such as 毛病 / 故障 / 隐患 and noises; the
fifth adds semiconductors, batteries, solar modules, optics, medical devices, food and the
cold chain, bottling, paper and boxes, tyres, cables, ceramics, concrete, rolling and
extrusion, shipbuilding, composites, automotive assembly, lifts and cranes, grinding, EDM,
3D printing, laser cutting, dyeing, leather, furniture, toys, cosmetics, AGVs, MES software,
power distribution and water treatment, and words such as 掉链子 / 趴窝 / 卡壳).  Before
it is added, every new item that equals, contains or is contained in a held-out or dev item,
or appears in a held-out or dev text, is dropped automatically; the script prints only the
counts.  Kept: {extension_note}.  Adding them changed only `train.jsonl` and
`synthetic-train.jsonl`: the held-out and dev parts are built from their own lists and random
streams and stay byte-identical.

Frames (templates) per construction family:

{frame_table}

Training frame patterns (`{{subj}}` a part / process / equipment, `{{n}}` a defect as a noun,
`{{v}}` as a verb, `{{bu}}` its 不-form, `{{key}}` its bare name, `{{ok}}` a good state, `{{adj}}` a
praise or complaint adjective, `{{int}}` a degree adverb, `{{a}}` / `{{b}}` the minor and the
deciding clause of a contrast, `{{qty}}` a quantity such as 温升 / 不良率, `{{who}}` / `{{what}}` a
service or supplier and what it should have done, `{{svc}}` a service or batch, `{{part}}` a
countable part, `{{num}}` a count, `{{close}}` / `{{action}}` / `{{ptail}}` a closing clause):

{frame_list}

Degree adverbs of the training side: {t_ints} (held-out: {h_ints}).  Each one is used with
praise and with complaints, so none is tied to a label (counts below); 比较 and 尤其 appear only
in synthetic data, never in a DIR case, since 比较 softens and 尤其 wants a comparison.  Where a
combination does not read naturally it is not generated: 太 goes with praise only as 太…了
with subjective praise words (售后团队太给力了), 格外 / 颇为 / 更加 / 尤其 only with two-character
adjectives.

## synthetic-train.jsonl

Synthetic, not collected: {n_synth} lines `{{"text": ..., "label": "positive"|"negative", "source": "synthetic:<template-id>"}}`,
generated **from the training part's frames and vocabulary only** (never from held-out
vocabulary, frames or sentences; asserted), balanced between the labels ({n_synth_pos} /
{n_synth_neg}), shuffled with the fixed seed.  The {n_templates} training templates take turns
within each family, so the lines are spread evenly: {tpl_min}–{tpl_max} lines per template,
none above {max_share} of the file (asserted).  Texts vary in surrounding context
({n_contexts} training contexts such as 今天巡检，/ 客户留言：, {n_lines} line / station ids,
short tails such as 继续使用 / 请尽快处理) so that length is no cue.  No synthetic text
equals (after normalisation) any text of `train.jsonl` or `heldout.jsonl`.

{synth_table}

Degree adverbs in the synthetic lines (positive / negative lines containing each):
{adverb_counts}.

Regenerate with `python3 {script}` from the repository root; the output is identical on
every run.

## synthetic-notes.jsonl

**Synthetic training data**: every line is generated by `scripts/gen-factory-notes.py`
(Python 3 standard library, seed 20261204, byte-identical on every run; about 3 s). It shares
no templates, word lists or code with `gen-zh-manufacturing-suite.py`. 16,000 lines, 8,000
`positive` and 8,000 `negative`, each
`{{"text": ..., "label": ..., "source": "synthetic:notes-<frame>"}}`. The lines imitate what an
MES dashboard receives — inspection records, shift handovers, maintenance logs, acceptance
notes, supplier audits, B2B reviews — across machining, casting and heat treatment, welding,
injection moulding, stamping, coating and plating, SMT/PCB, textiles, final assembly,
hydraulics and pneumatics, electric motors, packaging, logistics, food, pharma, chemicals and
lithium batteries, with ids (3号机, 批号20261103-07), quantities (孔径超差0.03mm, 抽检125件) and
register markers (【夜班交接】, 来料检验：) spread evenly over both labels.

| frame | what | positive | negative | templates |
|---|---|---:|---:|---:|
| `removed` | a problem reported as removed, fixed or closed (已排除, 整改完成, 更换…后恢复正常, 不良品率由3.8%降到0.6%) | 2400 | 0 | 47 |
| `unresolved` | its minimal-pair opposite (仍未解决, 修复后又出现了, 更换…后依旧) | 0 | 2000 | 37 |
| `negated_defect` | 未发现 / 未见 / 无 / 没有 / 不存在 / 零 / 无一 + defect | 1800 | 0 | 31 |
| `negated_praise` | praise or a good state negated (运行不够稳当, 没有达到验收标准) | 0 | 1700 | 29 |
| `double_negation` | 没有一件不合格, 无一不符合要求 (positive); 不能说没有, 并非没有 (negative) | 700 | 900 | 43 |
| `contrast` | 但是 / 不过 / 可是 / 然而 / 只是 / 却 / 可惜, 虽然 / 尽管 / 虽说: the clause after the connective decides, or the main clause when the concession follows it; many deciding clauses carry numbers | 1500 | 1500 | 54 |
| `plain_defect` | ordinary defect reports and complaints | 0 | 1900 | 27 |
| `plain_ok` | ordinary good states and praise | 1600 | 0 | 23 |

Held-out and dev words are kept out: before generating, the script reads the texts and INV/DIR
variants of `heldout.jsonl`, `dev.jsonl` and `../factory-notes/dev.jsonl`, and drops every
word-list entry of two or more characters found in them, every praise or good-state phrase
whose adjective occurs there, and every entry containing a dropped string; a generated line
equal to one of those texts (ignoring spaces and punctuation) is dropped too. The script
prints the counts (after exclusion: 335 defects, 303 good states, 71 praise expressions, 230
equipment names, 243 parts, 111 processes, 424 fixes, 319 causes). What is shared on purpose
are the construction cues — negation words, 已排除 / 仍未解决, the contrast connectives — and
generic words such as 合格, 正常, 问题: a model trained on this file has seen the held-out
part's frames (未见…, 无一不合格, 并非没有), never with its words.

## written-notes.jsonl

{wn_lines:,} lines, {wn_pos:,} `positive` and {wn_neg:,} `negative`, each
`{{"text": ..., "label": ..., "source": "synthetic:written-<frame>"}}`. **Every line is
synthetic**: the template generators above can only recombine their own word lists and
sentence patterns, so a reader who phrases a note otherwise ("漏油问题是消除了，但…",
"无一托不符合色号要求", "群里@王工：…") meets a frame they never saw. These notes were written in
free form by {wn_parts} language-model writers, each given the brief in
`scripts/prompts/written-factory-notes.md` (what they were told, but for their file paths:
frames and counts, and one row of industries and registers — machining to pharma, wafer fabs
to lifts, logistics to calibration labs) and nothing of this repository. Each wrote 600 notes,
300 of each label.

`scripts/build-written-notes.py` merged the {wn_written:,} notes and dropped, before anything was
trained on them:

| rule | dropped |
|---|---:|
| contains an entry of `vocabulary/heldout.json` or `vocabulary/dev.json`, ignoring spaces and punctuation (every word list: defects, subjects, praise adjectives, intensifiers, register markers, line names, services, levels …) | {wn_drop_word:,} |
| shares a run of 5 characters (ignoring spaces and punctuation) with a text or variant of `heldout.jsonl`, `dev.jsonl` or `../factory-notes/dev.jsonl` | {wn_drop_run:,} |
| equals such a text | {wn_drop_equal:,} |
| repeats an earlier note | {wn_drop_repeat:,} |

{wn_frame_table}

The writers' parts are kept as written in `written/part-1.jsonl` … `part-{wn_parts}.jsonl`
(`{{"text", "label", "frame"}}`; not guarded, so never train on them directly), and

```sh
python3 scripts/build-written-notes.py
```

rebuilds `written-notes.jsonl` byte for byte. Labels were checked by reading samples, not one by
one: a writer's label is its reading of its own note, and a few are softer than the rest
(a delay conceded before a clause that clears it).
"""



def written_notes_figures():
    """The README's written-notes figures, from what scripts/build-written-notes.py makes of
    the committed parts with the suite files just written, so they cannot go stale."""
    spec = importlib.util.spec_from_file_location(
        "build_written_notes", os.path.join(os.path.dirname(__file__), "build-written-notes.py"))
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    parts = build.default_parts()
    written = sum(1 for part in parts for line in open(part, encoding="utf-8") if line.strip())
    kept, dropped = build.merge(parts)
    by = build.frame_counts(kept)
    rows = ["| frame | positive | negative |", "|---|---:|---:|"]
    rows += [f"| `{frame}` | {by[(frame, POS)]} | {by[(frame, NEG)]} |" for frame in build.FRAMES]
    return dict(
        wn_lines=len(kept), wn_written=written, wn_parts=len(parts),
        wn_pos=sum(1 for k in kept if k["label"] == POS),
        wn_neg=sum(1 for k in kept if k["label"] == NEG),
        wn_drop_word=dropped[build.DROPPED_WORD], wn_drop_run=dropped[build.DROPPED_RUN],
        wn_drop_equal=dropped[build.DROPPED_EQUAL], wn_drop_repeat=dropped[build.DROPPED_REPEAT],
        wn_frame_table="\n".join(rows),
    )

CAP_DESCRIPTIONS = {
    "negated_defect": "negation + defect / abnormal state → positive",
    "negated_praise": "negation + praise / good state → negative",
    "double_negation": "two negations; the label is the meaning after both",
    "contrast": "虽然…但是, 不过, 可惜, 只是, 却 …: the main clause decides",
    "domain_defect": "plain (non-negated) factory problem reports → negative",
    "domain_ok": "plain good states without negation → positive",
    "intensity": "adding an intensifier must not lower praise / raise a complaint (DIR)",
    "invariance": "ids, numbers, punctuation, spaces, width, traditional characters (INV)",
}


def extend_training_vocabulary():
    """Adds the third, fourth and fifth rounds' vocabulary to the training side, minus every
    item that meets the held-out or dev side (equal, containing or contained, two or more
    characters) or appears in one of their texts.  Prints only counts, so whoever runs it learns nothing of
    those lists.  The held-out and dev parts are built here from their own lists and random
    streams only, so nothing of theirs depends on what is kept."""
    others = vocabulary_items(make_part("heldout")) | vocabulary_items(make_part("dev"))
    texts = set()
    for name, seed in (("heldout", SEED + 2), ("dev", SEED + 4)):
        cases, _, _ = build_part(make_part(name), random.Random(seed))
        texts.update(normalize(t) for t in all_texts(cases))

    def clashes(item):
        if not item or len(item) < 2:
            return False
        if any(o == item or o in item or item in o for o in others):
            return True
        return any(normalize(item) in t for t in texts)

    def subject_known(phrase):
        return any(phrase.startswith(s["name"]) for s in TRAIN_SUBJECTS)

    report = OrderedDict()

    def add_round(name, defects, subjects, machines, powered, buduan, extra=None, levels=(),
                  praise=(), dir_praise=(), dir_complaint=(), decay=(), services=(),
                  good_actions=(), pending=(), context_misfits=None, tail_misfits=None,
                  action_misfits=None):
        counts = OrderedDict()
        kept_defects = {}
        for key, d in defects.items():
            if key in TRAIN_DEFECTS or any(clashes(x) for x in (key, d["n"], d["v"], d["bu"])):
                continue
            kept_defects[key] = d
        TRAIN_DEFECTS.update(kept_defects)
        counts["defects"] = (len(kept_defects), len(defects))
        kept_subjects = []
        known = {s["name"] for s in TRAIN_SUBJECTS}
        for subject in subjects:
            if subject["name"] in known or clashes(subject["name"]):
                continue
            ds = [k for k in subject["defects"] if k in TRAIN_DEFECTS]
            oks = [o for o in subject["oks"] if not clashes(o)]
            if not ds or not oks:
                continue
            TRAIN_SUBJECTS.append(dict(subject, defects=ds, oks=oks))
            kept_subjects.append(subject["name"])
            if subject["name"] in machines:
                TRAIN_MACHINES.add(subject["name"])
            if subject["name"] in powered:
                TRAIN_POWERED.add(subject["name"])
        counts["subjects"] = (len(kept_subjects), len(subjects))
        TRAIN_BUDUAN.update(k for k in buduan if k in kept_defects)
        if extra is not None:
            by_name = {s["name"]: s for s in TRAIN_SUBJECTS}
            added = total = 0
            for subj, keys in extra.items():
                total += len(keys)
                s = by_name.get(subj)
                if s is None:
                    continue
                for k in keys:
                    if k in kept_defects and k not in s["defects"]:
                        s["defects"].append(k)
                        added += 1
            counts["defects added to existing subjects"] = (added, total)

        def keep(rows, target, items, needs_subject):
            n = 0
            for row in rows:
                if row in target or any(clashes(x) for x in items(row)):
                    continue
                if needs_subject and not subject_known(row[0]):
                    continue
                target.append(row)
                n += 1
            return n

        names = {s["name"] for s in TRAIN_SUBJECTS}
        if levels:
            n = 0
            for row in levels:
                if row[0] in names and row not in TRAIN_LEVELS and not clashes(row[1]):
                    TRAIN_LEVELS.append(row)
                    n += 1
            counts["quantities (levels)"] = (n, len(levels))
        if praise:
            counts["praise pairs"] = (keep(praise, TRAIN_PRAISE_PAIRS, lambda r: r[:2], True), len(praise))
        if dir_praise:
            counts["intensity praise"] = (keep(dir_praise, TRAIN_DIR_PRAISE, lambda r: r, True),
                                          len(dir_praise))
        if dir_complaint:
            counts["intensity complaints"] = (keep(dir_complaint, TRAIN_DIR_COMPLAINT, lambda r: r, True),
                                              len(dir_complaint))
        if decay:
            counts["decay pairs"] = (keep(decay, TRAIN_DECAY, lambda r: r[:2], True), len(decay))
        if services:
            n = 0
            for svc in services:
                if svc not in TRAIN_SERVICES and not clashes(svc):
                    TRAIN_SERVICES.append(svc)
                    n += 1
            counts["services"] = (n, len(services))
        if good_actions:
            counts["good actions"] = (keep(good_actions, TRAIN_GOOD_ACTIONS, lambda r: r[:2], False),
                                      len(good_actions))
        if pending:
            counts["pending actions"] = (keep(pending, TRAIN_PENDING_ACTIONS, lambda r: r[:2], False),
                                         len(pending))
        for i, (ctx, kinds, misfits) in enumerate(TRAIN_CONTEXTS):
            more = (context_misfits or {}).get(ctx)
            if more:
                TRAIN_CONTEXTS[i] = (ctx, kinds, set(misfits) | (set(more) & names))
        for tail, subjects_ in (tail_misfits or {}).items():
            TRAIN_TAIL_MISFITS.setdefault(tail, set()).update(set(subjects_) & names)
        for action, subjects_ in (action_misfits or {}).items():
            TRAIN_ACTION_MISFITS.setdefault(action, set()).update(set(subjects_) & names)
        no_rework = {s["name"] for s in TRAIN_SUBJECTS if not s.get("rework", True)}
        for action in ("需要返工", "待返修"):
            TRAIN_ACTION_MISFITS.setdefault(action, set()).update(no_rework)
        TRAIN_TAIL_MISFITS.setdefault("只能返工", set()).update(no_rework)
        report[name] = counts

    add_round("third round", TRAIN_DEFECTS_MORE, TRAIN_SUBJECTS_MORE, TRAIN_MACHINES_MORE,
              TRAIN_POWERED_MORE, TRAIN_BUDUAN_MORE)
    add_round("fourth round", ROUND4_DEFECTS, ROUND4_SUBJECTS, ROUND4_MACHINES, ROUND4_POWERED,
              ROUND4_BUDUAN, extra=ROUND4_EXTRA_DEFECTS, levels=ROUND4_LEVELS,
              praise=ROUND4_PRAISE_PAIRS, dir_praise=ROUND4_DIR_PRAISE,
              dir_complaint=ROUND4_DIR_COMPLAINT, decay=ROUND4_DECAY, services=ROUND4_SERVICES,
              good_actions=ROUND4_GOOD_ACTIONS, pending=ROUND4_PENDING_ACTIONS,
              context_misfits=ROUND4_CONTEXT_MISFITS, tail_misfits=ROUND4_TAIL_MISFITS,
              action_misfits=ROUND4_ACTION_MISFITS)
    add_round("fifth round", ROUND5_DEFECTS, ROUND5_SUBJECTS, ROUND5_MACHINES, ROUND5_POWERED,
              ROUND5_BUDUAN, extra=ROUND5_EXTRA_DEFECTS, context_misfits=ROUND5_CONTEXT_MISFITS,
              tail_misfits=ROUND5_TAIL_MISFITS)
    for name, counts in report.items():
        parts = ", ".join(f"{k} {kept} of {total}" for k, (kept, total) in counts.items())
        print(f"{name} vocabulary kept (the rest meet the held-out or dev side): {parts}",
              file=sys.stderr)
    return report


def main():
    if not os.path.isdir("scripts") or not os.path.isfile(SCRIPT):
        sys.exit("run from the repository root: python3 " + SCRIPT)
    rounds = extend_training_vocabulary()
    T, H = make_part("train"), make_part("heldout")

    train_cases, train_hand_keys, train_frame_use = build_part(T, random.Random(SEED + 1))
    held_cases, held_hand_keys, held_frame_use = build_part(H, random.Random(SEED + 2))
    forbidden = {normalize(t) for t in all_texts(train_cases)} | \
                {normalize(t) for t in all_texts(held_cases)}
    synth_rows = build_synthetic(T, random.Random(SEED + 3), forbidden)
    # The dev part comes last, with its own random stream: nothing above depends on it.
    Dv = make_part("dev")
    dev_forbidden = forbidden | {normalize(r["text"]) for r in synth_rows}
    dev_cases, dev_hand_keys, dev_frame_use = build_part(Dv, random.Random(SEED + 4), dev_forbidden)

    problems = check_disjoint(T, H, train_cases, held_cases, synth_rows, held_hand_keys)
    problems += check_shape("train", train_cases) + check_shape("heldout", held_cases)
    problems += check_synthetic(synth_rows)
    problems += check_dev(T, H, Dv, train_cases, held_cases, synth_rows, dev_cases)
    problems += check_shape("dev", dev_cases)
    problems += check_traditional_coverage(train_cases + held_cases + dev_cases)
    if problems:
        for p in problems[:80]:
            print("ASSERTION:", p, file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing written", file=sys.stderr)
        sys.exit(1)

    os.makedirs(OUT_DIR, exist_ok=True)
    write_jsonl(os.path.join(OUT_DIR, "train.jsonl"), train_cases)
    write_jsonl(os.path.join(OUT_DIR, "heldout.jsonl"), held_cases)
    write_jsonl(os.path.join(OUT_DIR, "synthetic-train.jsonl"), synth_rows)
    write_jsonl(os.path.join(OUT_DIR, "dev.jsonl"), dev_cases)

    th, hh, dh = hand_counts(T), hand_counts(H), hand_counts(Dv)
    d_table = dev_count_table(dev_cases, dh)
    table = count_table(train_cases, held_cases, th, hh)
    s_table, per_template = synth_table(synth_rows)
    cap_rows = []
    for cap in CAPABILITIES:
        ex = examples(held_cases, cap, 2)
        shown = " / ".join(e["text"] for e in ex)
        cap_rows.append(f"| `{cap}` | {'dir' if cap == 'intensity' else 'inv' if cap == 'invariance' else 'mft'} | "
                        f"{CAP_DESCRIPTIONS[cap]} | {shown} |")
    praise = lambda P: "、".join(OrderedDict.fromkeys(a for _, a, _, _ in P["praise_pairs"]))
    written = written_notes_figures()
    readme = README_TEMPLATE.format(
        **written,
        script=SCRIPT, seed=SEED, n_train=len(train_cases), n_held=len(held_cases),
        n_synth=len(synth_rows),
        prefixes=", ".join(f"`{p}` {c}" for c, p in CAP_PREFIX.items()),
        cap_rows="\n".join(cap_rows), count_table=table,
        train_labels=label_table(train_cases), held_labels=label_table(held_cases),
        t_subjects="、".join(s["name"] for s in T["subjects"]),
        h_subjects="、".join(s["name"] for s in H["subjects"]),
        t_defects="、".join(T["defects"]), h_defects="、".join(H["defects"]),
        t_praise=praise(T), h_praise=praise(H),
        t_ints="、".join(T["intensifiers"]), h_ints="、".join(H["intensifiers"]),
        n_hand_t=sum(th.values()), n_hand_h=sum(hh.values()), synth_table=s_table,
        n_nd_t=sum(1 for f in T["frames"] if f["cap"] == "negated_defect"),
        vocab_table=vocab_table(T, H), frame_table=frame_table(T, H), frame_list=frame_list(T),
        n_synth_pos=sum(1 for r in synth_rows if r["label"] == POS),
        n_synth_neg=sum(1 for r in synth_rows if r["label"] == NEG),
        n_templates=len(per_template), tpl_min=min(per_template.values()),
        tpl_max=max(per_template.values()), max_share=f"{SYNTH_MAX_TEMPLATE_SHARE:.0%}",
        n_contexts=len(T["contexts"]), n_lines=len(T["lines"]),
        adverb_counts=adverb_counts(synth_rows, T["intensifiers"]),
        n_dev=len(dev_cases), dev_count_table=d_table, dev_labels=label_table(dev_cases),
        n_dev_frames=len(Dv["frames"]) + len(Dv["dir_frames"]) + len(Dv["inv_frames"]),
        n_train_frames=len(T["frames"]) + len(T["dir_frames"]) + len(T["inv_frames"]),
        dev_skipped="`, `".join(f["pattern"] for f in T["frames"] if f["id"] in DEV_SKIP_FRAMES),
        d_subjects="、".join(s["name"] for s in Dv["subjects"]),
        d_defects="、".join(Dv["defects"]), d_praise=praise(Dv),
        d_lines="、".join(Dv["lines"] + Dv["batches"]), n_hand_d=sum(dh.values()),
        n_dev_items=len(vocabulary_items(Dv)),
        extension_note="; ".join(
            f"{name} " + ", ".join(f"{k} {kept} of {total}" for k, (kept, total) in counts.items())
            for name, counts in rounds.items()),
    )
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme)

    print(f"wrote {OUT_DIR}/train.jsonl ({len(train_cases)}), heldout.jsonl ({len(held_cases)}), "
          f"synthetic-train.jsonl ({len(synth_rows)}), dev.jsonl ({len(dev_cases)}), README.md")
    print("\nCases per capability per part:\n")
    print(table)
    print("\nMFT labels, train:\n")
    print(label_table(train_cases))
    print("\nMFT labels, heldout:\n")
    print(label_table(held_cases))
    print("\nDev part (model selection; training frames, dev vocabulary):\n")
    print(d_table)
    print("\nMFT labels, dev:\n")
    print(label_table(dev_cases))
    print("\nSynthetic training examples:\n")
    print(s_table)
    print("\nSynthetic per template:")
    for src, n in sorted(per_template.items()):
        print(f"  {src:40s} {n}")
    print("\nSuite cases per frame (train / heldout / dev):")
    for name, use in (("train", train_frame_use), ("heldout", held_frame_use), ("dev", dev_frame_use)):
        print("  " + name + ": " + ", ".join(f"{k}={v}" for k, v in sorted(use.items())))
    print("\nAll disjointness and shape assertions passed.")


if __name__ == "__main__":
    main()
