"""PNG charts for chat threads: a list's label mix, a conversation's mood, a daily trend.

Every chart comes in two variants drawn for the size they are shown at (`Variant`): `COMPACT`
for chat threads and phones, `FULL` for a click-through and wide pages. Text is never smaller
than 11 px where the chart is shown; every chart uses the same four colours, legends show the
marks they explain in the marks' colours, and words are in the user's language. No emoji are
drawn (fonts without them draw boxes): charts speak in text, colours and shapes.

Two things matter for a fresh machine:

* Chinese needs a real CJK font. Matplotlib's bundled DejaVu Sans has no Han glyphs, so text
  would come out as tofu boxes. The `mplfonts` package (a project dependency) ships Noto Sans CJK
  SC; we register that file straight from the installed package, lazily and once, so no system
  fonts, no `mplfonts init` step and no network are needed.
* No pyplot. Figures are built with the object-oriented `Figure` + `FigureCanvasAgg` API, so
  nothing depends on a GUI backend or pyplot's global figure registry. Fonts and sizes are
  applied with `matplotlib.rc_context`, which swaps the process-wide rcParams; a module lock keeps
  concurrent renders (e.g. from a thread pool) from seeing each other's settings.
"""

from __future__ import annotations

import datetime
import importlib.resources
import io
import logging
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.shares import label_percentages
from domain.models import Lang, Summary

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Variant:
    """A chart drawn for the width it is shown at.

    Sizes are CSS pixels: the figure is `width` × `height` points at 72 × `scale` dpi, so a font
    size in points is its size in CSS pixels when the PNG is shown `width` pixels wide, and the PNG
    holds `scale` image pixels per CSS pixel (sharp on phones and retina screens). Every text is at
    least `min_font` CSS px, and the variant is never shown narrower than `min_shown_px`, so text
    is never smaller than `min_font * min_shown_px / width` (≥ 11 px) where it is shown.
    """

    name: str
    width: int
    height: int
    scale: float
    min_font: float
    min_shown_px: int

    @property
    def size_px(self) -> tuple[int, int]:
        """The PNG's size in image pixels."""
        return (round(self.width * self.scale), round(self.height * self.scale))


COMPACT = Variant("compact", width=360, height=230, scale=2, min_font=13.5, min_shown_px=300)
"""Chat threads (Slack, DingTalk, the web chat) and phones: shown about 300–400 px wide."""
FULL = Variant("full", width=760, height=430, scale=1.5, min_font=12.5, min_shown_px=680)
"""Opened on click and the digest page on wide screens: shown 680–760 px wide or at natural size."""
VARIANTS: tuple[Variant, ...] = (COMPACT, FULL)
MIN_SHOWN_TEXT_PX = 11
"""No chart text is smaller than this at the size the chart is shown at."""

COLORS: dict[str, str] = {
    "positive": "#2e9e5b",
    "neutral": "#9aa5b1",
    "negative": "#d64545",
    "failed": "#c9ced6",
}
_INK = "#1f2933"  # titles and values
_MUTED = "#616e7c"  # subtitles, axis labels, ticks
_GRID = "#e4e7eb"
_SHARE_LINE = "#8a1c1c"  # negative share on the trend chart: darker than the red bars

# Font files tried in order, inside the installed `mplfonts` package. Noto Sans CJK SC is a
# Simplified-Chinese sans under the SIL Open Font License 1.1; SimHei is only a last resort.
_FONT_CANDIDATES: tuple[str, ...] = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")
# Glyphs the CJK font lacks (rare symbols) fall back to matplotlib's bundled font.
_FALLBACK_FAMILY = "DejaVu Sans"

_font_lock = threading.Lock()
_font_family: str | None = None
_font_path: Path | None = None
_font_ready = False

_render_lock = threading.Lock()

_WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "positive": "Positive",
        "neutral": "Neutral",
        "negative": "Negative",
        "failed": "Failed",
        "dist_title": "Sentiment mix",
        "dist_sub": "{n} items",
        "dist_sub_one": "1 item",
        "conv_title": "Conversation sentiment",
        "conv_sub": "{c} customer · {a} agent messages",
        "customer": "Customer",
        "agent": "Agent",
        "turn": "Message",
        "trend_title": "Sentiment, last {n} days",
        "trend_title_one": "Sentiment, last day",
        "trend_sub": "{n} items",
        "neg_share": "Negative share",
        "no_data": "No data yet",
        "y_negative": "negative",
        "y_neutral": "neutral",
        "y_positive": "positive",
    },
    "zh": {
        "positive": "正面",
        "neutral": "中性",
        "negative": "负面",
        "failed": "失败",
        "dist_title": "情感分布",
        "dist_sub": "共 {n} 条",
        "dist_sub_one": "共 1 条",
        "conv_title": "对话情感走势",
        "conv_sub": "客户 {c} 条 · 客服 {a} 条",
        "customer": "客户",
        "agent": "客服",
        "turn": "消息序号",
        "trend_title": "近{n}天情感趋势",
        "trend_title_one": "近1天情感趋势",
        "trend_sub": "共 {n} 条",
        "neg_share": "负面占比",
        "no_data": "暂无数据",
        "y_negative": "负面",
        "y_neutral": "中性",
        "y_positive": "正面",
    },
}
_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


@dataclass(frozen=True)
class DayCounts:
    """Label counts of one calendar day (failed items are counted apart, never as neutral)."""

    day: datetime.date
    positive: int
    negative: int
    neutral: int
    failed: int = 0

    @property
    def labelled(self) -> int:
        return self.positive + self.negative + self.neutral

    @property
    def total(self) -> int:
        return self.labelled + self.failed


# --------------------------------------------------------------------------------------- fonts


def _bundled_font_path() -> Path | None:
    try:
        fonts_dir = importlib.resources.files("mplfonts") / "fonts"
    except ModuleNotFoundError:
        return None
    for name in _FONT_CANDIDATES:
        candidate = fonts_dir / name
        if candidate.is_file():
            return Path(str(candidate))
    return None


def ensure_cjk_font() -> str | None:
    """Register the bundled CJK font with matplotlib (once) and return its family name.

    Returns None (and logs a warning once) if `mplfonts` or its fonts are missing; charts then
    still render, with Chinese as boxes rather than failing the reply.
    """
    global _font_family, _font_path, _font_ready
    if _font_ready:
        return _font_family
    with _font_lock:
        if not _font_ready:
            path = _bundled_font_path()
            if path is None:
                log.warning("charts: no CJK font found in the mplfonts package; Chinese will not render")
            else:
                font_manager.fontManager.addfont(str(path))
                # The family name matplotlib indexed the file under (e.g. "Noto Sans CJK SC").
                _font_family = font_manager.FontProperties(fname=path).get_name()
                _font_path = path
            _font_ready = True
    return _font_family


def cjk_font_path() -> Path | None:
    """Path of the CJK font file charts use (inside the installed `mplfonts` package)."""
    ensure_cjk_font()
    return _font_path


@contextmanager
def _chart_style(variant: Variant) -> Iterator[None]:
    family = ensure_cjk_font()
    families = [family, _FALLBACK_FAMILY] if family else [_FALLBACK_FAMILY]
    rc: dict[RcKeyType, Any] = {
        "font.family": families,
        "font.size": _FONTS[variant.name].tick,
        # Every weight stays "normal": the bundled CJK font has only a Regular face, and asking
        # for bold makes matplotlib log a font-substitution warning on each render.
        "font.weight": "normal",
        "axes.titleweight": "normal",
        "figure.titleweight": "normal",
        "axes.labelweight": "normal",
        "axes.unicode_minus": False,
        "axes.edgecolor": _GRID,
        "axes.labelcolor": _MUTED,
        "axes.labelsize": _FONTS[variant.name].tick,
        "xtick.color": _MUTED,
        "ytick.color": _MUTED,
        "xtick.labelsize": _FONTS[variant.name].tick,
        "ytick.labelsize": _FONTS[variant.name].tick,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "legend.frameon": False,
        "legend.fontsize": _FONTS[variant.name].legend,
    }
    with _render_lock, matplotlib.rc_context(rc):
        yield


# ------------------------------------------------------------------------------------- helpers

