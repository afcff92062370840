"""Sealing: newest key seals, any configured key opens, plain values read as they are."""

import pytest

from bot.core.sealing import Sealer, SealError, is_sealed, new_key, parse_keys

TOKEN = "xoxb-1234-5678-abcdefghijklmnopqrstuvwx"


def test_a_sealed_token_hides_it_and_opens_to_it():
    sealer = Sealer([new_key()])

    sealed = sealer.seal(TOKEN)

    assert sealed is not None and is_sealed(sealed) and "xoxb" not in sealed
    assert sealer.open(sealed) == TOKEN
    assert sealer.seal(TOKEN) != sealed  # a fresh IV each time: equal tokens do not show


def test_an_older_key_still_opens_and_reseal_moves_to_the_newest():
    old, new = new_key(), new_key()
    sealed_with_old = Sealer([old]).seal(TOKEN)

    both = Sealer([new, old])
    resealed = both.reseal(sealed_with_old)

    assert both.open(sealed_with_old) == TOKEN
    assert Sealer([new]).open(resealed) == TOKEN
    with pytest.raises(SealError, match="not in GATEBOT_SEAL_KEYS"):
        Sealer([new]).open(sealed_with_old)


def test_a_plain_value_is_read_as_it_is_and_sealed_by_reseal():
    sealer = Sealer([new_key()])

    assert sealer.open(TOKEN) == TOKEN
    assert sealer.open(None) is None and sealer.reseal(None) is None
    assert sealer.open(sealer.reseal(TOKEN)) == TOKEN


def test_keys_are_read_newest_first_and_a_bad_one_is_named_by_position():
    first, second = new_key(), new_key()

    assert parse_keys(f" {first} ,{second},") == [first, second]
    with pytest.raises(SealError, match="key 2 is not a Fernet key"):
        parse_keys(f"{first},{first[:-4]}")
