"""A mailbox's IMAP password is a reference (env:NAME or file:/path), never the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactcentre.email.secrets import secret_for

SECRET_ENV = "CC_TEST_IMAP_PASSWORD"


def test_secret_references_name_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "from-env")
    (tmp_path / "secret").write_text("from-file\n")
    assert secret_for(f"env:{SECRET_ENV}") == "from-env"
    assert secret_for(f"file:{tmp_path / 'secret'}") == "from-file"
    for bad in ("plain-password", "env:CC_TEST_UNSET_VARIABLE", f"file:{tmp_path / 'none'}"):
        monkeypatch.delenv("CC_TEST_UNSET_VARIABLE", raising=False)
        with pytest.raises(ValueError):
            secret_for(bad)
