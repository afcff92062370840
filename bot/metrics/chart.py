"""The digest's chart: each flagged metric against its warn and breach thresholds, as a PNG.

Built on `matplotlib.figure.Figure` with the Agg canvas, never pyplot: pyplot keeps global
figures (a leak in a long-running bot) and may reach for a GUI backend; a bare Figure is
garbage once the function returns, so concurrent digests do not share state.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from bot.metrics import Direction, MetricSpec
from bot.metrics.format import NumberFormat
from bot.metrics.series import DailySeries

if TYPE_CHECKING:  # matplotlib takes seconds to import: loaded when a chart is drawn
    from matplotlib.axes import Axes

MAX_PANELS = 24  # past this the image is a poster nobody reads in a Slack thread
DPI = 100
PANEL_INCHES = (5.0, 2.4)
TITLE_INCHES = 0.4
# Fixed margins in inches (left, right, top, bottom, between columns, between rows): the
# constrained layout engine would measure every label first and doubles the render time.
MARGINS = (0.6, 0.15, 0.4, 0.45, 0.7, 0.85)
GUARD_DAYS = 7  # the window a guardrail's mean is judged over (bot.metrics.flags)
LINE, WARN, BREACH = "#1f77b4", "#e8a317", "#d62728"


@dataclass(frozen=True, kw_only=True, eq=False)
class ChartSeries:
    """One panel: a metric's daily values with its thresholds."""

    name: str  # the label people gave the metric, else its name
    days: np.ndarray  # datetime64[D]
    values: np.ndarray  # NaN where nothing was reported: the line breaks there
    unit: str = ""
    warn: float | None = None
    breach: float | None = None
    status: str | None = None  # shown in the title, e.g. "breach"
    direction: Direction = Direction.HIGHER_IS_BETTER  # which side of a threshold is shaded
    decimals: int = 2  # the threshold labels' precision (bot.metrics.format)
    # A guardrail voiding a lift: the level its last GUARD_DAYS' mean may reach (flags'
    # GuardrailStatus.limit). Without it the panel shows a line far from its thresholds
    # titled "voids the lift", with nothing to say what it fell past.
    guard: float | None = None

    def __post_init__(self) -> None:
        days = np.asarray(self.days, dtype="datetime64[D]").reshape(-1)
        values = np.asarray(self.values, dtype=np.float64).reshape(-1)
        if days.size != values.size:
            raise ValueError(f"'{self.name}' has {days.size} days but {values.size} values.")
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "values", values)

    @classmethod
    def of(
        cls,
        spec: MetricSpec,
        series: DailySeries,
        *,
        status: str | None = None,
        label: str | None = None,
        guard: float | None = None,
    ) -> ChartSeries:
        """Return the panel for `spec` over `series`, titled `label` (else the metric's name)."""
        return cls(
            name=label or spec.name,
            days=series.days,
            values=series.values,
            unit=spec.unit,
            warn=spec.warn,
            breach=spec.breach,
            status=status,
            direction=spec.direction,
            decimals=NumberFormat.of(spec).decimals,
            guard=guard,
        )

    @property
    def format(self) -> NumberFormat:
        """Return how the panel writes its thresholds: as every other surface does."""
        return NumberFormat(
            unit=self.unit, decimals=self.decimals, direction=self.direction, plain=True
        )


def render_chart(
    *,
    series: Sequence[ChartSeries],
    path_or_buffer: str | os.PathLike[str] | BinaryIO | None = None,
    title: str | None = None,
) -> bytes:
    """Draw one small panel per series, two to a row; return the PNG (also written if asked)."""
    if not series:
        raise ValueError("Nothing to chart: pass at least one flagged metric.")
    if len(series) > MAX_PANELS:
        raise ValueError(f"{len(series)} panels is too many to read; chart at most {MAX_PANELS}.")
    cols = 1 if len(series) == 1 else 2
    rows = math.ceil(len(series) / cols)
    width, height = PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows + (TITLE_INCHES if title else 0)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(
        rows, cols, squeeze=False, gridspec_kw=_grid(rows, cols, width, height)
    ).reshape(-1)
    for ax, panel in zip(axes, series, strict=False):
        _draw(ax, panel)
    for ax in axes[len(series) :]:
        ax.set_visible(False)  # an odd count leaves one empty slot
    if title:
        figure.suptitle(_plain(title), y=1 - 0.1 / height, va="top", fontsize=12, weight="bold")
    buffer = io.BytesIO()
    # No "Software" stamp, so the version string stays out of the bytes the tests compare.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    png = buffer.getvalue()
    if isinstance(path_or_buffer, str | os.PathLike):
        with open(path_or_buffer, "wb") as file:
            file.write(png)
    elif path_or_buffer is not None:
        path_or_buffer.write(png)
    return png


