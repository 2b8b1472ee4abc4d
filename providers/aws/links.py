"""Which AWS units release which (scanner/links.py says what a link does).

Each link is matched within one scope (account and region) on what both
answers name, so nothing is read for it:

- a CodeDeploy group's `ecsServices` names the ECS services it deploys (CODE_DEPLOY
  controller); the group is the unit;
- a CodeDeploy group's `autoScalingGroups` names the groups it deploys to;
- a CodeDeploy Lambda group's latest deployment targets name the aliases it
  moves;
- an Auto Scaling group tagged `elasticbeanstalk:environment-name` was made by
  that environment, whose deployment policy releases it; the environment's
  evidence lists it;
- a weighted listener rule whose target groups a deployment switches belongs
  to that deployment: an ECS service's load balancer advancedConfiguration
  names the rule (productionListenerRule, testListenerRule) or its alternate
  target group; an ECS service's task sets (EXTERNAL controller) name their
  target groups; a CodeDeploy group's targetGroupPairInfoList names its target
  groups (by name: the rule's target group ARNs hold it, targetgroup/NAME/ID).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scanner.links import Link, list_facts
from scanner.model import Observation

CODEDEPLOY = "aws.codedeploy.deployment_group"
BEANSTALK = "aws.elasticbeanstalk.environment"
ECS = "aws.ecs.service"
AUTOSCALING = "aws.autoscaling.group"
LAMBDA = "aws.lambda.function"
LISTENER_RULE = "aws.elbv2.listener_rule"


def _fact(fact: str) -> Callable[[Observation], Iterable[str]]:
    def keys(unit: Observation) -> Iterable[str]:
        found = unit.facts.get(fact)
        return [found.value] if found is not None and isinstance(found.value, str) else []

    return keys


def _code_deploy_service(unit: Observation) -> Iterable[str]:
    """`cluster/service`, for a service whose deployments CodeDeploy runs."""
    controller = unit.facts.get("deployment_controller")
    return [unit.name] if controller is not None and controller.value == "CODE_DEPLOY" else []


def _alias(unit: Observation) -> Iterable[str]:
    """`function:alias` for an alias (a function without aliases is nobody's)."""
    alias = unit.facts.get("alias_name")
    return [unit.name] if alias is not None and isinstance(alias.value, str) else []


def _target_group_names(unit: Observation) -> Iterable[str]:
    """The names of the target groups a listener rule forwards to."""
    from providers.aws.listener_rules import target_group_name

    return [target_group_name(arn) for arn in list_facts("target_groups")(unit)]


def _environment_name(unit: Observation) -> Iterable[str]:
    return [unit.name.rsplit("/", 1)[-1]]  # the unit's name is APPLICATION/ENVIRONMENT


LINKS = (
    Link(
        owner=CODEDEPLOY,
        owned=ECS,
        owner_keys=list_facts("ecs_services"),
        owned_keys=_code_deploy_service,
        how="the group's deploymentGroupInfo.ecsServices names the service's cluster and name",
    ),
    Link(
        owner=CODEDEPLOY,
        owned=AUTOSCALING,
        owner_keys=list_facts("autoscaling_groups"),
        owned_keys=lambda unit: [unit.name],
        how="the group's deploymentGroupInfo.autoScalingGroups names the Auto Scaling group",
    ),
    Link(
        owner=CODEDEPLOY,
        owned=LAMBDA,
        owner_keys=list_facts("lambda_aliases"),
        owned_keys=_alias,
        how="a target of the group's latest deployment names the function and alias",
    ),
    Link(
        owner=BEANSTALK,
        owned=AUTOSCALING,
        owner_keys=_environment_name,
        owned_keys=_fact("beanstalk_environment"),
        names_fact="autoscaling_groups",
        how="the Auto Scaling group's elasticbeanstalk:environment-name tag names the environment",
    ),
    Link(
        owner=ECS,
        owned=LISTENER_RULE,
        # rule ARNs and target group ARNs: one kind of key never equals the other
        owner_keys=list_facts(
            "lb_production_listener_rules",
            "lb_test_listener_rules",
            "lb_alternate_target_groups",
            "task_set_target_groups",
        ),
        owned_keys=lambda unit: [unit.id, *list_facts("target_groups")(unit)],
        how=(
            "the service's loadBalancers[].advancedConfiguration names the rule or its "
            "alternate target group, or the rule forwards to a target group of one of "
            "its task sets"
        ),
    ),
    Link(
        owner=CODEDEPLOY,
        owned=LISTENER_RULE,
        owner_keys=list_facts("target_group_pairs"),
        owned_keys=_target_group_names,
        how=(
            "the group's loadBalancerInfo.targetGroupPairInfoList names a target group "
            "the rule forwards to"
        ),
    ),
)
