"""bot.install: which Slack client each team gets, the stores on our database, the settings."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, select, update

from bot.core.sealing import Sealer
from bot.core.settings import Settings, SettingsError, load_settings
from bot.demo.standin.slack import SlackStandIn
from bot.install import service as install
from bot.install.stores import (
    SWEEP_EVERY,
    SignedStateStore,
    TeamInstallationStore,
    TokenRotationRefused,
)
from db.models.slack import installations, oauth_states
from tests.live_app import OAUTH_SETTINGS, SEAL_KEY


def _settings(slack: SlackStandIn, database_url: str, **overrides: object) -> Settings:
    return load_settings(
        _env_file=None, slack_api_url=slack.api_url, database_url=database_url, **overrides
    )


def _install(store: TeamInstallationStore, team_id: str, token: str, **extra: object) -> None:
    store.save(
        Installation(
            app_id="A0GATEBOT",
            team_id=team_id,
            team_name=f"Team {team_id}",
            bot_token=token,
            bot_id="B0GATEBOT",
            bot_user_id="UBOT",
            bot_scopes="commands,chat:write",
            user_id="U0INSTALLER",
            installed_at=time.time(),
            **extra,  # type: ignore[arg-type]
        )
    )


def test_single_workspace_mode_gives_every_team_the_bot_token(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, slack_bot_token="xoxb-one")

    client_for = install.client_for(settings=settings, engine=engine)

    assert settings.install_mode == "single-workspace"
    assert {client_for(team).token for team in ("T1", "T2")} == {"xoxb-one"}
    client_for("T1").chat_postMessage(channel="C1", text="hi")
    [posted] = slack.calls("chat.postMessage")  # the client talks to SLACK_API_URL
    assert posted.token == "xoxb-one"


def test_oauth_mode_gives_each_team_its_own_token(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)
    _install(store, "T1", "xoxb-t1-old")
    _install(store, "T2", "xoxb-t2")
    _install(store, "T1", "xoxb-t1-new")  # a reinstall: the latest token wins

    client_for = install.client_for(settings=settings, engine=engine)

    assert settings.install_mode == "oauth"
    assert (client_for("T1").token, client_for("T2").token) == ("xoxb-t1-new", "xoxb-t2")
    client_for("T2").chat_postMessage(channel="C1", text="hi")
    [posted] = slack.calls("chat.postMessage")
    assert posted.token == "xoxb-t2"
    assert len(client_for("T1").retry_handlers) == 2  # rides out rate limits like the rest


def test_a_workspace_in_an_enterprise_is_found_by_its_team_alone(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)
    _install(store, "T1", "xoxb-grid", enterprise_id="E1", enterprise_name="Grid")

    assert install.client_for(settings=settings, engine=engine)("T1").token == "xoxb-grid"


def test_a_team_without_a_token_gets_a_message_saying_what_to_do(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)
    _install(store, "T1", "xoxb-t1")
    client_for = install.client_for(settings=settings, engine=engine)

    with pytest.raises(install.NotInstalled, match="not installed in Slack workspace T9: install"):
        client_for("T9")
    assert install.uninstalled(store=store, engine=engine, team_id="T1") == 2  # bot + install
    with pytest.raises(install.NotInstalled) as removed:
        client_for("T1")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert f"gatebot was removed from Slack workspace T1 on {today}" in str(removed.value)
    assert "xoxb" not in str(removed.value)


def test_an_install_keeps_the_bot_token_and_drops_a_user_token(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)

    _install(store, "T1", "xoxb-t1", user_token="xoxp-installer", user_scopes="search:read")

    with engine.connect() as connection:
        [row] = connection.execute(select(installations)).mappings().all()
    assert (row["user_token"], row["user_scopes"]) == (None, None)
    assert Sealer([SEAL_KEY]).open(row["bot_token"]) == "xoxb-t1" != row["bot_token"]
    assert row["user_id"] == "U0INSTALLER"  # who installed is kept; their token is not


def test_an_install_with_token_rotation_on_is_refused_and_nothing_is_stored(
    engine: Engine, slack: SlackStandIn, database_url: str, caplog: pytest.LogCaptureFixture
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)

    with pytest.raises(TokenRotationRefused):
        _install(
            store, "T1", "xoxe.xoxb-t1", bot_refresh_token="xoxe-1-r", bot_token_expires_in=43200
        )

    with engine.connect() as connection:
        assert connection.execute(select(installations)).first() is None
    assert "refused the install of team T1: the Slack app has token rotation on" in caplog.text
    with pytest.raises(install.NotInstalled):
        install.client_for(settings=settings, engine=engine)("T1")


def test_revoked_user_tokens_leave_the_bot_working(
    engine: Engine, slack: SlackStandIn, database_url: str
):
    settings = _settings(slack, database_url, **OAUTH_SETTINGS)
    store = install.installation_store(settings=settings, engine=engine)
    legacy = Installation(  # stored by slack_sdk's own save, as before user tokens were dropped
        app_id="A0GATEBOT",
        team_id="T1",
        bot_token="xoxb-t1",
        bot_id="B0GATEBOT",
        bot_user_id="UBOT",
        user_id="U0INSTALLER",
        user_token="xoxp-installer",
        user_scopes="search:read",
    )
    SQLAlchemyInstallationStore.save(store, legacy)

    forgotten = install.tokens_revoked(
        store=store, engine=engine, team_id="T1", bot=[], users=["U0INSTALLER"]
    )

    assert forgotten == 1
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_token is None and found.bot_token == "xoxb-t1"
    assert install.client_for(settings=settings, engine=engine)("T1").token == "xoxb-t1"


def test_a_state_is_good_once_and_only_if_signed_with_our_secret(engine: Engine):
    store = SignedStateStore(secret="ours", expiration_seconds=600, engine=engine)
    theirs = SignedStateStore(secret="theirs", expiration_seconds=600, engine=engine)

    state = store.issue()
    foreign = theirs.issue()  # stored in the same table, but not signed by us

    nonce, _, signature = state.rpartition(".")
    assert not store.consume(f"{nonce}.{signature[::-1]}")
    assert not store.consume(foreign)
    assert store.consume(state)
    assert not store.consume(state)  # used up


def test_an_expired_state_is_refused_and_swept_every_so_often(engine: Engine):
    store = SignedStateStore(secret="ours", expiration_seconds=600, engine=engine)
    stale = store.issue()
    with engine.begin() as connection:  # its ten minutes pass
        connection.execute(
            update(oauth_states).values(expire_at=datetime(2020, 1, 1))  # naive UTC, as stored
        )

    assert not store.consume(stale)
    fresh = [store.issue() for _ in range(SWEEP_EVERY - 1)]
    assert stale in _stored_states(engine)  # refused, but not yet swept: issuing stays cheap
    fresh.append(store.issue())  # the SWEEP_EVERY-th issue sweeps
    assert sorted(_stored_states(engine)) == sorted(fresh)


def _stored_states(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(oauth_states.c.state)).scalars())


def test_a_state_is_accepted_once_when_redirects_race(engine: Engine):
    """Several redirects (a double-clicked link, a replay) consume one state at the same time."""
    store = SignedStateStore(secret="ours", expiration_seconds=600, engine=engine)
    racers, rounds = 4, 25
    barrier = threading.Barrier(racers)

    def consume(state: str) -> bool:
        barrier.wait()
        return store.consume(state)

    accepted = []
    with ThreadPoolExecutor(racers) as pool:
        for _ in range(rounds):
            state = store.issue()
            accepted.append(sum(pool.map(consume, [state] * racers)))

    assert accepted == [1] * rounds
    assert _stored_states(engine) == []


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"slack_client_id": "1.2"}, "SLACK_CLIENT_SECRET is not set: OAuth mode needs"),
        (
            {"slack_client_id": "1.2", "slack_client_secret": "s", "slack_bot_token": "xoxb-1"},
            "SLACK_STATE_SECRET is not set",
        ),
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_an_incomplete_install_mode_is_named(given: dict[str, str], error: str):
    settings = load_settings(_env_file=None, **given)

    with pytest.raises(SettingsError, match=error):
        settings.require_slack()
    assert settings.install_mode == "single-workspace"


@pytest.mark.parametrize(
    ("keys", "error"),
    [
        (None, "GATEBOT_SEAL_KEYS is not set: OAuth mode keeps each workspace's bot token"),
        (" , ", "GATEBOT_SEAL_KEYS is not set"),
        (f"{SEAL_KEY}, not-a-key", "GATEBOT_SEAL_KEYS is malformed: key 2 is not a Fernet key"),
    ],
)
def test_oauth_mode_without_a_usable_seal_key_is_refused_naming_it(keys: str | None, error: str):
    settings = load_settings(
        _env_file=None, slack_signing_secret="x", **{**OAUTH_SETTINGS, "gatebot_seal_keys": keys}
    )

    with pytest.raises(SettingsError, match=error) as refused:
        settings.require_slack()
    assert "not-a-key" not in str(refused.value)  # a key, even a bad one, is never shown


def test_either_complete_mode_is_accepted():
    oauth = load_settings(_env_file=None, slack_signing_secret="x", **OAUTH_SETTINGS)
    single = load_settings(_env_file=None, slack_signing_secret="x", slack_bot_token="xoxb-1")

    oauth.require_slack()
    single.require_slack()
    load_settings(_env_file=None, **OAUTH_SETTINGS).require_slack(serving=False)  # the clock

    assert (oauth.install_mode, single.install_mode) == ("oauth", "single-workspace")
    assert "test-client-secret" not in repr(oauth) and "test-state-secret" not in repr(oauth)
