"""Settings: precedence, validation messages that name the setting, value and origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.errors import SettingsError
from search.settings import load_settings


def test_precedence_defaults_file_environment_flags(tmp_path):
    config = tmp_path / "lessons.toml"
    config.write_text('top_k = 7\nrrf_k = 30\ndata_dir = "from-file"\n')
    settings = load_settings({"data_dir": "from-flag"}, config_file=config, environ={"LESSONS_RRF_K": "90"})
    assert settings.top_k == 7 and settings.origin("top_k") == str(config)
    assert settings.rrf_k == 90 and settings.origin("rrf_k") == "LESSONS_RRF_K"
    assert settings.data_dir == Path("from-flag") and settings.origin("data_dir") == "command line"
    assert settings.candidates == 100 and settings.origin("candidates") == "default"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LESSONS_DEVICE": "tpu"}, "setting device = 'tpu' (from LESSONS_DEVICE) is not a device"),
        ({"LESSONS_TOP_K": "0"}, "setting top_k = 0 (from LESSONS_TOP_K) must be at least 1"),
        ({"LESSONS_MODEL": "/nowhere"}, "setting model = '/nowhere' (from LESSONS_MODEL) is neither"),
        ({"LESSONS_DEFAULT_ACCESS": "secret"}, "is not an access level: use one of public, internal, restricted"),
    ],
)
def test_bad_values_are_named_with_their_origin(environ, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ=environ)


def test_unknown_key_in_config_file(tmp_path):
    config = tmp_path / "lessons.toml"
    config.write_text("topk = 3\n")
    with pytest.raises(SettingsError, match="sets unknown setting 'topk'"):
        load_settings(config_file=config, environ={})
