"""OCI provider: load balancer backend sets and DevOps deployment pipelines."""

AUTH_MODES = ("config", "instance_principal", "resource_principal")
