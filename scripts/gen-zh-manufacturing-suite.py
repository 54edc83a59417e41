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

TRAIN_DEFECTS = {
    # the original 19
    "异响": D(n="异响", v="异响", bu="不异响", ev=True, you=True),
    "裂纹": D(n="裂纹", count=True),
    "毛刺": D(n="毛刺", count=True),
    "漏油": D(n="漏油", v="漏油", bu="不漏油", ev=True, you=True),
    "变形": D(n="变形", v="变形", you=True),
    "锈蚀": D(n="锈蚀", v="锈蚀", you=True),
    "过热": D(n="过热现象", v="过热", ev=True, you=True),
    "虚焊": D(n="虚焊", count=True),
    "夹渣": D(n="夹渣", count=True),
    "缩痕": D(n="缩痕", count=True),
    "飞边": D(n="飞边"),
    "掉漆": D(n="掉漆", v="掉漆", bu="不掉漆", you=True),
    "流挂": D(n="流挂"),
    "起皮": D(n="起皮", v="起皮", bu="不起皮", you=True),
    "漏水": D(n="漏水", v="漏水", bu="不漏水", ev=True, you=True),
    "短路": D(n="短路", v="短路", ev=True, you=True),
    "破皮": D(n="破皮", v="破皮", you=True),
    "异味": D(n="异味"),
    "破损": D(n="破损", v="破损", you=True),
    # added: breakage, corrosion, electrical, blockage, deformation
    "断裂": D(n="断裂", v="断裂", you=True),
    "开裂": D(n="开裂", v="开裂", bu="不开裂", you=True),
    "腐蚀": D(n="腐蚀", v="腐蚀", you=True),
    "生锈": D(n="生锈", v="生锈", bu="不生锈"),
    "漏电": D(n="漏电", v="漏电", bu="不漏电", ev=True, you=True),
    "烧坏": D(v="烧坏了"),
    "堵塞": D(n="堵塞", v="堵塞", bu="不堵塞", ev=True, you=True),
    "凹陷": D(n="凹陷", v="凹陷", count=True, you=True),
    "鼓包": D(n="鼓包", v="鼓包", count=True, you=True),
    "脱焊": D(n="脱焊", v="脱焊", count=True, you=True),
    "错位": D(n="错位", v="错位", you=True),
    "偏心": D(n="偏心", v="偏心"),
    "松脱": D(n="松脱", v="松脱", bu="不松脱", ev=True),
    "噪音": D(n="异常噪音", v="噪音大", you=True),
    "发热": D(n="发热现象", v="发热", bu="不发热", ev=True, you=True),
    "弯曲": D(n="弯曲", v="弯曲"),
    "掉渣": D(n="掉渣", v="掉渣", bu="不掉渣", you=True),
    "污渍": D(n="污渍", count=True),
    "缺料": D(n="缺料", v="缺料", you=True),
    "歪斜": D(n="歪斜", v="歪斜"),
    "裂缝": D(n="裂缝", count=True),
    "断线": D(n="断线", v="断线", ev=True, you=True),
    "接触不良": D(n="接触不良", v="接触不良", ev=True),
    "报错": D(n="报错", v="报错", bu="不报错", ev=True, you=True),
    "拉丝": D(n="拉丝"),
    "氧化": D(n="氧化", v="氧化", you=True),
    "发黑": D(n="发黑", v="发黑"),
    "刮痕": D(n="刮痕", count=True),
    "凹痕": D(n="凹痕", count=True),
    "溢料": D(n="溢料"),
    "缺口": D(n="缺口", count=True),
    "异物": D(n="异物"),
    "油污": D(n="油污", count=True),
    "气泡": D(n="气泡", count=True),
    "漏焊": D(n="漏焊", count=True),
    "焊穿": D(n="焊穿"),
    "咬边": D(n="咬边"),
    "烧焦": D(n="烧焦"),
    "漏装": D(n="漏装"),
    "碰伤": D(n="碰伤", count=True),
    "压痕": D(n="压痕", count=True),
    "麻点": D(n="麻点", count=True),
    "锈斑": D(n="锈斑", count=True),
    "开胶": D(n="开胶", v="开胶", bu="不开胶", you=True),
    "渗水": D(n="渗水", v="渗水", bu="不渗水", ev=True, you=True),
    "滴油": D(n="滴油", v="滴油", bu="不滴油", ev=True, you=True),
    "冒烟": D(n="冒烟", v="冒烟", bu="不冒烟", ev=True),
    "偏摆": D(n="偏摆", v="偏摆"),
    "晃动": D(n="晃动", v="晃动", bu="不晃动", ev=True),
    "失灵": D(n="失灵", v="失灵", ev=True),
    "死机": D(n="死机", v="死机", bu="不死机", ev=True),
    "掉线": D(n="掉线", v="掉线", bu="不掉线", ev=True),
    "卡料": D(n="卡料", v="卡料", bu="不卡料", ev=True),
    "滑牙": D(n="滑牙", v="滑牙", you=True),
}

TRAIN_SUBJECTS = [
    # equipment
    S("主轴", "equip", ["异响", "过热", "发热", "偏摆"], ["运转平稳", "转速正常", "转动顺滑"]),
    S("轴承", "equip", ["异响", "锈蚀", "过热", "生锈", "发热"], ["转动灵活", "润滑良好", "转动顺滑"]),
    S("电机", "equip", ["过热", "异响", "异味", "发热", "冒烟", "漏电", "烧坏", "噪音"],
      ["运转平稳", "温升正常", "运行正常"]),
    S("减速机", "equip", ["漏油", "异响", "滴油", "发热"], ["运行平稳", "润滑良好"]),
    S("空压机", "equip", ["漏油", "异响", "过热", "噪音"], ["运行平稳", "压力正常"]),
    S("管路", "equip", ["漏水", "锈蚀", "堵塞", "渗水", "腐蚀"], ["密封良好", "接头牢固", "通畅"]),
    S("模具", "equip", ["裂纹", "锈蚀", "开裂", "生锈"], ["保养到位", "型腔光洁"]),
    S("叶轮", "equip", ["腐蚀", "裂纹", "偏心", "变形"], ["转动平稳", "动平衡良好"]),
    S("阀门", "equip", ["漏水", "渗水", "生锈", "失灵"], ["开关灵活", "密封良好"]),
    S("泵体", "equip", ["漏水", "渗水", "裂纹", "腐蚀", "发热"], ["运转平稳", "密封良好"]),
    S("皮带轮", "equip", ["偏摆", "异响", "裂纹", "松脱"], ["转动平稳", "安装牢固"]),
    S("链条", "equip", ["生锈", "断裂", "异响", "松脱"], ["润滑良好", "松紧合适"]),
    S("夹具", "equip", ["松脱", "变形", "错位", "晃动"], ["定位准确", "夹持牢固"]),
    S("风机", "equip", ["异响", "噪音", "发热", "晃动", "过热"], ["运转平稳", "风量正常"]),
    S("变频器", "equip", ["报错", "过热", "烧坏", "发热"], ["运行正常", "散热良好"]),
    S("传感器", "equip", ["失灵", "报错", "掉线", "接触不良"], ["检测准确", "信号正常"]),
    S("伺服电机", "equip", ["报错", "过热", "异响", "发热"], ["运行平稳", "定位准确"]),
    S("触摸屏", "equip", ["死机", "失灵", "刮痕"], ["显示清楚", "操作流畅"]),
    S("继电器", "equip", ["烧坏", "接触不良", "失灵", "发热"], ["吸合正常", "触点干净"]),
    S("散热器", "equip", ["堵塞", "漏水", "腐蚀", "变形"], ["散热良好", "表面干净"]),
    S("喷嘴", "equip", ["堵塞", "变形"], ["喷射均匀", "通畅"]),
    S("水泵", "equip", ["漏水", "异响", "发热", "噪音", "漏电"], ["出水正常", "运转平稳"]),
    S("滤芯", "equip", ["堵塞", "破损"], ["干净", "过滤效果好"], repair=False),
    S("电缆", "equip", ["破皮", "断线", "漏电", "发热"], ["绝缘良好", "走线整齐"]),
    S("接头", "equip", ["漏油", "漏水", "松脱", "渗水", "滴油"], ["连接牢固", "密封良好"]),
    S("联轴器", "equip", ["偏心", "异响", "松脱", "裂纹"], ["对中良好", "连接牢固"]),
    S("同步带", "equip", ["断裂", "开裂", "异响"], ["松紧合适"]),
    # parts, processes, materials
    S("焊缝", "part", ["裂纹", "虚焊", "夹渣", "咬边", "焊穿", "开裂"], ["饱满均匀", "成型美观"]),
    S("漆面", "part", ["流挂", "起皮", "气泡", "麻点", "污渍", "刮痕"], ["光亮均匀", "附着牢固"]),
    S("外壳", "part", ["掉漆", "变形", "毛刺", "凹陷", "刮痕", "碰伤"], ["平整光洁", "完好"], batch=True),
    S("冲压件", "part", ["毛刺", "变形", "裂纹", "开裂", "压痕", "缺口"], ["尺寸准确", "边缘光滑"], batch=True),
    S("注塑件", "part", ["缩痕", "飞边", "变形", "缺料", "溢料", "气泡", "烧焦", "拉丝"],
      ["表面光洁", "尺寸准确"], batch=True),
    S("法兰", "part", ["锈蚀", "变形", "生锈"], ["密封良好"], batch=True),
    S("线束", "part", ["破皮", "短路", "断线", "接触不良"], ["接线规范", "走线整洁"]),
    S("来料", "part", ["毛刺", "锈蚀", "变形", "生锈", "油污"], ["与图纸一致", "材质证明齐全", "数量齐全"],
      batch=True),
    S("包装", "part", ["破损", "开胶"], ["完好", "牢固"]),
    S("托盘", "part", ["断裂", "开裂", "变形", "破损"], ["完好无损", "码放整齐"], batch=True),
    S("垫片", "part", ["变形", "破损", "漏装"], ["厚度均匀", "平整"], batch=True),
    S("轴套", "part", ["锈蚀", "变形", "开裂"], ["配合良好", "尺寸准确"], batch=True),
    S("弹簧", "part", ["断裂", "生锈", "变形"], ["回弹良好", "弹力正常"], batch=True),
    S("齿条", "part", ["生锈", "变形", "毛刺", "裂纹"], ["齿形完整", "润滑良好"], batch=True),
    S("铆钉", "part", ["松脱", "歪斜", "生锈", "漏装"], ["铆接牢固", "排列整齐"], batch=True),
    S("焊点", "part", ["虚焊", "脱焊", "漏焊", "开裂"], ["饱满", "光亮"]),
    S("板材", "part", ["刮痕", "变形", "锈斑", "凹痕", "弯曲"], ["厚度均匀", "表面平整"], batch=True),
    S("管件", "part", ["裂纹", "腐蚀", "生锈", "变形", "渗水"], ["壁厚均匀", "内壁光滑"], batch=True),
    S("铝型材", "part", ["氧化", "刮痕", "压痕", "弯曲", "麻点", "发黑"], ["表面光亮", "尺寸准确"], batch=True),
    S("玻璃", "part", ["裂纹", "气泡", "刮痕", "缺口", "裂缝"], ["表面干净", "边缘光滑"], batch=True),
    S("螺母", "part", ["生锈", "松脱", "毛刺", "滑牙"], ["拧紧到位", "螺纹完好"], batch=True),
    S("支架", "part", ["变形", "开裂", "弯曲", "生锈", "脱焊", "晃动"], ["安装牢固", "焊接扎实"], batch=True),
    S("端盖", "part", ["裂纹", "漏油", "变形"], ["密封良好", "安装到位"], batch=True),
    S("箱体", "part", ["漏油", "裂纹", "锈蚀", "渗水"], ["密封良好", "外观完好"]),
    S("铜排", "part", ["氧化", "发黑", "发热", "变形"], ["表面光亮", "连接牢固"], batch=True),
    S("底座", "part", ["开裂", "晃动", "变形", "生锈"], ["安装牢固", "稳当"]),
    S("电路板", "part", ["短路", "虚焊", "氧化", "烧坏", "鼓包"], ["焊点饱满", "元件齐全"], batch=True),
]

# Defects that can keep coming back: "{subject}{key}不断" ("变频器报错不断").
TRAIN_BUDUAN = {"异响", "报错", "漏油", "滴油", "掉线", "死机", "卡料", "漏水", "渗水"}
# Equipment that can "出故障" / be "一切正常", and the subset that "运行" (powered machines).
TRAIN_MACHINES = {"主轴", "电机", "减速机", "空压机", "风机", "变频器", "传感器", "伺服电机", "触摸屏",
                  "水泵", "继电器", "阀门", "喷嘴", "夹具", "泵体", "模具", "散热器"}
TRAIN_POWERED = {"主轴", "电机", "减速机", "空压机", "风机", "变频器", "传感器", "伺服电机", "触摸屏",
                 "水泵", "泵体"}

# --- third round (written after 2.0.0, without reading the held-out or dev lists): more
# defects and equipment from machining, hydraulics, pneumatics, electrical cabinets, coating,
# casting blanks, packaging and assembly, so that the synthetic data covers more of the
# characters factory notes use. `extend_training_vocabulary` drops any of them that equals,
# contains or is contained in a held-out or dev item, or appears in a held-out or dev text.
TRAIN_DEFECTS_MORE = {
    "砂眼": D(n="砂眼", count=True),
    "气孔": D(n="气孔", count=True),
    "缩孔": D(n="缩孔", count=True),
    "冷隔": D(n="冷隔"),
    "黑点": D(n="黑点", count=True),
    "杂质": D(n="杂质", you=True),
    "水渍": D(n="水渍", count=True),
    "锈迹": D(n="锈迹", count=True),
    "焊瘤": D(n="焊瘤", count=True),
    "色差": D(n="色差", you=True),
    "起泡": D(n="起泡", v="起泡", bu="不起泡", you=True),
    "脱漆": D(n="脱漆", v="脱漆", bu="不脱漆", you=True),
    "变色": D(n="变色", v="变色", bu="不变色", you=True),
    "返锈": D(n="返锈", v="返锈", you=True),
    "翘曲": D(n="翘曲", v="翘曲", you=True),
    "开焊": D(n="开焊", v="开焊", you=True),
    "拉伤": D(n="拉伤", v="拉伤", count=True, you=True),
    "崩刃": D(n="崩刃", v="崩刃", you=True),
    "断刀": D(n="断刀", v="断刀", ev=True),
    "振刀": D(n="振刀", v="振刀"),
    "爬行": D(n="爬行", v="爬行", ev=True),
    "卡死": D(n="卡死", v="卡死", ev=True),
    "打滑": D(n="打滑", v="打滑", bu="不打滑", ev=True),
    "跑偏": D(n="跑偏", v="跑偏", bu="不跑偏", ev=True),
    "空转": D(n="空转", v="空转", ev=True),
    "断料": D(n="断料", v="断料", ev=True),
    "漏气": D(n="漏气", v="漏气", bu="不漏气", ev=True, you=True),
    "渗油": D(n="渗油", v="渗油", bu="不渗油", ev=True, you=True),
    "漏液": D(n="漏液", v="漏液", bu="不漏液", ev=True, you=True),
    "超温": D(n="超温", v="超温", ev=True, you=True),
    "超压": D(n="超压", v="超压", ev=True),
    "欠压": D(n="欠压", v="欠压", ev=True),
    "喘振": D(n="喘振", v="喘振", ev=True),
    "啸叫": D(n="啸叫", v="啸叫", ev=True, you=True),
    "跳闸": D(n="跳闸", v="跳闸", bu="不跳闸", ev=True),
    "打火": D(n="打火", v="打火", bu="不打火", ev=True),
    "烧蚀": D(n="烧蚀", v="烧蚀"),
    "击穿": D(n="击穿", v="击穿", ev=True),
    "虚接": D(n="虚接", v="虚接"),
    "掉电": D(n="掉电", v="掉电", bu="不掉电", ev=True),
    "丢步": D(n="丢步", v="丢步", bu="不丢步", ev=True),
    "通讯中断": D(n="通讯中断", v="通讯中断", ev=True),
    "漏检": D(n="漏检", v="漏检", you=True),
    "误报": D(n="误报", v="误报", ev=True, you=True),
    "卡顿": D(n="卡顿", v="卡顿", bu="不卡顿", ev=True, you=True),
    "粘模": D(n="粘模", v="粘模", bu="不粘模", ev=True),
    "溢胶": D(n="溢胶", v="溢胶", you=True),
    "缺胶": D(n="缺胶", v="缺胶", you=True),
    "少件": D(n="少件", v="少件", you=True),
    "混料": D(n="混料", v="混料", you=True),
    "错装": D(n="错装", v="错装", you=True),
    "反装": D(n="反装", v="反装", you=True),
    "受潮": D(n="受潮", v="受潮", you=True),
    "结块": D(n="结块", v="结块", bu="不结块", you=True),
    "起毛": D(n="起毛", v="起毛", bu="不起毛"),
    "起球": D(n="起球", v="起球", bu="不起球"),
    "脱线": D(n="脱线", v="脱线", you=True),
    "跳针": D(n="跳针", v="跳针", ev=True),
    "老化": D(n="老化", v="老化", you=True),
}

TRAIN_SUBJECTS_MORE = [
    S("刀具", "equip", ["崩刃", "断刀", "振刀"], ["刃口锋利", "寿命正常"]),
    S("滑台", "equip", ["爬行", "拉伤", "卡死"], ["移动顺畅", "润滑充分"]),
    S("气缸", "equip", ["漏气", "卡死", "爬行"], ["动作到位", "密封良好"]),
    S("液压站", "equip", ["渗油", "超温", "超压", "啸叫"], ["压力稳定", "油温正常"]),
    S("断路器", "equip", ["跳闸", "打火", "烧蚀", "发热"], ["分合正常", "接触良好"]),
    S("步进电机", "equip", ["丢步", "发热", "啸叫"], ["运行平稳", "定位准确"]),
    S("PLC", "equip", ["掉电", "通讯中断", "死机", "报错"], ["运行正常", "通讯正常"]),
    S("视觉检测系统", "equip", ["漏检", "误报", "卡顿"], ["识别准确", "检测稳定"]),
    S("输送带", "equip", ["打滑", "跑偏", "空转", "断料"], ["运行平稳", "张紧合适"]),
    S("压缩机", "equip", ["喘振", "超温", "漏油", "异响"], ["运行平稳", "排气正常"]),
    S("注塑机", "equip", ["粘模", "超温", "漏油"], ["运行稳定", "合模顺畅"]),
    S("缝纫机", "equip", ["跳针", "断线", "卡顿"], ["走线均匀", "运转平稳"]),
    S("电源模块", "equip", ["击穿", "掉电", "超温", "虚接"], ["输出稳定", "散热良好"]),
    S("传动轴", "equip", ["打滑", "卡死", "异响"], ["转动平稳", "连接牢固"]),
    S("毛坯", "part", ["砂眼", "气孔", "缩孔", "冷隔", "黑点"], ["余量均匀", "外形完整"], batch=True),
    S("工装", "part", ["起球", "脱线", "色差", "起毛"], ["做工扎实", "尺码齐全"], batch=True),
    S("粉料", "part", ["受潮", "结块", "杂质", "混料"], ["干燥", "粒度均匀"], batch=True),
    S("点胶", "part", ["溢胶", "缺胶", "气泡"], ["胶线均匀", "位置准确"]),
    S("装配件", "part", ["少件", "错装", "反装", "漏装"], ["装配到位", "紧固可靠"], batch=True),
    S("涂装件", "part", ["色差", "起泡", "脱漆", "变色", "黑点"], ["颜色均匀", "附着牢固"], batch=True),
    S("焊接件", "part", ["开焊", "焊瘤", "气孔", "翘曲"], ["焊缝饱满", "尺寸合格"], batch=True),
    S("钢板", "part", ["锈迹", "翘曲", "水渍", "返锈"], ["平整", "厚度均匀"], batch=True),
    S("包装箱", "part", ["受潮", "破损", "变形"], ["完好", "封箱牢固"], batch=True),
    S("玻璃瓶", "part", ["气泡", "黑点", "杂质", "缺口"], ["瓶口平整", "透明度好"], batch=True),
    S("密封圈", "part", ["老化", "变形", "漏气"], ["弹性好", "尺寸合格"], batch=True),
    S("塑料件", "part", ["翘曲", "缺胶", "黑点", "变色"], ["表面光洁", "尺寸合格"], batch=True),
]
TRAIN_MACHINES_MORE = {"液压站", "断路器", "步进电机", "PLC", "视觉检测系统", "输送带", "压缩机",
                       "注塑机", "缝纫机", "电源模块", "传动轴", "气缸", "滑台"}
TRAIN_POWERED_MORE = {"液压站", "步进电机", "PLC", "视觉检测系统", "输送带", "压缩机", "注塑机",
                      "缝纫机", "电源模块"}
TRAIN_BUDUAN_MORE = {"跳闸", "打火", "漏气", "误报", "卡顿", "掉电", "丢步"}

# "{subject}{quantity}不{adj}": a quantity where high/large is bad.
TRAIN_LEVELS = [
    ("主轴", "温升", "高"), ("轴承", "温升", "高"), ("电机", "噪音", "大"),
    ("空压机", "噪音", "大"), ("主轴", "跳动", "大"), ("冲压件", "不良率", "高"),
    ("注塑件", "不良率", "高"), ("风机", "噪音", "大"), ("水泵", "噪音", "大"),
    ("变频器", "温升", "高"), ("伺服电机", "温升", "高"), ("铜排", "温升", "高"),
    ("皮带轮", "跳动", "大"), ("电机", "电流", "大"), ("来料", "不良率", "高"),
    ("焊点", "不良率", "高"), ("滤芯", "压差", "大"), ("减速机", "噪音", "大"),
    ("玻璃", "不良率", "高"), ("铝型材", "不良率", "高"),
]

# (subject phrase, praise adjective, kind, gradable) for negated praise.
TRAIN_PRAISE_PAIRS = [
    ("主轴转速", "平稳", "equip", True), ("电机运行", "平稳", "equip", True),
    ("轴承转动", "灵活", "equip", True), ("管路接头", "牢固", "equip", True),
    ("模具保养", "到位", "equip", True), ("焊缝", "平整", "part", True),
    ("外壳", "平整", "part", True), ("漆面", "均匀", "part", True),
    ("包装", "牢固", "part", True), ("冲压件尺寸", "准确", "part", True),
    ("注塑件表面", "光洁", "part", True), ("线束走线", "规范", "part", True),
    ("来料", "合格", "part", False), ("交货", "及时", "delivery", True),
    ("发货单据", "齐全", "delivery", False), ("客服回复", "及时", "svc", True),
    ("售后服务", "到位", "svc", True),
    # added
    ("阀门开关", "灵活", "equip", True), ("夹具定位", "准确", "equip", True),
    ("传感器检测", "准确", "equip", True), ("伺服电机定位", "准确", "equip", True),
    ("风机运转", "平稳", "equip", True), ("触摸屏", "好用", "equip", True),
    ("主轴转动", "顺滑", "equip", True), ("链条运行", "顺滑", "equip", True),
    ("滤芯", "干净", "equip", True), ("底座", "稳当", "part", True),
    ("支架", "牢固", "part", True), ("铆钉铆接", "牢固", "part", True),
    ("铆钉排列", "整齐", "part", True), ("托盘码放", "整齐", "part", True),
    ("支架焊接", "扎实", "part", True), ("铝型材表面", "光亮", "part", True),
    ("板材厚度", "均匀", "part", True), ("管件内壁", "光滑", "part", True),
    ("玻璃边缘", "光滑", "part", True), ("焊接质量", "好", "part", True),
    ("加工工艺", "精良", "part", True), ("售后团队", "给力", "svc", True),
    ("售后人员检查", "细致", "svc", True), ("客服态度", "好", "svc", True),
    ("维修响应", "及时", "svc", True), ("安装师傅", "认真", "svc", True),
    ("调试人员", "认真", "svc", True), ("维修效率", "高", "svc", True),
    ("发货数量", "准确", "delivery", False), ("送货", "及时", "delivery", True),
    ("客服", "耐心", "svc", True), ("售后人员", "负责", "svc", True),
    ("安装师傅干活", "利索", "svc", True), ("触摸屏操作", "顺手", "equip", True),
    ("焊缝成型", "美观", "part", True), ("铝型材切口", "规整", "part", True),
    ("客服服务", "贴心", "svc", True), ("外壳打磨", "精细", "part", True),
]
# Praise adjectives that do not take a bare 不 ("做工不精良" reads oddly; "不够精良" is fine).
TRAIN_NO_PLAIN_BU = {"精良"}

# (subject, praise adjective, kind) that can wear off: "{subj}没有以前{adj}了".
TRAIN_DECAY = [
    ("阀门", "灵活", "equip"), ("轴承", "灵活", "equip"), ("电机", "平稳", "equip"),
    ("风机", "平稳", "equip"), ("夹具", "牢固", "equip"), ("底座", "稳当", "part"),
    ("传感器", "准", "equip"), ("触摸屏", "好用", "equip"), ("链条", "顺滑", "equip"),
    ("漆面", "光亮", "part"), ("主轴", "顺滑", "equip"), ("支架", "牢固", "part"),
    ("售后团队", "给力", "svc"), ("客服", "及时", "svc"), ("交货", "及时", "delivery"),
    ("焊接质量", "好", "part"),
]

# Decay subjects that are not "used" ("焊接质量用了不到一个月" reads wrong).
TRAIN_DECAY_NOT_USED = {"焊接质量"}

