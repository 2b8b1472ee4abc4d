"""App Service apps: deployment slots, their auto-swap targets, and the
production site's routing (ramp-up) rules, as facts.

Calls per subscription: one paged `web_apps.list`; per app one `list_slots`
and one `get_configuration` (config/web of production); per slot one
`get_configuration_slot` (config/web of the slot). Auto-swap targets and
ramp-up rules exist only in config/web, not in the site itself.

The reads overlap under the subscription's request limit (scanner/fanout.py):
apps side by side (the next page of the list is fetched while they are read),
and within an app its production config/web beside its slots, and the slots'
config/web side by side. Results keep the list's order, and an app's facts
are added in the same order whichever answer came first. Flex
Consumption function apps carry properties.functionAppConfig (and no slots):
its siteUpdateStrategy.type says how a deployment reaches the instances.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from providers.azure import appservice_history
from providers.azure.ids import parse_resource_id
from providers.azure.kind import GROUP_PATH, SUBSCRIPTION_PATH, Read, arm_kind
from providers.azure.values import (
    Unusable,
    add_checked,
    as_record,
    number,
    objects,
    shown,
    string,
    tags,
    text,
)
from scanner.errors import UsageError
from scanner.facts import dig, plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import FactValue, Observation, ScopeError
from scanner.practice.records import History
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

RULES = "config/web.properties.experiments.rampUpRules"
SLOT_CONFIG = "slots[].config/web.properties.autoSwapSlotName"
SITE_PATHS = [
    ("app_kind", "kind"),
    ("state", "properties.state"),
    ("last_swap_utc", "properties.slotSwapStatus.timestampUtc"),
    ("last_swap_source", "properties.slotSwapStatus.sourceSlotName"),
    ("last_swap_destination", "properties.slotSwapStatus.destinationSlotName"),
]
RULE_PATHS = [
    ("action_host_name", "actionHostName"),
    ("reroute_percentage", "reroutePercentage"),
    ("change_step", "changeStep"),
    ("change_interval_minutes", "changeIntervalInMinutes"),
    ("min_reroute_percentage", "minReroutePercentage"),
    ("max_reroute_percentage", "maxReroutePercentage"),
    ("decision_callback_url", "changeDecisionCallbackUrl"),
]
TEXT_FIELDS = ("actionHostName", "changeDecisionCallbackUrl")  # the rest are numbers
AUTO_RAMP_FIELDS = ("changeStep", "changeIntervalInMinutes", "changeDecisionCallbackUrl")
FLEX = "site.properties.functionAppConfig"
CONFIG, SLOTS_READ = "config", "slots"  # an app's two reads, made side by side
SLOTS = "slots.value[].name"

_SITE = GROUP_PATH + "/providers/Microsoft.Web/sites/{name}"
KIND = arm_kind(
    name="azure.appservice.app",
    title="App Service app",
    resource_type="Microsoft.Web/sites",
    placeholder="APP",
    noun="web app",
    # 1 to 60 characters: letters, digits and hyphens, not starting or ending with a hyphen
    name_pattern=re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$|^[a-z0-9]$", re.I),
    name_rule="1 to 60 letters, digits and hyphens",
    folded=(
        (
            "slots",
            "{text} is a deployment slot; relscan assesses the app with its slots: check {base}",
        ),
    ),
    facts=facts(
        *((fact, f"site.{path}") for fact, path in SITE_PATHS),
        ("app_kind_parts", "site.kind"),
        ("flex_consumption", FLEX),
        ("site_update_strategy", f"{FLEX}.siteUpdateStrategy.type"),
        ("slot_names", SLOTS),
        ("auto_swap_targets", SLOT_CONFIG),
        ("auto_swap_slots", "slots[].name"),
        ("health_check_path", "config/web.properties.healthCheckPath"),
        ("routing_rules", f"{RULES}[].name"),
        *((fact, f"{RULES}[].{path}") for fact, path in RULE_PATHS),
    ),
    sdk_client="azure.mgmt.web:WebSiteManagementClient",
    service="web",
    calls=(
        Read(
            "web_apps.list",
            "web",
            "GET",
            SUBSCRIPTION_PATH + "/providers/Microsoft.Web/sites",
            "Microsoft.Web/sites/read",
            "list",
        ),
        Read("web_apps.get", "web", "GET", _SITE, "Microsoft.Web/sites/read", "object"),
        Read(
            "web_apps.list_slots",
            "web",
            "GET",
            _SITE + "/slots",
            "Microsoft.Web/sites/slots/read",
            "list",
        ),
        Read(
            "web_apps.get_configuration",
            "web",
            "GET",
            _SITE + "/config/web",
            "Microsoft.Web/sites/config/read",
            "object",
        ),
        Read(
            "web_apps.get_configuration_slot",
            "web",
            "GET",
            _SITE + "/slots/{slot}/config/web",
            "Microsoft.Web/sites/slots/config/read",
            "object",
        ),
        *appservice_history.READS,  # --history only
    ),
    grant_note=(
        "App Service apps, their slots, config/web and deployment records "
        "(with slot swaps from the Activity Log)"
    ),
)
HISTORY_SOURCE = appservice_history.SOURCE


def kind_parts(kind: Any) -> list[str]:
    """The site's kind as its comma-separated parts, lower case ("app,linux,container"
    is ["app", "linux", "container"]); no kind is no parts."""
    return [part.strip().lower() for part in (kind or "").split(",") if part.strip()]


def _flex(site: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether the site is a Flex Consumption app (it has a functionAppConfig),
    and its siteUpdateStrategy.type (None when not set)."""
    config = dig(site, "properties.functionAppConfig")
    if config is None:
        return False, None
    if not isinstance(config, dict):
        raise Unusable(f"{FLEX} is {shown(config)}, not an object")
    strategy = config.get("siteUpdateStrategy")
    if strategy is not None and not isinstance(strategy, dict):
        raise Unusable(f"{FLEX}.siteUpdateStrategy is {shown(strategy)}, not an object")
    kind = string((strategy or {}).get("type"), f"{FLEX}.siteUpdateStrategy.type")
    return True, kind


