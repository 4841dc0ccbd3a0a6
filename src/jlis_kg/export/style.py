"""How kinds, relations and changes look in every picture (DOT/SVG/PNG, HTML, GEXF, Cytoscape.js).

One palette for all formats, so a reader who learnt the SVG's legend can read the HTML
page.  Kinds are told apart by fill colour and shape, relations by colour and line style,
changes (added / removed / kept) by colour only — in a difference picture relations keep
their line style and lose their colour.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..graph.vocab import KIND_LABELS, KIND_ORDER

FONT = "Noto Sans CJK JP"
FONT_STACK = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'


@dataclass(frozen=True)
class KindStyle:
    fill: str
    border: str
    shape: str  # Graphviz shape
    cy_shape: str  # Cytoscape.js shape
    shape_name: tuple[str, str] = ("四角", "box")  # for legends where colour means something else


KIND_STYLE: dict[str, KindStyle] = {
    "system": KindStyle("#DCEBFA", "#2F6DB5", "box", "round-rectangle", ("角丸四角", "rounded box")),
    "duty": KindStyle("#FDE6CC", "#C96A12", "hexagon", "hexagon", ("六角形", "hexagon")),
    "law": KindStyle("#ECE2F6", "#6E44A0", "note", "rectangle", ("書類形", "note")),
    "org": KindStyle("#F3E4D6", "#8C5A32", "house", "barrel", ("家形", "house")),
    "unit": KindStyle("#E9E9E9", "#616161", "box", "rectangle", ("四角", "box")),
    "committee": KindStyle("#D7F1EC", "#1B8A7A", "ellipse", "ellipse", ("楕円", "ellipse")),
    "segment": KindStyle("#FFF4BF", "#A68A00", "cds", "tag", ("矢羽形", "arrow box")),
    "meeting": KindStyle("#F8DCE8", "#B0457A", "ellipse", "ellipse", ("楕円", "ellipse")),
    "project": KindStyle("#EAF4DD", "#5E8C31", "box", "round-rectangle", ("角丸四角", "rounded box")),
    "event": KindStyle("#FFE0E0", "#C0392B", "octagon", "octagon", ("八角形", "octagon")),
    "document": KindStyle("#F2F2F2", "#8A8A8A", "folder", "rectangle", ("フォルダ形", "folder")),
}
OTHER_KIND = KindStyle("#FFFFFF", "#9E9E9E", "box", "rectangle")


@dataclass(frozen=True)
class RelationStyle:
    color: str
    line: str  # solid | dashed | dotted
    width: float
    arrow: str = "normal"  # Graphviz arrowhead
    cy_arrow: str = "triangle"  # Cytoscape.js target-arrow-shape
    labelled: bool = False  # name the relation on the edge itself (few, important edges)


RELATION_STYLE: dict[str, RelationStyle] = {
    "jlis:dependsOn": RelationStyle("#C62828", "solid", 2.4, labelled=True),
    "jlis:deliveredVia": RelationStyle("#E65100", "solid", 2.4, labelled=True),
    "jlis:usesDataFrom": RelationStyle("#AD1457", "solid", 2.4, labelled=True),
    "jlis:hostedOn": RelationStyle("#6A1B9A", "solid", 2.4, labelled=True),
    "jlis:partOf": RelationStyle("#1565C0", "solid", 1.6, "odiamond", "diamond"),
    "jlis:succeeds": RelationStyle("#37474F", "dashed", 1.6, "empty", "triangle-backcurve", labelled=True),
    "jlis:supportsDuty": RelationStyle("#2E7D32", "dashed", 1.4),
    "jlis:legalBasis": RelationStyle("#6D4C41", "dotted", 1.6, "vee", "vee"),
    "jlis:operatedBy": RelationStyle("#00838F", "solid", 1.2, "dot", "circle"),
    "jlis:responsibleUnit": RelationStyle("#00897B", "dashed", 1.0, "dot", "circle"),
    "org:unitOf": RelationStyle("#757575", "solid", 1.0, "onormal", "triangle"),
    "org:hasUnit": RelationStyle("#9E9E9E", "dotted", 0.8, "onormal", "triangle"),
    "jlis:concerns": RelationStyle("#9E9D24", "solid", 0.8, "normal", "triangle"),
    "dcterms:isPartOf": RelationStyle("#B0BEC5", "solid", 0.8, "odiamond", "diamond"),
    "jlis:meetingOf": RelationStyle("#B0457A", "solid", 1.0),
    "jlis:presentedAt": RelationStyle("#8E8E8E", "dashed", 0.8),
    "jlis:mentions": RelationStyle("#C8C8C8", "dotted", 0.6),
    "jlis:discoveredIn": RelationStyle("#A0A0A0", "dotted", 0.6),
}
OTHER_RELATION = RelationStyle("#8D8D8D", "solid", 1.0)

CHANGE_COLOR = {"added": "#1E8E3E", "removed": "#D93025", "kept": "#9AA0A6"}
CHANGE_FILL = {"added": "#DFF3E3", "removed": "#FBE3E1", "kept": "#F4F5F6"}
CHANGE_LABEL = {"added": ("追加", "added"), "removed": ("削除", "removed"), "kept": ("継続", "kept")}


def kind_style(kind: str) -> KindStyle:
    return KIND_STYLE.get(kind, OTHER_KIND)


def relation_style(relation: str) -> RelationStyle:
    return RELATION_STYLE.get(relation, OTHER_RELATION)


def kind_label(kind: str) -> tuple[str, str]:
    return KIND_LABELS.get(kind, (kind, kind))


def ordered_kinds(kinds) -> list[str]:
    return sorted(set(kinds), key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))


def ordered_relations(relations) -> list[str]:
    order = list(RELATION_STYLE)
    return sorted(set(relations), key=lambda r: (order.index(r) if r in order else 99, r))


def hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def text_width(text: str) -> float:
    """Width in full-width characters: a kanji counts 1, a Latin letter about a half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


