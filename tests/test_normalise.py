"""Tests of jlis_kg.normalise on real excerpts of the source files."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from jlis_kg.normalise import join_parts, normalise_document, normalise_text
from jlis_kg.structure import build_structure

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"
F000 = SOURCES / "000_636e783586a54437.txt"
F003 = SOURCES / "003_b8494e4f247fe3eb.txt"
F004 = SOURCES / "004_ef74194c5193d994.txt"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ───────────────────────── normalise_text ─────────────────────────


@pytest.mark.parametrize(
    "raw, expected",
    [
        # 003 line 7: letter-spaced date and time
        ("令和 3 年 6 月 2 3 日 (水) 1 5 : 0 0 ~ 1 7 : 0 0  ", "令和3年6月23日(水) 15:00~17:00"),
        # 003 line 5
        ("## 第 30 回 経営審議委員会", "第30回経営審議委員会"),
        # 001 line 92: spaced digits inside a title
        ("# 平成 2 8 年度事業実施方針（案）", "平成28年度事業実施方針(案)"),
        # 001 line 399
        ("<sup>16</sup> 町・字・丁目までの最新の地名約 6 6 万件を収録したファイル。", "町・字・丁目までの最新の地名約66万件を収録したファイル。"),
        # 004 line 75 / 77: spaces between CJK characters
        ("役    職 氏    名 ", "役職氏名"),
        ("理 事 長 椎橋  章 夫 ", "理事長椎橋章夫"),
        # 003 line 172: bullet in front of an enumerator; acronym glued to CJK
        (
            "- (4) 総合行政ネットワーク全国センター（以下「LGWAN 全国センター」という。）",
            "(4) 総合行政ネットワーク全国センター(以下「LGWAN全国センター」という。)",
        ),
        # 003 line 26: markdown bullet
        ("- ・ 事業報告書", "・事業報告書"),
        ("  - ・機構処理事務特定個人情報等保護委員会の運営", "・機構処理事務特定個人情報等保護委員会の運営"),
        # 004 lines 5, 112, 3: enumerators keep one space
        ("１ 名称 ", "1 名称"),
        ("（１）事務局 ", "(1) 事務局"),
        ("一 基本情報（令和６年３月 31 日現在） ", "一 基本情報(令和6年3月31日現在)"),
        ("第 15 表 ヘルプデスクへの問合せ件数 ", "第15表 ヘルプデスクへの問合せ件数"),
        # 004 line 2067: "10 月" is a count, not an enumerator
        ("10 月には「地方自治情報化推進フェア 2023」を実地で開催した。", "10月には「地方自治情報化推進フェア2023」を実地で開催した。"),
        ("326 名 ", "326名"),
        # 001 line 409: letter-spaced capitals
        ("月刊誌（月刊 J - L I S ）を発行する。", "月刊誌(月刊J-LIS)を発行する。"),
        # 003 line 348: a lower-case word keeps its space
        ("Information Security Management System の略。", "Information Security Management System の略。"),
        # 003 line 176 and 000 line 141: footnote markers go
        (
            "地方公共団体情報連携中間サーバーシステム・プラットフォーム（以下「自治体中間サーバー<sup>1</sup>・プラットフォーム<sup>2</sup>」という。）",
            "地方公共団体情報連携中間サーバーシステム・プラットフォーム(以下「自治体中間サーバー・プラットフォーム」という。)",
        ),
        ("個人番号付番システム¹及び符号生成に係る住民票コード提供システム²の運営", "個人番号付番システム及び符号生成に係る住民票コード提供システムの運営"),
        # 004 line 2523: circled numbers survive NFKC
        ("① 全市区町村の住基ネット関連機器の設定状況等の確認 ", "① 全市区町村の住基ネット関連機器の設定状況等の確認"),
        ("**議案第1号 平成28年度事業計画（案）**", "議案第1号平成28年度事業計画(案)"),
    ],
)
def test_normalise_text_examples(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        # Numbers in one table row are never glued together.
        ("1,234 5,678", "1,234 5,678"),
        # 004 line 5554: a row of cells
        ("0 10,804,327,634 0 0 0 0 0 0 0 10,804,327,634", "0 10,804,327,634 0 0 0 0 0 0 0 10,804,327,634"),
        # 004 line 5544: negative cells keep their sign and their gaps
        ("△257,172,124 150,859,303 977,536,427 △942,615,180", "△257,172,124 150,859,303 977,536,427 △942,615,180"),
        # 003 (事業別決算) "特別利益 0 0 0": zeros at the end of a row stay apart
        ("特別利益 0 0 0", "特別利益0 0 0"),
    ],
)
def test_numbers_in_rows_stay_apart(raw, expected):
    assert normalise_text(raw) == expected


def test_tab_separated_cells_are_normalised_one_by_one():
    # 003 lines 234 and 324: an HTML list in a cell, and a continuation row
    row = "第33回\t令和2年4月1日\t<ul style=\"list-style-type: none\"> <li>・ 議長の互選</li> <li>・ 経営審議委員会委員の任命</li> <li>・ 役員の任命同意</li> </ul>"
    assert normalise_text(row) == "第33回\t令和2年4月1日\t・議長の互選・経営審議委員会委員の任命・役員の任命同意"
    assert normalise_text("\t\tティ対策について等") == "\t\tティ対策について等"
    # 003 line 276: the same list written as plain text reads the same
    assert normalise_text("第 25 回\t令和 2 年 4 月 1 日\t・ 委員長の互選 ・ 経営審議") == "第25回\t令和2年4月1日\t・委員長の互選・経営審議"


def test_join_parts():
    assert join_parts("情報提供ネットワーク", "システム") == ""
    assert join_parts("Incident Response", "Team") == " "


# ───────────────────────── normalise_document ─────────────────────────

# 004 lines 205-254: hard-broken bullets, two footnote markers glued to words,
# their bodies at the foot of the page, then the page furniture.
EXCERPT_004_PAGE = "\n".join([
    "・総合行政ネットワーク（LGWAN）等の総合的な企画、整備、運営及び普及促進 ",
    "",
    "・地方公共団体情報連携中間サーバーシステム・プラットフォーム（以下「自治体",
    "",
    "中間サーバー1・プラットフォーム2」という。）の総合的な企画、開発、改修、整",
    "",
    "備、運営及び普及促進 ",
    "",
    "イ 情報処理部 ",
    "",
    "・地方行財政に関する情報システムに係る技術的な支援 ",
    "",
    "                         ",
    "1 マイナンバー制度における情報連携の対象となる個人情報の副本を保有・管理し、情報提供ネットワーク",
    "システムと地方公共団体の既存システムとの情報の授受の仲介をする役割を担うもの。 ",
    "2 自治体中間サーバーを共同化・集約化した全国２か所の拠点。 ",
    "",
    "7/101",
    "",
    "",
    "",
    "- 4 - ",
    "",
    "（７）システム統括室 ",
])


def test_004_page_roles_and_footnotes():
    doc = normalise_document("fy2023-report", "sources/004.txt", EXCERPT_004_PAGE)
    assert len(doc.lines) == len(EXCERPT_004_PAGE.splitlines())
    assert [l.number for l in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert all(l.raw == r for l, r in zip(doc.lines, EXCERPT_004_PAGE.splitlines()))
    roles = {l.number: l.role for l in doc.lines}
    assert roles[2] == "blank" and roles[13] == "blank"
    assert roles[18] == "page-number" and roles[22] == "page-number"
    assert roles[14] == roles[15] == roles[16] == "footnote"
    assert roles[24] == "content"
    # The glued markers are removed; the text reads on.
    assert doc.line(5).text == "中間サーバー・プラットフォーム」という。)の総合的な企画、開発、改修、整"
    assert [f.marker for f in doc.footnotes] == ["1", "2"]
    first, second = doc.footnotes
    assert (first.line, first.end_line, first.anchor_line) == (14, 15, 5)
    assert first.anchor == "自治体中間サーバー"
    assert first.text == (
        "マイナンバー制度における情報連携の対象となる個人情報の副本を保有・管理し、情報提供ネットワーク"
        "システムと地方公共団体の既存システムとの情報の授受の仲介をする役割を担うもの。"
    )
    assert second.anchor == "自治体中間サーバー・プラットフォーム"
    assert second.text == "自治体中間サーバーを共同化・集約化した全国2か所の拠点。"
    # Non-content lines carry no text.
    assert all(l.text == "" for l in doc.lines if l.role != "content")


# 004 lines 610-662 (shortened): two markers (PIA)4 and リ/スク5, bodies with
# continuation lines, and the paragraph that goes on after the footnotes.
EXCERPT_004_PIA = "\n".join([
    "その他、各部門のリスク管理推進員を対象としたリスク対応に関する教育（５月、",
    "",
    "53 名）、新規採用者を対象とした職場受入教育（計 135 名）及び各部門内で業務内容に",
    "",
    "た特定個人情報保護評価（PIA）4に関するオンライン研修（10 月、109 名）を実施し",
    "",
    "を踏まえた情報セキュリティ対策基準に基づく調達等を行い、サプライチェーン・リ",
    "",
    "スク5への対応を徹底した。 ",
    "",
    "セキュリティに関するオンライン研修（10 月、339 名）を実施した。また、機構にお",
    "",
    "                         ",
    "4 特定個人情報ファイルを保有しようとする又は保有する国の行政機関や地方公共団体等が、個人のプライ",
    "バシー等の権利利益に与える影響を予測した上で特定個人情報の漏えいその他の事態を発生させるリスクを",
    "分析し、そのようなリスクを軽減するための適切な措置を講ずることを宣言するもの。 ",
    "5 情報システムの構築や機器等の調達、情報システムのライフサイクル（運用・保守・廃棄）全般におい",
    "",
    "て、ハードウェア製品を意図的に不正改造したり、情報システムやソフトウェアに不正なプログラムを埋め",
    "",
    "報を窃取するなどの情報セキュリティ上のリスクをいう。 ",
    " ける情報セキュリティ対策や最近のセキュリティ事案について取りまとめた研修資料",
    "",
    "を作成し、自己学習資料として配付した。",
])


def test_004_footnotes_anchor_and_real_numbers_untouched():
    doc = normalise_document("fy2023-report", "sources/004.txt", EXCERPT_004_PIA)
    notes = {f.marker: f for f in doc.footnotes}
    assert set(notes) == {"4", "5"}
    assert notes["4"].anchor == "PIA" and notes["4"].anchor_line == 5
    assert notes["4"].end_line == 16
    assert notes["5"].anchor == "サプライチェーン・リスク" and notes["5"].anchor_line == 9
    assert (notes["5"].line, notes["5"].end_line) == (17, 21)
    assert notes["5"].text.endswith("情報セキュリティ上のリスクをいう。")
    assert doc.line(5).text == "た特定個人情報保護評価(PIA)に関するオンライン研修(10月、109名)を実施し"
    assert doc.line(9).text == "スクへの対応を徹底した。"
    # Real numbers are never taken for markers.
    assert doc.line(3).text == "53名)、新規採用者を対象とした職場受入教育(計135名)及び各部門内で業務内容に"
    assert doc.line(11).text.startswith("セキュリティに関するオンライン研修(10月、339名)")
    # The page's running text resumes after the footnote block.
    assert doc.line(22).role == "content"
    assert doc.line(22).text.startswith("ける情報セキュリティ対策")


def test_sup_footnotes_of_003():
    # 003 lines 172-198 (shortened)
    text = "\n".join([
        "- (4) 総合行政ネットワーク全国センター（以下「LGWAN 全国センター」という。）",
        "  - ・地方公共団体情報連携中間サーバーシステム・プラットフォーム（以下「自治体中間サーバー<sup>1</sup>・プラットフォーム<sup>2</sup>」という。）の総合的な企画、開発、改修、整備、運営及び普及促進",
        "- (7) 監査室",
        "- ・内部監査",
        "",
        "<sup>1</sup> マイナンバー制度における情報連携の対象となる個人情報の副本を保有・管理し、情報提供ネットワークシステムと地方公共団体の既存システムとの情報の授受の仲介をする役割を担うもの。",
        "",
        "<sup>2</sup> 自治体中間サーバーを共同化・集約化した全国2か所の拠点。",
    ])
    doc = normalise_document("fy2020-report", "sources/003.txt", text)
    assert [(f.marker, f.line, f.anchor, f.anchor_line) for f in doc.footnotes] == [
        ("1", 6, "自治体中間サーバー", 2),
        ("2", 8, "自治体中間サーバー・プラットフォーム", 2),
    ]
    assert doc.line(6).role == "footnote" and doc.line(8).role == "footnote"
    assert "<sup>" not in doc.line(2).text


def test_superscript_footnotes_of_000():
    # 000 lines 139-165 (shortened)
    text = "\n".join([
        "1 住民基本台帳ネットワークシステム等の運営",
        "",
        "住民基本台帳ネットワークシステム、個人番号付番システム¹及び符号生成に係る住民票コード提供システム²の運営を以下のとおり行う。",
        "",
        "（1）全国サーバの運用・監視³",
        "",
        "¹ 個人番号とすべき番号を生成し、市町村長に通知するシステム。",
        "",
        "² 各情報保有機関又はマイナポータルからの符号の生成要求に基づいて、情報提供ネットワークシステムに住民票コードの提供を行うシステム。",
        "",
        "³ 国の行政機関への本人確認情報の提供や情報連携に係る住民票コードの提供等を含む。",
    ])
    doc = normalise_document("fy2018-plan", "sources/000.txt", text)
    notes = {f.marker: f for f in doc.footnotes}
    assert notes["1"].anchor == "個人番号付番システム" and notes["1"].anchor_line == 3
    assert notes["2"].anchor == "住民票コード提供システム"
    assert notes["1"].text == "個人番号とすべき番号を生成し、市町村長に通知するシステム。"
    assert doc.line(5).text == "(1) 全国サーバの運用・監視"
    assert {doc.line(n).role for n in (7, 9, 11)} == {"footnote"}
    # A footnote body is never a numbered heading for the structure stage.
    structure = build_structure(doc)
    titles = [s.title for s in structure.sections()]
    assert "個人番号とすべき番号を生成し、市町村長に通知するシステム。" not in titles


def test_page_numbers_in_all_their_forms():
    # 004 lines 246-250 and 4945-4949, written with full-width digits too
    text = "\n".join(["本文です。", "69/101", "", "- 11 - ", "", "－ ４ －", "12", "", "（７）システム統括室"])
    doc = normalise_document("x", "x.txt", text)
    assert [l.role for l in doc.lines] == [
        "content", "page-number", "blank", "page-number", "blank", "page-number", "page-number", "blank", "content"
    ]
    # 004 lines 4286-4294: bare numbers away from page furniture are table cells
    cells = "\n".join(["出資者資本", "", "134,000,000", "", "0", "", "0", "", "134,000,000"])
    assert {l.role for l in normalise_document("x", "x.txt", cells).lines if l.raw} == {"content"}


def test_running_header_is_learnt_from_repetition():
    # Constructed from 004's page furniture: the same short line next to the
    # page numbers of three pages is a running header; the same words in the
    # body are not.
    pages = []
    for page in (4, 5, 6):
        pages += ["令和5年度事業報告書", "", f"本文{page}ページ目です。", "", f"- {page} -", ""]
    pages += ["令和5年度事業報告書の概要は次のとおり。"]
    doc = normalise_document("x", "x.txt", "\n".join(pages))
    assert [l.role for l in doc.lines if l.raw == "令和5年度事業報告書"] == ["running-header"] * 3
    assert doc.lines[-1].role == "content"
    assert [l.number for l in doc.lines if l.role == "page-number"] == [5, 11, 17]


def test_full_004_footnotes_are_numbered_through():
    doc = normalise_document("fy2023-report", str(F004), read(F004))
    markers = [int(f.marker) for f in doc.footnotes]
    assert markers == list(range(1, 30))
    by = {f.marker: f for f in doc.footnotes}
    assert by["1"].anchor == "自治体中間サーバー"
    assert by["3"].anchor == "公的個人認証サービス"
    assert by["4"].anchor == "PIA"
    # 004 line 1910: "委託者14515 事業者" — marker 14 glued to the count 515
    assert by["14"].anchor == "電子署名等確認業務委託者"
    assert "委託者515事業者" in doc.line(1910).text
    # Real numbers stay.
    assert doc.line(49).text == "第1表 役員"
    assert doc.line(602).text.startswith("オンライン研修(11月、365名)")
    # No footnote body is left in the running text.
    for f in doc.footnotes:
        for n in range(f.line, f.end_line + 1):
            assert doc.line(n).role in ("footnote", "blank")


def test_full_files_keep_every_line():
    for path in sorted(SOURCES.glob("*.txt")):
        text = read(path)
        doc = normalise_document(path.stem, str(path), text)
        assert len(doc.lines) == len(text.splitlines())
        assert all(l.raw == r for l, r in zip(doc.lines, text.splitlines()))


def test_004_is_fast():
    text = read(F004)
    start = time.perf_counter()
    build_structure(normalise_document("fy2023-report", str(F004), text))
    assert time.perf_counter() - start < 1.0
