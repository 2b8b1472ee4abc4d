"""A loopback emulator of the Kubernetes API server (the parts relscan reads)."""
