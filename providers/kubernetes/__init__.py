"""The Kubernetes provider: workloads in clusters reached through kubeconfig
contexts (EKS, AKS, GKE, OKE and any other conformant cluster)."""

ID_PREFIX = "k8s:"
