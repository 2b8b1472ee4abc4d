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


DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _grey(n: int, top: int) -> tuple[str, str]:
    """A cell's fill and its count's colour: darker for more releases, in grey
    only, so that it prints; the count is written in the cell as well."""
    shade = round(225 - 185 * (n / top)) if top else 255
    text = "#ffffff" if shade < 130 else "#0b0c0c"
    return f"#{shade:02x}{shade:02x}{shade:02x}", text


def heatmap_chart(grid: list[list[int]], timezone: str, name: str = "") -> Markup:
    """Release starts by day of the week (rows, Monday first) and hour (columns)
    in the organisation's time zone: grey cells with their count written in,
    axis labels, and a legend naming the time zone."""
    cell_w, cell_h, left, top_h = 24, 22, 40, 20
    top = max((n for row in grid for n in row), default=0)
    parts = []
    for hour in range(24):
        x = left + hour * cell_w + cell_w // 2
        parts.append(
            f'<text x="{x}" y="{top_h - 6}" font-size="10" text-anchor="middle">{hour:02d}</text>'
        )
    for day, label in enumerate(DAY_LABELS):
        y = top_h + day * cell_h
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{label}</text>')
        row = grid[day] if day < len(grid) else []
        for hour in range(24):
            n = row[hour] if hour < len(row) else 0
            x = left + hour * cell_w
            fill, ink = _grey(n, top) if n else ("#ffffff", "#0b0c0c")
            plural = "" if n == 1 else "s"
            tip = f"{label} {hour:02d}:00–{(hour + 1) % 24:02d}:00: {n} release{plural}"
            title = f"<title>{tip}</title>" if n else ""  # an empty cell says nothing
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" '
                f'stroke="#b1b4b6" stroke-width="0.5">{title}</rect>'
            )
            if n:
                parts.append(
                    f'<text class="count" data-cell="{day}-{hour}" x="{x + cell_w // 2}" '
                    f'y="{y + 15}" font-size="11" text-anchor="middle" fill="{ink}">{n}</text>'
                )
    legend_y = top_h + 7 * cell_h + 22
    parts.append(
        f'<text x="0" y="{legend_y}" font-size="12">Hours in {escape(timezone)} time. '
        "Each cell: releases started in that hour; darker is more.</text>"
    )
    if top:
        steps = sorted({1, (top + 1) // 2, top})
        for i, n in enumerate(steps):
            x = left + i * 70
            fill, _ = _grey(n, top)
            parts.append(
                f'<rect x="{x}" y="{legend_y + 10}" width="{cell_w}" height="14" fill="{fill}" '
                f'stroke="#b1b4b6" stroke-width="0.5"></rect>'
                f'<text x="{x + cell_w + 6}" y="{legend_y + 22}" font-size="12">{n}</text>'
            )
    width = left + 24 * cell_w + 2
    height = legend_y + 30
    label = f"Release starts by day and hour ({timezone})" + (f": {name}" if name else "")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(label)}">' + "".join(parts) + "</svg>"
    )


def weekly_chart(weeks: list[tuple[str, int]], width: int = 620) -> Markup:
    """Columns: releases started in each week of the period, oldest left, each
    labelled with its count; weeks are named by the day they start."""
    height, base = 170, 140
    n = max(len(weeks), 1)
    top = max((count for _, count in weeks), default=0) or 1
    step = (width - 10) / n
    bar_w = max(4, min(36, int(step) - 4))
    every = max(1, -(-44 // max(int(step), 1)))  # a date label needs about 44 px
    parts = []
    for i, (label, count) in enumerate(weeks):
        x = round(5 + i * step)
        h = round((base - 25) * count / top)
        parts.append(
            f'<rect x="{x}" y="{base - h}" width="{bar_w}" height="{h}" fill="#505a5f">'
            f"<title>Week from {escape(label)}: {count}</title></rect>"
            f'<text class="week" x="{x + bar_w // 2}" y="{base - h - 4}" font-size="11" '
            f'text-anchor="middle">{count}</text>'
        )
        if i % every == 0:
            parts.append(f'<text x="{x}" y="{base + 16}" font-size="10">{escape(label)}</text>')
    parts.append(
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#0b0c0c" stroke-width="1"/>'
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="Releases per week">'
        + "".join(parts)
        + "</svg>"
    )
