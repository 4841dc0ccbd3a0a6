"""Charts of the built graph: ``jlis-kg chart finance`` and ``jlis-kg chart indicator NAME``.

One job: draw what the named queries return as a picture, PNG and SVG side by side.

* ``finance``: the settled expenses of every business segment over the fiscal years
  (the named query ``segment-expenses``: 事業別決算額の推移 for FY2014–FY2020, the
  segment summaries of later reports), in 億円, one line per segment.
* ``indicator NAME``: the values of one indicator over time (``indicator-timeline``);
  NAME is the indicator's label (Japanese or English), its id (``staff``,
  ``indicator/staff``) or its IRI.

Japanese labels need a CJK font.  It is found through matplotlib's font manager
(Noto Sans CJK, IPA, Takao, Source Han, …, also fonts installed after matplotlib
built its font cache); with none the command stops with one line naming what to
install (Debian: ``apt-get install -y fonts-noto-cjk``) and exit status 2.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import click

from .model import InputError

CJK_FAMILIES = (
    "Noto Sans CJK JP", "Noto Sans JP", "Noto Sans CJK", "Noto Serif CJK JP", "Source Han Sans JP",
    "Source Han Sans", "IPAexGothic", "IPAGothic", "IPAPGothic", "TakaoGothic", "TakaoPGothic",
    "VL Gothic", "Hiragino Sans", "Yu Gothic", "Meiryo", "MS Gothic", "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
)
_CJK_FILE = re.compile(r"(NotoSans(?:Mono)?CJK|NotoSerifCJK|NotoSansJP|SourceHanSans|ipaex?g|ipag|Takao|VL-Gothic|"
                       r"DroidSansFallback|wqy-zenhei)", re.IGNORECASE)
_SAMPLE = "事業別決算額の推移"
OKU = Decimal(100_000_000)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def find_cjk_font() -> str:
    """The family name of an installed font with Japanese glyphs; InputError if there is none."""
    from matplotlib import font_manager

    def pick() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in names:
                return family
        for entry in font_manager.fontManager.ttflist:
            if "CJK" in entry.name:
                return entry.name
        return None

    family = pick()
    if family is None:
        # Fonts installed after matplotlib cached its font list: add them by file.
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (RuntimeError, OSError, ValueError):
                    continue
        family = pick()
    if family is None:
        raise InputError("chart: no font with Japanese (CJK) glyphs found by matplotlib; "
                         "install one (Debian: apt-get install -y fonts-noto-cjk)")
    return family


def _outputs(output: Path | None, default: Path) -> tuple[Path, Path]:
    base = output or default
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    return base.with_suffix(".png"), base.with_suffix(".svg")


def _save(fig, output: Path | None, default: Path) -> tuple[Path, Path]:
    png, svg = _outputs(output, default)
    fig.savefig(png, dpi=150, bbox_inches="tight")
    fig.savefig(svg, bbox_inches="tight")
    return png, svg


def expense_series(rows) -> dict[str, list[tuple[int, Decimal]]]:
    """{segment label: [(fiscal year, 億円)]} from the rows of ``segment-expenses``."""
    series: dict[str, dict[int, Decimal]] = {}
    for row in rows:
        label, year, amount = str(row["segmentLabel"]), int(row["fiscalYear"]), Decimal(str(row["amountJPY"]))
        series.setdefault(label, {})[year] = amount / OKU
    return {label: sorted(points.items()) for label, points in series.items()}


def plot_finance(series: dict[str, list[tuple[int, Decimal]]], output: Path | None, default: Path):
    plt = _pyplot()
    family = find_cjk_font()
    plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(11, 6.5))
    years = sorted({year for points in series.values() for year, _ in points})
    ordered = sorted(series.items(), key=lambda item: -max(float(v) for _, v in item[1]))
    for label, points in ordered:
        xs = [year for year, _ in points]
        ys = [float(value) for _, value in points]
        # Break the line where years are missing (no report in between).
        segments, current = [], [(xs[0], ys[0])]
        for x, y in zip(xs[1:], ys[1:]):
            if x - current[-1][0] > 1:
                segments.append(current)
                current = []
            current.append((x, y))
        segments.append(current)
        line = None
        for part in segments:
            line, = ax.plot([p[0] for p in part], [p[1] for p in part], marker="o", linewidth=1.8,
                            color=line.get_color() if line else None, label=None if line else label)
        if len(segments) > 1:
            for left, right in zip(segments, segments[1:]):
                ax.plot([left[-1][0], right[0][0]], [left[-1][1], right[0][1]], linestyle=":", linewidth=1,
                        color=line.get_color())
    ax.set_xticks(years)
    ax.set_xticklabels([f"{y}\n({_wareki_fy(y)})" for y in years])
    ax.set_xlabel("年度 (fiscal year)")
    ax.set_ylabel("決算額（費用）億円")
    ax.set_title("事業別決算額（費用）の推移 — 地方公共団体情報システム機構")
    ax.grid(True, alpha=0.3)
    # Outside the axes: inside, it hid the FY2015 peak of the largest segment.
    ax.legend(title="事業区分（セグメント）", fontsize=9, title_fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.text(0.01, -0.02, "出典: 令和2年度決算 事業別決算額の推移（損益計算書費用ベース）; 以降の年度は決算の概要"
                          "（営業費用＋営業外費用）。点線は報告のない年度を挟む。", fontsize=8)
    paths = _save(fig, output, default)
    plt.close(fig)
    return paths


def _wareki_fy(year: int) -> str:
    if year >= 2019:
        return "R元" if year == 2019 else f"R{year - 2018}"
    return f"H{year - 1988}"


def indicator_series(rows) -> tuple[str, str, list[tuple[dt.date, Decimal, str]]]:
    """(label, unit, [(as-of date, value, kind)]) from the rows of ``indicator-timeline``.

    A figure with no date stands at the end of its fiscal year; the same figure
    stated twice (two pieces of evidence) is one point.
    """
    label = unit = ""
    points: dict[tuple, tuple] = {}
    for row in rows:
        label, unit = str(row["indicatorLabel"]), str(row["unit"])
        when = row.get("date")
        if when:
            text = str(when)
            if len(text) == 7:
                year, month = map(int, text.split("-"))
                day = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            else:
                day = dt.date.fromisoformat(text)
        else:
            day = dt.date(int(row["fiscalYear"]) + 1, 3, 31)
        value = Decimal(str(row["value"]))
        points[(day, value, str(row["kind"]))] = (day, value, str(row["kind"]))
    return label, unit, sorted(points.values())


def plot_indicator(label: str, unit: str, points, output: Path | None, default: Path):
    plt = _pyplot()
    family = find_cjk_font()
    plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    counts = [(d, float(v)) for d, v, k in points if k != "forecast"]
    forecasts = [(d, float(v)) for d, v, k in points if k == "forecast"]
    if counts:
        ax.plot([d for d, _ in counts], [v for _, v in counts], marker="o", linewidth=1.8, label="実績")
        for d, v in counts:
            ax.annotate(f"{v:,.0f}", (d, v), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    if forecasts:
        ax.plot([d for d, _ in forecasts], [v for _, v in forecasts], marker="^", linestyle="none",
                label="見込み")
    ax.set_title(f"{label} の推移")
    ax.set_ylabel(f"{label}（{unit}）")
    ax.set_xlabel("時点（年度のみの値は年度末に置く）")
    ax.grid(True, alpha=0.3)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.legend(fontsize=9)
    fig.autofmt_xdate()
    paths = _save(fig, output, default)
    plt.close(fig)
    return paths


def _dict_rows(variables, rows) -> list[dict]:
    return [{v: t for v, t in zip(variables, row)} for row in rows]


@click.group()
def chart():
    """Charts of the built graph, written as PNG and SVG."""


@chart.command()
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (.png/.svg, both are written); default build/charts/segment-expenses.")
@click.pass_context
def finance(ctx, output):
    """The business segments' settled expenses over the fiscal years (億円)."""
    from .cli import _paths
    from .query import named_queries, run_query
    from .store import OxigraphEngine

    paths = _paths(ctx)
    find_cjk_font()  # fail early, before loading the graph
    engine = OxigraphEngine.open(paths.build)  # the built store, as `jlis-kg query` uses it
    variables, rows = run_query(engine, named_queries(paths.queries)["segment-expenses"], {})
    series = expense_series(_dict_rows(variables, rows))
    if not series:
        raise InputError(f"{paths.build / 'jlis.nq'}: the graph holds no segment expenses; run `jlis-kg build`")
    png, svg = plot_finance(series, output, paths.build / "charts" / "segment-expenses")
    click.echo(f"wrote {png} and {svg}")


