"""Settings: read from the environment, errors a person can act on."""

import pytest

from bot.core.settings import DEFAULT_SLACK_API_URL, SettingsError, load_settings


def test_defaults_point_at_slack_and_a_local_sqlite_file():
    settings = load_settings(_env_file=None)

    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.database_url == "sqlite:///gatebot.db"
    assert settings.llm_enabled is False


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("GATEBOT_LLM_TIMEOUT", "2.5")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    settings = load_settings(_env_file=None)

    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.gatebot_llm_timeout == 2.5
    assert settings.llm_enabled is True


def test_a_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-file\n")
    monkeypatch.chdir(tmp_path)

    assert load_settings().slack_bot_token == "xoxb-from-file"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "abc", "PORT is malformed (a whole number is needed, got 'abc')"),
        ("GATEBOT_LLM_TIMEOUT", "soon", "GATEBOT_LLM_TIMEOUT is malformed (a number is needed"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL is malformed"),
    ],
)
def test_a_malformed_setting_is_named(monkeypatch: pytest.MonkeyPatch, name, value, message):
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)

    assert message in str(caught.value)


def test_require_names_the_missing_setting():
    settings = load_settings(_env_file=None, slack_bot_token="xoxb-1")

    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
