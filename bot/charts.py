"""PNG charts for chat threads: a list's label mix, a conversation's mood, a daily trend.

Every chart is exactly `CHART_SIZE_PX` (a 16:9 card that stays legible in a Slack or DingTalk
preview), uses the same four colours, and puts its words in the user's language.

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

from domain.models import Lang, Summary

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

log = logging.getLogger(__name__)

CHART_SIZE_PX: tuple[int, int] = (800, 450)
"""Width and height in pixels of every PNG this module produces."""

_DPI = 100
_FIGSIZE_IN = (CHART_SIZE_PX[0] / _DPI, CHART_SIZE_PX[1] / _DPI)

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
def _chart_style() -> Iterator[None]:
    family = ensure_cjk_font()
    families = [family, _FALLBACK_FAMILY] if family else [_FALLBACK_FAMILY]
    rc: dict[RcKeyType, Any] = {
        "font.family": families,
        "font.size": 13,
        # Every weight stays "normal": the bundled CJK font has only a Regular face, and asking
        # for bold makes matplotlib log a font-substitution warning on each render.
        "font.weight": "normal",
        "axes.titleweight": "normal",
        "figure.titleweight": "normal",
        "axes.labelweight": "normal",
        "axes.unicode_minus": False,
        "axes.edgecolor": _GRID,
        "axes.labelcolor": _MUTED,
        "axes.labelsize": 12,
        "xtick.color": _MUTED,
        "ytick.color": _MUTED,
        "xtick.labelsize": 12,
        "ytick.labelsize": 13,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "legend.frameon": False,
        "legend.fontsize": 12,
    }
    with _render_lock, matplotlib.rc_context(rc):
        yield


# ------------------------------------------------------------------------------------- helpers


def _render(draw: Callable[[Figure], None]) -> bytes:
    """Build a figure with `draw` and return it as PNG bytes of exactly CHART_SIZE_PX."""
    with _chart_style():
        fig = Figure(figsize=_FIGSIZE_IN, dpi=_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        _layout(fig).set(w_pad=0.15, h_pad=0.12)
        draw(fig)
        buf = io.BytesIO()
        # No bbox_inches="tight": it would change the pixel size. No "Software" tag: the bytes
        # then depend only on the data, so identical charts are byte-identical.
        fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


def _layout(fig: Figure) -> ConstrainedLayoutEngine:
    """The figure's constrained layout engine (every chart is built with `layout="constrained"`)."""
    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        raise TypeError(f"expected a constrained layout, got {engine!r}")
    return engine


def _header(fig: Figure, title: str, subtitle: str | None) -> None:
    """Left-aligned title (and a muted subtitle) across the top of the figure."""
    text = fig.suptitle(
        title, x=0.025, y=0.975, ha="left", va="top", fontsize=19, color=_INK, in_layout=False
    )
    _fit_width(fig, text, max_px=CHART_SIZE_PX[0] * 0.95)
    if subtitle:
        fig.text(0.025, 0.885, subtitle, ha="left", va="top", fontsize=12.5, color=_MUTED, in_layout=False)


