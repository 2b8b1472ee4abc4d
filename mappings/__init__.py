"""Rules from facts to levels, one YAML file per resource kind (see docs/levels.md)."""
