"""What the Slack stand-in answers to each Web API method: Slack-shaped JSON, no HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.demo.standin.calls import JsonDict
from bot.demo.standin.slack.limits import refusal
from bot.demo.standin.slack.messages import SlackMessages
from bot.demo.standin.slack.teams import SlackTeams

# zoneinfo only knows abbreviations; Slack shows the long name.
_TZ_LABELS = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}

APP_ID = "A0GATEBOT"
BOT_ID = "B0GATEBOT"
TEAM_NAME = "Gatebot Stand-in"
TEAM_DOMAIN = "gatebot-standin"
# The channels users.conversations lists for a person no test set channels for: the one the
# test steps and the demo set their project up in. Tests of membership set their own.
DEFAULT_CHANNELS = ("C0TEAM",)


class SlackWorkspace:
    """The workspace behind the stand-in: ids, users, views, uploads. Not thread-safe."""

    def __init__(self, *, team_id: str, bot_user_id: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.teams = SlackTeams(default_team_id=team_id, default_name=TEAM_NAME)
        self.caller_team = team_id  # the team of the call being answered (its token's)
        self.server_url = ""
        self.users: dict[str, JsonDict] = {}
        self.uploads: dict[str, bytes] = {}
        self.messages = SlackMessages()
        self._ts_micros = 0
        self._serial = 0
        self._view_by_external_id: dict[str, str] = {}
        self.default_channels: list[str] = list(DEFAULT_CHANNELS)
        self.channels: dict[tuple[str, str], list[str]] = {}  # (team, user) -> member of
        self.homes: dict[tuple[str, str], JsonDict] = {}  # (team, user) -> Home published
        self._methods: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": lambda a: {"message_ts": self.next_ts()},
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.history": lambda a: self.messages.history(team=self.caller_team, args=a),
            "conversations.replies": lambda a: self.messages.replies(team=self.caller_team, args=a),
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._views_publish,
            "users.info": lambda a: {"user": self.user(str(a.get("user", "")))},
            "users.profile.get": lambda a: {"profile": self._profile(str(a.get("user", "")))},
            "conversations.info": lambda a: {"channel": _channel(str(a.get("channel", "")))},
            "conversations.join": lambda a: {"channel": _channel(str(a.get("channel", "")))},
            "conversations.open": self._conversations_open,
            "users.conversations": self._users_conversations,
            "team.info": lambda a: {"team": self._team()},
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "oauth.v2.access": self._oauth_v2_access,
            "auth.revoke": lambda a: {"revoked": True},
        }

    def respond(self, method: str, args: JsonDict, token: str | None = None) -> JsonDict:
        """Answer one Web API call the way Slack would; unknown methods get `{"ok": true}`.

        The call is answered for its token's team; a revoked token gets token_revoked.
        """
        if self.teams.is_revoked(token):
            return {"ok": False, "error": "token_revoked"}
        self.caller_team = self.teams.team_of(token)
        if error := refusal(method, args):
            return {"ok": False, "error": error}
        build = self._methods.get(method)
        return {"ok": True, **(build(args) if build else {})}

    def next_ts(self) -> str:
        """Return a message ts: the time of the post, as Slack's, unique and increasing."""
        self._ts_micros = max(self._ts_micros + 1, time.time_ns() // 1000)
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """Return a Slack-looking id such as `V0000000003`."""
        self._serial += 1
        return f"{prefix}{self._serial:010d}"

    def set_user(self, user_id: str, *, tz: str, name: str | None, real_name: str | None) -> None:
        """Remember what users.info returns for `user_id`."""
        ZoneInfo(tz)  # fail at set-up time, not inside a request thread
        self.users[user_id] = self.users.get(user_id, {}) | {
            "tz": tz,
            "name": name,
            "real_name": real_name,
        }

    def set_status(self, user_id: str, *, text: str, emoji: str, expiration: int) -> None:
        """Remember the status users.info shows for `user_id`, as the person set it."""
        self.users.setdefault(user_id, {})["status"] = {
            "status_text": text,
            "status_emoji": emoji,
            "status_expiration": expiration,
        }

    def user(self, user_id: str) -> JsonDict:
        """Build the users.info `user` object; unknown users live in UTC."""
        known = self.users.get(user_id, {})
        tz = known.get("tz") or "UTC"
        name = known.get("name") or user_id.lower()
        real_name = known.get("real_name") or name
        now = datetime.now(ZoneInfo(tz))
        offset = now.utcoffset()
        abbreviation = now.tzname() or tz
        return {
            "id": user_id,
            "team_id": self.caller_team,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": False,
            "tz": tz,
            "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                "team": self.caller_team,
                # Slack's profile always carries the three; an unset status is "", "", 0.
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
                **known.get("status", {}),
            },
        }

    def _profile(self, user_id: str) -> JsonDict:
        profile: JsonDict = self.user(user_id)["profile"]
        return profile

    def _team(self) -> JsonDict:
        team_id = self.caller_team
        domain = TEAM_DOMAIN if team_id == self.team_id else team_id.lower()
        return {"id": team_id, "name": self.teams.names.get(team_id, TEAM_NAME), "domain": domain}

    def _auth_test(self, args: JsonDict) -> JsonDict:
        team = self._team()
        return {
            "url": f"https://{team['domain']}.slack.com/",
            "team": team["name"],
            "user": "gatebot",
            "team_id": team["id"],
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, args: JsonDict, ts: str) -> JsonDict:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.caller_team,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "ts": ts,
        }
        for optional in ("thread_ts", "attachments", "metadata"):
            if optional in args:
                message[optional] = args[optional]
        return message

    def _chat_post_message(self, args: JsonDict) -> JsonDict:
        ts = self.next_ts()
        message = self._message(args, ts)
        if args.get("reply_broadcast") in (True, "true", "1"):
            message["reply_broadcast"] = True
        self.messages.post(team=self.caller_team, channel=str(args.get("channel")), message=message)
        return {"channel": args.get("channel"), "ts": ts, "message": message}

    def _chat_update(self, args: JsonDict) -> JsonDict:
        ts = str(args.get("ts", ""))
        changes: JsonDict = {k: args[k] for k in ("text", "blocks", "metadata") if k in args}
        # Permissive: an update of a message the stand-in never saw is answered as done.
        self.messages.update(
            team=self.caller_team, channel=str(args.get("channel", "")), ts=ts, changes=changes
        )
        return {
            "channel": args.get("channel"),
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._message(args, ts),
        }

    def _chat_delete(self, args: JsonDict) -> JsonDict:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        self.messages.delete(team=self.caller_team, channel=channel, ts=ts)
        return {"channel": channel, "ts": ts}

    def _view(self, args: JsonDict) -> JsonDict:
        submitted = args.get("view")
        submitted = submitted if isinstance(submitted, dict) else {}
        external_id = str(args.get("external_id") or submitted.get("external_id") or "")
        view_id = args.get("view_id") or self._view_by_external_id.get(external_id)
        view_id = str(view_id or self.next_id("V"))
        if external_id:
            self._view_by_external_id[external_id] = view_id
        view: JsonDict = {
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "external_id": external_id,
            **submitted,
            "id": view_id,
            "team_id": self.caller_team,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{int(time.time())}.{self._serial:08x}",
        }
        return {"view": view}

    def _views_publish(self, args: JsonDict) -> JsonDict:
        """Publish a Home; with `hash`, only over the view that hash names (hash_conflict)."""
        key = (self.caller_team, str(args.get("user_id", "")))
        current = self.homes.get(key)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        published = self._view(args)
        self.homes[key] = published["view"]
        return published

    def _users_conversations(self, args: JsonDict) -> JsonDict:
        """List the channels a user is in, a page at a time (the cursor is the offset)."""
        member_of = self.channels.get(
            (self.caller_team, str(args.get("user", ""))), self.default_channels
        )
        try:
            start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        end = start + max(1, min(limit, 999))
        return {
            "channels": [_channel(channel_id) for channel_id in member_of[start:end]],
            "response_metadata": {"next_cursor": str(end) if end < len(member_of) else ""},
        }

    def _conversations_open(self, args: JsonDict) -> JsonDict:
        first_user = str(args.get("users", "")).split(",")[0]
        return {"channel": {"id": f"D{first_user[1:]}", "is_im": True}}

    def _get_upload_url(self, args: JsonDict) -> JsonDict:
        file_id = self.next_id("F")
        return {"upload_url": f"{self.server_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, args: JsonDict) -> JsonDict:
        files = args.get("files")
        files = files if isinstance(files, list) else []
        return {
            "files": [
                {
                    "id": f.get("id"),
                    "title": f.get("title"),
                    "size": len(self.uploads.get(str(f.get("id")), b"")),
                }
                for f in files
                if isinstance(f, dict)
            ]
        }

    def _oauth_v2_access(self, args: JsonDict) -> JsonDict:
        exchanged = self.teams.exchange(str(args.get("code", "")))
        if exchanged is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, token = exchanged
        grants = self.teams.grants(str(args.get("code", "")))
        installer: JsonDict = {"id": "U0INSTALLER"}
        if grants.get("user_token"):
            installer.update(access_token=f"xoxp-{team_id}-installer", scope="search:read")
        rotation = {"refresh_token": f"xoxe-1-{team_id}", "expires_in": 43200}
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,users:read,files:write",
            "bot_user_id": self.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": team_id, "name": self.teams.names[team_id]},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": installer,
            **(rotation if grants.get("rotation") else {}),
        }


def _channel(channel_id: str) -> JsonDict:
    return {
        "id": channel_id,
        "name": channel_id.lower(),
        "is_channel": True,
        "is_private": False,
        "is_member": True,
        "is_archived": False,
    }
