"""Server-side rendering helpers of the web explorer: highlighted article text and inline SVG.

Article text is untrusted. Every piece of it goes through :func:`markupsafe.escape` before it is
joined with markup, so a ``<script>`` or an ``onerror=`` in an article shows as text. The charts
and the map are inline SVG built here from numbers and escaped labels; no script draws them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from ..model import Article, Paragraph, split_paragraphs
from ..web import STATIC_DIR
from .queries import MapPoint, MonthCount

__all__ = [
    "HIGHLIGHT_ROLES",
    "QUAD_CLASSES",
    "highlight_article",
    "map_svg",
    "project",
    "timeline_svg",
]

#: role -> label of the legend (the CSS class is ``hl-<role>``)
HIGHLIGHT_ROLES: dict[str, str] = {
    "source": "Source actor",
    "target": "Target actor",
    "trigger": "Event trigger",
    "quote": "Quotation",
}

#: quad class -> (label, CSS class)
QUAD_CLASSES: dict[int, tuple[str, str]] = {
    1: ("Verbal cooperation", "q1"),
    2: ("Material cooperation", "q2"),
    3: ("Verbal conflict", "q3"),
    4: ("Material conflict", "q4"),
    0: ("Not classified", "q0"),
}


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    role: str
    note: str
    event: str | None


def _spans(article: Article) -> list[_Span]:
    n = len(article.text)
    out: list[_Span] = []

    def add(start: int | None, end: int | None, role: str, note: str, event: str | None) -> None:
        if start is None or end is None:
            return
        start, end = max(0, start), min(n, end)
        if start < end:
            out.append(_Span(start, end, role, note, event))

    for ev in article.events:
        label = f"{ev.id} {ev.plover.type} {ev.cameo.code} ({ev.modality})"
        add(ev.source.start, ev.source.end, "source", f"source of {label}", ev.id)
        if ev.target is not None:
            add(ev.target.start, ev.target.end, "target", f"target of {label}", ev.id)
        add(ev.trigger.start, ev.trigger.end, "trigger", f"trigger of {label}", ev.id)
    for q in article.quotes:
        who = (q.speaker.name or q.speaker.text) if q.speaker else "unknown speaker"
        add(q.start, q.end, "quote", f"{q.id} quote of {who}", None)
    return out


def highlight_article(article: Article) -> Markup:
    """The article text as ``<p>`` paragraphs with source, target, trigger and quote spans
    wrapped in ``<span class="hl hl-ROLE">`` (several roles can overlap). The first segment of
    each event's trigger carries ``id="ev-<event id>"`` so the event table can link to it."""
    text = article.text
    spans = _spans(article)
    paragraphs = article.paragraphs or split_paragraphs(text)
    if not paragraphs and text:
        paragraphs = split_paragraphs(text + "\n")
    points = {0, len(text)}
    for sp in spans:
        points.update((sp.start, sp.end))
    for paragraph in paragraphs:
        points.update((paragraph.start, paragraph.end))
    ordered = sorted(p for p in points if 0 <= p <= len(text))
    by_start: dict[int, list[_Span]] = {}
    for sp in spans:
        by_start.setdefault(sp.start, []).append(sp)
    anchors: set[str] = set()
    html: list[str] = []
    active: list[_Span] = []
    para_iter = iter(paragraphs)
    para: Paragraph | None = next(para_iter, None)
    open_para = False
    for a, b in itertools.pairwise(ordered):
        active = [sp for sp in active if sp.end > a]
        active.extend(by_start.get(a, ()))
        while para is not None and a >= para.end:
            if open_para:
                html.append("</p>")
                open_para = False
            para = next(para_iter, None)
        if para is None or b <= para.start:
            continue
        if not open_para:
            html.append("<p>")
            open_para = True
        piece = escape(text[a:b])
        if not active:
            html.append(str(piece))
            continue
        roles = sorted({sp.role for sp in active}, key=list(HIGHLIGHT_ROLES).index)
        notes = "; ".join(dict.fromkeys(sp.note for sp in active))
        events = " ".join(dict.fromkeys(sp.event for sp in active if sp.event))
        attrs = [
            f'class="hl {" ".join("hl-" + r for r in roles)}"',
            f'title="{escape(notes)}"',
        ]
        if events:
            attrs.append(f'data-events="{escape(events)}"')
        starting = [
            sp.event
            for sp in active
            if sp.role == "trigger" and sp.event and sp.event not in anchors and sp.start == a
        ]
        for i, event_id in enumerate(dict.fromkeys(e for e in starting if e)):
            anchors.add(event_id)
            if i == 0:
                attrs.insert(0, f'id="ev-{escape(event_id)}"')
            else:
                # events sharing a trigger: an empty anchor each, so every #ev-ID link works
                html.append(f'<span class="anchor" id="ev-{escape(event_id)}"></span>')
        html.append(f"<span {' '.join(attrs)}>{piece}</span>")
    if open_para:
        html.append("</p>")
    return Markup("".join(html))


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def timeline_svg(months: Sequence[MonthCount], *, width: int = 760, height: int = 240) -> Markup:
    """A stacked bar chart of events per month by quad class (inline SVG, titled for screen
    readers; each bar segment has a tooltip)."""
    if not months:
        return Markup("")
    shown = list(months)[-48:]
    left, right, top, bottom = 40, 10, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(m.total for m in shown) or 1
    step = plot_w / len(shown)
    bar_w = min(48.0, max(2.0, step * 0.7))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="tl-title"><title id="tl-title">Events per month by quad class, '
        f"{escape(shown[0].month)} to {escape(shown[-1].month)}</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        value = round(peak * frac)
        y = top + plot_h - plot_h * (value / peak)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    label_every = max(1, math.ceil(len(shown) / 12))
    for i, m in enumerate(shown):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for quad in (1, 2, 3, 4, 0):
            n = m.by_quad.get(quad, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            label, cls = QUAD_CLASSES[quad]
            parts.append(
                f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(m.month)}: {n} {escape(label.lower())}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{height - 12}" '
                f'text-anchor="middle">{escape(m.month)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------

MAP_WIDTH = 1000
MAP_HEIGHT = 500


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular projection onto the 1000 x 500 map (the outline uses the same)."""
    lon = max(-180.0, min(180.0, lon))
    lat = max(-90.0, min(90.0, lat))
    return (lon + 180.0) / 360.0 * MAP_WIDTH, (90.0 - lat) / 180.0 * MAP_HEIGHT


@lru_cache(maxsize=1)
def _world_paths() -> str:
    """The country outlines (inner markup of the bundled ``world-110m.svg``)."""
    svg = (STATIC_DIR / "world-110m.svg").read_text("utf-8")
    start = svg.index(">", svg.index("<svg")) + 1
    return svg[start : svg.rindex("</svg>")]


def map_svg(points: Sequence[MapPoint], *, labels: int = 12) -> Markup:
    """The offline world map with one circle per point (area grows with the count) and labels
    for the most frequent event locations."""
    parts = [
        f'<svg class="map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" role="img" '
        'aria-labelledby="map-title map-desc">'
        '<title id="map-title">World map of event locations</title>'
        f'<desc id="map-desc">{len(points)} places; the table below lists them.</desc>'
        f'<rect class="sea" x="0" y="0" width="{MAP_WIDTH}" height="{MAP_HEIGHT}"/>',
        f'<g class="land">{_world_paths()}</g>',
    ]
    peak = max((p.count for p in points), default=1)
    ordered = sorted(points, key=lambda p: (p.kind != "place", p.count))
    for p in ordered:
        x, y = project(p.lat, p.lon)
        r = 2.5 + 9.0 * math.sqrt(p.count / peak)
        where = f"{p.name} ({p.country})" if p.country else p.name
        what = "events" if p.kind == "event" else "articles"
        parts.append(
            f'<circle class="pt pt-{escape(p.kind)}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">'
            f"<title>{escape(where)}: {p.count} {what}</title></circle>"
        )
    top = sorted((p for p in points if p.kind == "event"), key=lambda p: -p.count)[:labels]
    for p in top:
        x, y = project(p.lat, p.lon)
        parts.append(
            f'<text class="pt-label" x="{x + 6:.1f}" y="{y - 6:.1f}">{escape(p.name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
