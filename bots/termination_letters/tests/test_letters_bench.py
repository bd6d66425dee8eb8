"""`rpa bench letters`: the raw reference draws the very page our letters render to."""

from __future__ import annotations

from harness.bench.letters import letter_figures, letter_makers, raw_page, record_page
from hr.fonts import reportlab_fonts
from hr.pdf import extract_text, render_letter


def test_the_raw_reference_draws_the_same_page_with_bare_canvas_calls() -> None:
    regular = reportlab_fonts("sans").regular
    for make in letter_makers(3):  # a resignation, an hourly and a supplement letter
        letter = make()
        ours = render_letter(letter)
        raw = raw_page(*record_page(letter), regular)
        assert extract_text(raw) == extract_text(ours)
        assert abs(len(raw) - len(ours)) < 0.02 * len(ours)


def test_letter_figures_report_both_sides() -> None:
    ours, raw = letter_figures(10)
    for figures in (ours, raw):
        assert figures["letters"] == 10 and figures["pages"] >= 10
        assert figures["letters_per_s_1_core"] > 0 and figures["pdf_kb_avg"] > 10
    assert ours["characters_per_letter"] == raw["characters_per_letter"]
