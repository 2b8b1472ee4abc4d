"""Evidence bundles: every API response a scan's assessments were built from,
written so an auditor can check the verdicts later without cloud access."""
