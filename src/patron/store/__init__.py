"""The register's storage: tables, migrations, and opening a database safely."""
