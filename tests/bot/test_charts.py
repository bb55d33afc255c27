"""Charts: drawn for the size they are shown at (text ≥ 11 px there), legends that match the
marks, shares that add up to 100 %, Chinese drawn with the bundled CJK font, no emoji boxes."""

from __future__ import annotations

import datetime
import io
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text
from PIL import Image

from bot import charts
from bot.charts import (
    COMPACT,
    FULL,
    MIN_SHOWN_TEXT_PX,
    VARIANTS,
    DayCounts,
    Variant,
    conversation_png,
    daily_trend_png,
    label_distribution_png,
)
from bot.shares import label_percentages
from domain.models import Lang, Summary

OUTPUT_DIR = Path(__file__).resolve().parents[1] / "output" / "charts"
MPLFONTS_DIR = Path(__import__("mplfonts").__file__).resolve().parent

SUMMARY = Summary(total=20, positive=9, negative=6, neutral=4, failed=1)
POINTS: list[tuple[str, str | None, float | None]] = [
    ("customer", "negative", 0.9),
    ("agent", "neutral", 0.8),
    ("customer", "negative", 0.7),
    ("agent", "positive", 0.6),
    ("customer", "neutral", 0.6),
    ("agent", "neutral", 0.9),
    ("customer", None, None),
    ("agent", "positive", 0.8),
    ("customer", "positive", 0.85),
    ("customer", "positive", None),
]
_TODAY = datetime.date(2025, 5, 20)
DAYS = [
    DayCounts(_TODAY - datetime.timedelta(days=6 - i), p, n, u, f)
    for i, (p, n, u, f) in enumerate(
        [
            (30, 8, 12, 0),
            (25, 14, 10, 1),
            (40, 6, 9, 0),
            (18, 20, 7, 2),
            (0, 0, 0, 0),
            (33, 9, 11, 0),
            (28, 16, 10, 0),
        ]
    )
]

Render = Callable[[Lang], bytes]
CASES: dict[str, Render] = {
    "distribution": lambda lang: label_distribution_png(SUMMARY, lang=lang),
    "conversation": lambda lang: conversation_png(POINTS, lang=lang),
    "trend": lambda lang: daily_trend_png(DAYS, lang=lang),
    "distribution_empty": lambda lang: label_distribution_png(Summary(), lang=lang),
    "conversation_empty": lambda lang: conversation_png([], lang=lang),
    "trend_empty": lambda lang: daily_trend_png([], lang=lang),
    "trend_all_zero": lambda lang: daily_trend_png([DayCounts(_TODAY, 0, 0, 0)], lang=lang),
    "conversation_titled": lambda lang: conversation_png(
        POINTS,
        lang=lang,
        title="工单 #48213：物流太慢，客户要求退款并投诉快递员态度 — a very long custom title",
    ),
}


