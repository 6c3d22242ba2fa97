"""ARM templates (``az group export``, or :func:`vnetlab.azure.export.arm_template`): resolve the expressions.

``az group export`` writes names and references as template expressions, e.g.
``"[parameters('virtualNetworks_hub_name')]"`` (a parameter whose ``defaultValue`` is the exported name) and
``"[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('virtualNetworks_hub_name'), 'default')]"``.
Only the functions such exports use are evaluated: ``parameters``, ``variables``, ``concat``, ``format``,
``resourceId``, ``toLower``, ``toUpper``, ``subscription().subscriptionId``, ``resourceGroup().name`` and
``resourceGroup().location``. Anything else is an error naming the resource and the field: guessing at a
template's meaning would import a different network from the one deployed.
"""
from __future__ import annotations

import re
from typing import Any

from .arm import AzureImportError

TEMPLATE_SUBSCRIPTION = "template-subscription"
TEMPLATE_GROUP = "template-group"
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\()|(\))|(,)|(\.)|(\[)|(\]))")


class _Expr:
    """A tiny recursive-descent evaluator for one ``[ ... ]`` expression."""

    def __init__(self, text: str, scope: dict, where: str) -> None:
        self.tokens = self._lex(text, where)
        self.pos = 0
        self.scope = scope
        self.where = where
        self.text = text

    @staticmethod
    def _lex(text: str, where: str) -> list[tuple[str, Any]]:
        out, i = [], 0
        while i < len(text):
            if text[i:].strip() == "":
                break
            m = _TOKEN.match(text, i)
            if not m:
                raise AzureImportError(f"{where}: cannot read template expression {text!r} at {text[i:i + 12]!r}.",
                                       value=text, rule="ARM template expression syntax")
            s, n, ident, *punct = m.groups()
            if s is not None:
                out.append(("str", s[1:-1].replace("''", "'")))
            elif n is not None:
                out.append(("num", int(n)))
            elif ident is not None:
                out.append(("id", ident))
            else:
                out.append(("p", next(p for p in punct if p)))
            i = m.end()
        return out

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, kind: str, value: Any = None) -> Any:
        tok = self._peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            raise AzureImportError(f"{self.where}: cannot read template expression {self.text!r}.", value=self.text,
                                   rule="ARM template expression syntax")
        self.pos += 1
        return tok[1]

    def parse(self) -> Any:
        value = self._value()
        if self._peek() is not None:
            raise AzureImportError(f"{self.where}: unexpected text in template expression {self.text!r}.",
                                   value=self.text, rule="ARM template expression syntax")
        return value

    def _value(self) -> Any:
        tok = self._peek()
        if tok is None:
            raise AzureImportError(f"{self.where}: incomplete template expression {self.text!r}.", value=self.text,
                                   rule="ARM template expression syntax")
        if tok[0] in ("str", "num"):
            self.pos += 1
            return tok[1]
        name = self._take("id")
        self._take("p", "(")
        args = []
        while self._peek() != ("p", ")"):
            args.append(self._value())
            if self._peek() == ("p", ","):
                self.pos += 1
        self._take("p", ")")
        value = self._call(name, args)
        while self._peek() in (("p", "."), ("p", "[")):
            if self._take("p") == ".":
                value = self._member(value, self._take("id"))
            else:
                key = self._value()
                self._take("p", "]")
                value = self._member(value, key)
        return value

    def _member(self, value: Any, key: Any) -> Any:
        if isinstance(value, dict) and key in value:
            return value[key]
        if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            return value[key]
        raise AzureImportError(f"{self.where}: {key!r} is not known in template expression {self.text!r}.",
                               value=self.text, rule="ARM template expressions vnetlab evaluates")

    def _call(self, name: str, args: list) -> Any:
        fn = name.lower()
        if fn in ("parameters", "variables"):
            table = self.scope[fn]
            if not args or args[0] not in table:
                raise AzureImportError(f"{self.where}: {name}({args[0] if args else ''!r}) is not defined in the "
                                       "template.", value=self.text, rule=f"the template defines its {fn}")
            return table[args[0]]
        if fn == "concat":
            return "".join(str(a) for a in args) if all(not isinstance(a, list) for a in args) else \
                [x for a in args for x in a]
        if fn == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[1 + int(m.group(1))]), str(args[0]))
        if fn == "tolower":
            return str(args[0]).lower()
        if fn == "toupper":
            return str(args[0]).upper()
        if fn == "subscription":
            return {"subscriptionId": TEMPLATE_SUBSCRIPTION, "id": f"/subscriptions/{TEMPLATE_SUBSCRIPTION}"}
        if fn == "resourcegroup":
            return {"name": TEMPLATE_GROUP, "location": self.scope.get("location", "")}
        if fn == "resourceid":
            return resource_id(*[str(a) for a in args])
        raise AzureImportError(f"{self.where}: template function {name}() is not one vnetlab evaluates (parameters, "
                               "variables, concat, format, resourceId, toLower, toUpper, subscription, resourceGroup).",
                               value=self.text, rule="ARM template expressions vnetlab evaluates")


