"""Storage: the SQLite schema, its migrations, and the named queries every other stage uses."""
