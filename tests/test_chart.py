"""`jlis-kg chart finance` and `chart indicator NAME` (src/jlis_kg/chart.py) on the real build."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from jlis_kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEGMENTS = ["一般事業", "本人確認情報処理事業", "公的個人認証サービス事業", "個人番号カード発行等事業",
            "総合行政ネットワーク運営事業"]


def cjk_font_file() -> str | None:
    from matplotlib import font_manager
    for entry in font_manager.fontManager.ttflist:
        if "Noto Sans CJK" in entry.name or "NotoSansCJK" in Path(entry.fname).name:
            return entry.fname
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in Path(path).name:
            return path
    return None


needs_font = pytest.mark.skipif(cjk_font_file() is None,
                                reason="Noto Sans CJK is not installed (Debian: apt-get install fonts-noto-cjk)")


def invoke(build_dir, *args):
    return CliRunner().invoke(cli, ["--build-dir", str(build_dir), "chart", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def finance(build_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("chart") / "expenses"
    result = invoke(build_dir, "finance", "-o", str(out))
    return result, out.with_suffix(".png"), out.with_suffix(".svg")


@needs_font
def test_chart_finance_writes_a_png_and_an_svg(finance):
    result, png, svg = finance
    assert result.exit_code == 0, result.output
    assert str(png) in result.output and str(svg) in result.output
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert png.stat().st_size > 10_000
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")


@needs_font
def test_the_svg_carries_the_japanese_segment_labels_in_a_cjk_font(finance):
    _, _, svg = finance
    text = svg.read_text(encoding="utf-8")
    # matplotlib writes text as glyph paths, each commented with the text it draws
    # (svg.fonttype 'path'), or as <text> (svg.fonttype 'none'): either way the label is there.
    for label in SEGMENTS:
        assert label in text, label
    assert "億円" in text or "年度" in text


@needs_font
def test_the_chart_uses_the_cjk_font():
    from jlis_kg.chart import find_cjk_font
    family = find_cjk_font()
    assert "CJK" in family or "JP" in family, family
    from matplotlib import font_manager
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    from matplotlib.ft2font import FT2Font
    font = FT2Font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "一般事業本人確認情報処理")


@needs_font
def test_chart_indicator(build_dir, tmp_path):
    out = tmp_path / "staff.svg"
    result = invoke(build_dir, "indicator", "コンビニ交付参加市区町村数", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "staff.png").read_bytes()[:8] == PNG_SIGNATURE
    ET.parse(out)
    assert "コンビニ交付参加市区町村数" in out.read_text(encoding="utf-8")


def test_an_unknown_indicator_is_one_line_and_a_non_zero_exit(build_dir, tmp_path):
    # The installed command (jlis_kg.cli:main), which turns the error into one line.
    result = subprocess.run([sys.executable, "-c", "from jlis_kg.cli import main; main()", "--build-dir",
                             str(build_dir), "chart", "indicator", "no-such-indicator", "-o", str(tmp_path / "x")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    assert "no-such-indicator" in lines[0] and lines[0].startswith("error:")
    assert not (tmp_path / "x.png").exists()
