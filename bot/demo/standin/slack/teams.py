"""The stand-in's teams and the bot tokens it issued them, for OAuth installs of many teams.

A test hands out a one-time install code per team (`code_for`); oauth.v2.access trades it
for a fresh bot token of that team; every later call is answered for the token's team. A
token the stand-in never issued belongs to the default team, so a fixed SLACK_BOT_TOKEN works
as before. An uninstall (`revoke`) makes the team's tokens fail with token_revoked, as Slack does.
"""

from __future__ import annotations

import itertools


class SlackTeams:
    """Teams, install codes and issued tokens. Not thread-safe: the stand-in holds a lock."""

    def __init__(self, *, default_team_id: str, default_name: str) -> None:
        self.default_team_id = default_team_id
        self.names: dict[str, str] = {default_team_id: default_name}
        self._codes: dict[str, str] = {}  # install code -> team id, until used
        self._grants: dict[str, dict[str, bool]] = {}  # install code -> what else it grants
        self._used_codes: set[str] = set()
        self._token_team: dict[str, str] = {}  # issued token -> its team
        self._latest: dict[str, str] = {}  # team -> the token it was issued last
        self._revoked: set[str] = set()
        self._serial = itertools.count(1)

    def code_for(
        self,
        team_id: str,
        *,
        name: str | None = None,
        user_token: bool = False,
        rotation: bool = False,
    ) -> str:
        """Return a new one-time install code for `team_id` (added if new).

        `user_token`: the exchange also gives the installer a user token (an app with user
        scopes); `rotation`: the bot token expires and comes with a refresh token.
        """
        self.names[team_id] = name or self.names.get(team_id) or f"Team {team_id}"
        code = f"code-{team_id}-{next(self._serial)}"
        self._codes[code] = team_id
        self._grants[code] = {"user_token": user_token, "rotation": rotation}
        return code

    def grants(self, code: str) -> dict[str, bool]:
        """Return what else `code` granted besides the bot token (see code_for)."""
        return self._grants.get(code, {})

    def exchange(self, code: str) -> tuple[str, str] | None:
        """Trade `code` for (team id, new bot token); None if it was already used.

        A code the stand-in never handed out installs the default team, as before codes.
        """
        if code in self._used_codes:
            return None
        team_id = self._codes.pop(code, self.default_team_id)
        self._used_codes.add(code)
        token = f"xoxb-{team_id}-standin-{next(self._serial)}"
        self._token_team[token] = team_id
        self._latest[team_id] = token
        return team_id, token

    def team_of(self, token: str | None) -> str:
        """Return the team `token` was issued to (the default team for any other token)."""
        return self._token_team.get(token or "", self.default_team_id)

    def token_for(self, team_id: str) -> str | None:
        """Return the bot token last issued to `team_id`, if any."""
        return self._latest.get(team_id)

    def revoke(self, team_id: str) -> list[str]:
        """Revoke every token issued to `team_id`; return them."""
        tokens = [token for token, team in self._token_team.items() if team == team_id]
        self._revoked.update(tokens)
        return tokens

    def is_revoked(self, token: str | None) -> bool:
        """Return whether `token` was revoked."""
        return token in self._revoked