# (who, what they should have done) for "{who}没有{what}".
TRAIN_GOOD_ACTIONS = [
    ("客服", "及时回复问题", "svc"), ("售后人员", "上门处理", "svc"),
    ("来料", "附带材质证明", "delivery"), ("发货", "按期完成", "delivery"),
    ("售后人员", "按时上门", "svc"), ("售后人员", "把问题修好", "svc"),
    ("客服", "给出处理意见", "svc"), ("供货商", "提供检测报告", "svc"),
    ("供货商", "按合同交货", "delivery"), ("发货", "附上装箱单", "delivery"),
    ("来料", "按图纸加工", "delivery"), ("安装师傅", "按期完工", "svc"),
    ("设备厂家", "派人调试", "svc"),
]
# (who, what is still outstanding) for "{who}迟迟没有{what}" / "{who}到现在还没{what}".
TRAIN_PENDING_ACTIONS = [
    ("售后人员", "上门处理", "svc"), ("客服", "回电话", "svc"), ("设备厂家", "派人来调试", "svc"),
    ("供货商", "补发配件", "delivery"), ("设备厂家", "寄来备件", "delivery"),
    ("供货商", "给出整改报告", "svc"), ("仓库", "发货", "delivery"), ("供货商", "退换货", "svc"),
]
TRAIN_SERVICES = ["客服的答复", "这批来料", "售后处理结果", "这次的发货速度",
                  "设备厂家的安装调试", "这次的维修效果", "售后的响应速度", "这批托盘",
                  "客服的处理态度", "这次的交货速度", "这批板材", "安装师傅的手艺"]

# Surfaces for "{subject}没有一处不{adj}".
TRAIN_SURFACES = [("焊缝", "平整"), ("漆面", "均匀"), ("注塑件表面", "光洁"), ("外壳", "平整"),
                  ("铝型材表面", "光亮"), ("管件内壁", "光滑"), ("焊点", "饱满"), ("玻璃边缘", "光滑")]

# (context, kinds it fits, subjects it does not fit: welds are not incoming material ...)
TRAIN_CONTEXTS = [
    ("今天巡检，", {"equip"}, set()), ("点检记录：", {"equip"}, set()),
    ("早班交接，", {"equip"}, set()), ("客户反馈：", {"part", "svc", "delivery"}, set()),
    ("来料检验：", {"part"}, {"焊缝", "漆面", "线束", "来料", "焊点", "焊接", "加工工艺"}),
    ("班组长留言：", {"equip", "part"}, set()),
    ("保养时检查，", {"equip"}, set()), ("设备点检：", {"equip"}, set()),
    ("中班交接，", {"equip"}, set()), ("周检记录：", {"equip", "part"}, set()),
    ("质检反馈：", {"part"}, set()), ("首件检查：", {"part"}, {"来料", "包装", "托盘", "加工工艺"}),
    ("客户留言：", {"part", "svc", "delivery"}, set()), ("用户评价：", {"part", "svc", "delivery"}, set()),
    ("采购反馈：", {"part", "svc", "delivery"}, set()), ("白班记录：", {"equip", "part"}, set()),
    ("验收意见：", {"equip", "part"}, set()),
]
TRAIN_LINES = ["1号线", "3号线", "5号线", "A2工位", "A4工位", "4号线", "9号线", "A6工位", "D3工位"]
TRAIN_BATCHES = ["批次20231105", "批次20231218", "批次20230815", "批次20231009"]
TRAIN_NUMBERS = [20, 50, 80, 100, 40, 150]
TRAIN_ACTIONS = {"equip": ["已停机", "已通知维修", "已安排检修", "已联系设备厂家", "已停机检查"],
                 "part": ["需要返工", "已隔离", "已判不合格", "待返修", "已全部退货"]}
TRAIN_CLOSERS = {"equip": ["可以继续生产", "可以正常开机", "恢复生产"], "part": ["准予放行", "同意接收"]}

TRAIN_MINOR_BAD = ["包装简单", "价格偏高", "发货晚了两天", "外观普通", "说明书太简略", "到厂等了一周",
                   "颜色有点暗", "运费有点贵", "交期比约定晚了三天", "客服回复有点慢", "包装箱有点脏",
                   "款式老了点", "售价不低", "安装调试花了两天", "重量偏重"]
TRAIN_MINOR_GOOD = ["外观漂亮", "价格便宜", "发货很快", "包装很精美", "客服态度热情",
                    "颜色好看", "运费全免", "说明书写得清楚", "样式新颖", "重量轻", "操作简单",
                    "安装方便", "报价合理", "售前沟通顺利", "型号齐全"]
TRAIN_GOOD_GENERIC = ["用着放心", "性能完全满足要求", "整体质量过硬", "用下来很满意", "客户反馈很好",
                      "精度完全够用", "各方面都没问题"]
TRAIN_BAD_GENERIC = ["装上没几天就坏了", "精度达不到要求", "批量出现质量问题", "用了一个月就报废了",
                     "返工率居高不下", "退货了一大半", "毛病一个接一个"]

# Intensity (DIR) pairs and intensifiers.
TRAIN_DIR_PRAISE = [
    ("焊缝", "平整"), ("漆面", "均匀"), ("包装", "牢固"), ("冲压件尺寸", "准确"),
    ("轴承转动", "灵活"), ("交货", "及时"), ("客服回复", "及时"), ("注塑件表面", "光洁"),
    ("电机运行", "平稳"), ("售后服务", "到位"), ("线束走线", "规范"),
    ("阀门开关", "灵活"), ("夹具定位", "准确"), ("传感器检测", "准确"), ("底座", "稳当"),
    ("支架焊接", "扎实"), ("主轴转动", "顺滑"), ("链条运行", "顺滑"), ("售后团队", "给力"),
    ("售后人员检查", "细致"), ("维修响应", "迅速"), ("加工工艺", "精良"), ("铝型材表面", "光亮"),
    ("焊点", "饱满"), ("托盘码放", "整齐"), ("触摸屏", "好用"), ("客服态度", "好"),
    ("焊接质量", "好"), ("发货速度", "快"), ("玻璃表面", "干净"),
    ("客服", "耐心"), ("售后人员", "负责"), ("安装师傅干活", "利索"), ("触摸屏操作", "顺手"),
    ("焊缝成型", "美观"), ("外壳打磨", "精细"), ("客服服务", "贴心"),
]
TRAIN_DIR_COMPLAINT = [
    ("电机噪音", "大"), ("主轴跳动", "大"), ("冲压件毛刺", "多"), ("来料不良率", "高"),
    ("交货周期", "长"), ("客服回复", "慢"), ("漆面", "粗糙"), ("轴承温升", "高"),
    ("焊缝夹渣", "多"), ("注塑件飞边", "多"),
    ("风机噪音", "大"), ("水泵噪音", "大"), ("变频器温升", "高"), ("铝型材刮痕", "多"),
    ("玻璃气泡", "多"), ("板材锈斑", "多"), ("焊点虚焊", "多"), ("售后响应", "慢"),
    ("发货速度", "慢"), ("漆面麻点", "多"), ("售后团队态度", "差"), ("维修费用", "贵"),
    ("来料油污", "多"), ("电路板不良率", "高"), ("调试周期", "长"),
    ("焊缝表面", "粗糙"), ("板材表面", "粗糙"), ("售后响应", "迟缓"), ("客服答复", "敷衍"),
    ("售后人员态度", "冷淡"), ("维修费用", "昂贵"), ("包装", "简陋"), ("来料质量", "糟糕"),
]
# Degree adverbs of the training side (the held-out side uses 十分 / 相当 / 极其 only).
TRAIN_INTENSIFIERS = ["非常", "特别", "很", "挺", "真", "蛮", "超", "太", "格外", "颇为", "更加",
                      "尤其", "实在是", "比较"]
# Adjectives of complaints (the intensifier makes things worse) and praise words that take
# colloquial 超 / 实在是 / 太…了 naturally.
TRAIN_COMPLAINT_ADJ = {"大", "多", "高", "长", "慢", "粗糙", "差", "贵", "迟缓", "敷衍", "冷淡", "昂贵",
                       "简陋", "糟糕"}
TRAIN_SUBJECTIVE_PRAISE = {"给力", "好用", "好", "快", "及时", "干净", "迅速", "到位", "耐心", "负责",
                           "利索", "顺手", "贴心"}

# Synthetic-only tails by kind (training vocabulary as well).
CUSTOMER_CONTEXTS = {"客户反馈：", "客户留言：", "用户评价：", "采购反馈："}
TRAIN_POS_TAILS = {"equip": ["继续使用", "可以开机", "正常生产"], "part": ["可以入库", "可以发货", "可以上线"],
                   "svc": ["值得推荐", "下次还找他们"], "delivery": ["没耽误生产", "值得推荐"]}
TRAIN_NEG_TAILS = {"equip": ["影响生产", "请尽快处理", "得赶紧修"],
                   "part": ["请尽快处理", "影响装配", "只能返工", "要求退货"],
                   "svc": ["请尽快处理", "很失望"], "delivery": ["影响生产", "耽误了工期"]}

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
ROUND4_DEFECTS = {
    # everyday words: 毛病 / 故障 / 问题 / 隐患, noises, smells
    "出毛病": D(v="出毛病了", huan=False),
    "小毛病": D(n="小毛病", you=True, wenti=False),
    "大毛病": D(n="大毛病", you=True, wenti=False),
    "电气故障": D(n="电气故障", ev=True, you=True, wenti=False),
    "机械故障": D(n="机械故障", ev=True, you=True, wenti=False),
    "通讯故障": D(n="通讯故障", ev=True, you=True, wenti=False),
    "软件故障": D(n="软件故障", ev=True, you=True, wenti=False),
    "报故障": D(v="报故障", huan=False),
    "质量问题": D(n="质量问题", you=True, wenti=False),
    "尺寸问题": D(n="尺寸问题", you=True, wenti=False),
    "外观问题": D(n="外观问题", you=True, wenti=False),
    "质量隐患": D(n="质量隐患", you=True, wenti=False),
    "安全隐患": D(n="安全隐患", you=True, wenti=False),
    "问题复发": D(n="问题复发", v="问题复发", wenti=False),
    "吱吱响": D(n="吱吱声", v="吱吱响", you=True, wenti=False),
    "咔咔响": D(n="咔咔声", v="咔咔响", you=True, wenti=False),
    "嗡嗡响": D(n="嗡嗡声", v="嗡嗡响", you=True, wenti=False),
    "摩擦声": D(n="摩擦声", you=True, wenti=False),
    "敲击声": D(n="敲击声", you=True, wenti=False),
    "焦味": D(n="焦味", you=True),
    # spots, stains and deposits
    "霉点": D(n="霉点", count=True),
    "霉斑": D(n="霉斑", count=True),
    "发霉": D(n="发霉", v="发霉", bu="不发霉"),
    "黑斑": D(n="黑斑", count=True),
    "白点": D(n="白点", count=True),
    "斑点": D(n="斑点", count=True),
    "锈点": D(n="锈点", count=True),
    "油斑": D(n="油斑", count=True),
    "油渍": D(n="油渍", count=True),
    "污点": D(n="污点", count=True),
    "水垢": D(n="水垢", you=True),
    "积碳": D(n="积碳", v="积碳", you=True, huan=False),
    "油泥": D(n="油泥", you=True),
    "积料": D(n="积料", v="积料", you=True, huan=False),
    "粘料": D(n="粘料", v="粘料", you=True, huan=False),
    "积水": D(n="积水", v="积水", you=True, huan=False),
    # leaks
    "泄漏": D(n="泄漏", v="泄漏", bu="不泄漏", ev=True, you=True),
    "渗漏": D(n="渗漏", v="渗漏", bu="不渗漏", ev=True, you=True),
    "内漏": D(n="内漏", v="内漏", you=True),
    "外漏": D(n="外漏", v="外漏", you=True),
    "内泄": D(n="内泄", v="内泄", you=True),
    "滴水": D(n="滴水", v="滴水", bu="不滴水", ev=True, you=True, stop=False),
    "漏汽": D(n="漏汽", v="漏汽", bu="不漏汽", ev=True, you=True, stop=False),
    "漏氟": D(n="漏氟", v="漏氟", bu="不漏氟", ev=True, you=True, huan=False),
    "漏胶": D(n="漏胶", v="漏胶", ev=True, you=True, stop=False, huan=False),
    "滴漏": D(n="滴漏", v="滴漏", ev=True, you=True, stop=False, huan=False),
    "滴漆": D(n="滴漆", v="滴漆", ev=True, stop=False, huan=False),
    "进水": D(n="进水", v="进水", ev=True, you=True, stop=False, huan=False),
    # electrical: trips, overloads, supply
    "跳停": D(n="跳停", v="跳停", ev=True, stop=False, huan=False),
    "误跳": D(n="误跳", v="误跳", ev=True, stop=False, huan=False),
    "拒动": D(n="拒动", v="拒动", ev=True, stop=False, huan=False),
    "误动作": D(n="误动作", ev=True, you=True, stop=False),
    "过流": D(n="过流", v="过流", ev=True, huan=False),
    "过载": D(n="过载", v="过载", ev=True, huan=False),
    "缺相": D(n="缺相", v="缺相", ev=True, huan=False),
    "过压": D(n="过压", v="过压", ev=True, huan=False),
    "失压": D(n="失压", v="失压", ev=True, huan=False),
    "电压不稳": D(n="电压不稳现象", v="电压不稳", huan=False),
    "三相不平衡": D(n="三相不平衡现象", v="三相不平衡", huan=False),
    "接地不良": D(n="接地不良", v="接地不良", huan=False),
    "绝缘破损": D(n="绝缘破损"),
    "放电": D(n="放电", v="放电", ev=True, you=True, stop=False),
    "拉弧": D(n="拉弧", v="拉弧", ev=True, stop=False),
    "冒火花": D(n="火花", v="冒火花", you=True),
    "发烫": D(n="发烫", v="发烫", bu="不发烫", ev=True, huan=False),
    "烧毁": D(v="烧毁"),
    # motors, fans, drives
    "堵转": D(n="堵转", v="堵转", ev=True, huan=False),
    "扫膛": D(n="扫膛", v="扫膛", ev=True),
    "飞车": D(n="飞车", v="飞车", ev=True, huan=False),
    "失速": D(n="失速", v="失速", ev=True, huan=False),
    "抖动": D(n="抖动", v="抖动", bu="不抖动", ev=True, you=True, huan=False),
    "频繁启停": D(n="频繁启停", v="频繁启停", ev=True, stop=False, evv=False, huan=False),
    # controls, sensors, networks
    "自动重启": D(n="自动重启", v="自动重启", ev=True, stop=False, huan=False),
    "程序跑飞": D(n="程序跑飞", v="程序跑飞", ev=True, evv=False, huan=False),
    "参数丢失": D(n="参数丢失", v="参数丢失", ev=True, evv=False, huan=False),
    "数据丢失": D(n="数据丢失", v="数据丢失", ev=True, stop=False, evv=False, huan=False),
    "零点丢失": D(n="零点丢失", v="零点丢失", ev=True, evv=False, huan=False),
    "通讯超时": D(n="通讯超时", v="通讯超时", ev=True, evv=False, huan=False),
    "丢包": D(n="丢包", v="丢包", ev=True, stop=False, huan=False),
    "网络中断": D(n="网络中断", v="网络中断", ev=True, evv=False, huan=False),
    "信号丢失": D(n="信号丢失", v="信号丢失", ev=True, evv=False, huan=False),
    "信号干扰": D(n="信号干扰", ev=True, you=True, stop=False),
    "读数漂移": D(n="读数漂移", v="读数漂移", ev=True, stop=False, evv=False),
    "零点漂移": D(n="零点漂移", v="零点漂移", ev=True, stop=False, evv=False, huan=False),
    "数值跳变": D(n="数值跳变", v="数值跳变", ev=True, stop=False, evv=False, huan=False),
    "响应延迟": D(n="响应延迟", v="响应延迟", ev=True, stop=False, evv=False, huan=False),
    "读码失败": D(n="读码失败", v="读码失败", ev=True, stop=False, evv=False, huan=False),
    "按键失灵": D(n="按键失灵", v="按键失灵", ev=True, stop=False, evv=False),
    # machining / CNC
    "让刀": D(n="让刀", v="让刀", huan=False),
    "扎刀": D(n="扎刀", v="扎刀", ev=True, huan=False),
    "粘刀": D(n="粘刀", v="粘刀", bu="不粘刀", ev=True, huan=False),
    "撞刀": D(n="撞刀", v="撞刀", ev=True, huan=False),
    "卡刀": D(n="卡刀", v="卡刀", bu="不卡刀", ev=True, huan=False),
    "掉刀": D(n="掉刀", v="掉刀", ev=True, huan=False),
    "过切": D(n="过切", v="过切", huan=False),
    "振纹": D(n="振纹", count=True),
    "刀痕": D(n="刀痕", count=True),
    "崩角": D(n="崩角", count=True),
    "缺角": D(n="缺角", count=True),
    "崩口": D(n="崩口", count=True),
    "毛边": D(n="毛边", count=True),
    "烂牙": D(n="烂牙", count=True),
    "锈死": D(n="锈死", v="锈死"),
    "咬死": D(n="咬死", v="咬死", ev=True),
    "精度下降": D(n="精度下降现象", v="精度下降"),
    "定位不准": D(n="定位不准现象", v="定位不准", huan=False),
    "夹不紧": D(v="夹不紧"),
    "缺油": D(n="缺油", v="缺油", huan=False),
    "润滑不良": D(n="润滑不良", v="润滑不良", huan=False),
    # welding
    "焊偏": D(n="焊偏", v="焊偏"),
    "未焊透": D(n="未焊透"),
    "未熔合": D(n="未熔合"),
    "烧穿": D(n="烧穿", v="烧穿"),
    "弧坑": D(n="弧坑", count=True),
    "飞溅": D(n="飞溅"),
    "焊渣": D(n="焊渣"),
    "拉尖": D(n="拉尖", count=True),
    "断弧": D(n="断弧", v="断弧", ev=True, huan=False),
    "粘丝": D(n="粘丝", v="粘丝", ev=True, huan=False),
    "送丝不畅": D(n="送丝不畅现象", v="送丝不畅", huan=False),
    # casting and forging
    "粘砂": D(n="粘砂"),
    "浇不足": D(n="浇不足"),
    "疏松": D(n="疏松"),
    "夹杂": D(n="夹杂"),
    "折叠": D(n="折叠"),
    "过烧": D(n="过烧", v="过烧"),
    "氧化皮": D(n="氧化皮"),
    "脱碳": D(n="脱碳", v="脱碳", you=True),
    "错模": D(n="错模"),
    "缺肉": D(n="缺肉", count=True),
    # stamping and sheet metal
    "起皱": D(n="起皱", v="起皱", bu="不起皱", you=True),
    "拉裂": D(n="拉裂", v="拉裂", count=True, you=True),
    "塌角": D(n="塌角", count=True),
    "冲偏": D(n="冲偏", v="冲偏"),
    "漏冲": D(n="漏冲", v="漏冲"),
    "叠料": D(n="叠料", v="叠料", ev=True, huan=False),
    "连冲": D(n="连冲", v="连冲", ev=True),
    "压伤": D(n="压伤", count=True),
    "孔位偏移": D(n="孔位偏移", v="孔位偏移"),
    "划伤": D(n="划伤", count=True),
    # injection moulding and plastics
    "银纹": D(n="银纹", count=True),
    "熔接痕": D(n="熔接痕", count=True),
    "顶白": D(n="顶白", count=True),
    "困气": D(n="困气"),
    "短射": D(n="短射", v="短射"),
    "披锋": D(n="披锋"),
    "料花": D(n="料花", count=True),
    "水纹": D(n="水纹", count=True),
    "缩水": D(n="缩水", v="缩水", you=True),
    "泛黄": D(n="泛黄", v="泛黄", bu="不泛黄", you=True),
    "发脆": D(n="发脆", v="发脆"),
    # painting, coating, plating
    "橘皮": D(n="橘皮"),
    "针孔": D(n="针孔", count=True),
    "颗粒": D(n="颗粒", count=True),
    "漏喷": D(n="漏喷", v="漏喷"),
    "露底": D(n="露底", v="露底", you=True),
    "咬底": D(n="咬底"),
    "发花": D(n="发花", v="发花"),
    "失光": D(n="失光", v="失光"),
    "粉化": D(n="粉化", v="粉化", you=True),
    "发白": D(n="发白", v="发白", bu="不发白"),
    "脱落": D(n="脱落", v="脱落", bu="不脱落", you=True),
    "漏镀": D(n="漏镀", v="漏镀"),
    "麻面": D(n="麻面"),
    "水印": D(n="水印", count=True),
    "掉粉": D(n="掉粉", v="掉粉", bu="不掉粉"),
    # SMT, PCB and electronics
    "连锡": D(n="连锡", count=True),
    "桥连": D(n="桥连", count=True),
    "立碑": D(n="立碑", count=True),
    "冷焊": D(n="冷焊", count=True),
    "少锡": D(n="少锡", count=True),
    "多锡": D(n="多锡", count=True),
    "锡珠": D(n="锡珠", count=True),
    "偏位": D(n="偏位", v="偏位", count=True, you=True),
    "空焊": D(n="空焊", count=True),
    "错件": D(n="错件", count=True),
    "缺件": D(n="缺件", count=True),
    "翘脚": D(n="翘脚", count=True),
    "极性装反": D(n="极性装反", v="极性装反"),
    "分层": D(n="分层", v="分层", you=True),
    "卡板": D(n="卡板", v="卡板", ev=True, huan=False),
    # wiring harnesses and connectors
    "压接不良": D(n="压接不良", v="压接不良"),
    "退针": D(n="退针", v="退针", you=True),
    "线序错误": D(n="线序错误", v="线序错误"),
    "导通不良": D(n="导通不良", v="导通不良"),
    # textiles and garments
    "断纱": D(n="断纱", v="断纱", ev=True, huan=False),
    "跳纱": D(n="跳纱", count=True),
    "染色不均": D(n="染色不均现象", v="染色不均"),
    "开线": D(n="开线", v="开线", you=True),
    "线头": D(n="线头", count=True),
    "断针": D(n="断针", v="断针", ev=True),
    "勾丝": D(n="勾丝", count=True),
    "烫黄": D(n="烫黄", count=True),
    "极光": D(n="极光"),
    "针距不匀": D(n="针距不匀现象", v="针距不匀"),
    "错码": D(n="错码"),
    # food and pharma packaging
    "漏封": D(n="漏封", v="漏封", huan=False),
    "封口不严": D(n="封口不严现象", v="封口不严"),
    "热封不良": D(n="热封不良", v="热封不良", huan=False),
    "胀袋": D(n="胀袋", v="胀袋", you=True),
    "胀罐": D(n="胀罐"),
    "毛发": D(n="毛发"),
    "缺粒": D(n="缺粒", count=True),
    "裂片": D(n="裂片", count=True),
    "松片": D(n="松片"),
    "粘冲": D(n="粘冲", v="粘冲", ev=True, huan=False),
    "歪盖": D(n="歪盖", count=True),
    "浑浊": D(n="浑浊", v="浑浊", bu="不浑浊"),
    "沉淀": D(n="沉淀"),
    "装量不足": D(n="装量不足现象", v="装量不足", huan=False),
    "净含量不足": D(n="净含量不足现象", v="净含量不足"),
    "批号错误": D(n="批号错误", v="批号错误"),
    "炸瓶": D(n="炸瓶", v="炸瓶", ev=True, stop=False, huan=False),
    "卡箱": D(n="卡箱", v="卡箱", ev=True, huan=False),
    "断膜": D(n="断膜", v="断膜", ev=True, huan=False),
    # printing and labelling
    "字迹模糊": D(n="字迹模糊", v="字迹模糊"),
    "打印模糊": D(n="打印模糊", v="打印模糊", huan=False),
    "漏印": D(n="漏印", v="漏印"),
    "重影": D(n="重影"),
    "套印不准": D(n="套印不准现象", v="套印不准", huan=False),
    "糊版": D(n="糊版", v="糊版", huan=False),
    "偏色": D(n="偏色", v="偏色", huan=False),
    "脱墨": D(n="脱墨", v="脱墨"),
    "墨色不均": D(n="墨色不均现象", v="墨色不均"),
    "贴歪": D(v="贴歪", huan=False),
    "漏贴": D(n="漏贴", v="漏贴", huan=False),
    "褶皱": D(n="褶皱", count=True),
    "卡纸": D(n="卡纸", v="卡纸", bu="不卡纸", ev=True, huan=False),
    "切偏": D(n="切偏", v="切偏"),
    # chemical and process plants
    "冲料": D(n="冲料", v="冲料", ev=True, huan=False),
    "飞温": D(n="飞温", v="飞温", ev=True, huan=False),
    "憋压": D(n="憋压", v="憋压", ev=True, huan=False),
    "粘壁": D(n="粘壁", v="粘壁", you=True),
    "结晶": D(n="结晶", v="结晶", you=True),
    "温度波动": D(n="温度波动", v="温度波动", ev=True, stop=False, evv=False, huan=False),
    "压力波动": D(n="压力波动", v="压力波动", ev=True, stop=False, evv=False, huan=False),
    "搅拌不均": D(n="搅拌不均现象", v="搅拌不均"),
    "汽蚀": D(n="汽蚀", v="汽蚀", ev=True, huan=False),
    "抽空": D(n="抽空", v="抽空", ev=True, huan=False),
    # refrigeration, air conditioning, cold storage
    "不制冷": D(v="不制冷", huan=False),
    "制冷效果差": D(v="制冷效果差", wenti=False, huan=False),
    "缺氟": D(n="缺氟", v="缺氟", huan=False),
    "降温慢": D(n="降温慢现象", v="降温慢", wenti=False, huan=False),
    "结冰": D(n="结冰", v="结冰", ev=True, stop=False, huan=False),
    "风量不足": D(n="风量不足现象", v="风量不足", huan=False),
    # boilers and steam
    "爆管": D(n="爆管", v="爆管", ev=True),
    "熄火": D(n="熄火", v="熄火", bu="不熄火", ev=True, huan=False),
    "点不着火": D(v="点不着火", huan=False),
    "回火": D(n="回火", v="回火", ev=True, huan=False),
    "水击": D(n="水击", ev=True, you=True, stop=False),
    # hydraulics and pneumatics
    "压力上不去": D(v="压力上不去", huan=False),
    "乳化": D(n="乳化", v="乳化", you=True),
    "串气": D(n="串气", v="串气", ev=True),
    "不动作": D(v="不动作"),
    "动作迟缓": D(n="动作迟缓现象", v="动作迟缓"),
    "气压不足": D(n="气压不足现象", v="气压不足", huan=False),
    # conveyors, sorting, logistics
    "卡包": D(n="卡包", v="卡包", ev=True, huan=False),
    "堆料": D(n="堆料", v="堆料", ev=True, huan=False),
    "掉料": D(n="掉料", v="掉料", bu="不掉料", ev=True, huan=False),
    "撒料": D(n="撒料", v="撒料", ev=True, huan=False),
    "不转": D(v="不转"),
    "撕裂": D(n="撕裂", v="撕裂", you=True),
    "错分": D(n="错分", v="错分", ev=True, stop=False),
    "压坏": D(v="压坏了"),
    "发错货": D(v="发错了"),
    "数量短缺": D(n="数量短缺", v="数量短缺"),
    "外包装破损": D(n="外包装破损", v="外包装破损"),
    "丢件": D(n="丢件", v="丢件", you=True),
    # robots and manipulators
    "碰撞": D(n="碰撞", v="发生碰撞", ev=True, huan=False),
    "轨迹偏差": D(n="轨迹偏差", v="轨迹偏差", ev=True, evv=False, huan=False),
    "抓取失败": D(n="抓取失败", v="抓取失败", ev=True, evv=False, huan=False),
    "掉件": D(n="掉件", v="掉件", bu="不掉件", ev=True, huan=False),
    # trucks, hoists, lifting gear
    "刹车失灵": D(n="刹车失灵", v="刹车失灵", ev=True),
    "制动失灵": D(n="制动失灵", v="制动失灵", ev=True),
    "溜车": D(n="溜车", v="溜车", ev=True, stop=False, huan=False),
    "断股": D(n="断股", count=True),
    "亏电": D(n="亏电", v="亏电", ev=True, huan=False),
    "转向沉重": D(n="转向沉重现象", v="转向沉重", huan=False),
    "起升无力": D(n="起升无力现象", v="起升无力"),
    # pumps, valves, seals, hoses
    "关不严": D(v="关不严"),
    "卡涩": D(n="卡涩", v="卡涩", ev=True),
    "密封失效": D(n="密封失效", v="密封失效", ev=True, stop=False, evv=False),
    "变硬": D(n="变硬", v="变硬"),
    "溶胀": D(n="溶胀", v="溶胀"),
    "发粘": D(n="发粘", v="发粘", bu="不发粘"),
    # bearings and gearboxes
    "点蚀": D(n="点蚀", count=True),
    "胶合": D(n="胶合"),
    "断齿": D(n="断齿", v="断齿", you=True),
    "打齿": D(n="打齿", v="打齿", ev=True),
    "剥落": D(n="剥落", v="剥落", you=True),
    "跑圈": D(n="跑圈", v="跑圈"),
    "抱死": D(n="抱死", v="抱死", ev=True),
    # woodworking, glass, tiles
    "崩茬": D(n="崩茬", count=True),
    "脱胶": D(n="脱胶", v="脱胶", bu="不脱胶", you=True),
    "虫眼": D(n="虫眼", count=True),
    "节疤": D(n="节疤", count=True),
    "起拱": D(n="起拱", v="起拱"),
    "结石": D(n="结石", count=True),
    "炸裂": D(n="炸裂", v="炸裂"),
}

