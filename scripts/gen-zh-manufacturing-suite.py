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
batch ids, contrast clauses, actions, intensifiers) and its own hand-written sentences.
synthetic-train.jsonl is generated from TRAIN only.  The training side is deliberately much
broader than the held-out side (about three times the parts, defects, good states and
frames, fourteen degree adverbs against three, 8000 synthetic lines spread evenly over 119
templates), so that a model trained on it learns the constructions rather than a template
or a small vocabulary; the held-out part and its random stream (its own random.Random) are
unaffected by anything on the training side.  Before anything is written the script
asserts that:
  (a) no held-out vocabulary item equals, contains or is contained in a training item
      (items of two or more characters; single characters, the negation cues
      未/没/无/不, contrast connectives and a few generic words are shared on purpose);
  (b) frame ids and frame patterns of the two parts are disjoint;
  (c) no held-out text (INV/DIR variants included) equals a training-part or synthetic
      text after normalisation (spaces, punctuation, full/half width, traditional forms);
  (d) no hand-written held-out sentence is in the training data, and no text of one side
      contains a vocabulary item of the other side (so hand-written held-out sentences
      use no training vocabulary either);
  (e) synthetic-train.jsonl has the planned size, balanced labels, no template above 3 % of
      the lines, and no training-side text uses a held-out degree adverb (十分 / 相当 / 极其).

The dev part (dev.jsonl)
------------------------
The training part shares its vocabulary with synthetic-train.jsonl, so it cannot show how a
model copes with words it never saw.  The dev part fills that gap for model selection: it is
built from the TRAINING frames (reused) with a third content vocabulary DEV_* (parts and
equipment, defects, good states, praise / complaint words, services, contexts, line / station /
batch ids, hand-written sentences; the training degree adverbs are reused on purpose), with its
own random.Random (SEED + 4) drawn after everything else, so the other three files do not
change.  It is never trained on and never reported.  Asserted before anything is written:
  (f) no dev vocabulary item equals, contains or is contained in a training or a held-out item
      (two or more characters), and the dev part uses no held-out degree adverb;
  (g) every dev frame is a training frame;
  (h) no dev text (INV/DIR variants and hand-written sentences included) equals a text of
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

# Cases per capability (hand-written cases included).
TARGETS = {
    "train": {"negated_defect": 62, "negated_praise": 56, "double_negation": 50, "contrast": 62,
              "domain_defect": 46, "domain_ok": 46, "intensity": 44, "invariance": 50},
    "dev": {"negated_defect": 50, "negated_praise": 46, "double_negation": 44, "contrast": 50,
            "domain_defect": 42, "domain_ok": 42, "intensity": 36, "invariance": 40},
    "heldout": {"negated_defect": 70, "negated_praise": 68, "double_negation": 64, "contrast": 70,
                "domain_defect": 55, "domain_ok": 55, "intensity": 54, "invariance": 64},
}

# Synthetic training examples per family; positive and negative add up to 4000 each.
# Within a family the frames take turns, so every frame gets about the same share
# (intensity sentences join the plain good-state / defect families).
SYNTH_QUOTAS = OrderedDict([
    ("negated_defect", (POS, 1500)),
    ("domain_defect", (NEG, 1200)),
    ("negated_praise", (NEG, 1200)),
    ("domain_ok", (POS, 900)),
    ("double_negation_pos", (POS, 500)),
    ("double_negation_neg", (NEG, 500)),
    ("contrast_pos", (POS, 1100)),
    ("contrast_neg", (NEG, 1100)),
])
# No synthetic template may supply more than this share of the lines (asserted).
SYNTH_MAX_TEMPLATE_SHARE = 0.03


# --------------------------------------------------------------------------------------
# Vocabulary helpers
# --------------------------------------------------------------------------------------