# Emoji and pictographs: no chart font draws them (they would come out as boxes), so a title
# that carries one loses it. Charts say things with text, colours and shapes instead.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0e\ufe0f\u200d\u20e3]")


def drawable(text: str) -> str:
    """`text` without emoji (and their joiners and variation selectors), spaces tidied."""
    return " ".join(_EMOJI.sub(" ", text).split())


@dataclass(frozen=True)
class _Fonts:
    title: float
    subtitle: float
    tick: float
    value: float
    legend: float
    empty: float


_FONTS: dict[str, _Fonts] = {
    "compact": _Fonts(title=16.5, subtitle=13.5, tick=13.5, value=14.5, legend=13.5, empty=18),
    "full": _Fonts(title=20, subtitle=14, tick=14, value=15, legend=13.5, empty=22),
}


def both(draw: Callable[..., bytes], *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
    """`(compact, full)` PNGs of one chart, e.g. `both(label_distribution_png, summary, lang="zh")`."""
    return draw(*args, variant=COMPACT, **kwargs), draw(*args, variant=FULL, **kwargs)


def smallest_text(fig: Figure) -> float:
    """The smallest font size (CSS px at the variant's width) of any visible text in `fig`."""
    sizes = [
        float(t.get_fontsize())
        for t in fig.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]
    return min(sizes, default=0.0)


def _render(draw: Callable[[Figure, Variant], None], variant: Variant) -> bytes:
    """Build a figure with `draw` and return it as a PNG of exactly `variant.size_px`.

    The PNG carries, as text chunks, the variant, the width it is designed for and its smallest
    font size, so a page (or a test) can tell how big the text is wherever the PNG is shown.
    """
    with _chart_style(variant):
        fig = figure(draw, variant)
        buf = io.BytesIO()
        # No bbox_inches="tight": it would change the pixel size. No "Software" tag: the bytes
        # then depend only on the data, so identical charts are byte-identical.
        fig.savefig(
            buf,
            format="png",
            dpi=72 * variant.scale,
            metadata={
                "Software": None,
                "sentibot-variant": variant.name,
                "sentibot-width": str(variant.width),
                "sentibot-min-font": f"{smallest_text(fig):g}",
            },
        )
    return buf.getvalue()


def figure(draw: Callable[[Figure, Variant], None], variant: Variant) -> Figure:
    """The drawn figure, before it becomes a PNG (tests inspect its marks and legend)."""
    fig = Figure(
        figsize=(variant.width / 72, variant.height / 72), dpi=72 * variant.scale, layout="constrained"
    )
    FigureCanvasAgg(fig)
    _layout(fig).set(w_pad=6 / 72, h_pad=5 / 72)
    draw(fig, variant)
    return fig


def _layout(fig: Figure) -> ConstrainedLayoutEngine:
    """The figure's constrained layout engine (every chart is built with `layout="constrained"`)."""
    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        raise TypeError(f"expected a constrained layout, got {engine!r}")
    return engine


def _header(fig: Figure, variant: Variant, title: str, subtitle: str | None) -> float:
    """Left-aligned title (and a muted subtitle) across the top; returns where the plot may start
    (a figure fraction), below the header."""
    fonts = _FONTS[variant.name]
    pad = 8
    x = 10 / variant.width
    text = fig.text(
        x, 1 - pad / variant.height, drawable(title), ha="left", va="top", fontsize=fonts.title, color=_INK
    )
    text.set_in_layout(False)
    _fit_width(fig, text, max_px=(variant.width - 20) * variant.scale)
    used = pad + fonts.title * 1.3
    if subtitle:
        sub = fig.text(
            x, 1 - used / variant.height, subtitle, ha="left", va="top", fontsize=fonts.subtitle, color=_MUTED
        )
        sub.set_in_layout(False)
        used += fonts.subtitle * 1.4
    return 1 - (used + 4) / variant.height


def _fit_width(fig: Figure, text: Text, *, max_px: float) -> None:
    """Shorten a text with an ellipsis until it fits (callers pass free-form titles)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    full = text.get_text()
    keep = len(full)
    while keep > 1 and text.get_window_extent(renderer).width > max_px:
        keep -= 1
        text.set_text(full[:keep].rstrip() + "…")


def _plot_area(fig: Figure, top: float) -> Axes:
    """Axes placed below the header; constrained layout only trims it for labels."""
    ax = fig.add_subplot()
    # The title and subtitle are kept out of the layout and sit in a fixed band at the top;
    # constrained layout arranges the axes, tick labels and legend below it.
    _layout(fig).set(rect=(0, 0, 1, top))
    return ax


def _no_data(fig: Figure, variant: Variant, lang: Lang, title: str) -> None:
    top = _header(fig, variant, title, None)
    ax = _plot_area(fig, top)
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _WORDS[lang]["no_data"],
        ha="center",
        va="center",
        fontsize=_FONTS[variant.name].empty,
        color=_MUTED,
        transform=ax.transAxes,
    )


def _n_items(lang: Lang, n: int, key: str) -> str:
    if lang == "en" and n == 1 and key == "dist_sub":
        return _WORDS[lang]["dist_sub_one"]
    return _WORDS[lang][key].format(n=f"{n:,}")


# ----------------------------------------------------------------------------------- the charts


def label_distribution_png(
    summary: Summary, *, lang: Lang, title: str | None = None, variant: Variant = COMPACT
) -> bytes:
    """A list's label mix as horizontal bars, each with its count and share.

    Shares are of the labelled items and add up to 100 % (`bot.shares`, the rule every surface
    uses); a failed bar shows its count only, and only when something failed.
    """
    w = _WORDS[lang]
    heading = title or w["dist_title"]
    rows = [
        (key, int(getattr(summary, key)))
        for key in ("positive", "neutral", "negative", "failed")
        if key != "failed" or summary.failed > 0
    ]
    total = max(summary.total, sum(count for _, count in rows))
    shares = label_percentages(summary)

    def draw(fig: Figure, variant: Variant) -> None:
        fonts = _FONTS[variant.name]
        if total <= 0:
            _no_data(fig, variant, lang, heading)
            return
        top = _header(fig, variant, heading, _n_items(lang, total, "dist_sub"))
        ax = _plot_area(fig, top)
        names = [w[key] for key, _ in rows]
        counts = [count for _, count in rows]
        ys = list(range(len(rows)))
        ax.barh(ys, counts, height=0.64, color=[COLORS[key] for key, _ in rows], zorder=2)
        # A faint full-length track behind each bar makes the share readable at a glance.
        ax.barh(ys, [total] * len(rows), height=0.64, color="#f3f4f6", zorder=1)
        ax.set_yticks(ys, names, fontsize=fonts.tick, color=_INK)
        ax.invert_yaxis()
        ax.set_xlim(0, total * 1.0)
        ax.xaxis.set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0, pad=6)
        for y, (key, count) in zip(ys, rows, strict=True):
            label = f"{count:,}" if key == "failed" else f"{count:,} · {shares[key]}%"
            inside = count / total > 0.55
            ax.text(
                count - total * 0.02 if inside else count + total * 0.02,
                y,
                label,
                ha="right" if inside else "left",
                va="center",
                fontsize=fonts.value,
                color="white" if inside and key != "failed" else _INK,
                zorder=3,
            )

    return _render(draw, variant)


def _score(label: str | None, confidence: float | None) -> float | None:
    """Map a labelled turn to [-1, 1]: +conf positive, -conf negative, 0 neutral, None failed."""
    if label is None:
        return None
    conf = 1.0 if confidence is None or math.isnan(confidence) else min(max(confidence, 0.0), 1.0)
    return {"positive": conf, "negative": -conf}.get(label, 0.0)


_LINE = "#52606d"  # the customer's mood line
_AGENT_BAND = "#e3e8ef"  # the columns of agent turns


def conversation_png(
    points: Sequence[tuple[str, str | None, float | None]],
    *,
    lang: Lang,
    title: str | None = None,
    variant: Variant = COMPACT,
) -> bytes:
    """The customer's mood over a conversation.

    `points` holds one `(role, label, confidence)` per turn in order; `label` is None for a turn
    that failed. Only customer turns are charted (a dot coloured by its label, on a line): agent
    turns are judged as agent behaviour, not as feelings, so they are only marked as grey columns
    where the agent spoke. A failed customer turn is a grey cross on the midline.
    """
    w = _WORDS[lang]
    heading = title or w["conv_title"]

    def draw(fig: Figure, variant: Variant) -> None:
        fonts = _FONTS[variant.name]
        if not points:
            _no_data(fig, variant, lang, heading)
            return
        n_customer = sum(1 for role, _, _ in points if role != "agent")
        n_agent = len(points) - n_customer
        top = _header(fig, variant, heading, w["conv_sub"].format(c=n_customer, a=n_agent))
        ax = _plot_area(fig, top)
        n = len(points)
        size = (9 if n <= 30 else 6) * (0.85 if variant is COMPACT else 1.0)

        ax.axhline(0, color=_GRID, lw=1.2, zorder=1)
        cx: list[int] = []
        cy: list[float] = []
        for i, (role, label, conf) in enumerate(points, start=1):
            if role == "agent":
                ax.axvspan(i - 0.4, i + 0.4, color=_AGENT_BAND, lw=0, zorder=0)
                continue
            score = _score(label, conf)
            if score is None:
                ax.plot(
                    [i],
                    [0.0],
                    marker="X",
                    ms=size + 1,
                    ls="none",
                    color=COLORS["failed"],
                    markeredgecolor="#8d96a0",
                    markeredgewidth=0.8,
                    zorder=4,
                )
                continue
            cx.append(i)
            cy.append(score)
            ax.plot(
                [i],
                [score],
                marker="o",
                ms=size + 2,
                ls="none",
                color=COLORS[label or "neutral"],
                markeredgecolor="white",
                markeredgewidth=1.5,
                zorder=4,
            )
        if cx:
            ax.plot(cx, cy, color=_LINE, lw=2.2, zorder=3, solid_capstyle="round")

        ax.set_ylim(-1.2, 1.2)
        ax.set_yticks([-1, 0, 1], [w["y_negative"], w["y_neutral"], w["y_positive"]], fontsize=fonts.tick)
        # The tick words carry the dots' colours: they are the legend of the colours.
        for tick, key in zip(ax.get_yticklabels(), ("negative", "neutral", "positive"), strict=True):
            tick.set_color(COLORS[key] if key != "neutral" else _MUTED)
        ax.set_xlim(0.4, n + 0.6)
        ax.xaxis.set_major_locator(
            MaxNLocator(nbins=min(n, 6 if variant is COMPACT else 12), integer=True, min_n_ticks=1)
        )
        ax.tick_params(axis="x", labelsize=fonts.tick)
        if variant is FULL:
            ax.set_xlabel(w["turn"], fontsize=fonts.tick)
        ax.tick_params(axis="y", length=0, pad=6)
        ax.spines["left"].set_visible(False)

        handles: list[Any] = [Line2D([], [], color=_LINE, lw=2.2, label=w["customer"])]
        if n_agent:
            handles.append(Patch(color=_AGENT_BAND, label=w["agent"]))
        if any(label is None for role, label, _ in points if role != "agent"):
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="X",
                    ms=9,
                    color=COLORS["failed"],
                    markeredgecolor="#8d96a0",
                    label=w["failed"],
                )
            )
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(handles),
            borderaxespad=0.2,
            handlelength=1.4,
            handletextpad=0.4,
            columnspacing=1.0,
            fontsize=fonts.legend,
        )

    return _render(draw, variant)


def daily_trend_png(
    days: list[DayCounts], *, lang: Lang, title: str | None = None, variant: Variant = COMPACT
) -> bytes:
    """N-day stacked bars (positive, neutral, negative, failed) with the negative share as a line.

    The share is negative / labelled items of that day (failed excluded, as in `Summary.share`);
    days with nothing labelled leave a gap in the line rather than a misleading 0%. The compact
    variant drops the weekday names and the totals above the bars, and puts the legend below.
    """
    w = _WORDS[lang]
    days = sorted(days, key=lambda d: d.day)
    heading = title or (w["trend_title_one"] if len(days) == 1 else w["trend_title"].format(n=len(days) or 7))
    grand_total = sum(d.total for d in days)

    def draw(fig: Figure, variant: Variant) -> None:
        fonts = _FONTS[variant.name]
        compact = variant is COMPACT
        if grand_total <= 0:
            _no_data(fig, variant, lang, heading)
            return
        top = _header(fig, variant, heading, _n_items(lang, grand_total, "trend_sub"))
        ax = _plot_area(fig, top)
        xs = list(range(len(days)))
        bottoms = [0] * len(days)
        keys = ["positive", "neutral", "negative"] + (["failed"] if any(d.failed for d in days) else [])
        for key in keys:
            values = [getattr(d, key) for d in days]
            ax.bar(
                xs,
                values,
                width=0.62,
                bottom=bottoms,
                color=COLORS[key],
                label=w[key],
                zorder=2,
                edgecolor="white",
                linewidth=0.8,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        top_value = max(bottoms) or 1
        if not compact and len(days) <= 14:
            for x, total in zip(xs, bottoms, strict=True):
                ax.text(
                    x,
                    total + top_value * 0.02,
                    f"{total:,}",
                    ha="center",
                    va="bottom",
                    fontsize=fonts.legend,
                    color=_MUTED,
                )
        ax.set_ylim(0, top_value * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3 if compact else 4, integer=True))
        ax.grid(axis="y", color=_GRID, lw=0.8, zorder=0)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="both", length=0, labelsize=fonts.tick)

        step = max(1, math.ceil(len(days) / (5 if compact else 10)))
        labels = [
            (f"{_WEEKDAYS[lang][d.day.weekday()]}\n" if len(days) <= 14 and not compact else "")
            + f"{d.day.month}/{d.day.day}"
            if i % step == 0
            else ""
            for i, d in enumerate(days)
        ]
        if compact and len(days) > 1:
            # Seven "M/D" labels do not fit 300 px at a readable size: every other day, the last kept.
            every = max(step, 2 if len(days) > 5 else 1)
            labels = [lab if (len(days) - 1 - i) % every == 0 else "" for i, lab in enumerate(
                f"{d.day.month}/{d.day.day}" for d in days
            )]  # fmt: skip
        ax.set_xticks(xs, labels)
        # Fewer than a week: keep a week's bar width and centre the bars.
        pad = max(0, 7 - len(days)) / 2
        ax.set_xlim(-0.6 - pad, len(days) - 0.4 + pad)

        share = [d.negative / d.labelled if d.labelled else math.nan for d in days]
        ax2 = ax.twinx()
        ax2.plot(
            xs,
            share,
            color=_SHARE_LINE,
            lw=2.4,
            marker="o",
            ms=6 if compact else 7,
            markeredgecolor="white",
            markeredgewidth=1.2,
            zorder=5,
            label=w["neg_share"],
            path_effects=[patheffects.withStroke(linewidth=5, foreground="white")],
        )
        # Keep the line in the lower ~2/3 of the plot so it does not collide with the totals.
        finite = [s for s in share if not math.isnan(s)]
        ax2.set_ylim(0, max(0.5, max(finite, default=0) * 1.5))
        ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0%}"))
        ax2.yaxis.set_major_locator(MaxNLocator(nbins=3 if compact else 4))
        ax2.tick_params(axis="y", length=0, colors=_SHARE_LINE, labelsize=fonts.tick)
        for side in ("left", "top", "bottom", "right"):
            ax2.spines[side].set_visible(False)

        handles: list[Any] = [Patch(color=COLORS[key], label=w[key]) for key in keys]
        handles.append(
            Line2D(
                [],
                [],
                color=_SHARE_LINE,
                lw=2.4,
                marker="o",
                ms=6,
                markeredgecolor="white",
                label=w["neg_share"],
            )
        )
        legend_columns = len(handles) if (lang == "zh" or not compact) else math.ceil(len(handles) / 2)
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=legend_columns,
            borderaxespad=0.2,
            handlelength=1.1,
            handletextpad=0.35,
            columnspacing=0.9,
            fontsize=fonts.legend,
        )

    return _render(draw, variant)