ROUND4_SUBJECTS = [
    # machining
    S("加工中心", "equip", ["撞刀", "精度下降", "过载", "报故障", "异响", "漏油", "参数丢失", "缺油"],
      ["加工精度高", "换刀顺畅", "运行平稳"], swap=False),
    S("丝杠", "equip", ["缺油", "异响", "咬死", "抖动", "润滑不良"], ["传动顺畅", "间隙合适"]),
    S("卡盘", "equip", ["夹不紧", "异响", "咬死"], ["夹紧有力", "动作灵活"]),
    S("刀库", "equip", ["卡刀", "掉刀", "报故障", "定位不准"], ["换刀顺畅", "定位准确"]),
    # welding
    S("焊机", "equip", ["断弧", "粘丝", "送丝不畅", "过热", "跳停"], ["起弧容易", "送丝顺畅"]),
    S("焊接机器人", "equip", ["碰撞", "轨迹偏差", "断弧", "零点丢失", "报故障"], ["轨迹准确", "动作流畅"], swap=False),
    # robots, presses, die casting, moulding, painting
    S("机械手", "equip", ["抓取失败", "掉件", "碰撞", "抖动", "零点丢失"], ["抓取准确", "动作流畅"]),
    S("冲床", "equip", ["叠料", "连冲", "异响", "漏油", "过载"], ["运行平稳", "离合灵敏"], swap=False),
    S("压铸机", "equip", ["漏油", "压力波动", "报故障", "粘模"], ["压射平稳", "锁模可靠"], swap=False),
    S("热流道", "equip", ["漏胶", "超温", "堵塞", "温度波动"], ["温控准确", "出胶顺畅"]),
    S("喷枪", "equip", ["堵塞", "滴漆"], ["雾化良好", "出漆均匀"]),
    # SMT and electronics, controls, networks
    S("回流焊", "equip", ["温度波动", "超温", "卡板"], ["炉温曲线正常", "传送平稳"], swap=False),
    S("波峰焊", "equip", ["卡板", "温度波动", "报故障"], ["波峰平稳", "炉温正常"], swap=False),
    S("扫码枪", "equip", ["读码失败", "掉线", "响应延迟", "按键失灵"], ["识别灵敏", "读码准确"]),
    S("控制器", "equip", ["自动重启", "程序跑飞", "参数丢失", "通讯超时", "死机", "软件故障"],
      ["响应灵敏", "通讯正常"]),
    S("主控板", "equip", ["烧毁", "短路", "虚焊", "自动重启", "程序跑飞"], ["工作正常", "供电正常"]),
    S("交换机", "equip", ["丢包", "网络中断", "掉线", "发烫"], ["通讯顺畅", "网速正常"]),
    S("接触器", "equip", ["拉弧", "嗡嗡响", "发热", "烧毁", "冒火花"], ["吸合可靠", "触点完好"]),
    S("控制柜", "equip", ["电气故障", "发热", "进水", "焦味", "接地不良"], ["接线整齐", "散热良好"], swap=False),
    # pumps, valves, seals
    S("离心泵", "equip", ["汽蚀", "抽空", "泄漏", "抖动", "异响"], ["出口压力正常", "运转平稳"]),
    S("机械密封", "equip", ["泄漏", "密封失效", "渗漏"], ["密封严实", "端面完好"], repair=False),
    S("调节阀", "equip", ["卡涩", "内漏", "关不严", "外漏", "定位不准"], ["调节灵敏", "开度准确"]),
    S("电磁阀", "equip", ["串气", "不动作", "烧毁", "内漏", "嗡嗡响"], ["动作灵敏", "换向可靠"]),
    # pneumatics and hydraulics
    S("储气罐", "equip", ["积水", "渗漏", "锈点"], ["压力正常", "排水顺畅"]),
    S("气路", "equip", ["漏气", "气压不足", "积水", "堵塞"], ["通畅", "供气正常"], swap=False),
    S("油缸", "equip", ["内泄", "抖动", "爬行", "外漏"], ["动作平稳", "保压良好"]),
    S("液压系统", "equip", ["压力上不去", "泄漏", "噪音", "抖动"], ["压力正常", "油温正常"], swap=False),
    S("液压油", "equip", ["乳化", "杂质", "发黑"], ["油质清洁", "油位正常"], repair=False),
    S("齿轮箱", "equip", ["打齿", "漏油", "异响", "发热", "缺油"], ["啮合良好", "运转平稳"]),
    # conveying, sorting, lifting, trucks
    S("托辊", "equip", ["不转", "异响", "卡死"], ["转动灵活", "转动平稳"]),
    S("输送线", "equip", ["堆料", "卡包", "掉料", "跑偏", "抖动", "撒料"], ["运行顺畅", "输送平稳"], swap=False),
    S("皮带", "equip", ["撕裂", "打滑", "跑偏", "老化", "开裂"], ["张紧适度", "接头平整"]),
    S("分拣机", "equip", ["卡包", "错分", "掉线", "报故障"], ["分拣准确", "运行顺畅"], swap=False),
    S("搬运车", "equip", ["刹车失灵", "溜车", "亏电", "转向沉重", "异响"], ["刹车灵敏", "转向轻便"]),
    S("电动葫芦", "equip", ["制动失灵", "异响", "过热", "起升无力"], ["起吊平稳", "制动可靠"]),
    S("钢丝绳", "equip", ["断股", "锈蚀", "变形", "缺油"], ["润滑良好", "表面完好"], repair=False),
    S("货叉", "equip", ["变形", "开裂", "弯曲"], ["平直", "完好"], repair=False),
    # boilers, steam, heat exchange, refrigeration
    S("锅炉", "equip", ["爆管", "熄火", "水垢", "超压", "漏汽", "积碳"], ["燃烧充分", "水位正常"], swap=False),
    S("燃烧器", "equip", ["熄火", "积碳", "点不着火", "回火"], ["燃烧充分", "点火顺利"]),
    S("疏水阀", "equip", ["漏汽", "堵塞", "卡涩"], ["排水顺畅", "动作灵敏"]),
    S("换热器", "equip", ["水垢", "内漏", "堵塞", "泄漏"], ["换热效果好", "温差正常"], swap=False),
    S("冷藏柜", "equip", ["不制冷", "结冰", "漏氟", "降温慢", "温度波动"], ["制冷效果好", "温度恒定"], swap=False),
    S("制冷机组", "equip", ["频繁启停", "漏氟", "缺氟", "异响", "制冷效果差"], ["制冷效果好", "运行平稳"], swap=False),
    S("冷凝器", "equip", ["水垢", "堵塞", "漏氟", "油泥"], ["散热良好", "翅片干净"]),
    S("空调", "equip", ["滴水", "不制冷", "缺氟", "噪音", "异味", "风量不足"], ["制冷效果好", "出风正常"], swap=False),
    # chemical plant
    S("反应釜", "equip", ["泄漏", "冲料", "飞温", "粘壁", "压力波动", "搅拌不均"],
      ["密封良好", "搅拌均匀", "温控准确"], swap=False),
    S("搅拌器", "equip", ["抖动", "异响", "摩擦声"], ["运转平稳", "搅拌均匀"]),
    S("蒸汽管道", "equip", ["水击", "漏汽", "锈蚀"], ["保温良好", "疏水顺畅"], swap=False),
    # packaging, filling, labelling, printing
    S("缠绕机", "equip", ["断膜", "卡顿", "报故障"], ["缠绕紧实", "运行顺畅"], swap=False),
    S("封箱机", "equip", ["卡箱", "报故障", "卡顿"], ["封箱平整", "运行顺畅"], swap=False),
    S("灌装机", "equip", ["滴漏", "装量不足", "炸瓶"], ["灌装精度高", "计量准确"], swap=False),
    S("贴标机", "equip", ["贴歪", "漏贴", "卡顿"], ["贴标准确", "运行顺畅"], swap=False),
    S("标签打印机", "equip", ["卡纸", "打印模糊", "掉线"], ["打印清晰", "走纸顺畅"]),
    S("印刷机", "equip", ["套印不准", "糊版", "偏色", "异响"], ["套印准确", "墨色均匀"], swap=False),
    S("热封机", "equip", ["热封不良", "漏封", "超温"], ["封口平整", "温控准确"], swap=False),
    # textiles, pharma, woodworking, kilns
    S("织机", "equip", ["断纱", "异响", "抖动"], ["开台正常", "布面平整"], swap=False),
    S("压片机", "equip", ["粘冲", "异响", "抖动"], ["运转平稳", "片重均匀"], swap=False),
    S("封边机", "equip", ["脱胶", "跑偏", "报故障"], ["封边平整", "修边干净"], swap=False),
    S("窑炉", "equip", ["温度波动", "熄火", "超温"], ["炉温均匀", "燃烧充分"], swap=False),
    S("胶管", "equip", ["老化", "鼓包", "渗漏", "变硬"], ["接头牢固", "表面完好"], repair=False),
    S("滤网", "equip", ["堵塞", "破损", "积料"], ["干净", "通畅"], repair=False),
    # parts and processes
    S("锻件", "part", ["折叠", "过烧", "氧化皮", "裂纹", "缺肉", "错模", "脱碳"], ["外形饱满", "余量均匀"],
      batch=True),
    S("钣金件", "part", ["起皱", "拉裂", "划伤", "塌角", "毛刺", "变形"], ["折弯到位", "平整光洁"], batch=True),
    S("机加工件", "part", ["振纹", "刀痕", "崩角", "毛刺", "尺寸问题", "过切"], ["尺寸准确", "表面光洁"],
      batch=True),
    S("喷涂件", "part", ["橘皮", "针孔", "颗粒", "漏喷", "露底", "流挂", "咬底"], ["漆膜均匀", "光泽一致"],
      batch=True),
    S("电镀件", "part", ["漏镀", "发花", "烧焦", "起泡", "麻点", "发黑", "脱落"], ["镀层均匀", "色泽光亮"],
      batch=True),
    S("镀层", "part", ["脱落", "发白", "粉化", "针孔", "起泡"], ["附着牢固", "厚度均匀"]),
    S("PCBA", "part", ["连锡", "立碑", "冷焊", "少锡", "锡珠", "偏位", "错件", "缺件", "桥连", "空焊"],
      ["焊点饱满", "元件齐全"], batch=True),
    S("锡膏印刷", "part", ["少锡", "多锡", "连锡", "偏位", "拉尖"], ["厚度均匀", "图形完整"]),
    S("元器件", "part", ["错件", "翘脚", "氧化", "受潮"], ["型号正确", "引脚平直"], batch=True),
    S("连接器", "part", ["退针", "接触不良", "氧化", "开裂"], ["插拔顺畅", "接触良好"], batch=True),
    S("端子", "part", ["压接不良", "氧化", "变形", "退针"], ["压接牢固", "镀层完好"], batch=True),
    S("齿轮", "part", ["断齿", "点蚀", "胶合", "剥落", "毛刺"], ["啮合良好", "齿面光洁"], batch=True),
    S("螺纹孔", "part", ["烂牙", "毛刺", "滑牙", "孔位偏移"], ["螺纹完好", "孔位准确"]),
    S("O型圈", "part", ["老化", "变硬", "溶胀", "开裂", "变形"], ["弹性好", "尺寸准确"], batch=True),
    S("工作服", "part", ["开线", "线头", "色差", "起球", "缩水", "烫黄", "针距不匀", "错码"],
      ["缝线平直", "尺码标准"], batch=True, drawing=False),
    S("坯布", "part", ["跳纱", "油渍", "霉点", "染色不均", "勾丝"], ["布面平整", "纬密均匀"]),
    S("手套", "part", ["开线", "线头", "破损"], ["缝线牢固", "大小合适"]),
    S("包装袋", "part", ["漏封", "封口不严", "异味", "套印不准", "褶皱"], ["封口平整", "印刷清晰"]),
    S("软包装", "part", ["胀袋", "漏气", "漏封"], ["封口牢固", "外观饱满"], rework=False),
    S("罐头", "part", ["胀罐", "锈点", "凹陷"], ["密封良好", "罐型完好"], rework=False),
    S("西林瓶", "part", ["歪盖", "异物", "裂纹", "黑点"], ["外观洁净", "压盖严密"]),
    S("药片", "part", ["裂片", "松片", "麻面", "黑点", "缺角"], ["片面光洁", "硬度合格"], rework=False),
    S("泡罩", "part", ["缺粒", "热封不良", "漏气"], ["热封严密", "网纹清晰"]),
    S("药液", "part", ["浑浊", "沉淀", "异物"], ["澄清", "颜色正常"], rework=False),
    S("标签", "part", ["贴歪", "漏贴", "褶皱", "气泡", "字迹模糊", "脱落", "漏印"], ["粘贴牢固", "字迹清晰"]),
    S("印刷品", "part", ["重影", "偏色", "套印不准", "脱墨", "墨色不均", "漏印"], ["色彩还原好", "套印准确"],
      batch=True, drawing=False),
    S("原料", "part", ["受潮", "结块", "发霉", "杂质", "毛发"], ["干燥", "批号清楚"], rework=False),
    S("木料", "part", ["虫眼", "节疤", "开裂", "变形", "霉斑"], ["干燥到位", "纹理顺直"], rework=False),
    S("板件", "part", ["崩茬", "脱胶", "色差", "起拱", "划伤"], ["封边平整", "尺寸准确"], batch=True),
    S("瓷砖", "part", ["缺角", "色差", "翘曲", "斑点", "针孔"], ["平整度好", "色泽一致"]),
    S("货物", "part", ["破损", "受潮", "压坏", "数量短缺", "外包装破损", "发错货", "丢件"],
      ["完好", "数量准确"], batch=True, drawing=False, rework=False),
    S("返修件", "part", ["问题复发", "外观问题", "漏装"], ["修复到位", "功能正常"], batch=True, drawing=False),
]

# New defects for subjects that already exist (training side only).
ROUND4_EXTRA_DEFECTS = {
    "主轴": ["抱死", "精度下降", "发烫", "抖动"],
    "轴承": ["抱死", "跑圈", "剥落", "吱吱响", "缺油", "点蚀"],
    "电机": ["堵转", "扫膛", "缺相", "过流", "过载", "发烫", "嗡嗡响", "焦味", "抖动", "烧毁", "出毛病"],
    "减速机": ["打齿", "缺油", "抖动", "断齿", "小毛病"],
    "空压机": ["积碳", "频繁启停", "跳停", "机械故障", "出毛病"],
    "管路": ["泄漏", "结晶", "水击"],
    "阀门": ["内漏", "关不严", "卡涩", "外漏", "锈死"],
    "泵体": ["汽蚀", "泄漏"],
    "风机": ["失速", "跳停", "抖动", "咔咔响"],
    "变频器": ["报故障", "过流", "过压", "参数丢失", "电气故障"],
    "传感器": ["读数漂移", "零点漂移", "信号丢失", "信号干扰", "数值跳变", "误动作"],
    "伺服电机": ["过载", "抖动", "过流"],
    "触摸屏": ["响应延迟"],
    "继电器": ["误动作", "拉弧", "烧毁"],
    "散热器": ["水垢"],
    "喷嘴": ["积碳", "滴漏"],
    "水泵": ["汽蚀", "抽空", "抖动", "小毛病"],
    "电缆": ["绝缘破损", "放电", "发烫", "安全隐患"],
    "接头": ["泄漏", "渗漏"],
    "链条": ["缺油", "咔咔响"],
    "同步带": ["打滑", "跑偏", "老化"],
    "皮带轮": ["打滑"],
    "夹具": ["夹不紧", "定位不准"],
    "焊缝": ["未焊透", "未熔合", "飞溅", "弧坑", "焊偏", "焊渣", "烧穿", "质量问题"],
    "漆面": ["橘皮", "针孔", "颗粒", "发花", "失光", "咬底", "露底"],
    "外壳": ["划伤", "泛黄", "外观问题"],
    "冲压件": ["起皱", "拉裂", "塌角", "压伤", "冲偏", "漏冲", "孔位偏移", "尺寸问题"],
    "注塑件": ["银纹", "熔接痕", "顶白", "困气", "披锋", "料花", "水纹", "缩水", "泛黄", "发脆"],
    "线束": ["导通不良", "线序错误", "绝缘破损", "压接不良"],
    "来料": ["尺寸问题", "外观问题", "质量问题"],
    "包装": ["霉点"],
    "托盘": ["发霉", "霉斑", "虫眼"],
    "玻璃": ["结石", "划伤", "崩口", "炸裂"],
    "焊点": ["连锡", "冷焊", "少锡", "拉尖", "空焊", "锡珠"],
    "电路板": ["连锡", "分层", "烧毁", "立碑", "质量隐患"],
    "铝型材": ["划伤"],
    "板材": ["划伤", "锈点"],
    "箱体": ["渗漏"],
}

ROUND4_MACHINES = {
    "加工中心", "刀库", "焊机", "焊接机器人", "机械手", "冲床", "压铸机", "热流道", "回流焊", "波峰焊",
    "扫码枪", "控制器", "主控板", "交换机", "接触器", "控制柜", "离心泵", "调节阀", "电磁阀", "油缸",
    "液压系统", "齿轮箱", "输送线", "分拣机", "搬运车", "电动葫芦", "锅炉", "燃烧器", "疏水阀", "换热器",
    "冷藏柜", "制冷机组", "冷凝器", "空调", "反应釜", "搅拌器", "缠绕机", "封箱机", "灌装机", "贴标机",
    "标签打印机", "印刷机", "热封机", "织机", "压片机", "封边机", "窑炉",
}
ROUND4_POWERED = {
    "加工中心", "焊机", "焊接机器人", "机械手", "冲床", "压铸机", "回流焊", "波峰焊", "扫码枪", "控制器",
    "交换机", "离心泵", "液压系统", "齿轮箱", "输送线", "分拣机", "搬运车", "电动葫芦", "锅炉", "燃烧器",
    "冷藏柜", "制冷机组", "空调", "反应釜", "搅拌器", "缠绕机", "封箱机", "灌装机", "贴标机", "标签打印机",
    "印刷机", "热封机", "织机", "压片机", "封边机", "窑炉",
}
# "{subject}{key}不断" (never a key that starts with 断: "断纱不断" reads as a pun).
ROUND4_BUDUAN = {"跳停", "误跳", "掉件", "卡包", "堆料", "卡纸", "丢包", "自动重启", "滴水", "卡刀", "错分",
                 "掉料", "卡箱", "漏汽", "卡板"}

