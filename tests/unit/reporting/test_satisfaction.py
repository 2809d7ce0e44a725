"""The CSAT figure: ratings counted and labelled by routing/metrics.py's definition."""

from __future__ import annotations

from contactcentre.reporting.satisfaction import CsatFigure
from routing.metrics import ContactOutcome


def test_csat_figure_counts_four_and_five_over_all_ratings():
    """Ratings 5, 4, 3, 1: two of four satisfied, 50%, labelled with the formula and counts."""
    rated = [ContactOutcome(str(i), csat=s) for i, s in enumerate((5, 4, 3, 1))]
    figure = CsatFigure.of(rated)
    assert (figure.satisfied, figure.rated, figure.ratio) == (2, 4, 0.5)
    assert figure.label() == "CSAT 50% (ratings 4-5 / all ratings (1-5 scale), 2 of 4)"
    assert figure.definition_id == "csat v1"


def test_no_ratings_is_no_figure_not_zero():
    """Nothing rated: ratio None and the label says so (0% would claim everyone was unhappy)."""
    figure = CsatFigure.of([])
    assert (figure.ratio, figure.rated, figure.label()) == (None, 0, "CSAT — (no ratings)")
