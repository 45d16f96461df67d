"""Use cases as plain functions: the blueprints and the CLI call these, never the other way round."""