# Quantities where high / large is bad (不良率-style rates among them): "{subject}{quantity}偏{adj}".
ROUND4_LEVELS = [
    ("电机", "故障率", "高"), ("伺服电机", "故障率", "高"), ("控制器", "故障率", "高"),
    ("加工中心", "故障率", "高"), ("空压机", "能耗", "高"), ("锅炉", "能耗", "高"),
    ("锅炉", "排烟温度", "高"), ("液压系统", "油温", "高"), ("液压系统", "噪音", "大"),
    ("齿轮箱", "振动", "大"), ("离心泵", "振动", "大"), ("冲压件", "回弹", "大"),
    ("丝杠", "反向间隙", "大"), ("木料", "含水率", "高"), ("原料", "含水量", "高"),
    ("瓷砖", "吸水率", "高"), ("电路板", "返修率", "高"), ("PCBA", "返修率", "高"),
    ("焊缝", "返修率", "高"), ("注塑件", "报废率", "高"), ("机加工件", "报废率", "高"),
    ("锻件", "废品率", "高"), ("货物", "破损率", "高"), ("分拣机", "错分率", "高"),
    ("冷藏柜", "温差", "大"), ("喷涂件", "返工率", "高"), ("工作服", "次品率", "高"),
]
# (subject phrase, praise adjective, kind, gradable) for negated praise and plain praise.
ROUND4_PRAISE_PAIRS = [
    ("锅炉燃烧", "充分", "equip", True), ("机械手抓取", "准确", "equip", True),
    ("印刷机套印", "准确", "equip", True), ("输送线运行", "顺畅", "equip", True),
    ("调节阀调节", "灵敏", "equip", True), ("搬运车刹车", "灵敏", "equip", True),
    ("扫码枪识别", "灵敏", "equip", True), ("焊机送丝", "顺畅", "equip", True),
    ("电镀件镀层", "均匀", "part", True), ("工作服做工", "精细", "part", True),
    ("喷涂件漆膜", "均匀", "part", True), ("标签字迹", "清晰", "part", True),
    ("返修件修复", "到位", "part", True), ("板件封边", "平整", "part", True),
]
ROUND4_DIR_PRAISE = [
    ("锅炉燃烧", "充分"), ("机械手抓取", "准确"), ("印刷机套印", "准确"), ("输送线运行", "顺畅"),
    ("调节阀调节", "灵敏"), ("电镀件镀层", "均匀"), ("工作服做工", "精细"), ("搬运车刹车", "灵敏"),
    ("喷涂件漆膜", "均匀"), ("标签字迹", "清晰"), ("冷藏柜制冷", "快"),
]
ROUND4_DIR_COMPLAINT = [
    ("电机故障率", "高"), ("电路板返修率", "高"), ("注塑件报废率", "高"), ("锅炉能耗", "高"),
    ("齿轮箱振动", "大"), ("焊缝飞溅", "多"), ("PCBA连锡", "多"), ("工作服线头", "多"),
    ("液压系统油温", "高"), ("货物破损率", "高"), ("钣金件划伤", "多"), ("喷涂件颗粒", "多"),
    ("木料虫眼", "多"), ("分拣机错分率", "高"),
]
# (subject, praise adjective, kind) that can wear off.
ROUND4_DECAY = [
    ("调节阀", "灵敏", "equip"), ("电磁阀", "灵敏", "equip"), ("机械手", "准", "equip"),
    ("输送线", "顺畅", "equip"), ("搬运车刹车", "灵敏", "equip"), ("扫码枪", "灵敏", "equip"),
]
ROUND4_SERVICES = ["这次的返修质量", "这批PCBA", "这批工作服", "仓库的发货安排", "这批锻件"]
ROUND4_GOOD_ACTIONS = [
    ("售后人员", "带齐备件", "svc"), ("仓库", "按单发货", "delivery"), ("供货商", "提供合格证", "delivery"),
]
ROUND4_PENDING_ACTIONS = [
    ("售后人员", "更换故障件", "svc"), ("供货商", "补齐少发的货", "delivery"), ("仓库", "安排补发", "delivery"),
    ("售后人员", "寄回返修件", "svc"),
]
# Subjects a context does not fit (a coating is not incoming material; goods in transit,
# raw material and returned repairs have no first-article inspection).
ROUND4_CONTEXT_MISFITS = {
    "来料检验：": {"镀层", "锡膏印刷", "返修件"},
    "首件检查：": {"货物", "原料", "木料", "坯布", "返修件", "药液"},
}
# Synthetic tails that do not fit a subject (garments and goods are not "assembled" ...).
ROUND4_TAIL_MISFITS = {
    "影响装配": {"工作服", "坯布", "手套", "包装袋", "软包装", "罐头", "西林瓶", "药片", "泡罩", "药液",
                 "标签", "印刷品", "原料", "货物", "瓷砖", "木料"},
    "可以上线": {"货物", "罐头", "软包装", "药液", "药片", "工作服", "手套", "泡罩", "西林瓶"},
    "只能返工": {"原料", "药液", "货物", "罐头", "软包装", "药片", "木料"},
    "可以开机": {"钢丝绳", "货叉", "机械密封", "胶管", "滤网", "液压油", "储气罐", "蒸汽管道", "气路", "托辊",
                 "皮带", "丝杠", "卡盘"},
    "得赶紧修": {"液压油", "钢丝绳", "滤网", "胶管"},
}
# Actions that do not fit a subject: a process is not sent back; subjects with rework=False
# get no "需要返工" / "待返修" either (added by extend_training_vocabulary).
ROUND4_ACTION_MISFITS = {"已全部退货": {"锡膏印刷", "镀层"}}

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
ROUND5_DEFECTS = {
    # everyday operator and customer wording
    "掉链子": D(v="掉链子", ev=True, again=True, sev=False, wenti=False, stop=False, evv=False, huan=False),
    "趴窝": D(n="趴窝", v="趴窝", ev=True, again=True, sev=False, wenti=False, stop=False, huan=False),
    "卡壳": D(n="卡壳", v="卡壳", ev=True, again=True, sev=False, huan=False),
    "罢工": D(v="罢工", ev=True, again=True, sev=False, wenti=False, stop=False, huan=False),
    "时好时坏": D(v="时好时坏", sev=False, wenti=False, huan=False),
    "松动": D(n="松动", v="松动", bu="不松动", ev=True, again=True, you=True, huan=False),
    "磨损": D(n="磨损", v="磨损", you=True),
    "偏磨": D(n="偏磨", v="偏磨", you=True),
    "窜动": D(n="窜动", v="窜动", you=True, huan=False),
    "松旷": D(n="松旷", v="松旷", you=True),
    "卡滞": D(n="卡滞", v="卡滞", ev=True, you=True),
    "卡住": D(v="卡住了", sev=False, wenti=False, huan=False),
    "转不动": D(v="转不动", sev=False, wenti=False),
    "拧不动": D(v="拧不动", sev=False, wenti=False, huan=False),
    "打不开": D(v="打不开", sev=False, wenti=False),
    "关不上": D(v="关不上", sev=False, wenti=False),
    "装不上": D(v="装不上", sev=False, wenti=False),
    "对不上孔": D(v="对不上孔", sev=False, wenti=False),
    "开不了机": D(v="开不了机", sev=False, wenti=False, huan=False),
    "不亮": D(v="不亮", sev=False, wenti=False),
    "不出水": D(v="不出水", sev=False, wenti=False, huan=False),
    "不出料": D(v="不出料", sev=False, wenti=False, huan=False),
    "发涩": D(n="发涩", v="发涩", bu="不发涩"),
    "发沉": D(v="发沉"),
    "发软": D(n="发软", v="发软"),
    "变软": D(n="变软", v="变软"),
    "变稀": D(n="变稀", v="变稀"),
    "变钝": D(v="变钝"),
    "卷刃": D(n="卷刃", v="卷刃", you=True),
    "发黄": D(n="发黄", v="发黄", bu="不发黄", xx=True, every=True),
    "发灰": D(n="发灰", v="发灰"),
    "发乌": D(v="发乌"),
    "刮花": D(n="刮花", v="刮花", you=True),
    "磕碰": D(n="磕碰", count=True),
    "压扁": D(v="压扁了", sev=False, huan=False),
    "淋湿": D(v="淋湿了", sev=False, huan=False),
    "长毛": D(v="长毛了", sev=False, wenti=False, huan=False),
    "焊不牢": D(v="焊不牢", sev=False, wenti=False),
    "粘不牢": D(v="粘不牢", sev=False, wenti=False),
    "假焊": D(n="假焊", count=True),
    "配合过紧": D(n="配合过紧", v="配合过紧", sev=False),
    "配合过松": D(n="配合过松", v="配合过松", sev=False),
    "超差": D(n="超差", v="超差", you=True),
    "尺寸超差": D(n="尺寸超差", v="尺寸超差", sev=False),
    "异常升温": D(n="异常升温", ev=True, you=True, stop=False),
    "运行不稳定": D(n="运行不稳定现象", v="运行不稳定", sev=False, huan=False),
    "转速不稳": D(n="转速不稳现象", v="转速不稳", huan=False),
    "压力不稳": D(n="压力不稳现象", v="压力不稳", huan=False),
    "流量不足": D(n="流量不足现象", v="流量不足", huan=False, sev=False),
    "动力不足": D(n="动力不足现象", v="动力不足", huan=False, sev=False),
    "启动困难": D(n="启动困难现象", v="启动困难", huan=False),
    "自动停机": D(n="自动停机", v="自动停机", ev=True, stop=False, evv=False, huan=False, sev=False),
    "转速下降": D(n="转速下降", v="转速下降", ev=True, stop=False, evv=False, huan=False),
    "功率下降": D(n="功率下降", v="功率下降", ev=True, stop=False, evv=False, huan=False),
    # noises and smells
    "哐当响": D(n="哐当声", v="哐当响", you=True, wenti=False),
    "咯噔响": D(n="咯噔声", v="咯噔响", you=True, wenti=False),
    "哒哒响": D(n="哒哒声", v="哒哒响", you=True, wenti=False),
    "滋滋响": D(n="滋滋声", v="滋滋响", you=True, wenti=False),
    "吱呀响": D(n="吱呀声", v="吱呀响", you=True, wenti=False),
    "闷响": D(n="闷响", you=True),
    "风噪": D(n="风噪", you=True),
    "共振": D(n="共振", v="共振", ev=True, you=True, stop=False, huan=False),
    "振动过大": D(n="振动过大现象", v="振动过大", huan=False, sev=False),
    "焦糊味": D(n="焦糊味", you=True),
    "臭味": D(n="臭味", you=True),
    "霉味": D(n="霉味", you=True),
    "馊味": D(n="馊味", you=True),
    "哈喇味": D(n="哈喇味", you=True),
    "刺鼻气味": D(n="刺鼻气味", you=True),
    # dirt, deposits and spots
    "灰尘": D(n="灰尘", you=True),
    "积灰": D(n="积灰", v="积灰", you=True, huan=False),
    "铁屑": D(n="铁屑", you=True),
    "碎屑": D(n="碎屑", you=True),
    "手印": D(n="手印", count=True),
    "脏点": D(n="脏点", count=True),
    "凸点": D(n="凸点", count=True),
    "凹坑": D(n="凹坑", count=True),
    "黄斑": D(n="黄斑", count=True),
    "色斑": D(n="色斑", count=True),
    "色点": D(n="色点", count=True),
    "暗纹": D(n="暗纹", count=True),
    "条纹": D(n="条纹", count=True),
    "波纹": D(n="波纹"),
    "划痕": D(n="划痕", count=True),
    "擦伤": D(n="擦伤", count=True),
    "残胶": D(n="残胶", count=True),
    "白霜": D(n="白霜", you=True),
    "泛碱": D(n="泛碱", v="泛碱"),
    "结垢": D(n="结垢", v="结垢", you=True, huan=False),
    "长藻": D(n="长藻", v="长藻", huan=False),
    # leaks, oil and water
    "漏风": D(n="漏风", v="漏风", bu="不漏风", ev=True, you=True, xx=True, stop=False),
    "跑冒滴漏": D(n="跑冒滴漏", you=True, xx=True),
    "甩油": D(n="甩油", v="甩油", ev=True, you=True, stop=False, huan=False),
    "窜油": D(n="窜油", v="窜油", you=True),
    "烧机油": D(v="烧机油", sev=False),
    "漏雨": D(n="漏雨", v="漏雨", bu="不漏雨", ev=True, you=True, stop=False),
    "漏料": D(n="漏料", v="漏料", ev=True, you=True, huan=False),
    "冒罐": D(n="冒罐", v="冒罐", ev=True, huan=False, sev=False),
    "缺水": D(n="缺水", v="缺水", ev=True, huan=False),
    "冻裂": D(n="冻裂", v="冻裂"),
    "结露": D(n="结露", v="结露", ev=True, xx=True, stop=False, huan=False),
    "结霜": D(n="结霜", v="结霜", ev=True, xx=True, stop=False, huan=False),
    "油位偏低": D(n="油位偏低现象", v="油位偏低", huan=False, sev=False),
    "油压过低": D(n="油压过低现象", v="油压过低", huan=False, sev=False),
    "水温过高": D(n="水温过高现象", v="水温过高", huan=False, sev=False),
    "排水不畅": D(n="排水不畅现象", v="排水不畅", huan=False),
    # electrical and power distribution
    "报警": D(n="报警", v="报警", bu="不报警", ev=True, again=True, you=True, huan=False, sev=False),
    "频繁报警": D(n="频繁报警", v="频繁报警", ev=True, stop=False, evv=False, huan=False, sev=False),
    "跳电": D(n="跳电", v="跳电", ev=True, again=True, huan=False, sev=False),
    "断电": D(n="断电", v="断电", ev=True, huan=False, sev=False),
    "烧保险": D(v="烧保险", ev=True, again=True, sev=False, evv=False, huan=False),
    "熔断": D(n="熔断", v="熔断", ev=True, sev=False),
    "炸管": D(n="炸管", v="炸管", ev=True, sev=False),
    "闪络": D(n="闪络", v="闪络", ev=True, sev=False),
    "爬电": D(n="爬电", v="爬电", ev=True, stop=False),
    "局部放电": D(n="局部放电", ev=True, you=True, stop=False),
    "电晕": D(n="电晕", you=True),
    "谐波超标": D(n="谐波超标", v="谐波超标", huan=False, sev=False),
    "功率因数低": D(v="功率因数低", sev=False, huan=False),
    "绝缘不良": D(n="绝缘不良", v="绝缘不良", sev=False),
    "绝缘电阻偏低": D(n="绝缘电阻偏低", v="绝缘电阻偏低", sev=False),
    "温升过高": D(n="温升过高现象", v="温升过高", sev=False),
    "电压偏低": D(n="电压偏低现象", v="电压偏低", huan=False, sev=False),
    "切换失败": D(n="切换失败", v="切换失败", ev=True, stop=False, evv=False, huan=False, sev=False),
    "不通电": D(v="不通电", sev=False, wenti=False),
    "频闪": D(n="频闪", v="频闪", ev=True, you=True, stop=False),
    "带静电": D(n="静电", v="带静电", sev=False),
    "静电损伤": D(n="静电损伤", you=True),
    # semiconductors and wafers
    "崩边": D(n="崩边", count=True),
    "隐裂": D(n="隐裂", count=True),
    "碎片": D(n="碎片"),
    "颗粒污染": D(n="颗粒污染", you=True),
    "沾污": D(n="沾污", you=True),
    "刻蚀不均": D(n="刻蚀不均现象", v="刻蚀不均"),
    "套刻偏差": D(n="套刻偏差", you=True),
    "线宽超差": D(n="线宽超差", v="线宽超差", sev=False),
    "键合不良": D(n="键合不良", v="键合不良", sev=False),
    "塌丝": D(n="塌丝", count=True),
    "弯脚": D(n="弯脚", count=True),
    "空洞": D(n="空洞", count=True),
    "腔体污染": D(n="腔体污染", you=True),
    "真空度不足": D(n="真空度不足现象", v="真空度不足", huan=False, sev=False),
    "参数漂移": D(n="参数漂移", v="参数漂移", ev=True, stop=False, evv=False, huan=False, sev=False),
    "漏电流超标": D(n="漏电流超标", v="漏电流超标", sev=False),
    # batteries and cells
    "胀气": D(n="胀气", v="胀气", you=True),
    "析锂": D(n="析锂", v="析锂", you=True),
    "自放电过大": D(n="自放电过大", v="自放电过大", sev=False),
    "容量不足": D(n="容量不足", v="容量不足", sev=False),
    "充不进电": D(v="充不进电", sev=False, wenti=False),
    "掉电快": D(v="掉电快", sev=False),
    "压差过大": D(n="压差过大", v="压差过大", huan=False, sev=False),
    "热失控": D(n="热失控", v="热失控", ev=True, sev=False),
    "充电失败": D(n="充电失败", v="充电失败", ev=True, stop=False, evv=False, huan=False, sev=False),
    "焊接不良": D(n="焊接不良", v="焊接不良", sev=False),
    # solar modules
    "热斑": D(n="热斑", count=True),
    "蜗牛纹": D(n="蜗牛纹", count=True),
    "脱层": D(n="脱层", v="脱层", you=True),
    "发电量偏低": D(n="发电量偏低", v="发电量偏低", huan=False, sev=False),
    "衰减过快": D(n="衰减过快现象", v="衰减过快", sev=False),
    # optics, cameras and displays
    "起雾": D(n="起雾", v="起雾", bu="不起雾", ev=True, stop=False),
    "麻坑": D(n="麻坑", count=True),
    "脱膜": D(n="脱膜", v="脱膜", you=True),
    "坏点": D(n="坏点", count=True),
    "暗点": D(n="暗点", count=True),
    "漏光": D(n="漏光", v="漏光", bu="不漏光", you=True, sev=False),
    "花屏": D(n="花屏", v="花屏", ev=True, stop=False),
    "黑屏": D(n="黑屏", v="黑屏", ev=True, sev=False),
    "白屏": D(n="白屏", v="白屏", ev=True, stop=False, sev=False),
    "闪屏": D(n="闪屏", v="闪屏", bu="不闪屏", ev=True, stop=False),
    "乱码": D(n="乱码", v="显示乱码", ev=True, stop=False, huan=False, sev=False),
    "触控失灵": D(n="触控失灵", v="触控失灵", ev=True, stop=False, evv=False, sev=False),
    "对焦不准": D(n="对焦不准现象", v="对焦不准", huan=False, sev=False),
    "成像模糊": D(n="成像模糊", v="成像模糊", sev=False),
    "光路偏移": D(n="光路偏移", v="光路偏移", ev=True, stop=False, evv=False, huan=False, sev=False),
    # medical devices and sterile goods
    "倒钩": D(n="倒钩", count=True),
    "打结": D(n="打结", v="打结", you=True, huan=False),
    "密封不良": D(n="密封不良", v="密封不良", sev=False),
    "计量不准": D(n="计量不准现象", v="计量不准", huan=False, sev=False),
    "读数不准": D(n="读数不准现象", v="读数不准", sev=False),
    "灭菌不彻底": D(n="灭菌不彻底现象", v="灭菌不彻底", huan=False, sev=False),
    "微生物超标": D(n="微生物超标", v="微生物超标", sev=False),
    "菌落超标": D(n="菌落超标", v="菌落超标", sev=False),
    # pharma: capsules, coated tablets, granules
    "瘪囊": D(n="瘪囊", count=True),
    "漏粉": D(n="漏粉", v="漏粉", you=True, huan=False),
    "粘连": D(n="粘连", v="粘连", you=True),
    "花斑": D(n="花斑", count=True),
    "顶裂": D(n="顶裂", count=True),
    "吸潮": D(n="吸潮", v="吸潮", you=True),
    "包衣不匀": D(n="包衣不匀现象", v="包衣不匀"),
    "片重不稳": D(n="片重不稳现象", v="片重不稳", huan=False),
    "崩解超时": D(n="崩解超时", v="崩解超时", sev=False),
    "含量偏低": D(n="含量偏低现象", v="含量偏低", sev=False),
    # food processing and the cold chain
    "变质": D(n="变质", v="变质", bu="不变质"),
    "霉变": D(n="霉变", v="霉变", you=True),
    "发酸": D(n="发酸", v="发酸"),
    "发臭": D(n="发臭", v="发臭", bu="不发臭"),
    "漏馅": D(n="漏馅", v="漏馅", you=True),
    "破袋": D(n="破袋", v="破袋", you=True),
    "胖听": D(n="胖听"),
    "烤焦": D(n="烤焦", v="烤焦"),
    "夹生": D(n="夹生", v="夹生"),
    "虫害": D(n="虫害", you=True),
    "活虫": D(n="活虫"),
    "回温": D(n="回温", v="回温", ev=True, xx=True, stop=False, huan=False),
    "断链": D(n="断链", v="断链", ev=True, stop=False, huan=False, sev=False),
    "温度超标": D(n="温度超标", v="温度超标", ev=True, stop=False, evv=False, huan=False, sev=False),
    "化霜不净": D(n="化霜不净现象", v="化霜不净", huan=False),
    "加热不均": D(n="加热不均现象", v="加热不均"),
    "过期": D(v="过期了", sev=False),
    "标签不符": D(n="标签不符", v="标签不符", sev=False),
    # beverages and bottling
    "液位不足": D(n="液位不足现象", v="液位不足", huan=False, sev=False),
    "含气量不足": D(n="含气量不足现象", v="含气量不足", huan=False, sev=False),
    "漏盖": D(n="漏盖", v="漏盖", huan=False, sev=False),
    "高盖": D(n="高盖", count=True),
    "倒瓶": D(n="倒瓶", v="倒瓶", ev=True, stop=False, huan=False, sev=False),
    "卡瓶": D(n="卡瓶", v="卡瓶", bu="不卡瓶", ev=True, again=True, huan=False),
    "掉标": D(n="掉标", v="掉标", you=True, sev=False),
    "异色": D(n="异色"),
    # paper, corrugated board and cartons
    "塌箱": D(n="塌箱", v="塌箱", you=True),
    "爆线": D(n="爆线", count=True),
    "翘边": D(n="翘边", v="翘边", you=True, every=True),
    "卷边": D(n="卷边", v="卷边", you=True, every=True),
    "纸毛": D(n="纸毛", you=True),
    "掉毛": D(n="掉毛", v="掉毛", bu="不掉毛"),
    "破洞": D(n="破洞", count=True),
    "露白": D(n="露白", v="露白"),
    "折痕": D(n="折痕", count=True),
    "破边": D(n="破边", count=True),
    # textiles, dyeing, leather
    "掉色": D(n="掉色", v="掉色", bu="不掉色", every=True),
    "褪色": D(n="褪色", v="褪色", bu="不褪色", every=True),
    "串色": D(n="串色", v="串色", xx=True),
    "渗色": D(n="渗色", v="渗色"),
    "色花": D(n="色花"),
    "缸差": D(n="缸差", you=True),
    "色牢度差": D(v="色牢度差", sev=False),
    "纬斜": D(n="纬斜", you=True),
    "横档": D(n="横档"),
    "抽丝": D(n="抽丝", v="抽丝"),
    "毛羽": D(n="毛羽", you=True),
    "条干不匀": D(n="条干不匀现象", v="条干不匀"),
    "裂面": D(n="裂面", v="裂面"),
    "龟裂": D(n="龟裂", v="龟裂", you=True),
    "掉皮": D(n="掉皮", v="掉皮", bu="不掉皮"),
    # furniture, toys, cosmetics, adhesives
    "甲醛超标": D(n="甲醛超标", v="甲醛超标", sev=False),
    "缝隙过大": D(n="缝隙过大", v="缝隙过大", sev=False),
    "尖角": D(n="尖角", count=True),
    "锐边": D(n="锐边", count=True),
    "开缝": D(n="开缝", v="开缝", you=True),
    "塌陷": D(n="塌陷", v="塌陷", you=True),
    "结皮": D(n="结皮", v="结皮", you=True),
    "固化不完全": D(n="固化不完全现象", v="固化不完全", sev=False),
    "掉胶": D(n="掉胶", v="掉胶", you=True),
    # tyres and rubber
    "喷霜": D(n="喷霜", v="喷霜", you=True),
    "欠硫": D(n="欠硫", v="欠硫"),
    "过硫": D(n="过硫", v="过硫"),
    "焦烧": D(n="焦烧", v="焦烧"),
    "露线": D(n="露线", v="露线"),
    "亏气": D(n="亏气", v="亏气", ev=True, stop=False, huan=False),
    "爆胎": D(n="爆胎", v="爆胎", ev=True, sev=False),
    "失去弹性": D(v="失去弹性", sev=False),
    "扭曲": D(n="扭曲", v="扭曲", you=True),
    # cables, wire drawing, winding
    "断丝": D(n="断丝", v="断丝", ev=True, huan=False, sev=False),
    "偏芯": D(n="偏芯", v="偏芯"),
    "竹节": D(n="竹节", count=True),
    "乱线": D(n="乱线", v="乱线", huan=False),
    "排线不齐": D(n="排线不齐现象", v="排线不齐", huan=False),
    "电阻超标": D(n="电阻超标", v="电阻超标"),
    "耐压不合格": D(n="耐压不合格", v="耐压不合格", sev=False),
    # ceramics and glazes
    "缺釉": D(n="缺釉", count=True),
    "釉泡": D(n="釉泡", count=True),
    "釉裂": D(n="釉裂", count=True),
    "坯裂": D(n="坯裂", count=True),
    "落渣": D(n="落渣", count=True),
    "生烧": D(n="生烧"),
    # cement and concrete
    "蜂窝": D(n="蜂窝", count=True),
    "露筋": D(n="露筋", count=True),
    "起砂": D(n="起砂", v="起砂", bu="不起砂"),
    "空鼓": D(n="空鼓", count=True),
    "离析": D(n="离析", v="离析"),
    "泌水": D(n="泌水", v="泌水"),
    "强度不足": D(n="强度不足", v="强度不足", sev=False),
    "跑浆": D(n="跑浆", v="跑浆"),
    "胀模": D(n="胀模", v="胀模"),
    "烂根": D(n="烂根"),
    # steel rolling and tubes
    "结疤": D(n="结疤", count=True),
    "耳子": D(n="耳子"),
    "辊印": D(n="辊印", count=True),
    "浪形": D(n="浪形"),
    "镰刀弯": D(n="镰刀弯"),
    "边裂": D(n="边裂", count=True),
    "厚度不均": D(n="厚度不均现象", v="厚度不均"),
    "板形不良": D(n="板形不良"),
    "卡钢": D(n="卡钢", v="卡钢", ev=True, huan=False, sev=False),
    "堆钢": D(n="堆钢", v="堆钢", ev=True, huan=False, sev=False),
    "粘辊": D(n="粘辊", v="粘辊", ev=True, huan=False),
    "断辊": D(n="断辊", v="断辊", ev=True, sev=False),
    # aluminium extrusion and anodising
    "挤压纹": D(n="挤压纹", count=True),
    "扭拧": D(n="扭拧"),
    "壁厚不均": D(n="壁厚不均现象", v="壁厚不均"),
    "膜厚不足": D(n="膜厚不足现象", v="膜厚不足", sev=False),
    # shipbuilding and marine
    "焊接变形": D(n="焊接变形"),
    "错边": D(n="错边", you=True),
    "锈穿": D(n="锈穿", v="锈穿"),
    "涂层破损": D(n="涂层破损"),
    "电蚀": D(n="电蚀", v="电蚀", you=True),
    # aerospace composites
    "脱粘": D(n="脱粘", v="脱粘", you=True),
    "贫胶": D(n="贫胶"),
    "富胶": D(n="富胶"),
    "纤维断裂": D(n="纤维断裂"),
    "孔隙率超标": D(n="孔隙率超标", v="孔隙率超标", sev=False),
    "铆接不良": D(n="铆接不良"),
    # automotive assembly: paint, doors, trim, wipers, powertrain
    "鱼眼": D(n="鱼眼", count=True),
    "砂纸印": D(n="砂纸印", count=True),
    "流痕": D(n="流痕", count=True),
    "间隙不均": D(n="间隙不均现象", v="间隙不均"),
    "面差超标": D(n="面差超标", v="面差超标", sev=False),
    "刮不干净": D(v="刮不干净", sev=False, wenti=False),
    "顿挫": D(n="顿挫", v="顿挫", ev=True, you=True, stop=False),
    "扭矩不足": D(n="扭矩不足", v="扭矩不足", huan=False, sev=False),
    "漏拧": D(n="漏拧", v="漏拧", sev=False),
    "拉缸": D(n="拉缸", v="拉缸"),
    "烧瓦": D(n="烧瓦", v="烧瓦"),
    "冒黑烟": D(n="黑烟", v="冒黑烟", ev=True, huan=False),
    "冒白烟": D(n="白烟", v="冒白烟", ev=True, huan=False),
    "动平衡不良": D(n="动平衡不良", v="动平衡不良", sev=False),
    "对中不良": D(n="对中不良", v="对中不良", huan=False, sev=False),
    "掉齿": D(n="掉齿", v="掉齿", you=True),
    # HVAC
    "不制热": D(v="不制热", sev=False, huan=False),
    "制热效果差": D(v="制热效果差", sev=False, wenti=False, huan=False),
    "冷热不均": D(n="冷热不均现象", v="冷热不均", huan=False),
    # lifts and cranes
    "平层不准": D(n="平层不准现象", v="平层不准", huan=False, sev=False),
    "困人": D(n="困人", v="困人", ev=True, stop=False, huan=False, sev=False),
    "冲顶": D(n="冲顶", v="冲顶", ev=True, huan=False, sev=False),
    "蹲底": D(n="蹲底", v="蹲底", ev=True, huan=False, sev=False),
    "啃轨": D(n="啃轨", v="啃轨"),
    "溜钩": D(n="溜钩", v="溜钩", ev=True, huan=False),
    "乱绳": D(n="乱绳", v="乱绳", huan=False),
    "限位失灵": D(n="限位失灵", v="限位失灵", ev=True, evv=False, sev=False),
    # grinding, EDM, 3D printing, laser cutting, tools
    "烧伤": D(n="烧伤", count=True),
    "圆度超差": D(n="圆度超差", v="圆度超差", sev=False),
    "粗糙度超差": D(n="粗糙度超差", v="粗糙度超差", sev=False),
    "放电不稳": D(n="放电不稳现象", v="放电不稳", huan=False),
    "层纹": D(n="层纹", count=True),
    "层间开裂": D(n="层间开裂"),
    "堵头": D(n="堵头", v="堵头", ev=True, again=True, huan=False),
    "错层": D(n="错层", v="错层"),
    "出丝不畅": D(n="出丝不畅现象", v="出丝不畅", huan=False),
    "挂渣": D(n="挂渣", you=True),
    "割不透": D(v="割不透", sev=False, wenti=False, huan=False),
    "吸力不足": D(n="吸力不足现象", v="吸力不足", sev=False),
    # plastics, films, castings, SMT
    "气纹": D(n="气纹", count=True),
    "黑纹": D(n="黑纹", count=True),
    "光泽不均": D(n="光泽不均现象", v="光泽不均"),
    "晶点": D(n="晶点", count=True),
    "热裂": D(n="热裂", count=True),
    "侧立": D(n="侧立", count=True),
    "焊盘脱落": D(n="焊盘脱落"),
    "偏移": D(n="偏移", v="偏移", you=True),
    # packaging, warehouse, logistics, AGVs
    "爆袋": D(n="爆袋", v="爆袋", you=True),
    "标识不清": D(n="标识不清", v="标识不清", sev=False),
    "标识错误": D(n="标识错误", v="标识错误", sev=False),
    "漏发": D(n="漏发", v="漏发", huan=False, sev=False),
    "混批": D(n="混批", v="混批", you=True),
    "错拣": D(n="错拣", v="错拣", you=True, huan=False, sev=False),
    "漏拣": D(n="漏拣", v="漏拣", you=True, huan=False, sev=False),
    "库位错乱": D(n="库位错乱", v="库位错乱", huan=False, sev=False),
    "账实不符": D(n="账实不符", v="账实不符", huan=False, sev=False),
    "倒垛": D(n="倒垛", v="倒垛", ev=True, stop=False, huan=False),
    "导航丢失": D(n="导航丢失", v="导航丢失", ev=True, evv=False, huan=False, sev=False),
    "避障失灵": D(n="避障失灵", v="避障失灵", ev=True, evv=False, sev=False),
    "脱轨": D(n="脱轨", v="脱轨", ev=True, huan=False, sev=False),
    # bulk handling: hoppers, crushers, screws, mixers
    "闷车": D(n="闷车", v="闷车", ev=True, again=True, huan=False),
    "堵料": D(n="堵料", v="堵料", bu="不堵料", ev=True, again=True, huan=False),
    "架桥": D(n="架桥", v="架桥", ev=True, huan=False),
    "缠料": D(n="缠料", v="缠料", ev=True, huan=False),
    # networks, MES / ERP software, servers
    "闪退": D(n="闪退", v="闪退", bu="不闪退", ev=True, again=True, stop=False, huan=False),
    "宕机": D(n="宕机", v="宕机", ev=True, again=True, huan=False, sev=False),
    "断网": D(n="断网", v="断网", ev=True, again=True, huan=False, sev=False),
    "登录不上": D(v="登录不上", sev=False, wenti=False, huan=False),
    "加载慢": D(v="加载慢", sev=False, huan=False),
    "网速慢": D(v="网速慢", sev=False, huan=False),
    "数据不同步": D(n="数据不同步现象", v="数据不同步", huan=False, sev=False),
    "数据错乱": D(n="数据错乱", v="数据错乱", ev=True, stop=False, evv=False, huan=False, sev=False),
    "同步失败": D(n="同步失败", v="同步失败", ev=True, stop=False, evv=False, huan=False, sev=False),
    "IP冲突": D(n="IP冲突", ev=True, you=True, stop=False, huan=False),
    "端口故障": D(n="端口故障", you=True, wenti=False),
    "兼容性问题": D(n="兼容性问题", you=True, wenti=False),
    "漏洞": D(n="漏洞", you=True),
    # water treatment
    "污堵": D(n="污堵", v="污堵", you=True),
    "产水量下降": D(n="产水量下降", v="产水量下降", ev=True, stop=False, evv=False),
    "出水浑浊": D(n="出水浑浊", v="出水浑浊", huan=False, sev=False),
    "电导率超标": D(n="电导率超标", v="电导率超标", huan=False, sev=False),
    "加药不准": D(n="加药不准现象", v="加药不准", huan=False, sev=False),
    "污泥上浮": D(n="污泥上浮", ev=True, stop=False),
}

