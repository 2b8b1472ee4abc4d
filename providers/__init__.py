"""Cloud provider plugins: one subpackage per cloud, registered as entry points."""
