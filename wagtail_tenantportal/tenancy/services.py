"""Public service functions of the tenancy app: what commands, the admin and other apps call.

The ERP master-data import lives in ``importer.py``; its public API is re-exported here so
callers depend on ``tenancy.services`` only.
"""

from .importer import (
    ENTITY_ORDER,
    EntityCounts,
    ImportFile,
    ImportResult,
    RowError,
    import_master_data,
)

__all__ = ["ENTITY_ORDER", "EntityCounts", "ImportFile", "ImportResult", "RowError", "import_master_data"]