ROUND5_SUBJECTS = [
    # semiconductors
    S("晶圆", "part", ["崩边", "隐裂", "划痕", "颗粒污染", "沾污", "翘曲", "碎片", "线宽超差"], ["表面洁净", "厚度均匀"], batch=True),
    S("硅片", "part", ["隐裂", "崩边", "脏点", "翘曲", "划痕", "碎片"], ["表面洁净", "厚度一致"], batch=True),
    S("芯片", "part", ["静电损伤", "弯脚", "裂纹", "漏电流超标", "塌丝"], ["参数一致", "性能稳定"], batch=True),
    S("引线框架", "part", ["氧化", "弯脚", "变形", "毛刺", "划痕"], ["平整", "镀层均匀"], batch=True),
    S("光刻机", "equip", ["套刻偏差", "报警", "参数漂移", "自动停机"], ["对准精确", "运行稳定"], swap=False),
    S("刻蚀机", "equip", ["刻蚀不均", "腔体污染", "真空度不足", "报警"], ["刻蚀均匀", "真空度稳定"], swap=False),
    S("键合机", "equip", ["键合不良", "断线", "报警", "卡滞"], ["键合牢固", "运行稳定"], swap=False),
    S("真空泵", "equip", ["真空度不足", "异响", "过热", "漏油", "卡死"], ["抽速正常", "真空度稳定"]),
    # batteries, chargers, solar
    S("电芯", "part", ["胀气", "漏液", "自放电过大", "容量不足", "压差过大", "析锂", "衰减过快", "电压偏低"], ["容量一致", "电压一致"],
      batch=True, rework=False),
    S("电池包", "part", ["压差过大", "绝缘不良", "进水", "掉电快", "热失控", "异常升温", "绝缘电阻偏低", "焊接不良"],
      ["电压均衡", "绝缘良好"], batch=True),
    S("极片", "part", ["掉粉", "褶皱", "毛刺", "划痕", "厚度不均"], ["涂布均匀", "表面平整"], batch=True),
    S("蓄电池", "equip", ["亏电", "容量不足", "充不进电", "漏液", "鼓包", "电压偏低"], ["电量充足", "电压正常"], repair=False),
    S("涂布机", "equip", ["厚度不均", "跑偏", "温度波动", "报警"], ["涂布均匀", "走带平稳"], swap=False),
    S("充电桩", "equip", ["充电失败", "通讯故障", "跳闸", "掉线", "报警", "断电", "不通电"], ["充电正常", "显示清楚"]),
    S("充电器", "equip", ["发烫", "充不进电", "烧保险", "接触不良"], ["充电正常", "温度正常"]),
    S("光伏组件", "part", ["隐裂", "热斑", "蜗牛纹", "脱层", "发电量偏低", "积灰", "衰减过快"], ["发电正常", "外观完好"],
      batch=True),
    S("逆变器", "equip", ["报警", "超温", "跳电", "通讯中断", "发电量偏低"], ["输出稳定", "运行正常"]),
    S("汇流箱", "equip", ["熔断", "进水", "发热", "接触不良"], ["接线牢固", "密封良好"]),
    # optics, cameras, displays, lasers
    S("镜头", "part", ["起雾", "划痕", "脏点", "麻坑", "成像模糊", "脱膜", "灰尘"], ["成像清晰", "镜面洁净"], batch=True),
    S("镜片", "part", ["划痕", "麻坑", "脱膜", "崩边", "气泡", "暗纹"], ["透光均匀", "表面光洁"], batch=True),
    S("显示屏", "equip", ["坏点", "漏光", "花屏", "黑屏", "闪屏", "暗点", "乱码", "白屏"], ["显示清晰", "色彩均匀"]),
    S("工业相机", "equip", ["对焦不准", "掉线", "成像模糊", "发烫"], ["成像清晰", "采集稳定"]),
    S("激光器", "equip", ["功率下降", "光路偏移", "超温", "报警"], ["出光稳定", "功率稳定"]),
    # medical devices
    S("注射器", "part", ["漏液", "异物", "黑点", "毛边", "划痕"], ["推拉顺畅", "刻度清晰"], batch=True, rework=False),
    S("输液器", "part", ["打结", "漏液", "异物", "破损"], ["管路通畅", "密封良好"], batch=True, rework=False),
    S("针头", "part", ["倒钩", "弯曲", "毛刺", "堵塞"], ["针尖锋利", "针管通畅"], batch=True, rework=False),
    S("导管", "part", ["打结", "破损", "开胶", "异物"], ["柔韧适中", "管腔通畅"], batch=True, rework=False),
    S("口罩", "part", ["异味", "破洞", "脱落", "污点", "异物"], ["贴合良好", "耳带牢固"], batch=True, drawing=False,
      rework=False),
    S("灭菌柜", "equip", ["灭菌不彻底", "漏汽", "超压", "报警", "密封不良"], ["灭菌合格", "温控准确"], swap=False),
    S("输液泵", "equip", ["计量不准", "频繁报警", "黑屏", "按键失灵"], ["流速准确", "运行平稳"]),
    # pharma
    S("胶囊", "part", ["瘪囊", "漏粉", "粘连", "变形", "异物", "崩解超时"], ["外观完整", "装量均匀"], batch=True, rework=False),
    S("胶囊充填机", "equip", ["漏粉", "卡顿", "装量不足", "报警"], ["装量准确", "运行平稳"], swap=False),
    S("包衣片", "part", ["花斑", "包衣不匀", "粘连", "色点", "顶裂", "崩解超时"], ["包衣均匀", "色泽一致"], batch=True,
      rework=False),
    S("包衣机", "equip", ["包衣不匀", "温度波动", "报警", "异响"], ["喷雾均匀", "温控准确"], swap=False),
    S("颗粒剂", "part", ["吸潮", "结块", "装量不足", "色点", "标签不符"], ["粒度均匀", "干燥"], batch=True, rework=False),
    S("口服液", "part", ["浑浊", "沉淀", "装量不足", "漏液", "异物", "标签不符", "菌落超标"], ["澄清", "装量准确"], batch=True,
      drawing=False, rework=False),
    S("铝箔", "part", ["针孔", "褶皱", "划痕", "漏印", "折痕"], ["平整", "印刷清晰"], batch=True),
    S("洗瓶机", "equip", ["卡瓶", "倒瓶", "报警", "漏水"], ["清洗干净", "运行平稳"], swap=False),
    # food and cold chain
    S("冻品", "part", ["回温", "变质", "异味", "破袋"], ["冻得结实", "温度达标"], batch=True, drawing=False,
      rework=False),
    S("速冻水饺", "part", ["漏馅", "破损", "粘连", "异物"], ["形状饱满", "冻得结实"], batch=True, drawing=False,
      rework=False),
    S("面包", "part", ["发霉", "烤焦", "夹生", "异物", "毛发", "馊味"], ["松软", "色泽金黄"], batch=True, drawing=False,
      rework=False),
    S("肉制品", "part", ["变质", "异味", "胀袋", "发粘", "发臭", "发酸"], ["色泽正常", "质地紧实"], batch=True,
      drawing=False, rework=False),
    S("食用油", "part", ["哈喇味", "浑浊", "沉淀", "异味"], ["清澈透亮", "色泽正常"], batch=True, drawing=False,
      rework=False),
    S("奶粉", "part", ["结块", "吸潮", "异物", "净含量不足", "标签不符", "活虫"], ["粉质细腻", "溶解性好"], batch=True, drawing=False,
      rework=False),
    S("冷库", "equip", ["结霜", "回温", "温度超标", "化霜不净", "漏风"], ["温度恒定", "制冷效果好"], swap=False),
    S("冷藏车", "equip", ["回温", "制冷效果差", "温度超标", "漏风", "亏电", "断链"], ["温度恒定", "制冷效果好"]),
    S("速冻机", "equip", ["结霜", "降温慢", "跳停", "异响"], ["降温迅速", "运行平稳"], swap=False),
    S("烤炉", "equip", ["温度波动", "加热不均", "熄火", "跳停"], ["炉温均匀", "加热稳定"], swap=False),
    S("和面机", "equip", ["闷车", "异响", "漏油", "打滑"], ["搅拌均匀", "运转平稳"]),
    S("杀菌釜", "equip", ["超压", "漏汽", "温度波动", "灭菌不彻底"], ["温控准确", "密封良好"], swap=False),
    # beverages and bottling
    S("瓶盖", "part", ["高盖", "歪盖", "漏气", "毛边", "变形"], ["旋合顺畅", "密封严实"], batch=True),
    S("PET瓶", "part", ["刮花", "变形", "气泡", "缺口", "黑点"], ["瓶身透亮", "瓶口平整"], batch=True),
    S("吹瓶机", "equip", ["卡瓶", "温度波动", "漏气", "报警"], ["成型稳定", "运行平稳"], swap=False),
    S("饮料", "part", ["浑浊", "沉淀", "异味", "液位不足", "含气量不足", "发酸", "异色", "菌落超标"], ["口感纯正", "液位一致"], batch=True,
      drawing=False, rework=False),
    S("旋盖机", "equip", ["漏盖", "歪盖", "卡瓶", "扭矩不足"], ["旋盖到位", "运行平稳"], swap=False),
    S("喷码机", "equip", ["打印模糊", "堵头", "掉线", "漏印"], ["喷码清晰", "运行稳定"]),
    # paper and cartons
    S("纸箱", "part", ["塌箱", "爆线", "开胶", "受潮", "翘边", "霉味"], ["箱型方正", "挺括结实"], batch=True),
    S("瓦楞纸板", "part", ["翘曲", "脱胶", "爆线", "受潮", "露白"], ["平整挺括", "粘合牢固"], batch=True),
    S("纸张", "part", ["褶皱", "破洞", "纸毛", "色差", "发黄", "折痕", "黄斑"], ["纸面平整", "白度一致"], batch=True),
    S("分切机", "equip", ["切偏", "毛边", "跑偏", "报警"], ["分切整齐", "张力稳定"], swap=False),
    S("模切机", "equip", ["切偏", "毛边", "异响", "卡纸"], ["模切精准", "运行平稳"], swap=False),
    # tyres and rubber
    S("轮胎", "part", ["偏磨", "鼓包", "亏气", "龟裂", "爆胎", "露线", "发软"], ["胎纹清晰", "气压正常"], batch=True),
    S("橡胶件", "part", ["喷霜", "欠硫", "焦烧", "缺胶", "气泡", "龟裂", "变软", "过硫"], ["弹性好", "表面光滑"], batch=True),
    S("硫化机", "equip", ["温度波动", "漏汽", "压力不稳", "漏油", "报警"], ["温控准确", "合模严密"], swap=False),
    S("密炼机", "equip", ["闷车", "漏料", "超温", "异响"], ["混炼均匀", "运转平稳"], swap=False),
    # cables and wire
    S("电线", "part", ["偏芯", "竹节", "破皮", "电阻超标", "扭曲", "绝缘电阻偏低"], ["绝缘均匀", "线径一致"], batch=True),
    S("漆包线", "part", ["针孔", "厚度不均", "擦伤", "耐压不合格", "偏芯"], ["漆膜均匀", "绝缘良好"], batch=True),
    S("拉丝机", "equip", ["断丝", "乱线", "打滑", "异响"], ["收线整齐", "运转平稳"], swap=False),
    S("绕线机", "equip", ["排线不齐", "断线", "乱线", "报警"], ["排线整齐", "张力稳定"]),
    # ceramics
    S("陶瓷件", "part", ["坯裂", "釉泡", "缺釉", "落渣", "变形", "生烧"], ["釉面光亮", "尺寸一致"], batch=True),
    S("马桶", "part", ["釉泡", "缺釉", "漏水", "裂纹", "釉裂"], ["釉面光亮", "冲水顺畅"], batch=True),
    S("釉面", "part", ["釉泡", "缺釉", "针孔", "色斑", "釉裂"], ["光亮均匀", "平整"]),
    # cement and concrete
    S("混凝土", "part", ["蜂窝", "露筋", "离析", "泌水", "空鼓", "强度不足"], ["振捣密实", "强度达标"],
      drawing=False, swap=False),
    S("水泥", "part", ["结块", "受潮", "强度不足"], ["细度合格", "强度达标"], batch=True, drawing=False,
      rework=False),
    S("预制板", "part", ["露筋", "蜂窝", "裂缝", "缺角", "起砂"], ["表面平整", "尺寸准确"], batch=True),
    S("地坪", "part", ["起砂", "空鼓", "裂缝", "起皮", "色差"], ["平整光洁", "坚实耐磨"], drawing=False, swap=False),
    S("搅拌站", "equip", ["计量不准", "堵料", "闷车", "漏料"], ["计量准确", "出料顺畅"], swap=False),
    # steel rolling, tubes, aluminium extrusion
    S("轧机", "equip", ["卡钢", "堆钢", "粘辊", "振动过大", "漏油"], ["轧制稳定", "运行平稳"], swap=False),
    S("轧辊", "equip", ["剥落", "裂纹", "磨损", "断辊"], ["辊面光洁", "硬度均匀"]),
    S("带钢", "part", ["浪形", "镰刀弯", "结疤", "辊印", "厚度不均", "边裂", "板形不良"], ["板形良好", "厚度均匀"], batch=True),
    S("线材", "part", ["耳子", "折叠", "结疤", "划痕"], ["表面光洁", "尺寸一致"], batch=True),
    S("钢管", "part", ["壁厚不均", "结疤", "弯曲", "锈蚀", "划痕"], ["壁厚均匀", "管口平齐"], batch=True),
    S("挤压机", "equip", ["闷车", "漏油", "温度波动", "压力不稳"], ["挤压平稳", "运行正常"], swap=False),
    S("铝锭", "part", ["夹渣", "气孔", "氧化皮", "缩孔"], ["成分合格", "表面干净"], batch=True, rework=False),
    S("氧化膜", "part", ["膜厚不足", "色差", "发花", "粉化", "擦伤", "发灰"], ["膜厚均匀", "色泽一致"]),
    # shipbuilding and marine
    S("船体分段", "part", ["焊接变形", "错边", "涂层破损", "锈蚀", "焊接不良"], ["线型流畅", "合拢精准"], swap=False),
    S("甲板", "part", ["锈穿", "积水", "涂层破损", "凹陷", "排水不畅"], ["平整", "防滑良好"], swap=False),
    S("螺旋桨", "equip", ["汽蚀", "电蚀", "裂纹", "动平衡不良"], ["动平衡良好", "桨叶完好"]),
    # aerospace composites
    S("复合材料件", "part", ["脱粘", "贫胶", "富胶", "分层", "孔隙率超标", "纤维断裂"], ["固化完全", "铺层平整"],
      batch=True),
    S("预浸料", "part", ["发粘", "过期", "褶皱", "贫胶"], ["铺覆性好", "含胶量均匀"], batch=True, rework=False),
    S("热压罐", "equip", ["漏气", "温度波动", "压力不稳", "报警"], ["温控准确", "保压良好"], swap=False),
    # automotive
    S("车门", "part", ["间隙不均", "面差超标", "关不上", "异响", "风噪", "漏水"], ["开关顺畅", "间隙均匀"], batch=True),
    S("车身", "part", ["鱼眼", "砂纸印", "脏点", "色差", "流挂", "凸点"], ["漆面光亮", "间隙均匀"], batch=True, swap=False),
    S("雨刮器", "equip", ["刮不干净", "异响", "卡滞", "抖动", "老化"], ["刮水干净", "摆动平稳"]),
    S("内饰件", "part", ["划痕", "色差", "翘边", "异味", "缝隙过大", "刺鼻气味"], ["贴合紧密", "纹理清晰"], batch=True),
    S("座椅", "part", ["异响", "开线", "晃动", "褶皱", "卡滞"], ["调节顺畅", "包覆平整"], batch=True),
    S("拧紧枪", "equip", ["扭矩不足", "漏拧", "报警", "打滑"], ["扭矩准确", "拧紧到位"]),
    S("变速箱", "equip", ["顿挫", "异响", "漏油", "打齿", "哒哒响", "闷响"], ["换挡平顺", "运转平稳"]),
    S("发动机", "equip", ["烧机油", "拉缸", "冒黑烟", "抖动", "启动困难", "窜油", "冒白烟", "烧瓦"], ["动力充足", "运转平稳"]),
    S("刹车片", "part", ["偏磨", "异响", "磨损", "龟裂"], ["制动平稳", "厚度均匀"], batch=True),
    S("密封条", "part", ["老化", "龟裂", "脱落", "漏风", "变形", "变软", "失去弹性", "掉胶"], ["贴合紧密", "弹性好"], batch=True),
    # HVAC
    S("风管", "equip", ["漏风", "结露", "锈蚀", "异响"], ["密封严实", "保温良好"], swap=False),
    S("风机盘管", "equip", ["结露", "滴水", "噪音", "堵塞", "风量不足", "排水不畅"], ["出风正常", "运行安静"]),
    S("冷却塔", "equip", ["结垢", "漏水", "长藻", "异响", "排水不畅"], ["散热良好", "水质清洁"], swap=False),
    S("新风机组", "equip", ["漏风", "不制热", "冷热不均", "噪音", "报警"], ["出风正常", "温度恒定"], swap=False),
    S("热泵", "equip", ["结霜", "不制热", "制热效果差", "频繁启停"], ["制热效果好", "运行平稳"]),
    # lifts and cranes
    S("电梯", "equip", ["平层不准", "困人", "冲顶", "蹲底", "异响", "抖动", "哐当响"], ["运行平稳", "平层准确"], swap=False),
    S("扶梯", "equip", ["异响", "抖动", "打滑", "卡滞"], ["运行平稳", "扶手同步"], swap=False),
    S("行车", "equip", ["啃轨", "溜钩", "限位失灵", "异响", "打滑", "哐当响"], ["运行平稳", "制动可靠"], swap=False),
    S("起重机", "equip", ["溜钩", "限位失灵", "制动失灵", "乱绳", "漏油"], ["起吊平稳", "制动可靠"], swap=False),
    S("吊钩", "equip", ["变形", "裂纹", "磨损"], ["完好", "转动灵活"], repair=False),
    S("叉车", "equip", ["趴窝", "亏电", "漏油", "刹车失灵", "爆胎", "掉链子", "动力不足"], ["刹车灵敏", "动力充足"]),
    S("升降机", "equip", ["卡滞", "限位失灵", "抖动", "漏油"], ["升降平稳", "限位可靠"]),
    # grinding, EDM, 3D printing, laser cutting, tools
    S("磨床", "equip", ["精度下降", "异响", "抖动", "漏油", "润滑不良"], ["磨削稳定", "精度稳定"], swap=False),
    S("砂轮", "equip", ["变钝", "堵塞", "崩边", "动平衡不良", "开裂"], ["锋利", "修整到位"], repair=False),
    S("磨削件", "part", ["烧伤", "振纹", "圆度超差", "粗糙度超差", "擦伤"], ["表面光洁", "尺寸一致"], batch=True),
    S("线切割机", "equip", ["断丝", "短路", "放电不稳", "报警"], ["切割稳定", "走丝平稳"], swap=False),
    S("3D打印机", "equip", ["堵头", "错层", "出丝不畅", "报警", "温度波动"], ["打印稳定", "挤出顺畅"]),
    S("打印件", "part", ["翘边", "层纹", "拉丝", "错层", "塌陷", "层间开裂"], ["表面光滑", "尺寸准确"], batch=True),
    S("激光切割机", "equip", ["割不透", "功率下降", "光路偏移", "报警", "过热"], ["切口平整", "运行稳定"], swap=False),
    S("切割件", "part", ["挂渣", "毛刺", "过烧", "切偏", "变形", "碎屑"], ["切口平整", "尺寸准确"], batch=True),
    S("刀片", "part", ["崩口", "变钝", "卷刃", "生锈"], ["刃口锋利", "切割平整"], batch=True),
    S("钻头", "part", ["变钝", "崩刃", "磨损", "偏摆"], ["刃口锋利", "排屑顺畅"], batch=True),
    # textiles, dyeing, leather, furniture, toys, cosmetics
    S("染色布", "part", ["色花", "缸差", "串色", "掉色", "色斑", "纬斜", "渗色", "条纹"], ["色泽均匀", "色牢度好"], batch=True,
      drawing=False),
    S("染缸", "equip", ["温度波动", "漏水", "堵塞", "异响"], ["升温平稳", "循环顺畅"], swap=False),
    S("定型机", "equip", ["温度波动", "跑偏", "报警", "异响"], ["门幅稳定", "温控准确"], swap=False),
    S("纱线", "part", ["毛羽", "条干不匀", "色差", "污渍"], ["条干均匀", "强力达标"], batch=True, drawing=False),
    S("成衣", "part", ["掉色", "线头", "开线", "破洞", "起皱", "抽丝", "渗色", "色牢度差"],
      ["版型周正", "走线整齐"], batch=True, drawing=False),
    S("毛巾", "part", ["掉毛", "掉色", "破边", "变硬", "黄斑"], ["吸水性好", "手感柔软"], batch=True, drawing=False),
    S("皮革", "part", ["裂面", "掉色", "龟裂", "褪色", "色差", "霉斑", "折痕", "白霜"], ["手感柔软", "纹理清晰"], batch=True,
      drawing=False),
    S("皮鞋", "part", ["开胶", "掉皮", "褶皱", "线头", "色差"], ["做工精细", "走线整齐"], batch=True, drawing=False),
    S("沙发", "part", ["吱呀响", "开线", "塌陷", "掉皮", "异味"], ["坐感舒适", "包覆平整"], batch=True, drawing=False),
    S("柜体", "part", ["甲醛超标", "翘边", "缝隙过大", "掉皮", "脱胶", "刺鼻气味"], ["拼接严密", "柜门平齐"], batch=True),
    S("桌椅", "part", ["晃动", "吱呀响", "掉漆", "毛刺", "开裂"], ["结实稳固", "边角圆滑"], batch=True, drawing=False),
    S("毛绒玩具", "part", ["掉毛", "开缝", "线头", "异味", "异物"], ["缝合牢固", "填充饱满"], batch=True, drawing=False),
    S("塑料玩具", "part", ["尖角", "锐边", "毛边", "掉色", "异味", "刺鼻气味"], ["边角圆滑", "颜色鲜亮"], batch=True),
    S("膏霜", "part", ["分层", "变稀", "异味", "结皮", "变色", "霉变"], ["质地细腻", "涂抹顺滑"], batch=True,
      drawing=False, rework=False),
    S("口红", "part", ["断裂", "变色", "气泡", "异味"], ["膏体顺滑", "颜色饱满"], batch=True, drawing=False,
      rework=False),
    S("泵头", "part", ["不出料", "漏液", "卡滞", "松动"], ["按压顺畅", "出液均匀"], batch=True),
    S("胶水", "part", ["固化不完全", "结皮", "变稀", "过期"], ["粘接牢固", "固化完全"], batch=True, drawing=False,
      rework=False),
    S("胶带", "part", ["残胶", "粘不牢", "卷边", "起皱", "带静电"], ["粘性好", "边缘整齐"], batch=True, drawing=False,
      rework=False),
    S("塑料薄膜", "part", ["破洞", "褶皱", "厚度不均", "晶点", "粘连", "带静电", "暗纹", "波纹"], ["厚薄均匀", "透明度好"], batch=True),
    S("吹膜机", "equip", ["厚度不均", "温度波动", "跑偏", "报警"], ["膜泡稳定", "运行平稳"], swap=False),
    # warehouse, AGVs, logistics
    S("AGV小车", "equip", ["导航丢失", "避障失灵", "充电失败", "脱轨", "趴窝", "掉线"], ["运行平稳", "定位准确"]),
    S("立体库", "equip", ["库位错乱", "报警", "通讯故障", "掉线"], ["出入库顺畅", "定位准确"], swap=False),
    S("堆垛机", "equip", ["卡滞", "脱轨", "定位不准", "报警"], ["取放准确", "运行平稳"], swap=False),
    S("货架", "equip", ["变形", "松动", "锈蚀", "歪斜"], ["安装牢固", "承重可靠"]),
    S("周转箱", "part", ["破损", "变形", "开裂", "污渍"], ["干净整洁", "完好"], batch=True),
    S("快递包裹", "part", ["压扁", "淋湿", "磕碰", "外包装破损", "丢件"], ["包装完好", "按时送达"], batch=True,
      repair=False, drawing=False, swap=False, rework=False),
    S("集装箱", "part", ["锈蚀", "漏雨", "变形", "异味", "积水", "霉味"], ["箱体完好", "密封良好"], batch=True, drawing=False),
    S("木箱", "part", ["开裂", "霉斑", "虫眼", "松动", "碎屑", "霉味"], ["结实牢固", "封装严实"], batch=True),
    # networks, software, servers
    S("MES系统", "equip", ["闪退", "数据不同步", "登录不上", "加载慢", "数据错乱", "同步失败", "兼容性问题", "漏洞"], ["运行流畅", "数据准确"],
      swap=False),
    S("ERP系统", "equip", ["闪退", "数据错乱", "加载慢", "登录不上", "兼容性问题", "漏洞"], ["运行流畅", "数据准确"], swap=False),
    S("数据库", "equip", ["数据丢失", "宕机", "响应延迟", "同步失败", "漏洞"], ["运行稳定", "数据完整"], swap=False),
    S("服务器", "equip", ["宕机", "死机", "过热", "断网", "运行不稳定"], ["运行稳定", "响应迅速"]),
    S("路由器", "equip", ["断网", "丢包", "发烫", "IP冲突"], ["信号稳定", "网速正常"]),
    S("工业网络", "equip", ["断网", "丢包", "网络中断", "信号干扰", "网速慢", "时好时坏"], ["通讯顺畅", "信号稳定"], swap=False),
    S("平板电脑", "equip", ["闪退", "黑屏", "充不进电", "死机", "白屏"], ["运行流畅", "续航持久"]),
    # power distribution
    S("变压器", "equip", ["渗油", "过热", "嗡嗡响", "油位偏低", "局部放电", "绝缘不良", "温升过高", "绝缘电阻偏低"], ["温升正常", "运行平稳"],
      swap=False),
    S("配电柜", "equip", ["跳闸", "发热", "接地不良", "打火", "进水", "功率因数低", "断电", "滋滋响"], ["接线整齐", "运行正常"], swap=False),
    S("开关柜", "equip", ["局部放电", "闪络", "拒动", "发热", "爬电", "电晕"], ["分合闸正常", "绝缘良好"], swap=False),
    S("电容器", "equip", ["鼓包", "漏液", "击穿", "发热"], ["容量正常", "外观完好"]),
    S("熔断器", "equip", ["熔断", "发热", "接触不良"], ["接触良好", "规格正确"], repair=False),
    S("母线", "equip", ["发热", "氧化", "松动", "放电", "异常升温", "温升过高", "爬电"], ["连接牢固", "温升正常"], swap=False),
    S("UPS电源", "equip", ["亏电", "报警", "切换失败", "容量不足", "断电", "电压偏低"], ["供电稳定", "切换正常"]),
    S("发电机组", "equip", ["启动困难", "冒黑烟", "电压不稳", "漏油", "缺水", "运行不稳定"], ["发电稳定", "启动顺利"], swap=False),
    S("电表", "equip", ["计量不准", "黑屏", "通讯故障", "乱码", "读数不准", "时好时坏"], ["计量准确", "读数清晰"]),
    S("插座", "part", ["接触不良", "发烫", "松动", "打火", "不通电", "滋滋响"], ["插拔顺畅", "接触良好"], batch=True),
    S("灯具", "equip", ["不亮", "频闪", "发黄", "进水", "积灰"], ["亮度均匀", "照明充足"]),
    # water treatment
    S("反渗透膜", "equip", ["污堵", "结垢", "产水量下降", "电导率超标"], ["产水稳定", "脱盐率高"], repair=False),
    S("水处理设备", "equip", ["出水浑浊", "加药不准", "报警", "漏水"], ["出水清澈", "运行稳定"], swap=False),
    S("潜污泵", "equip", ["堵塞", "缠料", "漏电", "过载", "异响"], ["排水顺畅", "运转平稳"]),
    S("加药泵", "equip", ["计量不准", "漏液", "卡滞", "不出料"], ["计量准确", "运行平稳"]),
    S("纯水", "part", ["电导率超标", "微生物超标", "浑浊", "菌落超标"], ["水质稳定", "电导率达标"], drawing=False, swap=False,
      rework=False),
    S("沉淀池", "equip", ["污泥上浮", "长藻", "异味", "臭味"], ["出水清澈", "运行正常"], swap=False),
    # general machinery, fluids, sensors, hand tools
    S("导轨", "equip", ["磨损", "拉伤", "缺油", "发涩", "锈蚀", "发沉"], ["移动顺畅", "润滑良好"]),
    S("滑块", "equip", ["卡滞", "磨损", "窜动", "异响", "卡住"], ["滑动顺畅", "间隙合适"]),
    S("凸轮", "equip", ["磨损", "点蚀", "异响", "卡滞"], ["运转平稳", "配合良好"]),
    S("离合器", "equip", ["打滑", "异响", "发热", "卡滞", "磨损"], ["结合平稳", "分离彻底"]),
    S("制动器", "equip", ["制动失灵", "发热", "磨损", "异响", "抱死", "发软"], ["制动可靠", "松闸灵活"]),
    S("柴油机", "equip", ["冒黑烟", "烧机油", "启动困难", "缺水", "拉缸", "窜油", "冒白烟", "动力不足"], ["动力充足", "运转平稳"], swap=False),
    S("破碎机", "equip", ["闷车", "堵料", "异响", "振动过大", "磨损"], ["出料均匀", "运转平稳"], swap=False),
    S("料仓", "equip", ["架桥", "堵料", "积料", "漏料"], ["下料顺畅", "料位准确"], swap=False),
    S("螺旋输送机", "equip", ["堵料", "卡死", "异响", "漏料", "缠料"], ["输送顺畅", "运转平稳"], swap=False),
    S("斗式提升机", "equip", ["打滑", "撒料", "跑偏", "掉链子", "异响", "哐当响"], ["提升平稳", "运行顺畅"], swap=False),
    S("振动筛", "equip", ["堵料", "破损", "异响", "共振"], ["筛分均匀", "振动平稳"], swap=False),
    S("离心机", "equip", ["振动过大", "动平衡不良", "漏料", "异响", "跳停", "转速下降"], ["运转平稳", "分离彻底"], swap=False),
    S("烘干机", "equip", ["加热不均", "温度波动", "堵料", "异味"], ["烘干均匀", "温控准确"], swap=False),
    S("储罐", "equip", ["冒罐", "渗漏", "锈蚀", "结晶"], ["密封良好", "液位正常"], swap=False),
    S("润滑油", "equip", ["乳化", "变质", "发黑", "杂质"], ["油质清洁", "油位正常"], repair=False),
    S("切削液", "equip", ["发臭", "变质", "杂质", "长毛", "臭味"], ["浓度合适", "清洁"], repair=False),
    S("冷却水", "equip", ["结垢", "浑浊", "长藻", "水温过高"], ["水质清洁", "水温正常"], repair=False),
    S("油箱", "equip", ["渗油", "锈蚀", "杂质", "油位偏低", "铁屑"], ["密封良好", "油位正常"]),
    S("散热风扇", "equip", ["异响", "不转", "积灰", "抖动", "转速下降"], ["转动顺畅", "风量正常"]),
    S("编码器", "equip", ["信号丢失", "松动", "进水", "报警", "时好时坏"], ["反馈准确", "信号稳定"]),
    S("光电开关", "equip", ["误动作", "信号干扰", "积灰", "松动", "时好时坏"], ["感应灵敏", "检测稳定"]),
    S("限位开关", "equip", ["限位失灵", "卡滞", "接触不良", "松动"], ["动作可靠", "复位灵活"]),
    S("按钮", "equip", ["按键失灵", "卡滞", "松动", "接触不良", "卡住"], ["按压灵敏", "复位灵活"]),
    S("软管", "equip", ["打结", "老化", "龟裂", "鼓包", "渗漏"], ["柔软", "接头牢固"], repair=False),
    S("气管", "equip", ["漏气", "打结", "老化", "破损"], ["通畅", "接头牢固"], repair=False),
    S("真空吸盘", "equip", ["漏气", "掉件", "老化", "吸力不足"], ["吸附牢固", "动作可靠"]),
    S("电钻", "equip", ["冒火花", "发烫", "打滑", "异响", "开不了机", "不通电", "焦糊味", "转速下降"], ["转速稳定", "出力强劲"]),
    S("角磨机", "equip", ["冒火花", "抖动", "发烫", "异响", "焦糊味"], ["转速稳定", "运行平稳"]),
    # castings, fasteners, seals, insulation
    S("铸件", "part", ["砂眼", "热裂", "粘砂", "冷隔", "浇不足", "缩孔"], ["轮廓清晰", "表面光洁"], batch=True),
    S("压铸件", "part", ["冷隔", "气孔", "拉伤", "缺肉", "变形", "流痕"], ["轮廓清晰", "表面光洁"], batch=True),
    S("螺栓", "part", ["松动", "滑牙", "断裂", "锈死", "扭矩不足", "拧不动"], ["拧紧到位", "螺纹完好"], batch=True),
    S("紧固件", "part", ["松动", "滑牙", "锈蚀", "漏拧", "装不上"], ["拧紧到位", "规格一致"], batch=True),
    S("保温层", "part", ["破损", "脱落", "结露", "进水"], ["包裹严密", "保温效果好"]),
    S("混凝土浇筑", "part", ["跑浆", "胀模", "烂根", "蜂窝", "离析"], ["振捣密实", "浇筑饱满"], drawing=False,
      swap=False),
    S("压力表", "equip", ["读数不准", "卡滞", "进水", "起雾"], ["读数准确", "指针灵活"]),
    S("拣货", "part", ["错拣", "漏拣", "混批", "漏发"], ["单货相符", "准确及时"], repair=False, drawing=False,
      swap=False, rework=False),
    S("库存", "part", ["账实不符", "混批", "过期", "库位错乱"], ["账实相符", "摆放整齐"], repair=False,
      drawing=False, swap=False, rework=False),
]

