"""The SVG charts on their own: well-formed, labelled, and drawing only what may be shown."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from nortime.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_bar_chart_is_a_labelled_image_with_one_bar_per_shown_number():
    chart = parse(bar_chart("c1", "Placed by level", "Bars per level", [("A1", 12), ("A2", "fewer than 5"), ("B1", 30)]))
    assert chart.get("role") == "img" and chart.get("aria-labelledby") == "c1-title c1-desc"
    assert chart.find(f"{SVG}title").text == "Placed by level" and chart.find(f"{SVG}desc").text == "Bars per level"
    bars = chart.findall(f"{SVG}rect")
    assert len(bars) == 2
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] < widths[1]  # 12 is drawn shorter than 30
    texts = [text.text for text in chart.iter(f"{SVG}text")]
    assert "fewer than 5" in texts and "12" in texts and "30" in texts


def test_labels_are_escaped():
    chart = parse(bar_chart("c2", "A <b> title", "d & e", [("<script>", 5)]))
    assert chart.find(f"{SVG}title").text == "A <b> title"
    assert "<script>" in [text.text for text in chart.iter(f"{SVG}text")]


def test_a_line_breaks_where_a_week_is_hidden():
    chart = parse(line_chart("c3", "Weeks", "Per week", ["W1", "W2", "W3", "W4", "W5"],
                             [Series("Participants", (10, 12, None, 15, 16)), Series("Attending", (None,) * 5)],
                             "Some weeks are hidden"))
    lines = chart.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert len(chart.findall(f"{SVG}circle")) == 4
    assert "Some weeks are hidden" in [text.text for text in chart.iter(f"{SVG}text")]


def test_an_empty_chart_still_renders():
    assert parse(bar_chart("c4", "Nothing", "No rows", [])).get("role") == "img"
    assert parse(line_chart("c5", "Nothing", "No weeks", [], [Series("Participants", ())], "")).get("role") == "img"
