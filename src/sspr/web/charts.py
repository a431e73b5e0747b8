"""Charts for the reports, drawn on the server as SVG by pygal and shown as images.

An image cannot run script, and the page's Content-Security-Policy stays as strict as everywhere
else: pygal's SVG carries its own <style> (and a tooltip <script> we remove), which inside an
<img> is the image's own business, not the page's. Every chart has a table beside it with the same
numbers (the chart's alternative text says so), so nothing is only in a picture."""

import base64
import re

import pygal
from pygal.style import Style

STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#1a1a1a",
    foreground_subtle="#4a4a4a", opacity="1", opacity_hover="1", transition="none",
    # Distinguishable in greyscale and for the common colour-vision differences (Okabe-Ito).
    colors=("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"),
    font_family="system-ui, sans-serif", label_font_size=14, major_label_font_size=14, legend_font_size=15,
    title_font_size=18, value_font_size=14,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _options(**extra) -> dict:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 720, "height": 400,
            "legend_at_bottom": True, "legend_at_bottom_columns": 2, "print_values": False,
            "show_y_guides": True, "margin": 16, "truncate_label": 24, "truncate_legend": 40, **extra}


def _data_uri(chart) -> str:
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bars(labels: list[str], series: list[tuple[str, list[float]]], *, horizontal: bool = False,
         stacked: bool = False, percent: bool = False) -> str:
    """Bars per label, one colour per series; a data: URI for an <img>."""
    kind = pygal.HorizontalStackedBar if horizontal and stacked else pygal.HorizontalBar if horizontal else \
        pygal.StackedBar if stacked else pygal.Bar
    extra = {"range": (0, 100)} if percent else {}
    chart = kind(**_options(x_label_rotation=0 if horizontal else 30, show_legend=len(series) > 1, **extra))
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _data_uri(chart)


def lines(labels: list[str], series: list[tuple[str, list[float]]]) -> str:
    """One line per series over the labels (days, weeks or months); a data: URI for an <img>."""
    chart = pygal.Line(**_options(x_label_rotation=30, show_minor_x_labels=len(labels) <= 16,
                                  x_labels_major_every=max(1, len(labels) // 8), dots_size=3))
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _data_uri(chart)