# New defects for subjects of the earlier rounds (training side only).
ROUND5_EXTRA_DEFECTS = {
    "主轴": ["松动", "窜动", "磨损", "共振"],
    "轴承": ["磨损", "甩油", "松旷", "咯噔响", "闷响"],
    "电机": ["启动困难", "转速不稳", "转不动", "共振", "罢工", "温升过高"],
    "减速机": ["甩油", "磨损", "窜动"],
    "空压机": ["启动困难", "罢工", "油位偏低"],
    "风机": ["共振", "动平衡不良", "振动过大", "积灰", "转速下降"],
    "叶轮": ["动平衡不良", "磨损", "结垢"],
    "水泵": ["不出水", "流量不足", "磨损"],
    "管路": ["结垢", "跑冒滴漏", "结露", "冻裂"],
    "阀门": ["打不开", "卡滞", "冻裂", "拧不动", "卡住"],
    "散热器": ["积灰", "结垢"],
    "触摸屏": ["花屏", "黑屏", "触控失灵", "闪屏"],
    "传感器": ["积灰", "松动"],
    "电缆": ["龟裂", "局部放电"],
    "链条": ["掉链子", "磨损", "卡滞"],
    "同步带": ["磨损", "掉齿"],
    "夹具": ["松动", "磨损"],
    "模具": ["磨损"],
    "焊缝": ["错边", "焊接变形"],
    "焊点": ["假焊", "空洞"],
    "电路板": ["焊盘脱落", "静电损伤"],
    "PCBA": ["侧立", "空洞", "静电损伤", "假焊"],
    "漆面": ["鱼眼", "砂纸印", "脏点", "龟裂", "褪色", "凸点", "波纹"],
    "外壳": ["刮花", "发黄", "擦伤", "手印"],
    "注塑件": ["气纹", "流痕", "黑纹", "光泽不均", "发黄"],
    "冲压件": ["擦伤", "尺寸超差", "凹坑", "对不上孔"],
    "来料": ["超差", "尺寸超差", "混批", "标识不清"],
    "包装": ["标识不清", "压扁", "淋湿"],
    "包装箱": ["塌箱", "爆线", "淋湿"],
    "玻璃": ["划痕", "手印", "暗纹"],
    "板材": ["擦伤", "厚度不均"],
    "钢板": ["浪形", "辊印", "结疤", "板形不良"],
    "铝型材": ["挤压纹", "扭拧", "壁厚不均", "擦伤", "膜厚不足"],
    "管件": ["壁厚不均", "结垢"],
    "密封圈": ["龟裂", "喷霜"],
    "O型圈": ["喷霜", "龟裂", "欠硫"],
    "工作服": ["掉色", "褪色", "破洞", "掉毛", "抽丝", "色牢度差"],
    "坯布": ["纬斜", "横档", "破洞", "破边"],
    "手套": ["破洞", "掉毛"],
    "包装袋": ["破袋", "爆袋", "标识不清"],
    "罐头": ["胖听"],
    "药片": ["顶裂", "花斑", "色点", "吸潮", "崩解超时"],
    "药液": ["微生物超标", "含量偏低"],
    "标签": ["卷边", "翘边", "标识错误", "偏移"],
    "原料": ["霉变", "长毛", "过期", "虫害", "活虫"],
    "木料": ["龟裂", "霉变"],
    "瓷砖": ["空鼓", "釉泡", "泛碱"],
    "货物": ["淋湿", "磕碰", "压扁", "漏发", "混批", "倒垛"],
    "锅炉": ["缺水", "结垢", "冒黑烟"],
    "空调": ["结露", "不制热", "结霜", "漏风", "冷热不均", "排水不畅"],
    "冷藏柜": ["结霜", "回温", "温度超标"],
    "冷凝器": ["结垢", "积灰"],
    "输送线": ["卡壳", "堵料", "闷车"],
    "输送带": ["闷车", "磨损"],
    "皮带": ["磨损", "龟裂"],
    "搬运车": ["趴窝", "掉链子", "爆胎", "亏气"],
    "电动葫芦": ["溜钩", "限位失灵", "乱绳"],
    "钢丝绳": ["乱绳", "磨损", "断丝"],
    "控制柜": ["积灰", "结露", "烧保险"],
    "机械手": ["卡滞", "卡壳"],
    "加工中心": ["共振", "报警", "罢工"],
    "焊机": ["跳电", "烧保险", "报警"],
    "变频器": ["报警", "炸管", "烧保险", "积灰", "谐波超标"],
    "PLC": ["报警", "数据错乱"],
    "交换机": ["断网", "IP冲突", "端口故障"],
    "视觉检测系统": ["对焦不准", "成像模糊"],
    "离心泵": ["流量不足", "不出水", "共振"],
    "齿轮箱": ["甩油", "磨损", "共振", "闷响"],
    "反应釜": ["冒罐", "结垢", "温度超标"],
    "灌装机": ["卡瓶", "倒瓶", "计量不准"],
    "贴标机": ["掉标"],
    "印刷机": ["露白"],
    "窑炉": ["加热不均"],
    "刀具": ["变钝", "卷刃", "磨损"],
    "滑台": ["卡滞", "发涩", "磨损"],
    "气缸": ["卡滞"],
    "电源模块": ["炸管", "烧保险"],
    "液压站": ["油压过低", "油位偏低"],
    "液压系统": ["油压过低", "共振"],
    "铜排": ["发乌"],
    "电镀件": ["发乌", "发灰"],
    "丝杠": ["发沉"],
    "电磁阀": ["哒哒响"],
    "继电器": ["哒哒响"],
    "弹簧": ["失去弹性"],
    "钣金件": ["对不上孔", "铆接不良"],
    "支架": ["对不上孔", "焊不牢"],
    "联轴器": ["对中不良"],
    "泵体": ["对中不良"],
    "压片机": ["片重不稳"],
    "塑料件": ["异色"],
    "螺母": ["拧不动"],
    "轴套": ["配合过松", "配合过紧"],
    "齿轮": ["配合过松"],
    "机加工件": ["铁屑"],
    "箱体": ["铁屑"],
    "铆钉": ["铆接不良"],
    "焊接件": ["焊不牢"],
    "装配件": ["装不上"],
}

# Equipment that can "出故障" / be "一切正常", and the subset that "运行" (powered machines).
ROUND5_MACHINES = {
    "光刻机", "刻蚀机", "键合机", "真空泵", "涂布机", "充电桩", "充电器", "逆变器", "汇流箱", "显示屏",
    "工业相机", "激光器", "灭菌柜", "输液泵", "胶囊充填机", "包衣机", "洗瓶机", "冷库", "冷藏车", "速冻机",
    "烤炉", "和面机", "杀菌釜", "吹瓶机", "旋盖机", "喷码机", "分切机", "模切机", "硫化机", "密炼机",
    "拉丝机", "绕线机", "搅拌站", "轧机", "挤压机", "雨刮器", "拧紧枪", "变速箱", "发动机", "风机盘管",
    "冷却塔", "新风机组", "热泵", "电梯", "扶梯", "行车", "起重机", "叉车", "升降机", "磨床", "线切割机",
    "3D打印机", "激光切割机", "染缸", "定型机", "吹膜机", "AGV小车", "立体库", "堆垛机", "MES系统",
    "ERP系统", "数据库", "服务器", "路由器", "工业网络", "平板电脑", "变压器", "配电柜", "开关柜", "UPS电源",
    "发电机组", "电表", "灯具", "水处理设备", "潜污泵", "加药泵", "离合器", "制动器", "柴油机", "破碎机",
    "螺旋输送机", "斗式提升机", "振动筛", "离心机", "烘干机", "散热风扇", "编码器", "光电开关", "限位开关",
    "电钻", "角磨机",
}
ROUND5_POWERED = {
    "光刻机", "刻蚀机", "键合机", "真空泵", "涂布机", "充电桩", "逆变器", "工业相机", "激光器", "灭菌柜",
    "输液泵", "胶囊充填机", "包衣机", "洗瓶机", "冷库", "冷藏车", "速冻机", "烤炉", "和面机", "杀菌釜",
    "吹瓶机", "旋盖机", "喷码机", "分切机", "模切机", "硫化机", "密炼机", "拉丝机", "绕线机", "搅拌站",
    "轧机", "挤压机", "变速箱", "发动机", "风机盘管", "冷却塔", "新风机组", "热泵", "电梯", "扶梯", "行车",
    "起重机", "叉车", "升降机", "磨床", "线切割机", "3D打印机", "激光切割机", "染缸", "定型机", "吹膜机",
    "AGV小车", "立体库", "堆垛机", "MES系统", "ERP系统", "数据库", "服务器", "路由器", "工业网络", "变压器",
    "UPS电源", "发电机组", "水处理设备", "潜污泵", "加药泵", "柴油机", "破碎机", "螺旋输送机", "斗式提升机",
    "振动筛", "离心机", "烘干机", "散热风扇", "电钻", "角磨机",
}
# "{subject}{key}不断" (never a key that starts with 断).
ROUND5_BUDUAN = {"报警", "跳电", "卡壳", "卡瓶", "倒瓶", "堵料", "堵头", "闪退", "卡钢", "闷车", "漏料",
                 "频繁报警", "同步失败", "充电失败"}

# Subjects a context does not fit (surfaces, structures and processes are not incoming
# material; raw material, goods in transit and liquids have no first-article inspection).
ROUND5_CONTEXT_MISFITS = {
    "来料检验：": {"釉面", "氧化膜", "混凝土", "地坪", "船体分段", "甲板", "车身", "保温层", "纯水"},
    "首件检查：": {"水泥", "铝锭", "奶粉", "食用油", "冻品", "饮料", "口服液", "预浸料", "纯水", "快递包裹",
                  "集装箱", "木箱", "周转箱", "混凝土", "地坪", "船体分段", "甲板"},
}
# Synthetic tails that do not fit a subject (food, drugs, garments and goods are not "assembled";
# consumables and fluids are not "started up" ...).
ROUND5_TAIL_MISFITS = {
    "影响装配": {"冻品", "速冻水饺", "面包", "肉制品", "食用油", "奶粉", "饮料", "口服液", "胶囊", "包衣片",
                 "颗粒剂", "注射器", "输液器", "针头", "导管", "口罩", "纸张", "染色布", "纱线", "成衣", "毛巾",
                 "皮鞋", "沙发", "桌椅", "毛绒玩具", "塑料玩具", "膏霜", "口红", "水泥", "混凝土", "地坪", "纯水",
                 "快递包裹", "集装箱", "木箱", "周转箱", "胶水", "胶带", "预浸料"},
    "可以上线": {"冻品", "速冻水饺", "面包", "肉制品", "食用油", "奶粉", "饮料", "口服液", "胶囊", "包衣片",
                 "颗粒剂", "成衣", "毛巾", "皮鞋", "沙发", "桌椅", "毛绒玩具", "膏霜", "口红", "快递包裹",
                 "集装箱", "混凝土", "地坪", "纯水"},
    "只能返工": {"电芯", "水泥", "铝锭", "冻品", "速冻水饺", "面包", "肉制品", "食用油", "奶粉", "饮料",
                 "口服液", "胶囊", "包衣片", "颗粒剂", "注射器", "输液器", "针头", "导管", "口罩", "预浸料",
                 "膏霜", "口红", "胶水", "胶带", "纯水", "快递包裹"},
    "可以开机": {"吊钩", "砂轮", "蓄电池", "润滑油", "切削液", "冷却水", "反渗透膜", "熔断器", "软管", "气管",
                 "风管", "储罐", "料仓", "沉淀池", "货架", "导轨", "滑块", "凸轮", "螺旋桨", "轧辊", "油箱",
                 "母线", "按钮", "真空吸盘"},
    "得赶紧修": {"润滑油", "切削液", "冷却水", "反渗透膜", "熔断器", "软管", "气管", "砂轮", "蓄电池"},
}
# Filled by extend_training_vocabulary (tail / action -> training subjects it does not fit;
# exact names, so the held-out and dev parts are never affected).
TRAIN_TAIL_MISFITS = {}
TRAIN_ACTION_MISFITS = {}


# --------------------------------------------------------------------------------------
# HELD-OUT part: vocabulary (disjoint from the training lists above; asserted)
# --------------------------------------------------------------------------------------

HELDOUT_DEFECTS = {
    "气孔": D(n="气孔", count=True),
    "砂眼": D(n="砂眼", count=True),
    "划伤": D(n="划伤", v="划伤", count=True),
    "色差": D(n="色差"),
    "渗漏": D(n="渗漏", v="渗漏", bu="不渗漏", again=True, xx=True),
    "松动": D(n="松动", v="松动", bu="不松动", again=True, xx=True, every=True),
    "磨损": D(n="磨损", v="磨损", xx=True),
    "卡顿": D(n="卡顿", v="卡顿", bu="不卡顿", again=True, xx=True),
    "起泡": D(n="起泡", v="起泡", bu="不起泡", again=True, xx=True, count=True),
    "脱落": D(n="脱落", v="脱落", bu="不脱落", again=True, xx=True),
    "跑偏": D(n="跑偏", v="跑偏", bu="不跑偏", again=True, xx=True),
    "打滑": D(n="打滑", v="打滑", bu="不打滑", again=True, xx=True),
    "漏气": D(n="漏气", v="漏气", bu="不漏气", again=True, xx=True),
    "跳闸": D(v="跳闸", again=True, xx=True, sev=False),
    "打火": D(v="打火", again=True, xx=True, sev=False),
    "崩刃": D(n="崩刃", v="崩刃", again=True, xx=True, sev=False),
    "老化": D(n="老化", v="老化", xx=True, every=True),
    "压力波动": D(n="压力波动", v="压力波动", xx=True, bad="压力波动大"),
    "抖动": D(v="抖动", bu="不抖动", again=True, xx=True),
    "翘曲": D(n="翘曲", v="翘曲", xx=True, every=True),
    "受潮": D(n="受潮", v="受潮", xx=True),
}

