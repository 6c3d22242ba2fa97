"""Azure's resource shapes: the JSON that ``az``, Azure Resource Graph and ``az group export`` print.

Three shapes carry the same resources, and this module turns each into one list of :class:`Resource`:

* ``az network ... list -o json`` (and ``show``): a list of resources (or one) whose ``properties`` are
  *flattened* into the resource, with the CLI's camelCase (``enableIpForwarding``, ``privateIpAddress``);
* the REST API and Azure Resource Graph (``az graph query``: ``{"data": [...]}``): resources with a
  ``properties`` object and the REST spelling (``enableIPForwarding``, ``privateIPAddress``); Resource Graph
  writes ``type`` in lower case;
* an ARM template (``az group export``): ``resources`` whose names and references are template expressions
  (``[parameters('virtualNetworks_hub_name')]``, ``[resourceId(...)]``); child resources (subnets, peerings,
  routes, rules) may be listed on their own and are folded back into their parent.

Property names are therefore looked up case-insensitively (:meth:`Resource.get`), and a resource's view is its
``properties`` merged with its top-level keys. Resource IDs tie resources together
(``/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/virtualNetworks/V/subnets/N``) and are
compared case-insensitively, as Azure does.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import VnetlabError

# Keys of the resource envelope; everything else (in ``properties`` or flattened by az) is configuration.
ENVELOPE = {"id", "name", "type", "location", "tags", "etag", "resourcegroup", "subscriptionid", "tenantid", "zones",
            "extendedlocation", "kind", "apiversion", "dependson", "identity", "managedby", "plan", "properties",
            "sku", "comments", "condition", "copy", "scope"}
# Child resource types that an ARM template may list on their own, and the parent property that holds them.
CHILDREN = {
    "microsoft.network/virtualnetworks/subnets": "subnets",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": "virtualNetworkPeerings",
    "microsoft.network/routetables/routes": "routes",
    "microsoft.network/networksecuritygroups/securityrules": "securityRules",
    "microsoft.network/virtualnetworkgateways/natrules": "natRules",
}
# The resource types the importer reads (lower case, as Resource Graph writes them).
TYPES = {
    "microsoft.network/virtualnetworks": "virtualNetworks",
    "microsoft.network/virtualnetworkgateways": "virtualNetworkGateways",
    "microsoft.network/localnetworkgateways": "localNetworkGateways",
    "microsoft.network/connections": "connections",
    "microsoft.network/routetables": "routeTables",
    "microsoft.network/networksecuritygroups": "networkSecurityGroups",
    "microsoft.network/networkinterfaces": "networkInterfaces",
}


class AzureImportError(VnetlabError):
    """Azure JSON the importer cannot read: not JSON, not a resource, a missing or malformed field."""


@dataclass(frozen=True)
class Resource:
    """One Azure resource (or sub-resource) as read from any of the three shapes."""

    raw: dict = field(repr=False)
    where: str = ""  # the file it came from, for error messages

    @property
    def id(self) -> str:
        value = self.raw.get("id")
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        value = self.raw.get("name")
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1]  # ARM templates name a child "parent/child"
        return parse_id(self.id).name if self.id else ""

    @property
    def type(self) -> str:
        """The resource type in lower case (``microsoft.network/virtualnetworks``); from the ID if not stated."""
        value = self.raw.get("type")
        if isinstance(value, str) and value:
            return value.lower()
        return parse_id(self.id).type if self.id else ""

    @property
    def label(self) -> str:
        """How errors and the import report name this resource: its ID, else its type and name."""
        return self.id or f"{self.raw.get('type', 'resource')} {self.name or '(no name)'}"

    @property
    def properties(self) -> dict:
        """Configuration: ``properties`` merged with the keys az flattens to the top level."""
        props = self.raw.get("properties")
        merged = dict(props) if isinstance(props, dict) else {}
        for key, value in self.raw.items():
            if key.lower() not in ENVELOPE:
                merged.setdefault(key, value)
        return merged

    def get(self, name: str, default: Any = None) -> Any:
        """Property ``name`` in either spelling (REST ``privateIPAddress`` or az ``privateIpAddress``)."""
        return lookup(self.properties, name, default)

    def sku(self) -> Any:
        return lookup(self.raw, "sku") or self.get("sku")

    def children(self, name: str) -> list["Resource"]:
        items = self.get(name) or []
        if not isinstance(items, list):
            raise AzureImportError(f"{self.label}: property {name} should be a list, got {type(items).__name__}.",
                                   value=name, rule="Azure resource format")
        return [Resource(i, self.where) if isinstance(i, dict) else _not_object(self, name, i) for i in items]


def _not_object(parent: Resource, name: str, item: Any) -> Resource:
    raise AzureImportError(f"{parent.label}: an entry of {name} is {item!r}, not a resource object.", value=item,
                           rule="Azure resource format")


def lookup(mapping: Any, name: str, default: Any = None) -> Any:
    """``mapping[name]`` ignoring case (az and REST spell acronyms differently)."""
    if not isinstance(mapping, dict):
        return default
    if name in mapping:
        return mapping[name]
    low = name.lower()
    return next((v for k, v in mapping.items() if isinstance(k, str) and k.lower() == low), default)


def ref_id(value: Any) -> str:
    """The ID in a reference (``{"id": "..."}``), or ``""``."""
    found = lookup(value, "id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


@dataclass(frozen=True)
class ResourceId:
    subscription: str
    resource_group: str
    type: str        # lower case, with child types: microsoft.network/virtualnetworks/subnets
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def parent(self) -> str:
        return self.names[0] if self.names else ""


_ID = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/([^/]+)/(.+)$", re.IGNORECASE)


def parse_id(value: str) -> ResourceId:
    """Split an Azure resource ID; IDs that do not follow the pattern raise :class:`AzureImportError`."""
    match = _ID.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise AzureImportError(f"{value!r} is not an Azure resource ID (/subscriptions/…/resourceGroups/…/providers/…).",
                               value=value, rule="resource IDs name subscription, group, provider, type and name")
    sub, group, provider, rest = match.groups()
    parts = rest.split("/")
    types, names = parts[0::2], parts[1::2]
    if len(types) != len(names):
        raise AzureImportError(f"{value!r}: a resource type without a name.", value=value, rule="resource ID format")
    return ResourceId(sub, group, "/".join([provider, *types]).lower(), tuple(names))


def same_id(a: str, b: str) -> bool:
    return bool(a) and a.lower().rstrip("/") == b.lower().rstrip("/")


# --- reading files and documents --------------------------------------------------------------------------------
def read(*sources: Any) -> list[Resource]:
    """Every resource in ``sources``: paths to JSON files, JSON text, or already-parsed JSON (dict or list)."""
    out: list[Resource] = []
    for source in sources:
        doc, where = _load(source)
        out.extend(resources_in(doc, where))
    return fold_children(out)


def _load(source: Any) -> tuple[Any, str]:
    if isinstance(source, (dict, list)):
        return copy.deepcopy(source), "(data)"  # folding child resources must not change the caller's data
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise AzureImportError(f"Cannot read {path}: {exc.strerror or exc}.", value=str(path),
                                   rule="an export is a readable JSON file") from None
        where = str(path)
    elif isinstance(source, str):
        text, where = source, "(text)"
    else:
        raise AzureImportError(f"{source!r} is neither a file, JSON text nor parsed JSON.", value=repr(source)[:80],
                               rule="an export is JSON")
    try:
        return json.loads(text), where
    except json.JSONDecodeError as exc:
        raise AzureImportError(f"{where} is not JSON ({exc.msg}, line {exc.lineno} column {exc.colno}); save az's "
                               "output with -o json.", value=where, rule="an export is JSON") from None


def resources_in(doc: Any, where: str = "(data)") -> list[Resource]:
    """The resources in one parsed document, whichever of the three shapes it has."""
    if isinstance(doc, list):
        return [r for item in doc for r in resources_in(item, where)]
    if not isinstance(doc, dict):
        raise AzureImportError(f"{where}: expected Azure resources (JSON objects), found {type(doc).__name__} "
                               f"{str(doc)[:40]!r}.", value=str(doc)[:40], rule="an export holds resources")
    if "resources" in doc and ("$schema" in doc or "contentVersion" in doc):
        from .template import evaluate_template

        return [Resource(r, where) for r in evaluate_template(doc, where)]
    if isinstance(doc.get("data"), list):   # Resource Graph: {"count": n, "data": [...], ...}
        return resources_in(doc["data"], where)
    if isinstance(doc.get("value"), list) and "id" not in doc:   # REST list shape: {"value": [...], "nextLink": ...}
        return resources_in(doc["value"], where)
    if "id" not in doc and "type" not in doc:
        raise AzureImportError(f"{where}: a JSON object that is not an Azure resource (no id, no type; keys: "
                               f"{', '.join(list(doc)[:6])}).", value=list(doc)[:6], rule="an export holds resources")
    return [Resource(doc, where)]


def fold_children(resources: list[Resource]) -> list[Resource]:
    """Put child resources listed on their own (ARM templates) back into their parent's property list."""
    parents = [r for r in resources if r.type not in CHILDREN]
    for child in (r for r in resources if r.type in CHILDREN):
        parent_type = child.type.rsplit("/", 1)[0]
        parent_name = _parent_name(child)
        parent = next((p for p in parents if p.type == parent_type and p.name.lower() == parent_name.lower()), None)
        if parent is None:
            parents.append(child)  # reported by the importer as a child without its parent
            continue
        prop = CHILDREN[child.type]
        props = parent.raw.get("properties")
        # az flattens properties to the top level; REST and templates keep them under "properties"
        holder = parent.raw if lookup(parent.raw, prop) is not None or not isinstance(props, dict) else props
        items = lookup(holder, prop)
        if not isinstance(items, list):
            items = holder[prop] = []
        if not any(Resource(i).name.lower() == child.name.lower() for i in items if isinstance(i, dict)):
            items.append({**child.raw, "name": child.name})
    return parents


def _parent_name(child: Resource) -> str:
    name = child.raw.get("name")
    if isinstance(name, str) and "/" in name:
        return name.split("/")[0]
    return parse_id(child.id).parent if child.id else ""


def of_type(resources: list[Resource], kind: str) -> Iterator[Resource]:
    return (r for r in resources if TYPES.get(r.type) == kind)
