"""Drive the OAuth install as a browser does: the install page, Slack's approval, the redirect.

Slack's own approval screen is the one step played here: the stand-in hands out a one-time
code for the team (`install_code`), which Slack would append to the redirect with the state.
Used by the tests and by `gatebot demo`.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.demo.standin.slack import SlackStandIn

_LINK = re.compile(r'<a href="([^"]+)"')
STATE_COOKIE = "slack-app-oauth-state"


@dataclass(frozen=True)
class Page:
    """One page the browser got: status, body, and the Set-Cookie headers."""

    status: int
    body: str
    cookies: list[str]


@dataclass(frozen=True)
class InstallPage:
    """The install page: its "Add to Slack" link, the state in it and the cookie set."""

    page: Page
    authorize_url: str
    state: str
    cookie: str  # "name=value", as the browser sends it back


@dataclass(frozen=True)
class InstallResult:
    """The install page the browser saw, and the page it landed on after Slack."""

    start: InstallPage
    landing: Page


def get(url: str, *, cookie: str | None = None) -> Page:
    """GET `url` without following redirects, sending `cookie` if given."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local URL)
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return Page(status, body.decode(), headers.get_all("Set-Cookie") or [])


def open_install_page(app_url: str) -> InstallPage:
    """GET /slack/install and read the link to Slack's approval screen and the state cookie."""
    page = get(f"{app_url}/slack/install")
    found = _LINK.search(page.body) if page.status == 200 else None
    cookie = next((c.split(";")[0] for c in page.cookies if c.startswith(f"{STATE_COOKIE}=")), None)
    if found is None or cookie is None:  # not in OAuth mode, or the page changed shape
        raise RuntimeError(f"no install link and state cookie at /slack/install: {page}")
    authorize_url = html.unescape(found.group(1))
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    return InstallPage(page, authorize_url, state, cookie)


def redirect(app_url: str, *, code: str, state: str, cookie: str | None) -> Page:
    """GET /slack/oauth_redirect as Slack sends the browser back to it."""
    query = urlencode({"code": code, "state": state})
    return get(f"{app_url}/slack/oauth_redirect?{query}", cookie=cookie)


def install_team(
    app_url: str, slack: SlackStandIn, team_id: str, *, name: str | None = None
) -> InstallResult:
    """Install the app in `team_id`: install page, approval (a code), redirect with the cookie."""
    start = open_install_page(app_url)
    code = slack.install_code(team_id, name=name)
    landing = redirect(app_url, code=code, state=start.state, cookie=start.cookie)
    return InstallResult(start, landing)


def page_words(page: Page) -> str:
    """Return the words a person reads on an HTML page: tags dropped, entities decoded."""
    body = re.sub(r"<(head|style|script)\b.*?</\1>", " ", page.body, flags=re.S | re.I)
    body = re.sub(r"</(h\d|p|div|li)>", "\n", body, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
