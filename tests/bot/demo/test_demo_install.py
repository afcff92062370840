"""The demo's install scene: two teams install over OAuth, each answered with its own token."""

from __future__ import annotations

import re
from pathlib import Path

from bot.demo.run import SCENES
from bot.demo.scenes.install import install_scene
from bot.demo.standin.install_browser import Page, page_words
from bot.demo.world import demo_world


def test_two_teams_install_get_their_own_token_and_an_uninstall_keeps_the_records(
    tmp_path: Path,
):
    lines: list[str] = []

    with demo_world(tmp_path, out=lines.append) as world:
        install_scene(world)
        first_app_posts = world.slack.calls("chat.postMessage")

    told = "\n".join(lines)
    # Both installs ended on the success page, in the team's own name.
    assert "The browser shows (HTTP 200):\n  │ gatebot is installed\n" in told
    assert "│ gatebot is now in Acme Retail." in told
    assert "The same for Beta Media; the page says: gatebot is now in Beta Media." in told
    held = dict(re.findall(r"^  (Acme Retail|Beta Media) +(xoxb-\S+)$", told, re.M))
    assert set(held) == {"Acme Retail", "Beta Media"}
    assert held["Acme Retail"] != held["Beta Media"]
    # Each team's saved hypothesis was posted with the token its own install issued.
    sent = re.findall(
        r"^gatebot \(#\w+ in ([\w ]+), sent with (\S+), ([\w ]+)'s token\):", told, re.M
    )
    assert sent == [
        ("Acme Retail", held["Acme Retail"], "Acme Retail"),
        ("Beta Media", held["Beta Media"], "Beta Media"),
    ]
    assert told.count("put a hypothesis on record.") == 2
    # The uninstall deleted Acme's token only and kept its records.
    assert (
        f"(gatebot's database now holds: Beta Media {held['Beta Media']}. "
        "Acme Retail's is deleted.)"
    ) in told
    assert "Acme Retail's records are kept: its workspace, marked uninstalled, and its " in told
    assert "hypothesis #1, for a reinstall" in told
    assert first_app_posts == []  # the second app has a Slack of its own
    assert install_scene in SCENES  # `gatebot demo` runs it


def test_page_words_reads_an_install_page_as_a_person_does():
    page = Page(
        200,
        "<html><head><title>t</title><style>body{x:1}</style></head><body><h1>Done</h1>"
        "<p>gatebot is now in <strong>Acme &amp; Co</strong>.</p><p>Try <code>/gate</code>"
        "</p></body></html>",
        [],
    )

    assert page_words(page) == "Done\ngatebot is now in Acme & Co.\nTry /gate"
