"""The one Settings object: read once from the environment and an optional .env file."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


class Settings(BaseSettings):
    """Everything gatebot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///gatebot.db"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    gatebot_llm_model: str = "gpt-4.1-mini"
    gatebot_llm_timeout: float = Field(default=8.0, gt=0, le=120)
    port: int = Field(default=3000, ge=1, le=65535)
    gatebot_web_threads: int = Field(default=32, ge=1, le=512)
    gatebot_listener_threads: int = Field(default=32, ge=1, le=1024)
    gatebot_job_threads: int = Field(default=32, ge=1, le=1024)
    gatebot_clock_interval: float = Field(default=60.0, gt=0, le=3600)  # seconds between passes
    gatebot_grace_hours: float = Field(default=6.0, ge=0)  # a missed prompt is sent this late
    gatebot_claim_lease_seconds: float = Field(default=120.0, ge=10)  # then a claim is stale
    gatebot_clock_workers: int = Field(default=4, ge=1, le=32)  # prompts posted in parallel
    # How often the clock re-judges every metric, in case an escape alert was missed.
    gatebot_escape_sweep_minutes: float = Field(default=15.0, gt=0, le=1440)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @property
    def llm_enabled(self) -> bool:
        """Return whether an LLM check can be attempted at all."""
        return bool(self.openai_api_key)

    def require(self, *names: str) -> None:
        """Raise SettingsError naming the first of `names` that is not set."""
        for name in names:
            if not getattr(self, name.lower()):
                raise SettingsError(
                    f"{name.upper()} is not set: export it or add it to .env "
                    f"(see the configuration table in README.md)"
                )


_HINTS = {
    "int_parsing": "a whole number",
    "float_parsing": "a number",
    "greater_than": "a larger number",
    "less_than_equal": "a smaller number",
    "greater_than_equal": "a larger number",
}


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
    wanted = _HINTS.get(first["type"], first["msg"].lower())
    got = first.get("input")
    return (
        f"{name} is malformed ({wanted} is needed, got {got!r}): fix it in the environment or .env"
    )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one readable SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_explain(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return load_settings()