def _decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _render_checked(render: Render, lang: Lang, caplog: pytest.LogCaptureFixture) -> bytes:
    """Render, failing on any missing-glyph warning or font_manager fallback message."""
    caplog.clear()
    with (
        caplog.at_level(logging.INFO, logger="matplotlib.font_manager"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        png = render(lang)
    glyph_warnings = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not glyph_warnings, glyph_warnings
    fallbacks = [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib.font_manager")]
    assert not fallbacks, fallbacks
    return png


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_chart_text_is_readable_where_it_is_shown(
    name: str, lang: Lang, variant: Variant, caplog: pytest.LogCaptureFixture
) -> None:
    png = _render_checked(lambda lang: _with_variant(name, lang, variant), lang, caplog)
    image = _decode(png)
    assert image.size == variant.size_px  # sharp: `scale` image pixels per CSS pixel
    # The smallest text, shrunk to the narrowest width this variant is shown at, is still ≥ 11 px.
    min_font = float(image.text["sentibot-min-font"])
    assert min_font > 0
    assert min_font * variant.min_shown_px / int(image.text["sentibot-width"]) >= MIN_SHOWN_TEXT_PX
    # Not a blank canvas: the chart drew something besides the white background.
    assert len(image.convert("L").getcolors(maxcolors=1 << 16) or []) > 10
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / f"{name}_{lang}_{variant.name}.png").write_bytes(png)


def _with_variant(name: str, lang: Lang, variant: Variant) -> bytes:
    captured: list[bytes] = []
    real = charts._render

    def render(draw: Callable[[Figure, Variant], None], _variant: Variant) -> bytes:
        captured.append(real(draw, variant))
        return captured[-1]

    charts._render = render  # type: ignore[assignment]
    try:
        CASES[name](lang)
    finally:
        charts._render = real  # type: ignore[assignment]
    return captured[0]


def _figure(render: Callable[[], bytes], variant: Variant = COMPACT) -> Figure:
    """The figure a chart function draws, for looking at its marks."""
    drawn: list[Figure] = []
    real = charts._render

    def keep(draw: Callable[[Figure, Variant], None], _variant: Variant) -> bytes:
        with charts._chart_style(variant):
            drawn.append(charts.figure(draw, variant))
        return b""

    charts._render = keep  # type: ignore[assignment]
    try:
        render()
    finally:
        charts._render = real  # type: ignore[assignment]
    return drawn[0]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text) and t.get_text()]


def test_distribution_shows_the_shares_every_surface_shows() -> None:
    summary = Summary(total=200, positive=62, negative=97, neutral=41)
    texts = _texts(_figure(lambda: label_distribution_png(summary, lang="en")))
    shares = label_percentages(summary)
    assert shares["negative"] + shares["neutral"] + shares["positive"] == 100
    for label in ("positive", "neutral", "negative"):
        assert f"{getattr(summary, label)} · {shares[label]}%" in texts


def test_trend_legend_colours_are_the_bar_colours() -> None:
    fig = _figure(lambda: daily_trend_png(DAYS, lang="zh"))
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    bar_colours = {to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, Rectangle)}
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        if isinstance(handle, Rectangle):
            assert to_hex(handle.get_facecolor()) in bar_colours, text.get_text()
    share_line = fig.axes[1].get_lines()[0]
    line_handles = [h for h in legend.legend_handles if isinstance(h, Line2D)]
    assert [to_hex(h.get_color()) for h in line_handles] == [to_hex(share_line.get_color())]


def test_conversation_charts_the_customer_and_marks_agent_turns_only() -> None:
    fig = _figure(lambda: conversation_png(POINTS, lang="en"))
    ax = fig.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    n_customer_labelled = sum(1 for role, label, _ in POINTS if role == "customer" and label)
    assert len(dots) == n_customer_labelled  # agent turns are not on the sentiment scale
    for dot in dots:  # each dot is coloured by its own label
        assert to_hex(dot.get_color()) in {charts.COLORS[k] for k in ("positive", "neutral", "negative")}
    legend = ax.get_legend()
    assert legend is not None
    handles = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles, strict=True))
    mood_line = next(line for line in ax.get_lines() if len(line.get_xdata()) == n_customer_labelled)
    assert to_hex(handles["Customer"].get_color()) == to_hex(mood_line.get_color())
    agent_bands = [p for p in ax.patches if isinstance(p, Rectangle | Polygon)]
    assert agent_bands and to_hex(handles["Agent"].get_facecolor()) == to_hex(agent_bands[0].get_facecolor())


def test_emoji_never_reach_the_chart(caplog: pytest.LogCaptureFixture) -> None:
    title = "🚨 负面告警 😡 👍"
    png = _render_checked(lambda lang: label_distribution_png(SUMMARY, lang=lang, title=title), "zh", caplog)
    assert png.startswith(b"\x89PNG")
    texts = _texts(_figure(lambda: label_distribution_png(SUMMARY, lang="zh", title=title)))
    assert "负面告警" in texts
    assert not any(ch in "".join(texts) for ch in "🚨😡👍")


