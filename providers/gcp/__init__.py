"""GCP provider: managed instance groups, URL maps, App Engine and Cloud Run services."""
