"""Which GCP units release which (scanner/links.py says what a link does).

- A Cloud Run service that a Cloud Deploy canary pipeline deploys is that
  pipeline's, and is not counted again; the pipeline's evidence lists it
  (`run_services`). Neither the pipeline nor its target names the service (the
  service's name is in the release's manifest, which the config API does not
  hold; a Cloud Run target's `run.location` names only a project and region).
  The link is made from the labels Cloud Deploy adds to every rendered
  manifest, which Cloud Run keeps as the service's labels
  (https://cloud.google.com/deploy/docs/labels-annotations, "Automatic labels
  from Cloud Deploy"): `deploy.cloud.google.com/project-id`, `/location`,
  `/delivery-pipeline-id` and `/target-id` must name the pipeline's project,
  location and id and its last stage's target. A service without them (an
  organisation that enforces clouddeploy.disableServiceLabelGeneration, or one
  deployed some other way) is not linked: nothing else says which service a
  release deploys, and relscan does not guess.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.links import Link
from scanner.model import Observation

DEPLOY = "gcp.deploy.pipeline"
RUN = "gcp.run.service"
LABEL = "deploy.cloud.google.com/"


def pipeline_key(project: str, location: str, pipeline: str, target: str) -> str:
    return f"{project}/{location}/{pipeline}/{target}"


def _pipeline_keys(unit: Observation) -> Iterable[str]:
    fact = unit.facts.get("last_target")
    target = fact.value if fact is not None else None
    return [pipeline_key(unit.account, unit.location, unit.name, target)] if target else []


def _deployed_by(unit: Observation) -> Iterable[str]:
    """The pipeline and target named by the service's Cloud Deploy labels."""
    parts = [unit.tags.get(f"{LABEL}{k}") for k in
             ("project-id", "location", "delivery-pipeline-id", "target-id")]  # fmt: skip
    return [pipeline_key(*parts)] if all(parts) else []  # type: ignore[arg-type]


LINKS = (
    Link(
        owner=DEPLOY,
        owned=RUN,
        owner_keys=_pipeline_keys,
        owned_keys=_deployed_by,
        names_fact="run_services",
        how=(
            "the service's deploy.cloud.google.com/project-id, location, "
            "delivery-pipeline-id and target-id labels name the canary pipeline and "
            "its last stage's target"
        ),
    ),
)
