"""slack_sdk's installation and OAuth state tables, registered on SQLModel's metadata.

The tables are slack_sdk's own (its SQLAlchemy stores build them with these class methods);
registering them here keeps the migrations-match-the-models test honest about them. The stores
in bot/install/stores.py read and write them; migration 0007 creates them, 0010 adds the
states' indexes.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Index
from sqlmodel import SQLModel

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

# Built once, when this module is first imported (db/models.py imports it).
_metadata = SQLModel.metadata
installations = SQLAlchemyInstallationStore.build_installations_table(
    _metadata, INSTALLATIONS_TABLE
)
bots = SQLAlchemyInstallationStore.build_bots_table(_metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(_metadata, OAUTH_STATES_TABLE)

# Migration 0010: a state is one row, consumed by one DELETE on it (bot.install.stores);
# expired states are swept by expire_at.
Index("slack_oauth_states_state_idx", oauth_states.c.state, unique=True)
Index("slack_oauth_states_expire_at_idx", oauth_states.c.expire_at)
