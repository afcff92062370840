"""The one Settings object: read once from the environment and an optional .env file."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.sealing import SealError, parse_keys

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# The bot scopes manifest.yml asks for; an OAuth install requests the same.
# The *:history scopes let a retried post look for itself first (bot/slack/posting.py).
DEFAULT_SLACK_SCOPES = (
    "commands,chat:write,chat:write.public,users:read,im:write,im:history,files:write,"
    "channels:read,groups:read,channels:history,groups:history"
)
OAUTH_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
# A field named like this holds a secret: hidden from repr/str and scrubbed from logs.
SECRET_SUFFIXES = ("_token", "_secret", "_key", "_keys", "_password")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


class Settings(BaseSettings):
    """Everything gatebot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    # OAuth (multi-workspace) mode when all three are set; see install_mode and bot/install/.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None  # signs the OAuth state handed to the installer
    slack_scopes: str = DEFAULT_SLACK_SCOPES  # comma-separated bot scopes, as in manifest.yml
    slack_redirect_uri: str | None = None  # the full /slack/oauth_redirect URL, if Slack needs it
    gatebot_install_state_seconds: int = Field(default=600, ge=60, le=86400)
    # Fernet keys, comma-separated, newest first: they seal the tokens installs store.
    gatebot_seal_keys: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Seconds a Slack Web API call may take before the client gives up on its answer.
    gatebot_slack_timeout: float = Field(default=10.0, gt=0, le=120)
    database_url: str = "sqlite:///gatebot.db"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    gatebot_llm_model: str = "gpt-4.1-mini"
    gatebot_llm_timeout: float = Field(default=8.0, gt=0, le=120)
    port: int = Field(default=3000, ge=1, le=65535)
    gatebot_web_threads: int = Field(default=32, ge=1, le=512)
    gatebot_listener_threads: int = Field(default=32, ge=1, le=1024)
    gatebot_job_threads: int = Field(default=32, ge=1, le=1024)  # each worker's job threads
    # A worker renews its jobs' leases every third of this; a dead one's are retaken after it.
    gatebot_job_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    gatebot_job_retry_seconds: float = Field(default=2.0, gt=0, le=600)  # then doubled per retry
    gatebot_clock_interval: float = Field(default=60.0, gt=0, le=3600)  # seconds between passes
    gatebot_grace_hours: float = Field(default=6.0, ge=0)  # a missed prompt is sent this late
    # Then a claim is stale. Short is safe: the retake looks for the post in Slack first.
    # Keep it above a post's longest wait (about three GATEBOT_SLACK_TIMEOUTs).
    gatebot_claim_lease_seconds: float = Field(default=30.0, ge=10)
    # Days a workspace's data is kept after the app is uninstalled; then the clock deletes it.
    gatebot_retention_days: float = Field(default=30.0, ge=0, le=3650)
    gatebot_clock_workers: int = Field(default=4, ge=1, le=32)  # prompts posted in parallel
    # How often the clock re-judges every metric, in case an escape alert was missed.
    gatebot_escape_sweep_minutes: float = Field(default=15.0, gt=0, le=1440)
    # JSON lines unless told otherwise ("auto": plain text when stderr is a terminal).
    gatebot_log_format: Literal["auto", "json", "text"] = "auto"
    gatebot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None

    @field_validator("gatebot_log_format", "gatebot_log_level", mode="before")
    @classmethod
    def _any_case(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        return value.lower() if info.field_name == "gatebot_log_format" else value.upper()

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Show every setting but the secrets, so logging Settings leaks nothing."""
        for name, value in super().__repr_args__():
            if value and name and name.endswith(SECRET_SUFFIXES):
                yield name, "[redacted]"
            elif value and name == "database_url":
                yield name, without_password(value)
            else:
                yield name, value

    def secret_values(self) -> list[str]:
        """Return every secret set: tokens, secrets, keys and the database password."""
        values = [str(value) for name, value in self if value and name.endswith(SECRET_SUFFIXES)]
        keys = [key.strip() for key in (self.gatebot_seal_keys or "").split(",") if key.strip()]
        password = _password(self.database_url)
        return list(dict.fromkeys(values + keys + ([password] if password else [])))

    @property
    def llm_enabled(self) -> bool:
        """Return whether an LLM check can be attempted at all."""
        return bool(self.openai_api_key)

    @property
    def oauth_enabled(self) -> bool:
        """Return whether gatebot installs through Slack's OAuth flow (many workspaces)."""
        return all(getattr(self, name.lower()) for name in OAUTH_SETTINGS)

    @property
    def install_mode(self) -> str:
        """Return "oauth" (many workspaces, tokens in the database) or "single-workspace"."""
        return "oauth" if self.oauth_enabled else "single-workspace"

    def require_slack(self, *, serving: bool = True) -> None:
        """Raise SettingsError unless one install mode is complete: OAuth's three, or a token.

        `serving` (answering Slack's requests) needs SLACK_SIGNING_SECRET too; the clock not.

        Half an OAuth set is refused rather than read as single-workspace mode, so a typo
        cannot quietly leave every other workspace without its bot.
        """
        given = [name for name in OAUTH_SETTINGS if getattr(self, name.lower())]
        if given and len(given) < len(OAUTH_SETTINGS):
            missing = next(name for name in OAUTH_SETTINGS if name not in given)
            raise SettingsError(
                f"{missing} is not set: OAuth mode needs {', '.join(OAUTH_SETTINGS)} together "
                f"(or unset {', '.join(given)} and set SLACK_BOT_TOKEN for one workspace)"
            )
        if not given:
            self.require("SLACK_BOT_TOKEN")
        else:
            self.seal_keys()  # OAuth mode stores tokens, sealed: it needs a key
        if serving:
            self.require("SLACK_SIGNING_SECRET")

    def seal_keys(self) -> list[str]:
        """Return GATEBOT_SEAL_KEYS' keys, newest first; SettingsError if unset or malformed."""
        if not self.gatebot_seal_keys or not self.gatebot_seal_keys.strip(" ,"):
            raise SettingsError(
                "GATEBOT_SEAL_KEYS is not set: OAuth mode keeps each workspace's bot token "
                "encrypted with it. Create a key with `gatebot keys new` and set it"
            )
        try:
            return parse_keys(self.gatebot_seal_keys)
        except SealError as error:
            raise SettingsError(f"GATEBOT_SEAL_KEYS is malformed: {error}") from None

    def require(self, *names: str) -> None:
        """Raise SettingsError naming the first of `names` that is not set."""
        for name in names:
            if not getattr(self, name.lower()):
                raise SettingsError(
                    f"{name.upper()} is not set: export it or add it to .env "
                    f"(every setting is listed in docs/operations.md)"
                )


def _password(url: str) -> str | None:
    try:
        password = make_url(url).password
    except ArgumentError:  # not a URL SQLAlchemy reads; gatebot will say so when it connects
        return None
    return str(password) if password else None


def without_password(url: str) -> str:
    """Return a database URL fit to print: its password hidden, or a note if unreadable."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "[unreadable URL]"


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
    if first["type"] == "literal_error":
        wanted = f"one of {first['ctx']['expected']}"
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
