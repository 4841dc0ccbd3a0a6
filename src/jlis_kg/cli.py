"""The ``jlis-kg`` command line (click).

Every command reports bad input as one line, ``error: FILE: problem``, and exits
with status 2; a failed validation exits with 1.  No traceback reaches the user
unless ``JLIS_KG_DEBUG=1`` is set.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .model import InputError
from .paths import project_paths


def _paths(ctx):
    return project_paths(data=ctx.obj.get("data"), build=ctx.obj.get("build"))


def print_summary(summary: dict, timings: dict | None = None) -> None:
    click.echo(f"documents: {summary['documents']}   quads: {summary['quads']}   "
               f"distinct triples: {summary['distinct_triples']}   evidence statements: {summary['evidence_statements']}")
    click.echo("entities per class:")
    for cls, count in summary["entities_per_class"].items():
        click.echo(f"  {cls:<28} {count:>6}")
    click.echo("relations per property:")
    for prop, count in summary["relations_per_property"].items():
        click.echo(f"  {prop:<28} {count:>6}")
    validation = summary.get("validation")
    if validation:
        state = "conforms" if validation["conforms"] else "DOES NOT CONFORM"
        click.echo(f"SHACL validation: {state} ({validation['violations']} violations, {validation['warnings']} warnings)")
    if timings:
        click.echo("time per stage: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", type=click.Path(path_type=Path), help="Data directory (default: ./data of the checkout).")
@click.option("--build-dir", "build", type=click.Path(path_type=Path), help="Output directory (default: ./build).")
@click.pass_context
def cli(ctx, data, build):
    """Build, validate and query the J-LIS knowledge graph."""
    ctx.ensure_object(dict)
    ctx.obj.update(data=data, build=build)


@cli.command()
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.pass_context
def build(ctx, no_validate):
    """Build the graph from data/ into build/ (jlis.trig, jlis.nq, summary.json, validation.txt)."""
    from .build import run_build

    paths = _paths(ctx)
    result = run_build(paths, validate=not no_validate)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"built {paths.build}/jlis.trig")
    print_summary(result.summary, result.timings)
    if result.validation is not None and not result.validation.conforms:
        click.echo(f"validation failed: see {paths.build}/validation.txt", err=True)
        sys.exit(1)


@cli.command()
@click.pass_context
def validate(ctx):
    """Validate the built graph against ontology/shapes.ttl."""
    from .validate import validate_nquads

    paths = _paths(ctx)
    result = validate_nquads(paths.build / "jlis.nq", paths.shapes, paths.ontology)
    if result.conforms:
        click.echo(f"conforms ({result.warnings} warnings)")
    else:
        click.echo(result.report_text)
        click.echo(f"does not conform: {result.violations} violations", err=True)
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def stats(ctx, as_json):
    """Counts of the built graph: documents, triples, entities per kind, relations per property."""
    import pyoxigraph as ox

    from .build import summarise
    from .store import ensure_store

    paths = _paths(ctx)
    store = ox.Store.read_only(str(ensure_store(paths.build)))
    documents = sum(1 for (g,) in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
                    if g.value.startswith("https://w3id.org/jlis-kg/graph/")
                    and g.value.rsplit("/", 1)[-1] not in ("reference", "changes"))
    summary = summarise(store, documents, None)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print_summary(summary)


def _parse_params(values) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise InputError(f"--param {value}: expected NAME=VALUE")
        params[name.strip()] = rest
    return params


@cli.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--param", "params", multiple=True, help="NAME=VALUE, bound as an RDF term (label, alias or IRI).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and what they answer.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="The embedded Oxigraph store (build/oxigraph), or rdflib's own engine on build/jlis.nq.")
@click.option("--endpoint", metavar="URL", help="Run on a SPARQL 1.1 endpoint instead (see `jlis-kg push`).")
@click.pass_context
def query(ctx, query, fmt, params, list_queries, engine, endpoint):
    """Run a SPARQL query: a named query (see --list), a .rq file, or - for standard input."""
    from .query import FORMATTERS, find_query, load_dataset, named_queries, run_query

    paths = _paths(ctx)
    if list_queries or not query:
        for name, named in named_queries(paths.queries).items():
            extra = "  [" + ", ".join(p for p, _ in named.params) + "]" if named.params else ""
            click.echo(f"{name:<32} {named.question}{extra}")
        return
    named = find_query(query, paths.queries, sys.stdin.read() if query == "-" else None)
    if endpoint:
        from .push import RemoteEngine
        dataset = RemoteEngine(endpoint)
    elif engine == "oxigraph":
        from .store import OxigraphEngine
        dataset = OxigraphEngine.open(paths.build)
    else:
        dataset = load_dataset(paths.build / "jlis.nq")
    variables, rows = run_query(dataset, named, _parse_params(params))
    click.echo(FORMATTERS[fmt](variables, rows))


# Commands of other modules are registered here, one line each.
# (commands: traversal and exports)
from .export import commands as _graph_commands  # noqa: E402
cli.add_command(_graph_commands.impact)
cli.add_command(_graph_commands.dependencies)
cli.add_command(_graph_commands.path)
cli.add_command(_graph_commands.critical)
cli.add_command(_graph_commands.export_command)
# (commands: change over time)
from .diff import diff as _diff_command  # noqa: E402
cli.add_command(_diff_command)
from .timeline import timeline_command as _timeline_command  # noqa: E402
cli.add_command(_timeline_command)
from .chart import chart as _chart_command  # noqa: E402
cli.add_command(_chart_command)
# (commands: store, endpoint and external stores)
from .server import serve_command as _serve_command  # noqa: E402
cli.add_command(_serve_command)
from .push import push_command as _push_command  # noqa: E402
cli.add_command(_push_command)


def main() -> None:
    try:
        cli(standalone_mode=False, obj={})
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: build/ keeps its previous contents", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, no traceback
        if os.environ.get("JLIS_KG_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set JLIS_KG_DEBUG=1 for details)", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