_BREAK_AFTER = set("・、，,）)」』/／ ")
_NO_BREAK_BEFORE = set("・、，,。）)」』ーｰ")
_OPENING = set("（(「『")


def _script(ch: str) -> str:
    if ch.isascii():
        return "latin" if ch.isalnum() else "punct"
    name = unicodedata.name(ch, "")
    if ch == "ー" or "KATAKANA" in name:
        return "katakana"
    if "HIRAGANA" in name:
        return "hiragana"
    if "CJK" in name:
        return "kanji"
    return "punct"


def _tokens(text: str) -> list[str]:
    """Characters, with runs of ASCII letters and digits (and their hyphens) kept whole."""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and (ch.isalnum() or ch in "-_.") and tokens[-1][-1].isascii() \
                and (tokens[-1][-1].isalnum() or tokens[-1][-1] in "-_."):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


# Katakana words of the domain: without a dictionary a long katakana run
# (ネットワークオペレーションセンター) has no other place to break.
KATAKANA_WORDS = (
    "ネットワーク", "オペレーション", "センター", "システム", "サーバー", "サーバ", "カード",
    "アプリケーション", "プラットフォーム", "マイナンバー", "ソフトウェア", "インタフェース",
    "セキュリティ", "ゲートウェイ", "サービス", "クラウド", "コード", "ポータル", "マイナ",
    "コンビニ", "バックアップ", "データ", "ファイル", "シェアリング", "ピッタリ",
)


def _word_breaks(text: str) -> set[int]:
    """Character offsets at the edges of known katakana words."""
    edges = set()
    for word in KATAKANA_WORDS:
        start = text.find(word)
        while start >= 0:
            edges.update((start, start + len(word)))
            start = text.find(word, start + 1)
    return edges


def _bonus(before: str, after: str, word_edge: bool = False) -> float:
    """How good a place to break a line is, between two tokens."""
    if after[0] in _NO_BREAK_BEFORE or before[-1] in _OPENING:
        return -99.0
    if word_edge and _script(before[-1]) == _script(after[0]) == "katakana":
        return 1.0
    if before[-1] in _BREAK_AFTER or after[0] in _OPENING:
        return 3.0
    a, b = _script(before[-1]), _script(after[0])
    if a == b:  # inside a word: worst inside a katakana loan word
        return {"katakana": -4.0, "kanji": -1.0}.get(a, -0.5)
    if a == "hiragana":  # after a particle: 〜に係る|住民票
        return 2.5
    return 1.5  # kanji|カタカナ, カタカナ|kanji, 日本語|Latin


def wrap_label(text: str, width: float = 11.0, max_lines: int = 4) -> list[str]:
    """Break a label into balanced lines of about ``width`` full-width characters.

    Breaks where a Japanese reader would: after punctuation or a particle, or where
    kanji meet katakana; never inside a run of Latin letters or digits, never before a
    long vowel mark or a closing bracket.  A label too long for ``max_lines`` ends with
    an ellipsis (the full label is always in the tooltip).

    >>> wrap_label("地方公共団体情報連携中間サーバーシステム")
    ['地方公共団体情報連携', '中間サーバーシステム']
    >>> wrap_label("全国ネットワークオペレーションセンター")
    ['全国ネットワーク', 'オペレーションセンター']
    >>> wrap_label("符号生成に係る住民票コード提供システム")
    ['符号生成に係る住民票', 'コード提供システム']
    >>> wrap_label("LGWAN-ASP")
    ['LGWAN-ASP']
    """
    text = text.strip()
    total = text_width(text)
    if total <= width:
        return [text]
    tokens = _tokens(text)
    offsets, at = [], 0
    for token in tokens:
        offsets.append(at)
        at += len(token)
    edges = _word_breaks(text)
    lines: list[str] = []
    start = 0
    while start < len(tokens):
        rest = tokens[start:]
        rest_width = sum(text_width(t) for t in rest)
        if rest_width <= width or len(lines) == max_lines - 1:
            line = "".join(rest)
            if rest_width > width * 1.25:
                keep, used = [], 0.0
                for t in rest:
                    if used + text_width(t) > width - 1:
                        break
                    keep.append(t)
                    used += text_width(t)
                line = "".join(keep) + "…"
            lines.append(line)
            break
        n_left = -(-rest_width // width)  # lines still needed
        target = rest_width / n_left
        best, best_score, used = None, None, 0.0
        for i in range(1, len(rest)):
            used += text_width(rest[i - 1])
            if used > width + 1.5:
                break
            if used < target * 0.5:
                continue
            edge = offsets[start + i] in edges
            score = abs(used - target) - _bonus(rest[i - 1], rest[i], edge) + (2.0 if used > width else 0.0)
            if best_score is None or score < best_score:
                best, best_score = i, score
        if best is None:  # one token wider than a line
            best = 1
        lines.append("".join(rest[:best]).rstrip())
        start += best
        while start < len(tokens) and tokens[start] == " ":
            start += 1
    return lines
