"""Commands for walking and drawing the graph: ``impact``, ``dependencies``, ``path``,
``critical`` and ``export``.

Each prints a readable listing (Japanese label, English label in brackets) or, with
``--json``, the same as JSON; ``--evidence`` adds the document, line and quote behind
every hop.  Heavy imports (networkx, pyoxigraph) happen inside the commands, so that
``jlis-kg --help`` stays quick.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..model import InputError
from ..paths import project_paths

YEAR = click.option("--year", "fiscal_year", type=int, multiple=True,
                    help="Fiscal year(s) to use (the graph of those years' documents); default: all.")
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a listing.")
EVIDENCE = click.option("--evidence", is_flag=True, help="Show the document, line and quote behind every hop.")
PARTS = click.option("--parts", is_flag=True,
                     help="Count a whole as depending on its parts (a failing 全国サーバ impairs 住基ネット).")


def _load(ctx):
    from ..graph import load

    paths = project_paths(data=ctx.obj.get("data"), build=ctx.obj.get("build"))
    return load(paths.build)


def _years(values):
    return list(values) if values else None


def _years_text(years) -> str:
    years = list(years)
    return ("FY" + ", ".join(str(y) for y in years)) if years else "curated"


def _relation_text(kg, relation: str) -> str:
    ja, en = kg.term_label(relation)
    return f"{ja} ({en})" if en and en != ja else ja


def _hop_text(kg, hop) -> str:
    name = _relation_text(kg, hop.relation)
    if hop.inverse:
        return f"{hop.source_label} ←{name}— {hop.target_label}"
    return f"{hop.source_label} —{name}→ {hop.target_label}"


def _print_evidence(hop, indent: str, seen: set) -> None:
    key = (hop.source, hop.relation, hop.target)
    if key in seen:
        click.echo(f"{indent}(evidence above)")
        return
    seen.add(key)
    if not hop.evidence:
        click.echo(f"{indent}curated: the reference catalogue states it")
    for evidence in hop.evidence:
        click.echo(f"{indent}{evidence.cite()}  「{evidence.quote}」")
        if evidence.context and len(evidence.quote) < 30 and evidence.context != evidence.quote:
            click.echo(f"{indent}{'':>{len(evidence.cite())}}  (sentence: 「{evidence.context}」)")
    if hop.curated and hop.evidence:
        click.echo(f"{indent}(also in the reference catalogue)")


def _print_reaches(kg, reaches, evidence: bool) -> None:
    seen: set = set()
    for number, reach in enumerate(reaches, 1):
        how = "direct" if reach.direct else f"via {reach.depth - 1} other{'s' if reach.depth > 2 else ''}"
        click.echo(f"{number:>3}. {reach.entity.label}   [{how}]")
        for hop in reach.hops:
            click.echo(f"       {_hop_text(kg, hop)}   {_years_text(hop.fiscal_years)}"
                       f"{'' if evidence else f'   [{len(hop.evidence)} source' + ('s' if len(hop.evidence) != 1 else '') + ']'}")
            if evidence:
                _print_evidence(hop, "         ", seen)


def _reach_command(ctx, entity, fiscal_year, direct, parts, evidence, as_json, dependents: bool):
    kg = _load(ctx)
    target = kg.entity(entity)
    method = kg.dependents if dependents else kg.dependencies
    reaches = method(entity, transitive=not direct, fiscal_year=_years(fiscal_year), parts=parts)
    if as_json:
        click.echo(json.dumps({"entity": target.to_dict(), "fiscal_year": _years(fiscal_year),
                               "direction": "dependents" if dependents else "dependencies", "parts": parts,
                               "results": [r.to_dict() for r in reaches]}, ensure_ascii=False, indent=2))
        return
    scope = f" in FY{', '.join(map(str, fiscal_year))}" if fiscal_year else ""
    if dependents:
        click.echo(f"{target.label}: {len(reaches)} thing{'s' if len(reaches) != 1 else ''} "
                   f"depend{'s' if len(reaches) == 1 else ''} on it{scope} (what stops if it fails)")
        click.echo(f"{target.label_ja}が止まると影響を受けるもの: {len(reaches)} 件")
    else:
        click.echo(f"{target.label}: depends on {len(reaches)} thing{'s' if len(reaches) != 1 else ''}{scope}")
        click.echo(f"{target.label_ja}が依存するもの: {len(reaches)} 件")
    if not reaches:
        click.echo("  (none stated in the documents)" + ("" if parts else "; --parts also counts wholes and their parts"))
        return
    _print_reaches(kg, reaches, evidence)


@click.command()
@click.argument("entity")
@YEAR
@click.option("--direct", is_flag=True, help="Only what depends on it directly.")
@PARTS
@EVIDENCE
@JSON
@click.pass_context
def impact(ctx, entity, fiscal_year, direct, parts, evidence, as_json):
    """What stops working if ENTITY fails: everything that depends on it, with the chain of
    dependencies (label, alias or IRI: LGWAN, 住基ネット, system/lgwan)."""
    _reach_command(ctx, entity, fiscal_year, direct, parts, evidence, as_json, dependents=True)


@click.command()
@click.argument("entity")
@YEAR
@click.option("--direct", is_flag=True, help="Only its direct dependencies.")
@PARTS
@EVIDENCE
@JSON
@click.pass_context
def dependencies(ctx, entity, fiscal_year, direct, parts, evidence, as_json):
    """What ENTITY cannot work without, directly or through others."""
    _reach_command(ctx, entity, fiscal_year, direct, parts, evidence, as_json, dependents=False)


@click.command()
@click.argument("source")
@click.argument("target")
@YEAR
@click.option("--relations", help="Only these relations (comma-separated: dependsOn,partOf,…).")
@click.option("--directed", is_flag=True, help="Follow relations in their direction only.")
@EVIDENCE
@JSON
@click.pass_context
def path(ctx, source, target, fiscal_year, relations, directed, evidence, as_json):
    """How SOURCE and TARGET are related: the shortest chain of relations between them.

    Structural relations (dependencies, parts) count as shorter than organisational ones,
    and a project that concerns both ends as the longest way round."""
    kg = _load(ctx)
    a, b = kg.entity(source), kg.entity(target)
    try:
        hops = kg.path(source, target, relations=relations, fiscal_year=_years(fiscal_year), directed=directed)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"source": a.to_dict(), "target": b.to_dict(), "found": hops is not None,
                               "hops": [h.to_dict() for h in hops or []]}, ensure_ascii=False, indent=2))
        return
    if hops is None:
        click.echo(f"no path from {a.label} to {b.label}" + (" (with these relations)" if relations else ""))
        return
    click.echo(f"{a.label} → {b.label}: {len(hops)} hop{'s' if len(hops) != 1 else ''}")
    seen: set = set()
    for number, hop in enumerate(hops, 1):
        click.echo(f"{number:>3}. {_hop_text(kg, hop)}   {_years_text(hop.fiscal_years)}")
        if evidence:
            _print_evidence(hop, "       ", seen)


@click.command()
@click.option("--top", type=int, default=10, show_default=True, help="How many to list (0: all).")
@YEAR
@PARTS
@JSON
@click.pass_context
def critical(ctx, top, fiscal_year, parts, as_json):
    """The most critical systems: those most others depend on, directly or not."""
    kg = _load(ctx)
    ranking = kg.critical_systems(top=top or None, fiscal_year=_years(fiscal_year), parts=parts)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in ranking], ensure_ascii=False, indent=2))
        return
    if not ranking:
        click.echo("no system has a stated dependent")
        return
    graph = kg.to_networkx()
    click.echo(f"{'rank':>4}  {'dependents':>10}  {'direct':>6}  system")
    for rank, item in enumerate(ranking, 1):
        click.echo(f"{rank:>4}  {item.score:>10}  {len(item.direct):>6}  {item.entity.label}")
        names = [graph.nodes[d]["label_ja"] if d in graph else d for d in item.dependents]
        click.echo(f"{'':>26}← {', '.join(names)}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "cyjs", "dot", "svg", "png", "html"]),
              help="Output format (default: from the output's suffix).")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="File to write.")
@YEAR
@click.option("--relations", help="Only these relations (comma-separated CURIEs or names: dependsOn,partOf).")
@click.option("--kinds", help="Only these kinds of entity (comma-separated: system,law,duty,org,unit,…).")
@click.option("--compare", nargs=2, type=int, metavar="FROM TO",
              help="The change from one fiscal year to another (added / removed / kept).")
@click.option("--exact-years", is_flag=True,
              help="GEXF: a spell per fiscal year alone, instead of holding each snapshot until the next.")
@click.option("--dpi", type=int, default=110, show_default=True, help="PNG resolution.")
@click.pass_context
def export_command(ctx, fmt, output, fiscal_year, relations, kinds, compare, exact_years, dpi):
    """Export the graph: GraphML, GEXF (with years), Cytoscape.js JSON, DOT, SVG, PNG or
    one interactive HTML page.  Pictures show the dependency graph by default."""
    from . import export

    kg = _load(ctx)
    written = export(kg, fmt, output, fiscal_year=_years(fiscal_year), relations=relations, kinds=kinds,
                     compare=tuple(compare) if compare else None, hold=not exact_years, dpi=dpi)
    click.echo(f"wrote {written} ({written.stat().st_size:,} bytes)")
