"""The packaged sample export (``vnetlab/data/azure-sample``): the routing example of Microsoft's *Virtual network
traffic routing* article as ``az ... -o json`` files, with the article's effective routes for two NICs. Lesson 12
imports it so the lesson runs without an Azure subscription; its README says what is the article's and what was
chosen."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def _folder() -> Path:
    return Path(str(resources.files("vnetlab").joinpath("data", "azure-sample")))


def sample_export() -> list[Path]:
    """The sample's resource files (VNets, route tables, gateways, local gateways, connections, NICs)."""
    return sorted(p for p in _folder().glob("*.json") if "effective" not in p.name)


def sample_effective_routes(nic: str) -> Path:
    """The article's effective routes for ``nic`` (``vm1-nic`` in Subnet1, ``vm2-nic`` in Subnet2)."""
    path = _folder() / f"{nic}-effective-routes.json"
    if not path.is_file():
        from .arm import AzureImportError

        raise AzureImportError(f"The sample has effective routes for vm1-nic and vm2-nic, not {nic!r}.", value=nic,
                               rule="sample NICs")
    return path
