"""Documented defaults for AWS fields an answer leaves out.

When an API answer omits a field whose default AWS documents, relscan reports
the default as the fact's value and marks the field in the evidence with
DEFAULT_NOTE, so a reader can tell a value AWS sent from one it implies
(docs/aws.md, "Defaults"). A field present with an unusable value is never
replaced by its default.
"""

from __future__ import annotations

from scanner.model import FactValue, Observation

DEFAULT_NOTE = " (default)"

# CodeDeploy (GetDeploymentGroup / BatchGetDeploymentGroups, CreateDeploymentGroup).
CODEDEPLOY_COMPUTE_PLATFORM = "Server"
CODEDEPLOY_DEPLOYMENT_CONFIG = "CodeDeployDefault.OneAtATime"


def add_or_default(
    obs: Observation, name: str, field: str, value: FactValue, default: FactValue
) -> None:
    """The value as read, or, when the answer left the field out, the default
    with the field marked as defaulted."""
    if value is None:
        obs.add(name, f"{field}{DEFAULT_NOTE}", default)
    else:
        obs.add(name, field, value)
