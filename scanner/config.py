"""`relscan scan --config relscan.toml`: one file for every cloud and output.

The core sections are fixed models; each provider's section is built from the
options its plugin offers, so a new plugin's options are configurable without
a core change: `--aws-region` (repeatable) is `regions = [...]` (or `region`)
under `[aws]`, `--aws-profile` is `profile`. A command-line option overrides
its key. Errors name the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import click
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
)

from scanner import textfile
from scanner.errors import UsageError, one_line
from scanner.network import DEFAULT_TIMEOUT
from scanner.plugin import ProviderPlugin


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScanSection(_Strict):
    providers: list[str] = Field(default_factory=list)
    concurrency: int = Field(default=8, ge=1, le=64)
    per_account: int = Field(default=16, ge=1, le=64)
    workers: int | None = Field(default=None, ge=1, le=64)  # None: the cores available
    time_budget: float = Field(default=3600, ge=1)
    timeout: float = Field(default=DEFAULT_TIMEOUT, ge=0.1, le=3600)
    fail_under: int | None = Field(default=None, ge=1, le=5)
    # --history, --timezone, --working-hours (docs/practice.md)
    history_days: int | None = Field(default=None, ge=1, le=3650)
    timezone: str | None = None
    working_hours: str | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        from scanner.practice.settings import check_timezone

        return check_timezone(value) if value is not None else None

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        from scanner.practice.settings import parse_working_hours

        if value is not None:
            parse_working_hours(value)
        return value


class ServicesSection(_Strict):
    tag_keys: list[str] = Field(default_factory=list)
    assign: dict[str, str] = Field(default_factory=dict)


class ReportSection(_Strict):
    target_level: int = Field(default=4, ge=1, le=5)
    waivers: str | None = None


class StoreSection(_Strict):
    url: str | None = None
    enabled: bool = True


class OutputSpec(_Strict):
    format: str
    path: str

    @field_validator("format")
    @classmethod
    def _known(cls, value: str) -> str:
        from scanner.outputs import SCAN_FORMATS

        if value not in SCAN_FORMATS:
            raise ValueError(f"unknown format {value!r} (one of {', '.join(SCAN_FORMATS)})")
        return value


def _plural(name: str) -> str:
    return name if name.endswith("s") else name + "s"


def _one_or_many(value: Any) -> Any:
    """A repeatable option's key takes a list, or one value on its own:
    `region = "eu-west-2"` as well as `regions = ["eu-west-2", "eu-west-1"]`."""
    return [value] if isinstance(value, str) else value


OneOrMany = Annotated[list[str] | None, BeforeValidator(_one_or_many)]


def provider_model(plugin: ProviderPlugin) -> type[BaseModel]:
    """A strict model for `[<provider>]` from the plugin's Click options."""
    fields: dict[str, Any] = {}
    prefix = f"{plugin.name}_"
    for option in plugin.options():
        if not option.name or not option.name.startswith(prefix):
            continue
        key = option.name[len(prefix) :]
        if option.multiple:
            annotation: Any = OneOrMany
            alias = AliasChoices(_plural(key), key)
        elif option.is_flag:
            annotation, alias = bool | None, AliasChoices(key)
        elif isinstance(option.type, click.Choice):
            annotation = Literal[tuple(option.type.choices)] | None  # type: ignore[misc]
            alias = AliasChoices(key)
        elif isinstance(option.type, click.types.IntParamType):
            annotation, alias = int | None, AliasChoices(key)
        else:
            annotation, alias = str | None, AliasChoices(key)
        fields[option.name] = (annotation, Field(default=None, validation_alias=alias))
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"{plugin.name.title()}Section", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


class Settings(BaseModel):
    """The validated file, as option values keyed like the CLI's parameters."""

    scan: ScanSection
    services: ServicesSection
    report: ReportSection
    store: StoreSection
    outputs: list[OutputSpec]
    provider_options: dict[str, Any]
    folder: Path

    def option_values(self) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.provider_options)
        values.update(
            providers=tuple(self.scan.providers),
            concurrency=self.scan.concurrency,
            per_account=self.scan.per_account,
            workers=self.scan.workers,
            time_budget=self.scan.time_budget,
            timeout=self.scan.timeout,
            fail_under=self.scan.fail_under,
            history_days=self.scan.history_days,
            timezone=self.scan.timezone,
            working_hours=self.scan.working_hours,
            tag_keys=tuple(self.services.tag_keys),
            assignments=tuple(f"{k}={v}" for k, v in self.services.assign.items()),
            target_level=self.report.target_level,
            waivers_path=str(self.folder / self.report.waivers) if self.report.waivers else None,
            store=self.store.url,
            no_store=not self.store.enabled,
        )
        return values


def _error(path: Path, exc: ValidationError, section: str = "") -> UsageError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in ((section,) if section else ()) + tuple(err["loc"]))
    message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    return UsageError(f"{path}: {key or '(top level)'}: {message}")


def load_config(path_text: str, plugins: dict[str, ProviderPlugin]) -> Settings:
    path = Path(path_text)
    try:
        data = tomllib.loads(textfile.read(path, str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(data, path, plugins)


def parse_config(data: Any, path: Path, plugins: dict[str, ProviderPlugin]) -> Settings:
    """Validate an already-parsed file; every problem is a one-line UsageError."""
    try:
        return _parse(data, path, plugins)
    except UsageError as exc:
        raise UsageError(one_line(exc)) from None


def _parse(data: Any, path: Path, plugins: dict[str, ProviderPlugin]) -> Settings:
    if not isinstance(data, dict):
        raise UsageError(f"{path}: (top level): expected tables of keys")
    core = {
        "scan": ScanSection,
        "services": ServicesSection,
        "report": ReportSection,
        "store": StoreSection,
    }
    known = set(core) | {"outputs"} | set(plugins)
    for key in data:
        if not isinstance(data[key], dict | list) or key not in known:
            if key in known:
                raise UsageError(f"{path}: {key}: expected a table")
            raise UsageError(
                f"{path}: {key}: unknown section (expected one of {', '.join(sorted(known))})"
            )
    parsed: dict[str, Any] = {}
    for name, model in core.items():
        try:
            parsed[name] = model.model_validate(data.get(name, {}))
        except ValidationError as exc:
            raise _error(path, exc, name) from None
    try:
        outputs = TypeAdapter(list[OutputSpec]).validate_python(data.get("outputs", []))
    except ValidationError as exc:
        raise _error(path, exc, "outputs") from None
    provider_options: dict[str, Any] = {}
    for name, plugin in plugins.items():
        try:
            section = provider_model(plugin).model_validate(data.get(name, {}))
        except ValidationError as exc:
            raise _error(path, exc, name) from None
        for key, value in section.model_dump().items():
            if value is not None:
                provider_options[key] = tuple(value) if isinstance(value, list) else value
    unknown = [p for p in parsed["scan"].providers if p not in plugins]
    if unknown:
        raise UsageError(
            f"{path}: scan.providers: unknown provider {unknown[0]!r} "
            f"(installed: {', '.join(plugins)})"
        )
    return Settings(
        provider_options=provider_options, outputs=outputs, folder=path.resolve().parent, **parsed
    )
