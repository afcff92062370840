"""The digest's chart is a real PNG of the flagged metrics, drawn without a display."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from datetime import date

import numpy as np
import pytest
from matplotlib.image import imread

from bot.metrics import MetricSpec
from bot.metrics.chart import MAX_PANELS, ChartSeries, render_chart
from bot.metrics.series import DailySeries

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Return (width, height) from the IHDR chunk that must follow the signature."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def panel(i: int, *, unit: str = "%", status: str = "warn") -> ChartSeries:
    values = np.random.default_rng(i).normal(0.76, 0.03, 84)
    values[::9] = np.nan  # days nobody reported
    spec = MetricSpec(
        name=f"metric_{i}",
        kind="product",
        unit=unit,
        direction="higher_is_better",
        warn=0.72,
        breach=0.65,
    )
    return ChartSeries.of(spec, DailySeries(start=date(2024, 1, 1), values=values), status=status)


@pytest.mark.parametrize(
    ("count", "size"),
    [(1, (500, 240)), (2, (1000, 240)), (3, (1000, 480)), (6, (1000, 720))],
)
def test_one_panel_per_metric_two_to_a_row(count, size):
    png = render_chart(series=[panel(i) for i in range(count)])

    assert png_size(png) == size
    assert len(png) > 10_000 * count  # lines, labels and dates, not a blank canvas


def test_a_title_adds_a_band_on_top():
    png = render_chart(series=[panel(0), panel(1)], title="Week 12 · 2 flagged")

    assert png_size(png) == (1000, 280)


def test_the_png_is_written_to_a_path_or_a_buffer_and_returned(tmp_path):
    target, buffer = tmp_path / "digest.png", io.BytesIO()

    to_path = render_chart(series=[panel(0)], path_or_buffer=target)
    to_buffer = render_chart(series=[panel(0)], path_or_buffer=buffer)

    assert target.read_bytes() == to_path == buffer.getvalue() == to_buffer  # deterministic


def test_awkward_panels_still_draw():
    empty = ChartSeries(
        name="no_reports",
        days=np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-01-15")),
        values=np.full(14, np.nan),
    )
    money = panel(1, unit="$", status="breach")
    bare = ChartSeries(name="cost_$_per_$", days=[date(2024, 1, 1)], values=[3.0], unit="$")

    png = render_chart(series=[empty, money, bare])  # "$" pairs would otherwise be mathtext

    assert png_size(png) == (1000, 480)


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="Nothing to chart"):
        render_chart(series=[])
    with pytest.raises(ValueError, match=f"at most {MAX_PANELS}"):
        render_chart(series=[panel(0)] * (MAX_PANELS + 1))
    with pytest.raises(ValueError, match="has 2 days but 1 values"):
        ChartSeries(name="m", days=[date(2024, 1, 1), date(2024, 1, 2)], values=[1.0])


def test_no_pyplot_and_no_gui_backend_is_touched(monkeypatch):
    script = """
import sys
from datetime import date
from bot.metrics.chart import ChartSeries, render_chart
render_chart(series=[ChartSeries(name="m", days=[date(2024, 1, 1)], values=[1.0], warn=2.0)])
gui = ("matplotlib.pyplot", "matplotlib.backends.backend_tk", "matplotlib.backends.backend_qt",
       "matplotlib.backends.backend_gtk", "matplotlib.backends.backend_macosx", "tkinter")
print([name for name in sys.modules if name.startswith(gui)])
"""
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")  # a GUI backend would be tempted to use it

    done = subprocess.run(  # a fresh interpreter: other tests may have imported pyplot
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _patch(png: bytes, *, row: int, col: int) -> np.ndarray:
    """Return the median colour (RGB, 0 to 1) of a 7x7 patch of the PNG's pixels."""
    pixels = imread(io.BytesIO(png))
    return np.median(pixels[row - 3 : row + 4, col - 3 : col + 4, :3].reshape(-1, 3), axis=0)


@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_the_bad_side_of_the_thresholds_is_shaded_and_the_good_side_is_not(direction):
    spec = MetricSpec(
        name="relevance_rating",
        kind="model_health",
        direction=direction,
        warn=0.72 if direction == "higher_is_better" else 0.78,
        breach=0.65 if direction == "higher_is_better" else 0.85,
    )
    rising = np.linspace(0.5, 1.0, 84)  # from the bottom-left corner to the top-right one
    values = rising if direction == "higher_is_better" else rising[::-1]
    png = render_chart(
        series=[ChartSeries.of(spec, DailySeries(start=date(2024, 1, 1), values=values))]
    )

    # The plot area of a lone 500x240 panel: 60 px from the left, 40 from the top, 45 from
    # the bottom. Its low corner (left when values rise) is below both thresholds' lines.
    low, high = (185, 470), (50, 75)
    if direction == "lower_is_better":  # the bad side is above: the line falls from top-left
        low, high = (50, 470), (185, 75)
    bad, good = _patch(png, row=low[0], col=low[1]), _patch(png, row=high[0], col=high[1])
    assert good.tolist() == [1.0, 1.0, 1.0]  # untouched white
    red, green, blue = bad
    assert red > 0.9 and blue < 0.85 and green < red  # tinted by the breach and warn bands


def test_a_guardrail_voiding_a_lift_shows_its_limit_over_the_week_it_is_judged_on():
    spec = MetricSpec(
        name="discovery_rate", kind="product", unit="%", direction="higher_is_better", breach=15
    )
    values = np.r_[np.full(77, 20.0), np.full(7, 18.4)]  # fell past 19.0, far above 15
    series = DailySeries(start=date(2024, 1, 1), values=values)
    voided = ChartSeries.of(spec, series, status="voids the lift", guard=19.0)

    png = render_chart(series=[voided])
    plain = render_chart(series=[ChartSeries.of(spec, series, status="voids the lift")])

    # Between the limit and the breach line: the last week (right) is tinted, earlier is not.
    last_week, earlier = _patch(png, row=160, col=470), _patch(png, row=160, col=214)
    assert earlier.tolist() == [1.0, 1.0, 1.0]
    red, green, blue = last_week
    assert red > 0.9 and green < 0.95 and blue < 0.95
    assert _patch(plain, row=160, col=470).tolist() == [1.0, 1.0, 1.0]  # no limit, no band