HELDOUT_SUBJECTS = [
    S("齿轮箱", "equip", ["渗漏", "磨损", "抖动"], ["啮合顺畅", "油位正常"]),
    S("导轨", "equip", ["磨损", "划伤", "卡顿"], ["滑动顺畅", "精度达标"]),
    S("液压站", "equip", ["渗漏", "压力波动"], ["压力稳定", "油温正常"]),
    S("传送带", "equip", ["跑偏", "打滑", "磨损"], ["运行顺畅", "张紧适度"]),
    S("气缸", "equip", ["漏气", "卡顿"], ["动作顺畅"]),
    S("丝杠", "equip", ["磨损", "卡顿"], ["传动顺畅", "间隙适中"]),
    S("配电箱", "equip", ["跳闸", "打火"], ["接线可靠", "标识清晰"]),
    S("刀具", "equip", ["崩刃", "磨损"], ["刃口锋利"]),
    S("涂层", "part", ["起泡", "脱落", "色差"], ["颜色一致", "厚度达标"]),
    S("铸件", "part", ["气孔", "砂眼"], ["表面致密", "尺寸精确"], batch=True),
    S("螺栓", "part", ["松动"], ["紧固可靠", "扭矩达标"], batch=True, repair=False),
    S("外协件", "part", ["划伤", "色差"], ["全部达标", "尺寸精确"], batch=True),
    S("钣金件", "part", ["划伤", "翘曲"], ["折弯角度精确", "表面整洁"], batch=True),
    S("密封圈", "part", ["老化"], [], batch=True, repair=False),
    S("外箱", "part", ["受潮"], ["完整结实"], repair=False),
]

HELDOUT_LEVELS = [
    ("液压站", "油温", "高"), ("齿轮箱", "振动", "大"), ("外协件", "返修率", "高"),
    ("导轨", "磨损量", "大"), ("铸件", "报废率", "高"), ("传送带", "振动", "大"),
]

HELDOUT_PRAISE_PAIRS = [
    ("液压站压力", "稳定", "equip", True), ("齿轮箱运行", "稳定", "equip", True),
    ("导轨滑动", "顺畅", "equip", True), ("传送带运行", "顺畅", "equip", True),
    ("气缸动作", "顺畅", "equip", True), ("配电箱接线", "可靠", "equip", True),
    ("刀具", "耐用", "equip", True), ("螺栓紧固", "可靠", "part", True),
    ("铸件尺寸", "精确", "part", True), ("外协件", "达标", "part", False),
    ("涂层厚度", "达标", "part", False), ("外箱", "结实", "part", True),
    ("铭牌标识", "清晰", "part", True), ("密封圈", "耐用", "part", True),
    ("到货", "准时", "delivery", True), ("服务工程师", "专业", "svc", True),
    ("技术支持", "专业", "svc", True), ("业务员", "靠谱", "svc", True),
]

HELDOUT_GOOD_ACTIONS = [
    ("服务工程师", "按约定时间到场", "svc"), ("外协件", "通过首件检验", "part"),
    ("物流", "按承诺时间送达", "delivery"), ("技术支持", "给出解决方案", "svc"),
    ("铸件", "通过探伤检测", "part"),
]
HELDOUT_SERVICES = ["服务工程师的处理方式", "这批外协件", "物流的配送速度", "技术支持的响应速度"]

HELDOUT_SURFACES = [("涂层", "平滑"), ("铸件表面", "致密"), ("外协件", "达标")]

HELDOUT_CONTEXTS = [
    ("夜班巡查：", {"equip"}, set()), ("维修记录：", {"equip"}, set()),
    ("终检记录：", {"part"}, set()), ("入厂检验：", {"part"}, {"涂层"}),
    ("出货前复查：", {"part"}, {"外协件"}),
    ("供应商评价：", {"part", "svc", "delivery"}, set()),
]
HELDOUT_LINES = ["2号线", "6号线", "7号线", "B5工位", "C1工位"]
HELDOUT_BATCHES = ["批次20240312", "批次20240527"]
HELDOUT_NUMBERS = [30, 60, 120, 200]
HELDOUT_ACTIONS = {"equip": ["已报修", "暂停使用"], "part": ["已挂不合格标签", "已通知供应商"]}
HELDOUT_CLOSERS = {"equip": ["可以投入使用"], "part": ["验收通过", "可以装配"]}
# Closers that do not fit a subject (an outer carton is not assembled).
CLOSER_MISFITS = {("外箱", "可以装配")}

HELDOUT_MINOR_BAD = ["外箱有点旧", "报价贵了些", "到货晚了一天", "样子土了点", "安装花的时间长"]
HELDOUT_MINOR_GOOD = ["样子挺好看", "报价很实惠", "到货挺快", "业务员很热情", "外箱很结实"]
HELDOUT_GOOD_GENERIC = ["品质靠得住", "各项指标都达标", "用起来很省心"]
HELDOUT_BAD_GENERIC = ["装机三天就出了故障", "关键尺寸超差", "没用几次就卡死了"]

HELDOUT_DIR_PRAISE = [
    ("导轨滑动", "顺畅"), ("液压站压力", "稳定"), ("螺栓紧固", "可靠"), ("服务工程师", "专业"),
    ("铸件尺寸", "精确"), ("外箱", "结实"), ("铭牌标识", "清晰"), ("刀具", "耐用"),
    ("传送带运行", "顺畅"), ("技术支持", "专业"), ("业务员", "靠谱"), ("涂层表面", "细腻"),
    ("齿轮箱运行", "稳定"), ("钣金件折弯", "精准"), ("气缸动作", "灵敏"),
    ("齿轮箱啮合", "平顺"), ("物流", "快捷"),
]
HELDOUT_DIR_COMPLAINT = [
    ("齿轮箱振动", "大"), ("导轨磨损", "严重"), ("涂层色差", "明显"), ("外协件返修率", "高"),
    ("液压站油温", "高"), ("铸件气孔", "多"), ("物流周期", "长"), ("传送带跑偏", "严重"),
    ("螺栓松动", "严重"), ("钣金件划伤", "多"), ("技术支持响应", "慢"),
    ("导轨精度", "差"), ("服务工程师态度", "差"), ("外协件尺寸偏差", "大"),
]
HELDOUT_INTENSIFIERS = ["十分", "相当", "极其"]


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


TRAIN_FRAMES = [
    # negated defect -> positive (cues 无 / 未 / 没 / 不, pre- and post-positional)
    F("nd-t-wu", "negated_defect", POS, "{subj}无{n}", "sd_n"),
    F("nd-t-weifaxian", "negated_defect", POS, "{subj}未发现{n}", "sd_n"),
    F("nd-t-jiancha", "negated_defect", POS, "检查{subj}，没有发现{n}", "sd_n", "ctx"),
    F("nd-t-meiyou", "negated_defect", POS, "{subj}没有{n}", "sd_n"),
    F("nd-t-bu", "negated_defect", POS, "{subj}{bu}", "sd_bu"),
    F("nd-t-level", "negated_defect", POS, "{subj}{qty}不{adj}", "level", "line"),
    F("nd-t-close", "negated_defect", POS, "{subj}无{n}，{close}", "sd_n_close", "line"),
    F("nd-t-yichudou", "negated_defect", POS, "{subj}{n}一处都没有", "t_count"),
    F("nd-t-zaiyemei", "negated_defect", POS, "{subj}{key}现象再也没出现过", "t_ev"),
    F("nd-t-wentimeile", "negated_defect", POS, "{subj}的{key}问题没了", "t_key"),
    F("nd-t-zhecimei", "negated_defect", POS, "这次{subj}没出现{n}", "sd_n", "ctx"),
    F("nd-t-yicibu", "negated_defect", POS, "{subj}{key}的情况一次也没有", "t_ev"),
    F("nd-t-yingzi", "negated_defect", POS, "{subj}连{n}的影子都没看到", "t_count"),
    F("nd-t-bu-le", "negated_defect", POS, "{subj}{bu}了", "t_ev_bu", "line"),
    F("nd-t-buzai", "negated_defect", POS, "修完以后{subj}不再{v}", "t_ev_v", "ctx"),
    F("nd-t-renhe", "negated_defect", POS, "{subj}未出现任何{n}", "sd_n"),
    F("nd-t-quanjian", "negated_defect", POS, "{subj}全检{num}件，{n}为零", "t_batch_look", "line"),
    F("nd-t-benyue", "negated_defect", POS, "本月{subj}没有发生一次{key}", "t_ev_equip", "ctx"),
    F("nd-t-biaodan", "negated_defect", POS, "{subj}{n}：无", "sd_n", "line"),
    F("nd-t-waiguan", "negated_defect", POS, "{subj}外观良好，无{n}、无{n2}", "t_look2", "line"),
    F("nd-t-jimei", "negated_defect", POS, "{subj}既没有{n}，也没有{n2}", "t_n2"),
    F("nd-t-jihu", "negated_defect", POS, "{subj}几乎没有{n}", "sd_n"),
    F("nd-t-conglai", "negated_defect", POS, "{subj}从来没{v}过", "t_ev_v"),
    F("nd-t-busuan", "negated_defect", POS, "{subj}的{qty}不算{adj}", "level", "line"),
    # negated praise / negated good outcome -> negative
    F("np-t-bu", "negated_praise", NEG, "{subj}不{adj}", "t_np_plain"),
    F("np-t-bugou", "negated_praise", NEG, "{subj}不够{adj}", "np_grad"),
    F("np-t-butai", "negated_praise", NEG, "{subj}不太{adj}", "np_grad"),
    F("np-t-meiyou", "negated_praise", NEG, "{who}没有{what}", "good_action"),
    F("np-t-weineng", "negated_praise", NEG, "{who}未能{what}", "good_action"),
    F("np-t-bumanyi", "negated_praise", NEG, "对{svc}不满意", "svc"),
    F("np-t-genben", "negated_praise", NEG, "{subj}根本不{adj}", "t_np_plain"),
    F("np-t-bingbu", "negated_praise", NEG, "{subj}并不{adj}", "t_np_plain"),
    F("np-t-bushihen", "negated_praise", NEG, "{subj}不是很{adj}", "np_grad"),
    F("np-t-yiqian", "negated_praise", NEG, "{subj}没有以前{adj}了", "t_decay"),
    F("np-t-budaoyigeyue", "negated_praise", NEG, "{subj}用了不到一个月就不{adj}了", "t_decay_phys"),
    F("np-t-yuelaiyue", "negated_praise", NEG, "{subj}越来越不{adj}了", "t_decay"),
    F("np-t-chichi", "negated_praise", NEG, "{who}迟迟没有{what}", "t_pending"),
    F("np-t-haimei", "negated_praise", NEG, "{who}到现在还没{what}", "t_pending"),
    F("np-t-bujin", "negated_praise", NEG, "{svc}不尽如人意", "svc"),
    F("np-t-meijiejue", "negated_praise", NEG, "{subj}的{key}问题一直没解决", "t_key"),
    F("np-t-jiangbuxia", "negated_praise", NEG, "{subj}的{qty}降不下来", "level"),
    F("np-t-dabudao", "negated_praise", NEG, "这批{part}达不到图纸要求", "t_batch_drawing", "ctx"),
    # double negation
    F("dn-t-yijian", "double_negation", POS, "这批{part}没有一件不合格", "batch_part", "ctx"),
    F("dn-t-limeiyou", "double_negation", POS, "这批{part}里没有不合格的", "batch_part", "ctx"),
    F("dn-t-budebushuo", "double_negation", POS, "不得不说，{subj}{ok}", "ok", "ctx"),
    F("dn-t-yichu", "double_negation", POS, "{subj}没有一处不{adj}", "surface"),
    F("dn-t-chengren", "double_negation", POS, "不得不承认，{subj}{ok}", "ok", "ctx"),
    F("dn-t-kehu", "double_negation", POS, "这批{part}，客户没有不说好的", "batch_part", "none"),
    F("dn-t-quanjian", "double_negation", POS, "{num}件{part}全检下来，没有一件不合格", "t_batch_num", "none"),
    F("dn-t-manyi", "double_negation", POS, "对{svc}没有不满意的地方", "svc"),
    F("dn-t-bushimeiyou", "double_negation", NEG, "{subj}不是没有{n}", "sd_n"),
    F("dn-t-bunengshuo", "double_negation", NEG, "不能说{subj}没有{n}", "sd_n", "none"),
    F("dn-t-tingji", "double_negation", NEG, "{subj}{v}，不得不停机检修", "sd_v_equip"),
    F("dn-t-fangong", "double_negation", NEG, "{subj}有{n}，不得不返工", "t_you_part_rework"),
    F("dn-t-tuihuo", "double_negation", NEG, "这批{part}有{n}，不得不整批退货", "t_you_batch", "none"),
    F("dn-t-genghuan", "double_negation", NEG, "{subj}{v}，不得不更换", "sd_v_equip_swap"),
    F("dn-t-meiyici", "double_negation", NEG, "{subj}开机没有一次不{v}的", "t_ev_v_equip"),
    F("dn-t-budebushuo-int", "double_negation", POS, "不得不说，{subj}{int}{adj}", "t_praise_int", "none"),
    F("dn-t-budebushuo-neg", "double_negation", NEG, "不得不说，{subj}{int}{adj}", "t_complaint_int", "none"),
    # contrast: the clause after the connective decides; most connectives go both ways
    F("ct-t-suiran-danshi", "contrast", POS, "虽然{a}，但是{b}", "c_pos", "none"),
    F("ct-t-suiran-buguo", "contrast", POS, "虽然{a}，不过{b}", "c_pos", "none"),
    F("ct-t-danshi", "contrast", POS, "{a}，但是{b}", "c_pos", "none"),
    F("ct-t-buguo-pos", "contrast", POS, "{a}，不过{b}", "c_pos", "none"),
    F("ct-t-suiran-keshi", "contrast", POS, "虽然{a}，可是{b}", "c_pos", "none"),
    F("ct-t-buguo-haozai", "contrast", POS, "{a}，不过好在{b}", "c_pos", "none"),
    F("ct-t-suiran-haozai", "contrast", POS, "虽然{a}，好在{b}", "c_pos", "none"),
    F("ct-t-zhengti", "contrast", POS, "{a}，但整体上{b}", "t_c_pos_eval", "none"),
    F("ct-t-jinguan", "contrast", POS, "尽管{a}，{b}", "c_pos", "none"),
    F("ct-t-haihao", "contrast", POS, "{a}，还好{b}", "c_pos", "none"),
    F("ct-t-zongde", "contrast", POS, "{a}，不过总的来说{b}", "t_c_pos_eval", "none"),
    F("ct-t-raner-pos", "contrast", POS, "{a}，然而{b}", "c_pos", "none"),
    F("ct-t-buguo", "contrast", NEG, "{a}，不过{b}", "c_neg", "none"),
    F("ct-t-kexi", "contrast", NEG, "{a}，可惜{b}", "c_neg", "none"),
    F("ct-t-zhishi", "contrast", NEG, "{a}，只是{b}", "c_neg_func", "none"),
    F("ct-t-suiran-neg", "contrast", NEG, "虽然{a}，但是{b}", "c_neg2", "none"),
    F("ct-t-que", "contrast", NEG, "{a}，{subj}却有{n}", "c_que_n", "none"),
    F("ct-t-danshi-neg", "contrast", NEG, "{a}，但是{b}", "c_neg", "none"),
    F("ct-t-suiran-buguo-neg", "contrast", NEG, "虽然{a}，不过{b}", "c_neg", "none"),
    F("ct-t-jiushi", "contrast", NEG, "{a}，就是{b}", "t_c_neg_eval", "none"),
    F("ct-t-wentishi", "contrast", NEG, "{a}，但问题是{b}", "t_c_neg_eval", "none"),
    F("ct-t-raner-neg", "contrast", NEG, "{a}，然而{b}", "c_neg", "none"),
    F("ct-t-suiran-keshi-neg", "contrast", NEG, "虽然{a}，可是{b}", "c_neg", "none"),
    F("ct-t-jinguan-neg", "contrast", NEG, "尽管{a}，{b}", "c_neg", "none"),
    # plain defect reports -> negative (logs, inspection forms, customer comments)
    F("dd-t-plain", "domain_defect", NEG, "{subj}{v}", "sd_v"),
    F("dd-t-chuxian", "domain_defect", NEG, "{subj}出现{n}", "sd_n"),
    F("dd-t-action", "domain_defect", NEG, "{subj}有{n}，{action}", "t_you_action"),
    F("dd-t-xunjian", "domain_defect", NEG, "巡检发现{subj}{n}", "sd_n", "line"),
    F("dd-t-bushao", "domain_defect", NEG, "{subj}{n}不少", "t_count"),
    F("dd-t-buduan", "domain_defect", NEG, "{subj}{key}不断", "t_buduan"),
    F("dd-t-maobing", "domain_defect", NEG, "{subj}{key}的毛病又犯了", "t_ev"),
    F("dd-t-jianyan", "domain_defect", NEG, "{subj}检验结果：有{n}，判定不合格", "t_you_part", "line"),
    F("dd-t-vaction", "domain_defect", NEG, "{subj}{v}，{action}", "sd_v_action"),
    F("dd-t-taiduo", "domain_defect", NEG, "这批{part}{n}太多了", "t_batch_count", "ctx"),
    F("dd-t-gangcai", "domain_defect", NEG, "刚才发现{subj}{v}了", "t_v", "line"),
    F("dd-t-tingji", "domain_defect", NEG, "{subj}因{key}停机", "t_ev_stop"),
    F("dd-t-guzhang", "domain_defect", NEG, "{subj}出故障了", "t_equip"),
    F("dd-t-yichang", "domain_defect", NEG, "{subj}运行异常，{action}", "t_powered_action"),
    F("dd-t-pian", "domain_defect", NEG, "{subj}{qty}偏{adj}", "level"),
    F("dd-t-shoudao", "domain_defect", NEG, "收到的{subj}有{n}", "t_you_part", "none"),
    # plain good states -> positive
    F("ok-t-plain", "domain_ok", POS, "{subj}{ok}", "ok"),
    F("ok-t-close", "domain_ok", POS, "{subj}{ok}，{close}", "ok_close", "line"),
    F("ok-t-jingjiancha", "domain_ok", POS, "经检查，{subj}{ok}", "ok", "ctx"),
    F("ok-t-yiqie", "domain_ok", POS, "{subj}一切正常", "t_equip"),
    F("ok-t-liangge", "domain_ok", POS, "{subj}{ok}，{ok2}", "t_ok2"),
    F("ok-t-jianyan", "domain_ok", POS, "{subj}检验结果：{ok}，判定合格", "t_ok_part", "line"),
    F("ok-t-jiejue", "domain_ok", POS, "{subj}的{key}问题彻底解决了", "t_key"),
    F("ok-t-xiuhao", "domain_ok", POS, "{subj}修好了，{ok}", "t_ok_fix"),
    F("ok-t-huanxin", "domain_ok", POS, "{subj}换新以后{ok}", "t_ok_swap"),
    F("ok-t-zhepi", "domain_ok", POS, "这批{subj}{ok}", "ok_batch", "ctx"),
    F("ok-t-praise", "domain_ok", POS, "{subj}{adj}", "t_praise_all"),
    F("ok-t-tuijian", "domain_ok", POS, "{subj}{adj}，{ptail}", "t_praise_svc"),
    F("ok-t-yongle", "domain_ok", POS, "{subj}用了半年，{ok}", "t_ok_fix"),
    F("ok-t-shoudao", "domain_ok", POS, "收到的{subj}{ok}，很满意", "t_ok_part", "none"),
]

# Intensity and invariance frames (own lists as well).
TRAIN_DIR_FRAMES = [
    F("in-t-praise", "intensity", POS, "{subj}{int}{adj}", "dir_praise"),
    F("in-t-complaint", "intensity", NEG, "{subj}{int}{adj}", "dir_complaint"),
    F("in-t-praise-zheci", "intensity", POS, "这次{subj}{int}{adj}", "dir_praise", "none"),
    F("in-t-complaint-zheci", "intensity", NEG, "这次{subj}{int}{adj}", "dir_complaint", "none"),
    F("in-t-praise-ganjue", "intensity", POS, "感觉{subj}{int}{adj}", "dir_praise", "none"),
    F("in-t-complaint-ganjue", "intensity", NEG, "感觉{subj}{int}{adj}", "dir_complaint", "none"),
]
TRAIN_INV_FRAMES = [
    F("iv-t-defect", "invariance", NEG, "{line}{subj}{v}，{action}", "sd_v_action", "none"),
    F("iv-t-wu", "invariance", POS, "{line}{subj}无{n}", "sd_n", "none"),
    F("iv-t-ok", "invariance", POS, "{line}{subj}{ok}，{close}", "ok_close", "none"),
    F("iv-t-choujian", "invariance", POS, "抽检{num}件，{subj}未发现{n}", "sd_n_part", "none"),
    F("iv-t-batch", "invariance", POS, "{batch}的{subj}{ok}", "ok_batch", "none"),
    F("iv-t-chuxian", "invariance", NEG, "{line}{subj}出现{n}，{action}", "sd_n_action", "none"),
    F("iv-t-meiyou", "invariance", POS, "{batch}的{part}没有{n}", "t_batch_n", "none"),
    F("iv-t-bule", "invariance", POS, "{line}{subj}{bu}了", "t_ev_bu", "none"),
]

HELDOUT_FRAMES = [
    # negated defect -> positive (cues 未见 / 没查出 / 不存在 / 无任何 / 没有出现 / 都没有 / 不)
    F("nd-h-weijian", "negated_defect", POS, "{subj}未见{n}", "sd_n"),
    F("nd-h-meichachu", "negated_defect", POS, "{subj}复检没查出{n}", "sd_n_part"),
    F("nd-h-bucunzai", "negated_defect", POS, "{subj}不存在{n}问题", "sd_n"),
    F("nd-h-wurenhe", "negated_defect", POS, "{subj}无任何{n}", "sd_n"),
    F("nd-h-xianxiang", "negated_defect", POS, "{subj}没有出现{x}现象", "sd_xx"),
    F("nd-h-yichu", "negated_defect", POS, "{subj}连一处{n}都没有", "sd_count"),
    F("nd-h-bu-le", "negated_defect", POS, "处理后{subj}{bu}了", "sd_bu", "ctx"),
    F("nd-h-level", "negated_defect", POS, "{subj}{qty}一直不{adj}", "level", "line"),
    F("nd-h-zaichuxian", "negated_defect", POS, "{subj}{x}现象没有再出现", "sd_xx"),
    # negated praise -> negative
    F("np-h-zhenggai", "negated_praise", NEG, "{subj}不{adj}，需要整改", "np_fixable"),
    F("np-h-yidian", "negated_praise", NEG, "{subj}一点也不{adj}", "np_grad"),
    F("np-h-haishi", "negated_praise", NEG, "整改后{subj}还是不{adj}", "np_fixable", "ctx"),
    F("np-h-buzenme", "negated_praise", NEG, "{subj}不怎么{adj}", "np_grad"),
    F("np-h-meineng", "negated_praise", NEG, "{who}没能{what}", "good_action"),
    F("np-h-henbumanyi", "negated_praise", NEG, "对{svc}很不满意", "svc"),
    # double negation
    F("dn-h-wuyibu", "double_negation", POS, "这批{part}无一不合格", "batch_part", "ctx"),
    F("dn-h-zhaobuchu", "double_negation", POS, "这批{part}找不出一个不合格的", "batch_part", "ctx"),
    F("dn-h-naoyijian", "double_negation", POS, "这批{part}没有哪一件是不达标的", "batch_part", "ctx"),
    F("dn-h-difang", "double_negation", POS, "{subj}找不出一处不{adj}的地方", "surface"),
    F("dn-h-bingfei", "double_negation", NEG, "{subj}并非没有{n}", "sd_n"),
    F("dn-h-daide", "double_negation", NEG, "这批{part}没有一个不带{n}的", "batch_count", "ctx"),
    F("dn-h-every", "double_negation", NEG, "这批{part}没有一个不{v}的", "batch_every", "none"),
    F("dn-h-foren", "double_negation", NEG, "不否认{subj}存在{n}", "sd_n", "none"),
    F("dn-h-buhuan", "double_negation", NEG, "{subj}{v}得厉害，不换不行", "sd_sev_equip"),
    F("dn-h-bufanxiu", "double_negation", NEG, "{subj}{v}得厉害，不返修不行", "sd_sev_part"),
    # contrast
    F("ct-h-suishuo-dan", "contrast", POS, "虽说{a}，但{b}", "c_pos", "none"),
    F("ct-h-haozai", "contrast", POS, "{a}，好在{b}", "c_pos", "none"),
    F("ct-h-keshi", "contrast", POS, "{a}，可是{b}", "c_pos", "none"),
    F("ct-h-kexideshi", "contrast", NEG, "{a}，可惜的是{b}", "c_neg", "none"),
    F("ct-h-dan", "contrast", NEG, "{a}，但{b}", "c_neg", "none"),
    F("ct-h-zhibuguo", "contrast", NEG, "{a}，只不过{b}", "c_neg_func", "none"),
    F("ct-h-suiran-ke", "contrast", NEG, "虽然{a}，可{b}", "c_neg", "none"),
    F("ct-h-que", "contrast", NEG, "{a}，{subj}却{v}了", "c_que_v", "none"),
    # plain defect reports -> negative
    F("dd-h-you", "domain_defect", NEG, "{subj}又{v}了", "sd_again"),
    F("dd-h-fanfu", "domain_defect", NEG, "{subj}{n}问题反复出现", "sd_n"),
    F("dd-h-chachu", "domain_defect", NEG, "{subj}查出{n}，{action}", "sd_n_action"),
    F("dd-h-lihai", "domain_defect", NEG, "{subj}{v}得厉害", "sd_sev"),
    # plain good states -> positive
    F("ok-h-close", "domain_ok", POS, "{subj}{ok}，{close}了", "ok_close", "line"),
    F("ok-h-fuce", "domain_ok", POS, "经复测，{subj}{ok}", "ok", "ctx"),
]
HELDOUT_DIR_FRAMES = [
    F("in-h-praise", "intensity", POS, "{subj}{int}{adj}。", "dir_praise"),
    F("in-h-complaint", "intensity", NEG, "{subj}{int}{adj}。", "dir_complaint"),
]
HELDOUT_INV_FRAMES = [
    F("iv-h-you", "invariance", NEG, "{line}{subj}又{v}了，{action}", "sd_again_action", "none"),
    F("iv-h-weijian", "invariance", POS, "{line}{subj}未见{n}，{close}", "sd_n_close", "none"),
    F("iv-h-ok", "invariance", POS, "{line}{subj}{ok}。", "ok", "none"),
    F("iv-h-choucha", "invariance", POS, "抽查{num}件，{subj}无任何{n}", "sd_n_part", "none"),
    F("iv-h-batch", "invariance", NEG, "{batch}的{subj}查出{n}，{action}", "sd_n_batch_action", "none"),
]


