"""The README's and docs' lists of kinds and permissions are generated from the
plugins' declarations (scanner/kinddoc.py), never copied by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.kinddoc import regenerate
from scanner.plugin import installed_plugins

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_generated_part_is_in_step(path):
    text = path.read_text(encoding="utf-8")
    assert regenerate(text) == text, (
        f"{path.name} is out of step: run python -m scanner.kinddoc {path.relative_to(ROOT)}"
    )


def test_the_readme_lists_the_aws_grant_generated_from_the_declarations():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated: permissions aws -->" in text
    for permission in installed_plugins()["aws"].permissions().permissions:
        assert f"`{permission}`" in text


def test_a_stale_part_is_rewritten_and_an_unknown_part_refused():
    stale = "x\n<!-- generated: grant azure -->\nold\n<!-- generated: end -->\ny\n"
    fresh = regenerate(stale)
    assert "old" not in fresh and fresh.startswith("x\n<!-- generated: grant azure -->\n```json\n{")
    assert installed_plugins()["azure"].permissions().document.strip() in fresh
    assert fresh.endswith("```\n<!-- generated: end -->\ny\n")
    with pytest.raises(UsageError, match="unknown generated part 'colours'"):
        regenerate("<!-- generated: colours aws -->\n<!-- generated: end -->")


@pytest.mark.parametrize("name", sorted(installed_plugins()))
def test_each_providers_doc_names_its_kinds_and_reads_and_prints_its_grant(name):
    """docs/PROVIDER.md explains each kind and each read in prose and tables
    written by hand; this keeps them from falling behind the declarations."""
    plugin = installed_plugins()[name]
    text = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
    assert f"<!-- generated: grant {name}" in text
    missing = [k.name for k in plugin.kinds() if f"`{k.name}`" not in text]
    reads = set(plugin.discovery_reads) | {r for k in plugin.kinds() for r in k.reads}
    missing += [r for r in sorted(reads) if r.rpartition(":")[2] not in text]
    assert missing == [], f"docs/{name}.md does not mention {', '.join(missing)}"


def test_docs_kinds_lists_every_kind_with_the_id_check_accepts():
    text = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    for plugin in installed_plugins().values():
        assert f"<!-- generated: kinds {plugin.name} -->" in text
        for kind in plugin.kinds():
            form = kind.id_form.replace("|", "\\|")  # a "|" is escaped in a table cell
            assert f"| `{kind.name}` | {kind.title} | `{form}` |" in text