@chart.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (.png/.svg, both are written); default build/charts/indicator-{slug}.")
@click.pass_context
def indicator(ctx, name, output):
    """The values of the indicator NAME over time (label, id such as staff, or IRI)."""
    from .cli import _paths
    from .namespaces import ID, JLIS
    from .query import named_queries, resolve_entity, run_query
    from .store import OxigraphEngine

    paths = _paths(ctx)
    find_cjk_font()
    engine = OxigraphEngine.open(paths.build)
    slug = name.strip().removeprefix("indicator/")
    node = ID[f"indicator/{slug}"] if re.fullmatch(r"[a-z0-9-]+", slug) else resolve_entity(engine, name)
    _, known_rows = engine.select(f"SELECT ?i WHERE {{ ?i a <{JLIS.Indicator}> }}")
    known = {str(row[0]) for row in known_rows}
    if node is None or str(node) not in known:
        names = sorted(k.rsplit("/", 1)[-1] for k in known)
        raise InputError(f"{name}: no such indicator (known: {', '.join(names)})")
    query = named_queries(paths.queries)["indicator-timeline"]
    variables, rows = run_query(engine, query, {"indicator": str(node)})
    label, unit, points = indicator_series(_dict_rows(variables, rows))
    default = paths.build / "charts" / f"indicator-{str(node).rsplit('/', 1)[-1]}"
    png, svg = plot_indicator(label, unit, points, output, default)
    click.echo(f"wrote {png} and {svg}")
