"""Inline SVG charts (no scripts, no external requests)."""

from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {
    "1": "#d4351c",
    "2": "#f47738",
    "3": "#ffdd00",
    "4": "#28a197",
    "5": "#00703c",
    "not_assessed": "#b1b4b6",
}
LABELS = {
    "1": "Level 1",
    "2": "Level 2",
    "3": "Level 3",
    "4": "Level 4",
    "5": "Level 5",
    "not_assessed": "Not assessed",
}


def distribution_chart(counts: dict[str, int], width: int = 560) -> Markup:
    """Horizontal bars, one per level, labelled with their counts."""
    bar_h, gap, label_w = 26, 8, 110
    top = max(counts.values()) if counts and max(counts.values()) > 0 else 1
    rows = []
    for i, key in enumerate(LABELS):
        n = counts.get(key, 0)
        y = i * (bar_h + gap)
        w = int((width - label_w - 50) * n / top)
        rows.append(
            f'<text x="0" y="{y + 18}" font-size="16">{escape(LABELS[key])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{COLOURS[key]}">'
            f"<title>{escape(LABELS[key])}: {n}</title></rect>"
            f'<text x="{label_w + w + 8}" y="{y + 18}" font-size="16">{n}</text>'
        )
    height = len(LABELS) * (bar_h + gap)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="Release units per level">'
        + "".join(rows)
        + "</svg>"
    )


def trend_chart(points: list, width: int = 640) -> Markup:
    """Stacked columns: units per level in each of the last scans, oldest left."""
    keys = ["1", "2", "3", "4", "5"]
    height, base, label_h = 220, 190, 20
    totals = [sum(p.levels.get(k, 0) for k in keys) + p.not_assessed for p in points] or [1]
    top = max(max(totals), 1)
    col_w = max(12, min(60, (width - 20) // max(len(points), 1) - 10))
    parts = []
    for i, p in enumerate(points):
        x = 10 + i * (col_w + 10)
        y = base
        counts = [(k, p.levels.get(k, 0)) for k in keys] + [("not_assessed", p.not_assessed)]
        for key, n in counts:
            h = int((base - 10) * n / top)
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y}" width="{col_w}" height="{h}" '
                f'fill="{COLOURS[key]}"><title>{escape(LABELS[key])}: {n}</title></rect>'
            )
        parts.append(
            f'<text x="{x}" y="{base + label_h - 4}" font-size="12">'
            f"{escape(p.started.strftime('%d %b'))}</text>"
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="Release units per level over time">'
        + "".join(parts)
        + "</svg>"
    )