def test_compact_is_drawn_smaller_than_full() -> None:
    compact, full = charts.both(label_distribution_png, SUMMARY, lang="en")
    assert _decode(compact).text["sentibot-variant"] == "compact"
    assert _decode(full).text["sentibot-variant"] == "full"
    assert COMPACT.width < FULL.width


def test_cjk_font_is_the_bundled_mplfonts_file() -> None:
    family = charts.ensure_cjk_font()
    assert family, "no CJK font registered"
    resolved = Path(
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    )
    assert resolved.resolve().is_relative_to(MPLFONTS_DIR), resolved
    assert charts.cjk_font_path() is not None
    assert charts.cjk_font_path().resolve() == resolved.resolve()
    # Registration happens once: calling again adds nothing to matplotlib's font list.
    before = len(font_manager.fontManager.ttflist)
    assert charts.ensure_cjk_font() == family
    assert len(font_manager.fontManager.ttflist) == before


def test_cjk_font_has_every_glyph_the_charts_use() -> None:
    path = charts.cjk_font_path()
    assert path is not None
    font = FT2Font(str(path))
    words = "".join(charts._WORDS["zh"].values()) + "".join(charts._WORDS["en"].values())
    text = words + "".join(charts._WEEKDAYS["zh"]) + "0123456789%·…,/#："
    missing = sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
    assert not missing, missing


def test_missing_glyph_check_would_catch_tofu(caplog: pytest.LogCaptureFixture) -> None:
    """Guard against a vacuous test: a CJK title in a Latin-only font must trip the checks."""

    def render_in_dejavu(_lang: Lang) -> bytes:
        with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
            fig = Figure(figsize=(2, 1), dpi=50)
            FigureCanvasAgg(fig)
            fig.text(0.1, 0.5, "情感分布")
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
        return buf.getvalue()

    with pytest.raises(AssertionError, match="missing from font"):
        _render_checked(render_in_dejavu, "zh", caplog)


@pytest.mark.parametrize(
    "render",
    [
        lambda: label_distribution_png(SUMMARY, lang="zh"),
        lambda: conversation_png(POINTS, lang="en"),
        lambda: daily_trend_png(DAYS, lang="zh"),
    ],
)
def test_output_is_deterministic(render: Callable[[], bytes]) -> None:
    first = render()
    assert render() == first
    assert b"Software" not in first[:4096]


def test_many_turns_and_long_ranges_render() -> None:
    labels = ("positive", "negative", "neutral", None)
    points = [("customer" if i % 3 else "agent", labels[i % 4], 0.7) for i in range(80)]
    days = [DayCounts(_TODAY - datetime.timedelta(days=29 - i), i * 3, i % 5, 7) for i in range(30)]
    for png in (conversation_png(points, lang="zh"), daily_trend_png(days, lang="en", variant=FULL)):
        image = _decode(png)
        assert float(image.text["sentibot-min-font"]) * COMPACT.min_shown_px / COMPACT.width >= 11


def test_score_maps_labels_to_signed_confidence() -> None:
    assert charts._score("positive", 0.8) == pytest.approx(0.8)
    assert charts._score("negative", 0.8) == pytest.approx(-0.8)
    assert charts._score("neutral", 0.9) == 0.0
    assert charts._score(None, None) is None  # failed is not neutral
    assert charts._score("positive", None) == 1.0
    assert charts._score("negative", 1.7) == -1.0


def test_day_counts_totals() -> None:
    day = DayCounts(_TODAY, positive=3, negative=2, neutral=1, failed=4)
    assert (day.labelled, day.total) == (6, 10)


def test_concurrent_renders_match_serial_ones() -> None:
    from concurrent.futures import ThreadPoolExecutor

    renders = [CASES["distribution"], CASES["conversation"], CASES["trend"]] * 2
    langs: list[Lang] = ["zh", "en"] * 3
    serial = [render(lang) for render, lang in zip(renders, langs, strict=True)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda pair: pair[0](pair[1]), zip(renders, langs, strict=True)))
    assert parallel == serial
