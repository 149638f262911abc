"""ERP master-data import (CSV). Public API below; the engine is filled in by the import work.

API contract (used by the management command, the admin upload, the demo loader and tests):

    files = [ImportFile.from_path("export/contracts.csv"), ...]
    result = import_master_data(files, dry_run=False, partial=False, user=None,
                                source=ImportRun.Source.CODE)
    result.counts["contracts"].created / .updated / .unchanged / .rejected / .ended
    result.errors -> [RowError(file="contracts.csv", line=17, message="...")]
    result.committed -> bool
"""

ENTITY_ORDER = ["companies", "properties", "units", "parties", "contracts", "contract_parties", "rent_components"]
