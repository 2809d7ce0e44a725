"""Property: whatever printable or Unicode text arrives in any known parameter of a correctly
signed webhook, on any voice route, the answer is never a server error."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.voice.webhook_cases import (
    ARABIC_123,
    FULLWIDTH_12,
    KNOWN_PARAMS,
    PREFIX,
    ROUTES,
    SUPERSCRIPT_2,
    Scene,
    signed_post,
)

ODD_DIGITS = (ARABIC_123, FULLWIDTH_12, SUPERSCRIPT_2)
# Form values travel as UTF-8: any character but a lone surrogate, which cannot be encoded.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text(st.sampled_from(f"0123456789*#.-+eEinfa {ODD_DIGITS}"), max_size=12),
    st.sampled_from(["nan", "inf", "-1", "2", "1e999", "\U0001f600", "", *ODD_DIGITS]),
    st.from_regex(r"[0-9]{150,320}", fullmatch=True),
)
# One parameter in focus (so each is drawn often), up to two others changed with it.
CHANGES = st.builds(
    lambda focus, value, others: {**others, focus: value},
    st.sampled_from(KNOWN_PARAMS),
    TEXT,
    st.dictionaries(st.sampled_from(KNOWN_PARAMS), TEXT, max_size=2),
)
# Our own IVR answer URL's step, usually left as we made it.
STEP = st.one_of(st.none(), st.none(), st.none(), TEXT)


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_no_parameter_value_makes_a_webhook_fail(
    voice_app: Any, voice_client: Any, rule: str
) -> None:
    """Random values (Unicode, non-ASCII digits, NaN, numbers hundreds of digits long) in up to
    three known parameters at once, and in the IVR answer URL's step: every answer is below 500."""
    scene = Scene(voice_app, voice_client)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(changes=CHANGES, step=STEP)
    def check(changes: dict[str, str], step: str | None) -> None:
        request = scene.for_rule(rule)
        path = request.path
        if step is not None and rule == PREFIX + "/ivr/<node>":
            path = path.split("&step=")[0] + f"&step={quote(step, safe='')}"
        response = signed_post(voice_app, voice_client, path, {**request.params, **changes})
        assert response.status_code < 500, (changes, step, response.get_data(as_text=True))

    check()
