"""The flow chart behind ``/procure stats`` and the weekly digest, as a PNG.

matplotlib draws it with the Agg backend, so no display is needed.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend

from bot.stats import Stats  # noqa: E402

WIDTH, HEIGHT, DPI = 8, 4, 100  # 800 × 400 pixels


def flow_chart(stats: Stats) -> bytes:
    """Requests opened and fulfilled per week, and whose court the waiting was in."""
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    weekly, courts = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    labels = [week.start.strftime("%d %b") for week in stats.weeks]
    positions = range(len(labels))
    weekly.bar([p - 0.2 for p in positions], [w.opened for w in stats.weeks], width=0.4, label="opened",
               color="#4a90d9")
    weekly.bar([p + 0.2 for p in positions], [w.fulfilled for w in stats.weeks], width=0.4, label="fulfilled",
               color="#2ecc71")
    weekly.set_xticks(list(positions), labels, rotation=45, ha="right", fontsize=8)
    weekly.set_title("Requests per week")
    weekly.legend(fontsize=8)
    weekly.yaxis.get_major_locator().set_params(integer=True)

    courts.bar(["IT", "Procurement"], [stats.it_days, stats.procurement_days], color=["#e67e22", "#8e44ad"])
    courts.set_title("Days waiting on")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def scorecard_chart(card) -> bytes:
    """The scorecard's six indicators: from the work against how it feels, in percent."""
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.subplots()
    labels = [item.key for item in card.indicators]
    positions = range(len(labels))
    axes.bar([p - 0.2 for p in positions], [item.data or 0 for item in card.indicators], width=0.4,
             label="from the work", color="#4a90d9")
    axes.bar([p + 0.2 for p in positions], [item.feeling_percent or 0 for item in card.indicators], width=0.4,
             label="how it feels", color="#e67e22")
    axes.set_xticks(list(positions), labels, fontsize=9)
    axes.set_ylim(0, 100)
    axes.set_ylabel("%")
    axes.set_title("Scorecard: data against feeling")
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
