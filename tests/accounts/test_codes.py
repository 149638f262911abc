"""Registration codes: alphabet, entropy, grouping, normalisation, hashing."""

import math
import re

from wagtail_tenantportal.accounts import codes

LOOK_ALIKES = "0O1IL"


def test_codes_are_twelve_characters_of_the_alphabet():
    for _ in range(200):
        code = codes.generate()
        assert len(code) == 12
        assert set(code) <= set(codes.ALPHABET)


def test_alphabet_has_no_look_alike_characters_and_enough_entropy():
    assert not set(LOOK_ALIKES) & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)
    assert codes.ENTROPY_BITS == 12 * math.log2(len(codes.ALPHABET))
    assert codes.ENTROPY_BITS >= 58


def test_codes_do_not_repeat():
    assert len({codes.generate() for _ in range(2000)}) == 2000


def test_codes_are_printed_in_groups_of_four():
    code = codes.generate()
    printed = codes.format_code(code)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", printed)
    assert printed.replace("-", "") == code


def test_what_tenants_type_is_normalised():
    code = "7KQ4M9TX2HRP"
    for typed in [
        "7kq4-m9tx-2hrp",
        " 7KQ4 M9TX 2HRP ",
        "7KQ4–M9TX—2HRP",
        "７ＫＱ４-Ｍ９ＴＸ-２ＨＲＰ",
        "7kq4.m9tx_2hrp",
    ]:
        assert codes.normalise(typed) == code
        assert codes.is_well_formed(codes.normalise(typed))


def test_malformed_input_is_recognised_and_nothing_is_mapped():
    assert not codes.is_well_formed(codes.normalise("7KQ4-M9TX-2HR"))  # too short
    assert not codes.is_well_formed(codes.normalise("7KQ4-M9TX-2HRPX"))  # too long
    # O, 0, I, 1, L are not in the alphabet and are not silently turned into other characters
    assert codes.normalise("7KQ4-M9TX-2HRO") == "7KQ4M9TX2HRO"
    assert not codes.is_well_formed("7KQ4M9TX2HRO")
    assert not codes.is_well_formed(codes.normalise(None))


def test_hash_is_keyed_and_deterministic(settings):
    code = codes.generate()
    digest = codes.hash_code(code)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert code not in digest
    assert codes.hash_code(codes.format_code(code).lower()) == digest
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert codes.hash_code(code) != digest


def test_codes_survive_a_key_rotation_while_the_old_key_is_a_fallback(settings):
    code = codes.generate()
    old = codes.hash_code(code)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-after-rotation"
    assert old in codes.candidate_hashes(code)
    assert codes.candidate_hashes(code)[0] == codes.hash_code(code)


def test_hint_is_the_last_two_characters():
    assert codes.hint("7KQ4-M9TX-2HRP") == "RP"