def _grid(rows: int, cols: int, width: float, height: float) -> dict[str, float]:
    left, right, top, bottom, across, down = MARGINS
    top += height - PANEL_INCHES[1] * rows  # room for the figure's title, if any
    panel_w = (width - left - right - across * (cols - 1)) / cols
    panel_h = (height - top - bottom - down * (rows - 1)) / rows
    return {
        "left": left / width,
        "right": 1 - right / width,
        "top": 1 - top / height,
        "bottom": bottom / height,
        "wspace": across / panel_w,
        "hspace": down / panel_h,
    }


def _draw(ax: Axes, panel: ChartSeries) -> None:
    unit = f" ({panel.unit})" if panel.unit else ""
    status = f" · {panel.status}" if panel.status else ""
    color = BREACH if panel.status in {"breach", "voids the lift"} else "black"
    ax.set_title(_plain(f"{panel.name}{unit}{status}"), fontsize=10, loc="left", color=color)
    ax.plot(panel.days, panel.values, color=LINE, linewidth=1.4, marker="o", markersize=2.5)
    for level, value, colour, style in (
        ("warn", panel.warn, WARN, "--"),
        ("breach", panel.breach, BREACH, "-"),
    ):
        if value is not None:
            ax.axhline(value, color=colour, linestyle=style, linewidth=1.1)
            # On the line at the left, on its good side: a legend beside the title ran into
            # it, the right-hand end holds the latest days, and the bad side is shaded.
            label = _plain(f"{level} {panel.format.threshold(value)}")
            ax.annotate(
                label,
                xy=(0.01, value),
                xycoords=("axes fraction", "data"),
                ha="left",
                va="bottom" if panel.direction is Direction.HIGHER_IS_BETTER else "top",
                fontsize=7,
                color=colour,
                annotation_clip=False,
            )
    _draw_guard(ax, panel)
    _shade_bad_side(ax, panel)
    if not np.isfinite(panel.values).any():
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        if panel.warn is None and panel.breach is None:
            ax.set_yticks([])  # an invented ±0.04 scale would read as data
    if panel.days.size:
        # Half a day each side keeps the end markers whole; an all-NaN panel keeps its dates.
        half = np.timedelta64(12, "h")
        ax.set_xlim(panel.days[0] - half, panel.days[-1] + half)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3, linewidth=0.5)


def _shade_bad_side(ax: Axes, panel: ChartSeries) -> None:
    """Tint the band beyond warn lightly and the band beyond the trigger strongly."""
    bottom, top = ax.get_ylim()  # the data and the threshold lines, as autoscaled
    below = panel.direction is Direction.HIGHER_IS_BETTER
    for value, colour, alpha in ((panel.warn, WARN, 0.10), (panel.breach, BREACH, 0.14)):
        if value is None:
            continue
        start, end = (bottom, value) if below else (value, top)
        if start < end:
            ax.axhspan(start, end, color=colour, alpha=alpha, linewidth=0, zorder=0)
    ax.set_ylim(bottom, top)  # the bands must not widen the scale they shade


def _draw_guard(ax: Axes, panel: ChartSeries) -> None:
    """Draw the guardrail's limit over the days it is judged on, its bad side shaded."""
    if panel.guard is None or not math.isfinite(panel.guard) or not panel.days.size:
        return
    half = np.timedelta64(12, "h")
    start, end = panel.days[-min(GUARD_DAYS, panel.days.size)] - half, panel.days[-1] + half
    ax.hlines(panel.guard, start, end, color=BREACH, linestyle=":", linewidth=1.6)
    below = panel.direction is Direction.HIGHER_IS_BETTER
    label = _plain(f"voids the lift {panel.format.threshold(panel.guard)} (7-day mean)")
    ax.annotate(
        label,
        xy=(start, panel.guard),
        ha="right",
        va="bottom" if below else "top",
        fontsize=7,
        color=BREACH,
        annotation_clip=False,
    )
    bottom, top = ax.get_ylim()
    edge = bottom if below else top
    ax.fill_between([start, end], panel.guard, edge, color=BREACH, alpha=0.14, linewidth=0)
    ax.set_ylim(bottom, top)


def _plain(text: str) -> str:
    # "$" would start mathtext: "revenue ($)" must print as written, not as a formula.
    return text.replace("$", r"\$")