def redact_url(url: Any) -> FactValue:
    """A callback URL without its query string or user info, which often hold keys."""
    if not isinstance(url, str) or not url:
        return plain(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "<redacted: not a URL>"
    return urlunsplit((parts.scheme, netloc, parts.path, "<redacted>" if parts.query else "", ""))


def _set(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value > 0
    return bool(value)


def described_rule(rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rule the facts describe: the one that sets the most of changeStep,
    changeIntervalInMinutes and changeDecisionCallbackUrl, then the largest
    reroutePercentage; the first in API order on a tie."""
    if not rules:
        return None

    def weight(rule: dict[str, Any]) -> tuple[int, float]:
        percent = rule.get("reroutePercentage")
        number = float(percent) if isinstance(percent, int | float) else 0.0
        return sum(_set(rule.get(f)) for f in AUTO_RAMP_FIELDS), number

    return max(rules, key=weight)  # max keeps the first of equal keys


def _slot_name(slot: dict[str, Any]) -> str:
    name = string(slot.get("name"), "slots.value[].name")
    if not name or not name.rsplit("/", 1)[-1]:
        raise Unusable(f"slots.value[].name is {shown(name)}, not a slot name")
    return name.rsplit("/", 1)[-1]


def collect(ctx: AzureContext) -> Iterator[Observation | ScopeError]:
    """Every app of the subscription (one paged list). An app takes two reads,
    production's config/web and its slots (with theirs): the reads of all the
    apps are made side by side, and come back in the list's order."""
    client = ctx.client(KIND)

    def halves() -> Iterator[tuple[Any, str]]:
        for page in client.web_apps.list().by_page():
            for item in page:
                site = as_record(item)
                yield site, CONFIG
                yield site, SLOTS_READ

    answers = fan_out(halves(), lambda half: _read_half(ctx, client, *half))
    try:
        for site, production in answers:
            _, slots = next(answers)  # the list fails between apps, never within one
            read = (production, slots)
            yield _observe_or_error(ctx, site, lambda _g, _n, read=read: read)
    except ctx.errors as exc:  # a page of the list: the apps before it are kept
        yield ScopeError("azure", ctx.scope, KIND.titles, ctx.describe(exc))


def get(ctx: AzureContext, resource_id: str) -> Observation:
    """One app by its id (NotFoundError if it does not exist)."""
    rid = parse_resource_id(resource_id)
    client = ctx.client(KIND)

    def reads(group: str, name: str) -> tuple[Config | Failed, Slots]:
        slots = _read_slots(ctx, client, group, name)  # `check`: one read after another
        return _read_config(ctx, client, group, name), slots

    return ctx.read_one(
        resource_id,
        lambda: observe(ctx, as_record(client.web_apps.get(rid.group, rid.name)), reads),
    )


Reads = Callable[[str, str], "tuple[Config | Failed, Slots]"]


def _read_half(ctx: AzureContext, client: Any, site: Any, half: str) -> tuple[Any, Any]:
    """One of an app's two reads (CONFIG or SLOTS_READ), with the site it is for;
    nothing is read for a site without a usable id (`observe` says why)."""
    try:
        rid = parse_resource_id(string(site.get("id"), "id") or "")
    except (AttributeError, UsageError, Unusable):
        return site, None
    read = _read_config if half == CONFIG else _read_slots
    return site, read(ctx, client, rid.group, rid.name)


def _observe_or_error(ctx: AzureContext, site: Any, reads: Reads) -> Observation | ScopeError:
    """An app whose id is not a site id, or whose reads fail past the SDK's
    errors, becomes a scope error; the other apps go on."""
    label = shown(site.get("id") if isinstance(site, dict) else site)
    try:
        if not isinstance(site, dict):
            raise Unusable(f"an item of value is {shown(site)}, not an object")
        return observe(ctx, site, reads)
    except (UsageError, Unusable, *ctx.errors) as exc:
        why = ctx.describe(exc) if isinstance(exc, ctx.errors) else str(exc)
        if isinstance(exc, Unusable):
            why = f"malformed answer: {why}"
        return ScopeError("azure", ctx.scope, f"{KIND.title} {label}", why[:500])


def observe(ctx: AzureContext, site: dict[str, Any], reads: Reads) -> Observation:
    """The app's observation: the site's own facts, then those of its slots
    and of production's config/web, which `reads(group, name)` gives."""
    site_id = string(site.get("id"), "id")
    if not site_id:
        raise Unusable("the app has no id")
    rid = parse_resource_id(site_id)
    obs = Observation(
        id=site_id,
        provider="azure",
        kind=KIND.name,
        name=text(site.get("name") or rid.name),
        account=ctx.subscription,
        location=text(site.get("location") or ""),
        tags=tags(site.get("tags")),
    )
    for fact, path in SITE_PATHS:
        obs.add(fact, f"site.{path}", plain(dig(site, path)))
    add_checked(
        obs,
        "app_kind_parts",
        "site.kind (parts)",
        lambda: kind_parts(string(site.get("kind"), "kind")),
    )
    _flex_facts(obs, site)
    production, slots = reads(rid.group, rid.name)
    _slot_facts(obs, slots)
    _config_facts(obs, production)
    return obs


def _flex_facts(obs: Observation, site: dict[str, Any]) -> None:
    flex_field = f"{FLEX} (present: Flex Consumption)"
    strategy_field = f"{FLEX}.siteUpdateStrategy.type"
    try:
        flex, strategy = _flex(site)
    except Unusable as exc:
        obs.unknown("flex_consumption", flex_field, f"malformed answer: {exc}")
        obs.unknown("site_update_strategy", strategy_field, f"malformed answer: {exc}")
        return
    obs.add("flex_consumption", flex_field, flex)
    obs.add("site_update_strategy", strategy_field, strategy)


@dataclass(frozen=True)
class Failed:
    """A read that failed, and why (the SDK's error, or `malformed answer: ...`)."""

    reason: str


@dataclass(frozen=True)
class Slots:
    """An app's slots and their auto-swap targets, as read."""

    names: list[str] | Failed
    targets: list[str]  # the non-empty targets, lower case, in slot order
    swapping: list[str]  # the slots that have one
    unread: Failed | None = None  # the first slot whose config/web could not be read


def _why(ctx: AzureContext, exc: BaseException) -> str:
    return ctx.describe(exc) if isinstance(exc, ctx.errors) else f"malformed answer: {exc}"


def _read_slots(ctx: AzureContext, client: Any, group: str, name: str) -> Slots:
    """The app's slots, then each slot's config/web side by side; the first
    slot (in list order) whose config/web cannot be read ends the reading."""
    try:
        slots = [as_record(s) for s in client.web_apps.list_slots(group, name)]
        names = [_slot_name(objects([s], "slots.value[]")[0]) for s in slots]
    except (Unusable, *ctx.errors) as exc:
        return Slots(Failed(_why(ctx, exc)), [], [])

    def target(slot: str) -> str | Failed:
        try:
            config = as_record(client.web_apps.get_configuration_slot(group, name, slot))
            field = "properties.autoSwapSlotName"
            return string(dig(config, field), f"slot {slot} config/web {field}") or ""
        except ctx.errors as exc:
            return Failed(f"slot {slot}: {ctx.describe(exc)}")
        except Unusable as exc:
            return Failed(f"malformed answer: {exc}")

    targets: list[str] = []
    swapping: list[str] = []
    with closing(fan_out(names, target)) as answers:
        for slot, answer in zip(names, answers, strict=True):
            if isinstance(answer, Failed):
                return Slots(names, targets, swapping, answer)  # no further slot is started
            if answer.strip():
                targets.append(answer.strip().lower())
                swapping.append(slot)
    return Slots(names, targets, swapping)


def _slot_facts(obs: Observation, slots: Slots) -> None:
    if isinstance(slots.names, Failed):
        obs.unknown("slot_names", SLOTS, slots.names.reason)
        obs.unknown("auto_swap_targets", SLOT_CONFIG, slots.names.reason)
        return
    obs.add("slot_names", SLOTS, slots.names)
    if slots.unread is not None:
        obs.unknown("auto_swap_targets", SLOT_CONFIG, slots.unread.reason)
        return
    obs.add("auto_swap_targets", SLOT_CONFIG, slots.targets)
    obs.add("auto_swap_slots", "slots[autoSwapSlotName set].name", slots.swapping)


def _config_unknown(obs: Observation, reason: str) -> None:
    obs.unknown("health_check_path", "config/web.properties.healthCheckPath", reason)
    obs.unknown("routing_rules", f"{RULES}[].name", reason)
    for fact, path in RULE_PATHS:
        obs.unknown(fact, f"{RULES}[].{path}", reason)


@dataclass(frozen=True)
class Config:
    """Production's config/web as read: its properties and ramp-up rules."""

    props: dict[str, Any]
    rules: list[dict[str, Any]]
    names: list[str]


def _read_config(ctx: AzureContext, client: Any, group: str, name: str) -> Config | Failed:
    try:
        config = as_record(client.web_apps.get_configuration(group, name))
        props = config.get("properties")
        if props is not None and not isinstance(props, dict):
            raise Unusable(f"config/web properties is {shown(props)}, not an object")
        props = props or {}
        rules = objects(dig(props, "experiments.rampUpRules"), RULES)
        names = [text(r.get("name") or r.get("actionHostName") or "") for r in rules]
        for rule in rules:
            for _fact, path in RULE_PATHS:
                check = string if path in TEXT_FIELDS else number
                check(rule.get(path), f"{RULES}[].{path}")
    except (Unusable, *ctx.errors) as exc:
        return Failed(_why(ctx, exc))
    return Config(props, rules, names)


def _config_facts(obs: Observation, config: Config | Failed) -> None:
    if isinstance(config, Failed):
        _config_unknown(obs, config.reason)
        return
    props, rules = config.props, config.rules
    add_checked(
        obs,
        "health_check_path",
        "config/web.properties.healthCheckPath",
        lambda: string(props.get("healthCheckPath"), "healthCheckPath"),
    )
    obs.add("routing_rules", f"{RULES}[].name", config.names)
    rule = described_rule(rules)
    label = text(rule.get("name") or rule.get("actionHostName") or "") if rule else ""
    for fact, path in RULE_PATHS:
        value = rule.get(path) if rule else None
        shown_value = redact_url(value) if fact == "decision_callback_url" else plain(value)
        obs.add(fact, f"{RULES}[{label}].{path}", shown_value)


def history(ctx: AzureContext, unit: Observation, period: Period) -> History:
    """The app's release records for the period: its deployment records and
    slot swaps (providers/azure/appservice_history.py)."""
    return appservice_history.read(ctx, ctx.client(KIND), unit, period)
