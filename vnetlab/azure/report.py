"""The import report: what was read, and every Azure property the model does not cover, with the reason.

Nothing in an export is dropped silently: each property the importer does not turn into the model is a row
(resource, property, why), and so is each guess it had to make (a peered VNet missing from the export, a
gateway SKU that can no longer be created). Shared keys are never stored: their row says so.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..display import html_table, text_table

SECRET = "secret not stored"


@dataclass(frozen=True)
class Entry:
    resource: str   # the resource ID (or type and name when the export has no ID)
    property: str   # Azure's property name, as the export spells it
    reason: str
    kind: str = "skipped"  # skipped | secret | inferred | differs

    @property
    def short(self) -> str:
        """The resource's last ID segments (``virtualNetworks/hub/subnets/app``) for tables."""
        parts = self.resource.split("/providers/", 1)[-1].split("/")
        return "/".join(parts[1:]) if len(parts) > 2 else self.resource


@dataclass
class ImportReport:
    """Rows of what the importer skipped, inferred or found different, and counts of what it imported."""

    entries: list[Entry] = field(default_factory=list)
    imported: Counter = field(default_factory=Counter)

    def add(self, resource: str, prop: str, reason: str, kind: str = "skipped") -> None:
        entry = Entry(resource, prop, reason, kind)
        if entry not in self.entries:
            self.entries.append(entry)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def about(self, resource_fragment: str, prop: str | None = None) -> list[Entry]:
        """Rows whose resource contains ``resource_fragment`` (case-insensitive), optionally for one property."""
        frag = resource_fragment.lower()
        return [e for e in self.entries if frag in e.resource.lower() and (prop is None or e.property == prop)]

    HEADERS = ("Kind", "Resource", "Property", "Why")

    def rows(self) -> list[tuple]:
        return [(e.kind, e.short, e.property, e.reason) for e in self.entries]

    def summary(self) -> str:
        made = ", ".join(f"{n} {what}" for what, n in self.imported.items() if n) or "nothing"
        counts = Counter(e.kind for e in self.entries)
        notes = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing skipped"
        return f"Imported {made}; report: {notes}."

    def __repr__(self) -> str:
        return f"ImportReport({self.summary()!r})"

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.rows(), highlight=[i for i, e in enumerate(self.entries)
                                                                 if e.kind == "differs"],
                          caption="Import report: " + self.summary())

    def __str__(self) -> str:
        return "Import report: " + self.summary() + ("\n" + text_table(self.HEADERS, self.rows()) if self.entries else "")