def D(n=None, v=None, bu=None, again=False, xx=False, count=False, sev=None, every=False,
      bad=None, ev=False, you=None):
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
    """
    return {"n": n, "v": v, "bu": bu, "again": again, "xx": xx, "count": count,
            "sev": bool(v) if sev is None else sev, "every": every, "bad": bad, "ev": ev,
            "you": (v is None) if you is None else you}


def S(name, kind, defects, oks, batch=False, repair=True):
    """A part, process or piece of equipment with the defects and good states that fit it.

    batch   "这批{name}" makes sense (countable parts)
    repair  "不返修不行" makes sense for its defects
    """
    return {"name": name, "kind": kind, "defects": defects, "oks": oks, "batch": batch,
            "repair": repair}


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
    F("np-t-dabudao", "negated_praise", NEG, "这批{part}达不到图纸要求", "batch_part", "ctx"),
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
    F("dn-t-fangong", "double_negation", NEG, "{subj}有{n}，不得不返工", "t_you_part"),
    F("dn-t-tuihuo", "double_negation", NEG, "这批{part}有{n}，不得不整批退货", "t_you_batch", "none"),
    F("dn-t-genghuan", "double_negation", NEG, "{subj}{v}，不得不更换", "sd_v_equip"),
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
    F("dd-t-tingji", "domain_defect", NEG, "{subj}因{key}停机", "t_ev_equip"),
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
    F("ok-t-huanxin", "domain_ok", POS, "{subj}换新以后{ok}", "t_ok_fix"),
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
# Hand-written sentences (not from templates).  Written as operators, QC engineers and
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


# Hand-written dev sentences: no training or held-out vocabulary item (asserted).
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
        return [dict(c, action=a) for c in base for a in P["actions"][c["kind"]]]
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
        return sd(lambda d: d["ev"] and d["v"])
    if source == "t_ev_v_equip":   # "开机没有一次不{v}的": powered machines only
        return [c for c in sd(lambda d: d["ev"] and d["v"], kinds={"equip"}) if c["subj"] in P["powered"]]
    if source == "t_key":      # "{key}问题": every defect with a noun form
        return sd(lambda d: d["n"])
    if source == "t_v":            # "刚才发现{subj}{v}了": not for forms that end in 了 already
        return sd(lambda d: d["v"] and not d["v"].endswith("了"))
    if source == "t_part_n":
        return sd(lambda d: d["n"], kinds={"part"})
    if source == "t_batch_look":  # countable batches, countable defects, a count
        return [dict(c, num=num) for c in sd(lambda d: d["count"], kinds={"part"}, batch_only=True)
                for num in P["numbers"]]
    if source == "t_look2":
        return [dict(subj=s["name"], kind=s["kind"], n=a["n"], n2=b["n"]) for s in subjects
                if s["kind"] == "part" for a, b in pairs(s, lambda d: d["n"] and not d["ev"])]
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
        return [dict(c, action=a) for c in sd(lambda d: d["n"] and d["you"]) for a in P["actions"][c["kind"]]]
    if source == "t_you_part":
        return sd(lambda d: d["n"] and d["you"], kinds={"part"})
    if source == "t_you_batch":
        return [dict(part=c["subj"], kind="part", n=c["n"])
                for c in sd(lambda d: d["n"] and d["you"], batch_only=True)]
    if source == "t_ok_fix":       # repaired / replaced / used for months: powered, repairable kit
        return [dict(subj=s["name"], kind="equip", ok=ok) for s in subjects
                if s["kind"] == "equip" and s["repair"] for ok in s["oks"]]
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

    # Hand-written MFT cases first.
    for cap, items in P["hand"].items():
        for text, label in items:
            key = normalize(text)
            assert key not in used, f"duplicate hand-written text {text!r}"
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

    # Contrast and double negation: balance labels over hand-written + templated.
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

    # (d) hand-written held-out sentences and cross-side vocabulary
    for k in held_hand:
        if k in train_keys or k in synth_keys:
            problems.append(f"(d) hand-written held-out sentence in training data: {k!r}")
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
    # (h) dev texts (variants and hand-written ones included) equal no other text
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
    lines = ["| capability | type | train | of which hand-written | heldout | of which hand-written |",
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
    lines = ["| capability | type | dev | of which hand-written |", "|---|---|---:|---:|"]
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
            ("hand-written sentences", sum(hand_counts(P).values())),
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
| `dev.jsonl` | dev part for **model selection**: training frames with words the training data never uses; never train on it, never report it | {n_dev} |

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
- **{n_hand_d} hand-written sentences** (叉车, 冷库, 打包机, 贴片机, 喷码机, 烘干房 …) that use
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
- (h) no dev text, INV/DIR variants and hand-written sentences included, equals a text of
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
- **hand-written sentences**: {n_hand_t} in the training part, {n_hand_h} in the held-out part,
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
4. (d) no hand-written held-out sentence appears in the training data, no held-out text
   (hand-written ones included) contains a training vocabulary item, and no training-part or
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


def main():
    if not os.path.isdir("scripts") or not os.path.isfile(SCRIPT):
        sys.exit("run from the repository root: python3 " + SCRIPT)
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