# --------------------------------------------------------------------------------------
# Written-out sentences (not from templates).  Written as operators, QC engineers and
# customers write notes.  Labels are meant to be unambiguous to a native reader.
# --------------------------------------------------------------------------------------

TRAIN_HAND = {
    "negated_defect": [
        ("来料检验无异常", POS),
        ("试车一个小时，没有任何报警", POS),
        ("设备运行无异响", POS),
        ("没有发现毛刺", POS),
        ("这次的油漆不掉色", POS),
        ("跑了一上午，轴承温升不高", POS),
        ("客户验收时没提出什么问题", POS),
        ("换了油封以后减速机不漏油了", POS),
        ("首批样件尺寸没有超差", POS),
        ("拆开叶轮看了，没有发现腐蚀", POS),
        ("停机保养后再没出现过报警", POS),
        ("产品送到客户那里，一件都没退", POS),
        ("注塑件表面无缩痕、无飞边", POS),
        ("出厂检验无不良", POS),
        ("焊完做了探伤，没有发现裂纹", POS),
        ("电机噪音不大，温度也正常", POS),
        ("这次的货没有磕碰，数量也对", POS),
        ("模具用了十万模，还没出过问题", POS),
    ],
    "negated_praise": [
        ("交货不及时", NEG),
        ("客服态度不好", NEG),
        ("包装不牢固", NEG),
        ("孔距不合格", NEG),
        ("对售后处理不满意", NEG),
        ("设备开起来不太平稳", NEG),
        ("发来的资料不全，缺少材质证明", NEG),
        ("焊工手艺不行，焊得坑坑洼洼", NEG),
        ("产品和图纸对不上", NEG),
        ("这批件毛刺没处理干净", NEG),
        ("修完跟没修一样", NEG),
        ("客服一问三不知", NEG),
        ("整改措施一直没落实", NEG),
        ("油漆颜色和色卡不一样", NEG),
        ("精度没有宣传的那么高", NEG),
        ("新开的模具寿命不长", NEG),
    ],
    "double_negation": [
        ("没有一个零件不合格", POS),
        ("不是没有问题，只是还没暴露出来", NEG),
        ("不得不停线整改", NEG),
        ("不得不说，这家的焊接质量真好", POS),
        ("这批货里没有不合格品", POS),
        ("不能说没有毛病，只能说勉强能用", NEG),
        ("没有哪次发货不拖的", NEG),
        ("这家的东西，我们没有不满意的", POS),
        ("不是不修，是配件一直没到", NEG),
        ("检查下来，没有一处焊点不饱满", POS),
        ("不得不承认，这台设备很省心", POS),
        ("我们不得不把这批来料全部退回", NEG),
    ],
    "contrast": [
        ("虽然包装简单，但是零件一个不少，质量过硬", POS),
        ("价格便宜，不过精度达不到要求", NEG),
        ("做工看着不错，可惜装上没多久就漏油了", NEG),
        ("虽然发货慢了点，但是东西确实好用", POS),
        ("主轴转速上得去，只是跑一会儿就过热报警", NEG),
        ("价格有点高，不过售后很给力", POS),
        ("安装师傅很负责，可惜设备本身毛病太多", NEG),
        ("外观做工都不错，却用了一个月就锈了", NEG),
        ("虽然等了一个星期，但是售后上门一次就修好了", POS),
        ("开始有点担心国产模具，结果用下来寿命很长", POS),
        ("报价比别家低，但是交货拖了一个月", NEG),
        ("首次试模不太顺，不过调了两次参数后产品就合格了", POS),
        ("客服回复挺快，但问题到现在还没解决", NEG),
        ("虽然说明书是英文的，但是厂家派人来培训了，操作没问题", POS),
    ],
    "domain_defect": [
        ("来料批次有毛刺", NEG),
        ("电机过热报警", NEG),
        ("交货延迟一周", NEG),
        ("售后迟迟不上门", NEG),
        ("冲床离合器失灵", NEG),
        ("喷漆房排风扇不转了", NEG),
        ("焊接机器人焊偏了，返修了三十多件", NEG),
        ("车间地面全是油，减速机又在漏", NEG),
        ("收到的货少了一箱", NEG),
        ("客服电话一直打不通", NEG),
        ("模具用了不到一万模就开裂了", NEG),
        ("空压机压力上不去", NEG),
        ("数控系统频繁死机", NEG),
        ("一批法兰孔位打错了", NEG),
    ],
    "domain_ok": [
        ("焊缝平整光滑", POS),
        ("设备运转平稳", POS),
        ("售后响应迅速", POS),
        ("检验合格，准予入库", POS),
        ("每次都按期交货", POS),
        ("新模具试模一次成功", POS),
        ("抽检五十件，全部合格", POS),
        ("厂家派的师傅很负责，半天就调好了", POS),
        ("来料规格和图纸完全一致", POS),
        ("电机换了以后运转正常，温度也降下来了", POS),
        ("客户对这批货很满意，又追加了订单", POS),
        ("设备保养得好，用了八年精度还在", POS),
        ("漆面光亮，颜色跟色卡一致", POS),
    ],
}
# (base, variants, label of the base: praise -> not_lower, complaint -> not_raise)
TRAIN_HAND_DIR = [
    ("这家的焊接质量好", ["这家的焊接质量非常好", "这家的焊接质量特别好"], POS),
    ("客服服务态度好", ["客服服务态度特别好"], POS),
    ("做工精细", ["做工非常精细"], POS),
    ("车间噪音大", ["车间噪音特别大"], NEG),
    ("设备故障多", ["设备故障非常多", "设备故障特别多"], NEG),
]
TRAIN_HAND_INV = [
    "3号线主轴异响，已停机",
    "A2工位电机过热报警，已通知维修",
    "批次20231105的来料全部合格",
    "5号线空压机运行平稳，压力正常",
    "批次20231218的冲压件毛刺多，需要返工",
    "1号线减速机漏油，地面有油迹",
    "A4工位焊缝饱满均匀，检验合格",
]

HELDOUT_HAND = {
    "negated_defect": [
        ("入厂检验未见异常", POS),
        ("试运行无报警", POS),
        ("客户验收没提任何意见", POS),
        ("设备运行时没有杂音", POS),
        ("这次的涂层不掉色", POS),
        ("连续跑了72小时，一次报警都没有", POS),
        ("拆开检查，齿面没有点蚀", POS),
        ("复测三遍，数据没有超差", POS),
        ("这批铸件X光探伤未见缺陷", POS),
        ("夜班设备没出过故障", POS),
        ("换了新密封件以后再也不渗油了", POS),
        ("客户现场装机一次成功，没有返工", POS),
        ("出货前全检，外观无任何磕碰", POS),
        ("气密测试不漏气，保压合格", POS),
        ("螺丝按扭矩拧紧后不松动", POS),
        ("整改后油温不再升高", POS),
        ("供应商这次送的料没挑出毛病", POS),
        ("三坐标检测未见尺寸超差", POS),
        ("刀具加工了一个班，刃口没有崩缺", POS),
        ("开箱检查，零件无缺失、无磕碰", POS),
    ],
    "negated_praise": [
        ("设备运行不稳定", NEG),
        ("到货时间总是不准时", NEG),
        ("对售后不太满意", NEG),
        ("尺寸不合格", NEG),
        ("外箱不结实，运输途中压坏了好几箱", NEG),
        ("服务工程师态度不好", NEG),
        ("效果没有宣传的好", NEG),
        ("这批货的一致性不行", NEG),
        ("供应商的检测报告到现在也没给", NEG),
        ("调试了三天还是达不到设计产能", NEG),
        ("维修师傅的水平不怎么样", NEG),
        ("技术支持回邮件一点都不积极", NEG),
        ("刀具寿命远不如原厂的", NEG),
        ("标签打印不清楚，扫码枪扫不出来", NEG),
        ("样品和大货不一致", NEG),
        ("设备精度保持不住，三个月就得重新校准", NEG),
        ("对这次的整改结果不认可", NEG),
        ("说好的免费培训一直没安排", NEG),
        ("产品表面处理做得不到家", NEG),
    ],
    "double_negation": [
        ("没有不合格的零件", POS),
        ("不能说没有问题", NEG),
        ("没有一件不合格", POS),
        ("不得不返工", NEG),
        ("不是没有缺陷", NEG),
        ("这批外协件找不出一件不达标的", POS),
        ("抽了二十件，没有一件不符合图纸", POS),
        ("整条线没有哪台设备不报警的", NEG),
        ("这家的货，我们从来没有不放心过", POS),
        ("不是不想用国产件，是这批实在太差", NEG),
        ("设备状态不能说不好，连续三个月零故障", POS),
        ("我们不得不把整批货退回去", NEG),
        ("几乎没有一个铸件不带砂眼的", NEG),
        ("他们家交付从来没有不准时过", POS),
        ("不否认产品存在一些问题", NEG),
        ("不是没试过修，实在修不好了", NEG),
        ("这台设备没有哪天不出毛病", NEG),
        ("没有哪一项指标不达标", POS),
    ],
    "contrast": [
        ("外观很漂亮，可惜用了两天就坏了", NEG),
        ("报价低是低，可精度达不到图纸要求", NEG),
        ("虽然交期晚了两天，但是质量没得说", POS),
        ("设备看着挺新，却三天两头出故障", NEG),
        ("虽说调试费了些功夫，但投产后一直很顺", POS),
        ("服务工程师人很客气，就是问题一直没解决", NEG),
        ("刚到货时有点磕碰，不过不影响使用，厂家还主动补发了配件", POS),
        ("样品做得很好，批量生产却问题不断", NEG),
        ("价格比别家贵一点，但是省心，一年没停过机", POS),
        ("响应倒是挺快，可惜修完第二天又坏了", NEG),
        ("虽然说明书写得很简单，但是设备上手很快，运行也顺", POS),
        ("颜色和样板有一点偏差，不过客户认可，整体满意", POS),
        ("首件检验通过了，可是批量件尺寸全跑偏了", NEG),
        ("前期沟通很顺利，只是交付一拖再拖", NEG),
        ("外观做工精致，然而关键尺寸超差，整批判退", NEG),
        ("报价不算便宜，但是品质确实靠得住", POS),
        ("虽然中途换了一次模，但当班产量还是完成了", POS),
        ("工期虽然紧，他们还是按节点完成了安装调试", POS),
    ],
    "domain_defect": [
        ("交期推迟了一周", NEG),
        ("维修人员迟迟不来", NEG),
        ("2号机床刀塔换刀时卡住", NEG),
        ("液压油温报警，设备停了", NEG),
        ("这批铸件气孔太多，整批拒收", NEG),
        ("机械手抓取位置偏了，零件掉了一地", NEG),
        ("伺服驱动器报过流，复位后又报", NEG),
        ("到货一看，外箱全湿了，里面的件锈了一片", NEG),
        ("产线节拍跟不上，每天欠产两百件", NEG),
        ("出厂检验放过去的件，到客户那边被批量退货", NEG),
        ("冷却泵不上水", NEG),
        ("PLC通讯中断了三次", NEG),
        ("螺杆机排气温度高，一直报警", NEG),
        ("供应商迟迟不回复整改报告", NEG),
        ("打开箱子发现少了两个零件", NEG),
        ("新换的皮带用了一周就断了", NEG),
    ],
    "domain_ok": [
        ("试运行一切正常", POS),
        ("交付准时", POS),
        ("首件检验一次通过", POS),
        ("全检200件，全部符合要求", POS),
        ("工程师当天就到了现场，两个小时就把问题解决了", POS),
        ("换型以后产能提升了两成", POS),
        ("客户审核顺利通过", POS),
        ("这家供应商一直很靠谱，交期和品质都有保障", POS),
        ("新设备上线后，产品一致性明显提高", POS),
        ("三坐标测量数据全部在公差范围内", POS),
        ("连续生产一个月，设备状态很好", POS),
        ("出厂资料齐备，合格证、检测报告都有", POS),
        ("终检全部通过，安排出货", POS),
        ("设备运转顺畅，产量达到预期", POS),
    ],
}
HELDOUT_HAND_DIR = [
    ("维修师傅技术好", ["维修师傅技术相当好"], POS),
    ("这批铸件品质好", ["这批铸件品质十分好", "这批铸件品质相当好"], POS),
    ("现场服务周到", ["现场服务十分周到", "现场服务极其周到"], POS),
    ("停机次数多", ["停机次数相当多"], NEG),
    ("返工量大", ["返工量相当大"], NEG),
    ("售后上门速度慢", ["售后上门速度相当慢"], NEG),
]
HELDOUT_HAND_INV = [
    "2号线液压站渗油，已挂牌停用",
    "C1工位螺栓扭矩全部达标",
    "批次20240312的外协件抽查全部合格",
    "7号线传送带跑了一个班，没有出现跑偏",
    "B5工位气缸漏气，产线暂停",
    "6号线涂装后的工件颜色一致，验收通过",
    "批次20240527的铸件气孔超标，整批退回",
    "抽查60件，全部合格，准许出厂",
]


# --------------------------------------------------------------------------------------
# DEV part: the TRAINING side's frames with a third, separate content vocabulary
# (disjoint from both the training and the held-out vocabulary; asserted).  It measures how
# a model trained on synthetic-train.jsonl handles words it never saw in training, for model
# selection; it is never trained on and never reported.
# --------------------------------------------------------------------------------------

DEV_DEFECTS = {
    "结垢": D(n="结垢"),   # noun only: "冷却塔有结垢", never "冷却塔结垢，不得不更换"
    "积灰": D(n="积灰", v="积灰", you=True),
    "停转": D(v="停转"),
    "变质": D(n="变质", v="变质"),
    "发臭": D(v="发臭", bu="不发臭"),
    "结焦": D(n="结焦", v="结焦"),
    "结霜": D(n="结霜", v="结霜", ev=True),
    "闪烁": D(n="闪烁", v="闪烁"),
    "漏风": D(n="漏风", v="漏风", bu="不漏风"),
    "溜钩": D(n="溜钩", v="溜钩", ev=True),
    "啃轨": D(n="啃轨", v="啃轨", ev=True),
    "跳齿": D(n="跳齿", v="跳齿", ev=True),
    "卡滞": D(n="卡滞", v="卡滞"),
    "蓝屏": D(n="蓝屏", v="蓝屏", ev=True),
    "黑屏": D(n="黑屏", v="黑屏", ev=True),
    "花屏": D(n="花屏", v="花屏", ev=True),
    "烧断": D(v="烧断了"),
    "崩边": D(n="崩边", count=True),
    "缺损": D(n="缺损", count=True),
    "划痕": D(n="划痕", count=True),
    "破洞": D(n="破洞", count=True),
    "脏污": D(n="脏污", count=True),
    "锈迹": D(n="锈迹", count=True),
    "凹坑": D(n="凹坑", count=True),
    "褪色": D(n="褪色", v="褪色", bu="不褪色", you=True),
    "抽丝": D(n="抽丝", v="抽丝", you=True),
    "龟裂": D(n="龟裂", v="龟裂", you=True),
    "粘连": D(n="粘连", v="粘连"),
    "击穿": D(n="击穿", v="击穿"),
    "漏液": D(n="漏液", v="漏液", bu="不漏液", you=True),
}

DEV_SUBJECTS = [
    S("冷却塔", "equip", ["结垢", "积灰"], ["水质清澈", "降温效果好"]),
    S("冷却风扇", "equip", ["积灰", "停转"], ["转动有力", "风力足"]),
    S("风管", "equip", ["漏风", "积灰"], ["风量充足"]),
    S("行车", "equip", ["溜钩", "啃轨"], ["起吊很稳"]),
    S("导热油", "equip", ["变质", "结焦"], ["油色清亮"], repair=False),
    S("切削液", "equip", ["变质", "发臭"], ["浓度合适"], repair=False),
    S("蒸发器", "equip", ["结霜", "结垢"], ["制冷效果好"]),
    S("灯管", "equip", ["闪烁"], ["亮度充足"], repair=False),
    S("工控机", "equip", ["蓝屏", "黑屏"], ["开机很快"]),
    S("显示器", "equip", ["花屏", "黑屏"], ["画面正常"]),
    S("链轮", "equip", ["跳齿"], ["啮合良好"]),
    S("阀芯", "equip", ["卡滞"], ["动作灵便"]),
    S("加热管", "equip", ["结垢", "烧断"], ["升温很快"]),
    S("陶瓷件", "part", ["崩边", "缺损", "划痕"], ["釉面透亮", "棱角分明"], batch=True),
    S("纸箱", "part", ["破洞", "脏污"], ["厚实"], batch=True, repair=False),
    S("面料", "part", ["褪色", "抽丝"], ["手感柔软", "颜色鲜亮"], batch=True),
    S("橡胶件", "part", ["龟裂", "粘连"], ["弹性好"], batch=True),
    S("钢管", "part", ["锈迹", "凹坑", "划痕"], ["圆度好", "切口平齐"], batch=True),
    S("电容", "part", ["击穿", "漏液"], ["容量正常"], batch=True, repair=False),
    S("彩盒", "part", ["破洞", "脏污", "褪色"], ["色彩鲜亮"], batch=True, repair=False),
]
DEV_BUDUAN = {"蓝屏", "黑屏", "花屏"}
DEV_MACHINES = {"冷却塔", "冷却风扇", "行车", "工控机", "显示器", "加热管", "蒸发器"}
DEV_POWERED = {"行车", "工控机", "显示器"}
DEV_LEVELS = [
    ("冷却塔", "水温", "高"), ("行车", "噪声", "大"), ("陶瓷件", "次品率", "高"),
    ("面料", "次品率", "高"), ("加热管", "能耗", "高"), ("工控机", "故障率", "高"),
    ("钢管", "次品率", "高"),
]
DEV_PRAISE_PAIRS = [
    ("维保人员", "尽责", "svc", True), ("驻厂技术员", "勤快", "svc", True),
    ("备件供应", "充足", "delivery", True), ("陶瓷件釉面", "透亮", "part", True),
    ("纸箱", "厚实", "part", True), ("面料手感", "柔软", "part", True),
    ("行车起吊", "稳", "equip", True), ("工控机", "好使", "equip", True),
    ("风管风量", "充足", "equip", True), ("钢管切口", "平齐", "part", True),
    ("彩盒色彩", "鲜亮", "part", True), ("阀芯动作", "灵便", "equip", True),
    ("加热管升温", "快", "equip", True),
]
DEV_DECAY = [
    ("阀芯", "灵便", "equip"), ("行车", "稳", "equip"), ("工控机", "好使", "equip"),
    ("维保人员", "尽责", "svc"), ("面料", "柔软", "part"),
]
DEV_GOOD_ACTIONS = [
    ("维保人员", "按计划巡检", "svc"), ("驻厂技术员", "当天排除故障", "svc"),
    ("包材厂", "按样板生产", "delivery"), ("维保公司", "按合同保养", "svc"),
]
DEV_PENDING_ACTIONS = [
    ("维保公司", "派人过来", "svc"), ("包材厂", "补寄纸箱", "delivery"),
    ("驻厂技术员", "拿出方案", "svc"),
]
DEV_SERVICES = ["维保人员的工作", "这批纸箱", "驻厂技术员的服务", "包材厂的供货速度"]
DEV_SURFACES = [("陶瓷件釉面", "透亮"), ("钢管切口", "平齐")]
DEV_CONTEXTS = [
    ("设备巡视：", {"equip"}, set()), ("维保日志：", {"equip"}, set()),
    ("交班记录：", {"equip", "part"}, set()), ("成品抽检：", {"part"}, set()),
    ("收货记录：", {"part"}, set()), ("客户来电：", {"part", "svc", "delivery"}, set()),
]
DEV_LINES = ["8号线", "E1工位", "E7工位", "F4工位", "G3工位"]
DEV_BATCHES = ["批次20240903", "批次20241016"]
DEV_NUMBERS = [25, 35, 90, 160]
DEV_ACTIONS = {"equip": ["已报告班长", "已安排处理"], "part": ["已单独存放", "已让厂家来人"]}
DEV_CLOSERS = {"equip": ["可以继续用"], "part": ["可以出货", "放行入库"]}
DEV_MINOR_BAD = ["排产等了十天", "单价高了点", "送样慢了些", "外形笨重了些", "培训只讲了半天"]
DEV_MINOR_GOOD = ["单价实在", "送样很快", "外形小巧", "培训讲得细", "随机附件多"]
DEV_GOOD_GENERIC = ["耐得住折腾", "三班倒也扛得住", "一年多没修过"]
DEV_BAD_GENERIC = ["开机半天就趴窝了", "毛病隔三岔五就来", "良品率上不去"]
DEV_DIR_PRAISE = [
    ("维保人员", "尽责"), ("纸箱", "厚实"), ("面料手感", "柔软"), ("工控机", "好使"),
    ("风管风量", "充足"), ("行车起吊", "稳"), ("驻厂技术员", "勤快"), ("加热管升温", "快"),
    ("彩盒色彩", "鲜亮"), ("阀芯动作", "灵便"),
]
DEV_DIR_COMPLAINT = [
    ("冷却塔水垢", "厚"), ("切削液味道", "大"), ("灯管亮度", "低"), ("陶瓷件崩边", "多"),
    ("工控机蓝屏次数", "多"), ("驻厂技术员态度", "差"), ("排产周期", "长"), ("纸箱破洞", "多"),
    ("维保费用", "高"), ("行车噪声", "大"),
]
DEV_COMPLAINT_ADJ = {"大", "多", "高", "长", "差", "厚", "低"}
# Training frames the dev vocabulary does not fit ("{subj}因{key}停机" wants a machine that
# stops because of the fault; "显示器因花屏停机" reads wrong).
DEV_SKIP_FRAMES = {"dd-t-tingji"}


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
DEV_HAND = {
    "negated_defect": [
        ("叉车试开了一圈，刹车没什么毛病", POS),
        ("烘干房出来的木板没见到霉点", POS),
        ("空调机组连着跑了一个夏天，一次岔子也没出", POS),
        ("新换的三角带不再吱吱叫了", POS),
        ("贴片后的板子没有连锡", POS),
        ("冷库门封条换过以后不跑冷了", POS),
    ],
    "negated_praise": [
        ("叉车电瓶撑不了半天", NEG),
        ("烘干房的温度老是控不住", NEG),
        ("打包机捆得不紧，一搬就散", NEG),
        ("木箱钉得不牢靠", NEG),
        ("贴片机抛料率一直降不下去", NEG),
        ("喷码不清楚，批号都认不出来", NEG),
    ],
    "double_negation": [
        ("这批纸管没有一根不直的", POS),
        ("这卷铜线挑不出一点不好的地方", POS),
        ("叉车刹车不灵，不能不修了", NEG),
        ("喷码机不得不拆下来送修", NEG),
        ("不是打包机没毛病，是大家一直凑合着用", NEG),
        ("冷库这几个月没有哪天温度不合格的", POS),
    ],
    "contrast": [
        ("打包机有点吵，好在捆得又快又紧", POS),
        ("叉车外观挺新，可惜电瓶不行了", NEG),
        ("烘干房升温慢了点，不过木板烘得很透", POS),
        ("贴片机速度是快，可抛料太多", NEG),
        ("冷库刚建好时有点跑冷，后来调过一次就再没出过事", POS),
        ("喷码机便宜倒是便宜，就是三天两头堵喷头", NEG),
    ],
    "domain_defect": [
        ("叉车刹车发软", NEG),
        ("冷库温度降不下来，货都快化了", NEG),
        ("打包带一拉就断", NEG),
        ("贴片机又在抛料", NEG),
        ("喷码糊成一片，看不清批号", NEG),
        ("烘干房里的木板烘裂了一大半", NEG),
    ],
    "domain_ok": [
        ("叉车刹车灵、转向轻", POS),
        ("冷库温度一直保持在零下十八度", POS),
        ("打包机一分钟能捆十几件，工人都夸", POS),
        ("喷码字迹清楚，批号一眼就能认出", POS),
        ("贴片机抛料很少，一天下来几乎不用补件", POS),
        ("烘干房出来的木板含水率刚好", POS),
    ],
}
DEV_HAND_DIR = [
    ("叉车开起来稳", ["叉车开起来非常稳"], POS),
    ("冷库门关得严", ["冷库门关得特别严", "冷库门关得很严"], POS),
    ("贴片机抛料多", ["贴片机抛料特别多"], NEG),
]
DEV_HAND_INV = [
    "8号线贴片机抛料，已叫机修",
    "E1工位叉车刹车发软，已挂停用牌",
    "批次20240903的木箱全部钉牢了，可以出货",
    "F4工位打包机运转顺利，一上午没停过",
]


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
SHARED_GENERIC = {"合格"}


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
{seed}).  Do not edit the files by hand; edit the script and regenerate:

```sh
python3 {script}
```

| file | what | lines |
|---|---|---:|
| `train.jsonl` | training / tuning part of the suite: use it freely while developing | {n_train} |
| `heldout.jsonl` | held-out part: **only this part is reported**; never tune on it | {n_held} |
| `synthetic-train.jsonl` | synthetic training examples for data augmentation, generated from the training part only | {n_synth} |
| `synthetic-notes.jsonl` | synthetic factory notes in eight frames (problems removed or unresolved, negated defects and praise, double negation, contrast, plain reports), written by its own generator `scripts/gen-factory-notes.py`; see the last section | 16000 |
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
"""


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
    readme = README_TEMPLATE.format(
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