def resource_id(*args: str) -> str:
    """``resourceId([subscriptionId], [resourceGroup], type, name1, name2...)`` as a full ID."""
    parts = list(args)
    type_index = next((i for i, a in enumerate(parts) if "/" in a and "." in a.split("/")[0]), None)
    if type_index is None:
        raise AzureImportError(f"resourceId({', '.join(map(repr, args))}): no resource type.", value=args,
                               rule="resourceId(type, names...)")
    before, kind, names = parts[:type_index], parts[type_index], parts[type_index + 1:]
    sub = before[0] if len(before) == 2 else TEMPLATE_SUBSCRIPTION
    group = before[-1] if before else TEMPLATE_GROUP
    provider, *types = kind.split("/")
    if len(types) != len(names):
        raise AzureImportError(f"resourceId({', '.join(map(repr, args))}): {len(types)} type(s) but {len(names)} "
                               "name(s).", value=args, rule="resourceId(type, names...)")
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{provider}/" + "/".join(
        f"{t}/{n}" for t, n in zip(types, names))


def _resolve(value: Any, scope: dict, where: str) -> Any:
    if isinstance(value, str) and value.startswith("[") and value.endswith("]") and not value.startswith("[["):
        return _Expr(value[1:-1], scope, where).parse()
    if isinstance(value, str) and value.startswith("[["):
        return value[1:]  # "[[" escapes a literal "["
    if isinstance(value, dict):
        return {k: _resolve(v, scope, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, scope, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def evaluate_template(doc: dict, where: str = "template") -> list[dict]:
    """The template's resources with every expression resolved; parameters take their ``defaultValue``."""
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise AzureImportError(f"{where}: 'parameters' should be an object.", value=type(params).__name__,
                               rule="ARM template format")
    scope: dict[str, Any] = {"parameters": {}, "variables": {}}
    for name, spec in params.items():
        if isinstance(spec, dict) and "defaultValue" in spec:
            scope["parameters"][name] = _resolve(spec["defaultValue"], scope, f"{where} parameter {name}")
        else:
            scope["parameters"][name] = f"<parameter {name}>"  # e.g. a secure shared key: never needed to import
    for name, value in (doc.get("variables") or {}).items():
        scope["variables"][name] = _resolve(value, scope, f"{where} variable {name}")
    resources = doc.get("resources")
    if not isinstance(resources, list):
        raise AzureImportError(f"{where}: 'resources' should be a list.", value=type(resources).__name__,
                               rule="ARM template format")
    out = []
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            raise AzureImportError(f"{where}: resources[{i}] is not an object.", value=res, rule="ARM template format")
        label = f"{where} resources[{i}] ({res.get('type', '?')} {res.get('name', '?')})"
        resolved = _resolve(res, scope, label)
        if "id" not in resolved and isinstance(resolved.get("type"), str) and isinstance(resolved.get("name"), str):
            resolved["id"] = resource_id(resolved["type"], *resolved["name"].split("/"))
        out.append(resolved)
    return out
