"""``questline-catalog``: the catalog as code, from a terminal or a CI job.

    questline-catalog validate catalog.yaml          # exit 1 with "path: message" lines
    questline-catalog diff catalog.yaml              # against the catalog in effect
    questline-catalog apply catalog.yaml --actor ci
    questline-catalog export [--version V] [--output FILE]
    questline-catalog schema > catalog.schema.json   # for editors and CI checks

``validate`` and ``schema`` need no AWS. The others use the table named by TABLE_NAME through the
same storage adapter as the functions; boto3 honours AWS_ENDPOINT_URL, so they also work against
the local system's moto server.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from questline.errors import CatalogError, QuestlineError
from questline.models.catalog_bundle import bundle_schema, bundle_yaml
from questline.services import catalog_admin as admin
from questline.services.catalog import read_catalog
from questline.services.runtime import Runtime


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 1 on an invalid bundle or a failed call, 2 on bad usage."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CatalogError as exc:
        for path, message in exc.errors:
            print(f"{path or '(bundle)'}: {message}", file=sys.stderr)
        return 1
    except (QuestlineError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="questline-catalog", description="Questline catalog as code.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, run, help_text in (
        ("validate", _validate, "check a bundle file (no AWS needed)"),
        ("diff", _diff, "what applying a bundle file would change"),
        ("apply", _apply, "make a bundle file the active catalog version"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("file", type=Path, help="a YAML or JSON bundle")
        command.set_defaults(run=run)
        if name == "apply":
            command.add_argument("--actor", default=_default_actor(), help="recorded as who applied it")
    export = commands.add_parser("export", help="print the active (or a given) version as YAML")
    export.add_argument("--version", help="a version; the active one when absent")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=_export)
    commands.add_parser("schema", help="print the bundle's JSON Schema").set_defaults(run=_schema)
    return parser


def _runtime() -> Runtime:
    from questline.config import get_settings

    return Runtime(get_settings())


def _validate(args: argparse.Namespace) -> int:
    summary = admin.summarize(read_catalog(args.file))
    print(
        f"valid: version {summary.version} (content hash {summary.content_hash}): "
        f"{summary.achievements} achievements, {summary.xp_rules} XP rules, "
        f"{summary.boosts} boosts, {summary.currencies} currencies"
    )
    return 0


def _diff(args: argparse.Namespace) -> int:
    diff = admin.diff_bundle(_runtime(), read_catalog(args.file))
    print(f"from {diff.from_version} to {diff.to_version}" + (": no changes" if diff.unchanged else ""))
    for section in ("achievements", "xp", "boosts", "currencies"):
        changes = getattr(diff, section)
        marks = [("+", changes.added), ("-", changes.removed), ("~", changes.changed)]
        listed = "; ".join(f"{mark} {', '.join(ids)}" for mark, ids in marks if ids)
        if listed:
            print(f"{section}: {listed}")
    if diff.levels_changed:
        print("levels: changed")
    if diff.settings_changed:
        print(f"settings: {', '.join(diff.settings_changed)} changed")
    return 0


def _apply(args: argparse.Namespace) -> int:
    result = admin.apply_bundle(_runtime(), read_catalog(args.file), args.actor)
    print(
        f"{result.status}: version {result.version} (content hash {result.content_hash}), "
        f"previously {result.previous_version or 'none'}; in force from {result.effective_from.isoformat()}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    runtime = _runtime()
    catalog = (
        admin.version_catalog(runtime, args.version) if args.version else admin.effective_catalog(runtime)
    )
    text = bundle_yaml(catalog)
    if args.output:
        args.output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(bundle_schema(), indent=2))
    return 0


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


if __name__ == "__main__":
    sys.exit(main())
