"""``vnetlab import``, ``vnetlab verify`` and ``vnetlab export``: your own network from the terminal.

``vnetlab import FILE... [--report] [--scenario OUT.yaml]``
    Read Azure exports (``az network ... list -o json`` files, a Resource Graph result, an ARM template); print
    what was imported, with ``--report`` every property skipped, assumed or found different; ``--scenario``
    writes the network in the course's YAML format.

``vnetlab verify --network FILE... --nic NAME EXPORT.json``
    Import the network, then compare EXPORT.json — ``az network nic show-effective-route-table -o json`` or
    ``az network nic list-effective-nsg -o json`` for NIC NAME (recognised by its content) — with the simulator,
    row by row. Exit status 0 when every row agrees, 1 when some differ.

``vnetlab export (--scenario NAME | --from FILE...) [--format az|bicep|arm] [--resource-group RG] [--out PATH]``
    Write a design as a bash script of ``az`` commands, a Bicep file or an ARM template. ``--from`` takes a
    scenario YAML file or Azure exports.
Bad input: a message naming the file, resource and field, and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from .arm import lookup


def add_arguments(commands) -> None:
    imp = commands.add_parser("import", help="read Azure's JSON exports into a network, with an import report")
    imp.add_argument("files", nargs="+", help="az ... -o json outputs, a Resource Graph result or an ARM template")
    imp.add_argument("--report", action="store_true", help="print every property skipped, assumed or different")
    imp.add_argument("--scenario", metavar="OUT", help="write the imported network as a scenario YAML file")
    ver = commands.add_parser("verify", help="compare Azure's effective routes or NSG rules of a NIC with the simulator")
    ver.add_argument("export", help="az network nic show-effective-route-table (or list-effective-nsg) -o json output")
    ver.add_argument("--network", nargs="+", required=True, metavar="FILE", help="the network's Azure exports")
    ver.add_argument("--nic", required=True, help="the NIC the export was taken from")
    exp = commands.add_parser("export", help="write a design as az CLI commands, Bicep or an ARM template")
    source = exp.add_mutually_exclusive_group(required=True)
    source.add_argument("--scenario", help="a packaged scenario (see vnetlab.list_scenarios())")
    source.add_argument("--from", dest="from_files", nargs="+", metavar="FILE",
                        help="a scenario YAML file, or Azure exports")
    exp.add_argument("--format", choices=("az", "bicep", "arm"), default="az", help="output format (default: az)")
    exp.add_argument("--resource-group", default="vnetlab-sandbox", help="resource group of the az script")
    exp.add_argument("--out", help="write to this file instead of standard output")


def _network(files: list[str]):
    from ..network import Network
    from .importer import from_azure

    if len(files) == 1 and files[0].lower().endswith((".yaml", ".yml")):
        return Network.from_yaml(Path(files[0]).read_text(encoding="utf-8"))
    return from_azure(*files)


def _is_nsg_export(path: str) -> bool:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError):
        return False  # verify_routes reports the file problem with its own message
    rows = lookup(doc, "value") if isinstance(doc, dict) else doc
    return isinstance(rows, list) and any(isinstance(r, dict) and lookup(r, "effectiveSecurityRules") is not None
                                          for r in rows)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        return _run(args, out)
    except OSError as exc:  # an --out or --scenario path that cannot be written, a YAML file that cannot be read
        print(f"vnetlab {args.command}: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "import":
        from .importer import import_azure

        result = import_azure(*args.files)
        print(result.report if args.report else "Import report: " + result.report.summary(), file=out)
        if args.scenario:
            Path(args.scenario).write_text(result.network.to_yaml(), encoding="utf-8")
            print(f"wrote {args.scenario}", file=out)
        return 0
    if args.command == "verify":
        from .verify import verify_nsg, verify_routes

        network = _network(args.network)
        check = (verify_nsg if _is_nsg_export(args.export) else verify_routes)(network, args.nic, args.export)
        print(check, file=out)
        return 0 if check.agrees else 1
    from ..scenario import load_scenario
    from .export import arm_template, az_script, bicep

    network = load_scenario(args.scenario) if args.scenario else _network(args.from_files)
    text = {"az": lambda: az_script(network, args.resource_group), "bicep": lambda: bicep(network),
            "arm": lambda: json.dumps(arm_template(network), indent=2) + "\n"}[args.format]()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=out)
    else:
        out.write(text)
    return 0
