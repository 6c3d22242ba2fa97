"""Bring your own network: Azure's JSON in, checks against Azure, deployable designs out.

* :func:`import_azure` / ``Network.from_azure``: read ``az ... -o json`` exports, a Resource Graph result or an
  ARM template into a :class:`~vnetlab.network.Network`, with an import report of what the model does not cover
  (:mod:`vnetlab.azure.importer`);
* :func:`verify_routes` / :func:`verify_nsg`: compare Azure's effective routes or effective NSG rules for a NIC
  with the simulator's, row by row (:mod:`vnetlab.azure.verify`);
* :func:`az_script`, :func:`bicep`, :func:`arm_template`: a network as ``az`` CLI commands, Bicep or an ARM
  template (:mod:`vnetlab.azure.export`).

Nothing here runs ``az`` or touches the network: the learner saves the JSON and the module reads it (this
package also runs in the browser).
"""
from .arm import AzureImportError
from .export import arm_template, az_script, bicep
from .importer import ImportResult, from_azure, import_azure
from .report import ImportReport
from .sample import sample_effective_routes, sample_export
from .verify import RouteCheck, NsgCheck, verify_nsg, verify_routes

__all__ = ["AzureImportError", "ImportReport", "ImportResult", "NsgCheck", "RouteCheck", "arm_template", "az_script",
           "bicep", "from_azure", "import_azure", "sample_effective_routes", "sample_export", "verify_nsg", "verify_routes"]