def _fit_width(fig: Figure, text: Text, *, max_px: float) -> None:
    """Shorten a text with an ellipsis until it fits (callers pass free-form titles)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    full = text.get_text()
    keep = len(full)
    while keep > 1 and text.get_window_extent(renderer).width > max_px:
        keep -= 1
        text.set_text(full[:keep].rstrip() + "…")


def _plot_area(fig: Figure, top: float = 0.80) -> Axes:
    """Axes placed below the header; constrained layout only trims it for labels."""
    ax = fig.add_subplot()
    # The title and subtitle are kept out of the layout (`in_layout=False`) and sit in a fixed
    # band at the top; constrained layout arranges the axes, tick labels and legend below it.
    _layout(fig).set(rect=(0, 0, 1, top))
    return ax


def _no_data(fig: Figure, lang: Lang, title: str) -> None:
    _header(fig, title, None)
    ax = _plot_area(fig, top=0.86)
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _WORDS[lang]["no_data"],
        ha="center",
        va="center",
        fontsize=22,
        color=_MUTED,
        transform=ax.transAxes,
    )


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _n_items(lang: Lang, n: int, key: str) -> str:
    if lang == "en" and n == 1 and key == "dist_sub":
        return _WORDS[lang]["dist_sub_one"]
    return _WORDS[lang][key].format(n=f"{n:,}")


# ----------------------------------------------------------------------------------- the charts


def label_distribution_png(summary: Summary, *, lang: Lang, title: str | None = None) -> bytes:
    """A list's label mix as horizontal bars with count and share of the total on each bar.

    Shares are of *all* items (failed included) so the bars add up to 100%; the failed bar only
    appears when something failed.
    """
    w = _WORDS[lang]
    heading = title or w["dist_title"]
    rows = [
        (key, int(getattr(summary, key)))
        for key in ("positive", "neutral", "negative", "failed")
        if key != "failed" or summary.failed > 0
    ]
    total = max(summary.total, sum(count for _, count in rows))

    def draw(fig: Figure) -> None:
        if total <= 0:
            _no_data(fig, lang, heading)
            return
        _header(fig, heading, _n_items(lang, total, "dist_sub"))
        ax = _plot_area(fig)
        names = [w[key] for key, _ in rows]
        counts = [count for _, count in rows]
        ys = list(range(len(rows)))
        ax.barh(ys, counts, height=0.62, color=[COLORS[key] for key, _ in rows], zorder=2)
        # A faint full-length track behind each bar makes the share readable at a glance.
        ax.barh(ys, [total] * len(rows), height=0.62, color="#f3f4f6", zorder=1)
        ax.set_yticks(ys, names, fontsize=15, color=_INK)
        ax.invert_yaxis()
        ax.set_xlim(0, total * 1.0)
        ax.xaxis.set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0, pad=10)
        for y, (key, count) in zip(ys, rows, strict=True):
            label = f"{count:,}  ·  {_pct(count, total)}"
            inside = count / total > 0.45
            ax.text(
                count - total * 0.015 if inside else count + total * 0.015,
                y,
                label,
                ha="right" if inside else "left",
                va="center",
                fontsize=15,
                color="white" if inside and key != "failed" else _INK,
                zorder=3,
            )

    return _render(draw)


def _score(label: str | None, confidence: float | None) -> float | None:
    """Map a labelled turn to [-1, 1]: +conf positive, -conf negative, 0 neutral, None failed."""
    if label is None:
        return None
    conf = 1.0 if confidence is None or math.isnan(confidence) else min(max(confidence, 0.0), 1.0)
    return {"positive": conf, "negative": -conf}.get(label, 0.0)


def conversation_png(
    points: Sequence[tuple[str, str | None, float | None]], *, lang: Lang, title: str | None = None
) -> bytes:
    """Sentiment over the turns of a conversation.

    `points` holds one `(role, label, confidence)` per turn in order; `label` is None for a turn
    that failed. Customer turns form the line (failed ones are a grey cross on the midline and
    break nothing); agent turns are light markers so the customer's mood stays the story.
    """
    w = _WORDS[lang]
    heading = title or w["conv_title"]

    def draw(fig: Figure) -> None:
        if not points:
            _no_data(fig, lang, heading)
            return
        n_customer = sum(1 for role, _, _ in points if role != "agent")
        n_agent = len(points) - n_customer
        _header(fig, heading, w["conv_sub"].format(c=n_customer, a=n_agent))
        ax = _plot_area(fig)
        n = len(points)
        big = n <= 30
        size = 9 if big else 6

        # Tinted halves: above the midline is good, below is bad.
        ax.axhspan(0, 1.2, color=COLORS["positive"], alpha=0.06, lw=0, zorder=0)
        ax.axhspan(-1.2, 0, color=COLORS["negative"], alpha=0.06, lw=0, zorder=0)
        ax.axhline(0, color=_GRID, lw=1.2, zorder=1)

        cx: list[int] = []
        cy: list[float] = []
        for i, (role, label, conf) in enumerate(points, start=1):
            score = _score(label, conf)
            if role == "agent":
                ax.plot(
                    [i],
                    [0.0 if score is None else score],
                    marker="D",
                    ms=size - 2,
                    ls="none",
                    color=COLORS[label or "failed"],
                    alpha=0.35,
                    markeredgewidth=0,
                    zorder=2,
                )
            elif score is None:
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
            else:
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
            ax.plot(cx, cy, color="#52606d", lw=2.2, zorder=3, solid_capstyle="round")

        ax.set_ylim(-1.2, 1.2)
        ax.set_yticks([-1, 0, 1], [w["y_negative"], w["y_neutral"], w["y_positive"]], fontsize=14)
        for tick, key in zip(ax.get_yticklabels(), ("negative", "neutral", "positive"), strict=True):
            tick.set_color(COLORS[key] if key != "neutral" else _MUTED)
        ax.set_xlim(0.4, n + 0.6)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=min(n, 12), integer=True, min_n_ticks=1))
        ax.set_xlabel(w["turn"])
        ax.tick_params(axis="y", length=0, pad=8)
        ax.spines["left"].set_visible(False)

        handles = [
            Line2D(
                [],
                [],
                color="#52606d",
                lw=2.2,
                marker="o",
                ms=8,
                markerfacecolor=COLORS["positive"],
                markeredgecolor="white",
                label=w["customer"],
            ),
            Line2D([], [], ls="none", marker="D", ms=7, color=COLORS["neutral"], alpha=0.5, label=w["agent"]),
        ]
        if any(label is None for _, label, _ in points):
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
            borderaxespad=0.3,
            handletextpad=0.4,
            columnspacing=1.2,
        )

    return _render(draw)


def daily_trend_png(days: list[DayCounts], *, lang: Lang, title: str | None = None) -> bytes:
    """N-day stacked bars (positive, neutral, negative, failed) with the negative share as a line.

    The share is negative / labelled items of that day (failed excluded, as in `Summary.share`);
    days with nothing labelled leave a gap in the line rather than a misleading 0%.
    """
    w = _WORDS[lang]
    days = sorted(days, key=lambda d: d.day)
    heading = title or (w["trend_title_one"] if len(days) == 1 else w["trend_title"].format(n=len(days) or 7))
    grand_total = sum(d.total for d in days)

    def draw(fig: Figure) -> None:
        if grand_total <= 0:
            _no_data(fig, lang, heading)
            return
        _header(fig, heading, _n_items(lang, grand_total, "trend_sub"))
        ax = _plot_area(fig)
        xs = list(range(len(days)))
        bottoms = [0] * len(days)
        keys = ["positive", "neutral", "negative"] + (["failed"] if any(d.failed for d in days) else [])
        width = 0.62
        for key in keys:
            values = [getattr(d, key) for d in days]
            ax.bar(
                xs,
                values,
                width=width,
                bottom=bottoms,
                color=COLORS[key],
                label=w[key],
                zorder=2,
                edgecolor="white",
                linewidth=0.8,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        top = max(bottoms) or 1
        if len(days) <= 14:
            for x, total in zip(xs, bottoms, strict=True):
                ax.text(
                    x, total + top * 0.02, f"{total:,}", ha="center", va="bottom", fontsize=11, color=_MUTED
                )
        ax.set_ylim(0, top * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.grid(axis="y", color=_GRID, lw=0.8, zorder=0)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="both", length=0)
        ax.tick_params(axis="y", labelsize=11)

        step = max(1, math.ceil(len(days) / 10))
        labels = [
            (f"{_WEEKDAYS[lang][d.day.weekday()]}\n" if len(days) <= 14 else "")
            + f"{d.day.month}/{d.day.day}"
            if i % step == 0
            else ""
            for i, d in enumerate(days)
        ]
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
            ms=7,
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
        ax2.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax2.tick_params(axis="y", length=0, colors=_SHARE_LINE, labelsize=11)
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
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(handles),
            borderaxespad=0.3,
            handlelength=1.2,
            handletextpad=0.4,
            columnspacing=1.0,
        )

    return _render(draw)
