"""Drive the OAuth install as a browser does, for the tests: the install page, Slack's approval
(a stand-in code), the redirect. The steps live in bot.demo.standin.install_browser so that
`gatebot demo` can walk an install too; the tests import them from here as before.
"""

from __future__ import annotations

from bot.demo.standin.install_browser import (
    InstallPage,
    InstallResult,
    Page,
    get,
    install_team,
    open_install_page,
    redirect,
)

__all__ = [
    "InstallPage",
    "InstallResult",
    "Page",
    "get",
    "install_team",
    "open_install_page",
    "redirect",
]
