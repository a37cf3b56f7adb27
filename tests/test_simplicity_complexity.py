"""K_LZ and the other complexity measures of packed truth tables on strings whose values are known."""
import numpy as np
import pytest

from statmech_nn.simplicity.complexity import (bit_entropy, compressed_length, critical_sample_ratio,
                                               lz_complexity, lz_complexity_bits, lz_phrases, pack_bits,
                                               sensitivity, unpack_bits)


def bits(text):
    return np.array([int(ch) for ch in text], dtype=np.uint8)


def phrases_by_definition(s):
    """LZ76 phrase count straight from the definition: a phrase is the shortest block starting at i that is not a
    substring of everything before its last symbol (the last phrase may end the string while still copyable)."""
    text, i, count = "".join(map(str, s)), 0, 0
    while i < len(text):
        length = 1
        while i + length <= len(text) - 1 and text[i:i + length] in text[:i + length - 1]:
            length += 1
        count += 1
        i += length
    return count


def test_kaspar_schuster_count_of_the_reference_string():
    assert lz_phrases(bits("1001111011000010")) == 6


@pytest.mark.parametrize("text, k", [("0" * 128, 7.0), ("01" * 64, 21.0), ("0" * 127 + "1", 17.5),
                                     ("1" * 128, 7.0)])
def test_known_lz_complexities(text, k):
    assert lz_complexity_bits(bits(text)) == k
    assert lz_complexity(pack_bits(bits(text))[None, :], 7)[0] == k


def test_phrase_count_agrees_with_the_definition_on_random_strings():
    rng = np.random.default_rng(1)
    for length in (1, 2, 3, 7, 16, 33, 128):
        for _ in range(40):
            s = rng.integers(0, 2, length).astype(np.uint8)
            if rng.random() < 0.5:  # low-entropy strings too
                s = (rng.random(length) < 0.1).astype(np.uint8)
            assert lz_phrases(s) == phrases_by_definition(s), s


def test_a_broken_phrase_count_is_caught():
    """Negative control: counting a phrase per run of equal symbols differs from the definition somewhere."""
    rng = np.random.default_rng(2)
    strings = [rng.integers(0, 2, 32) for _ in range(20)]
    runs = [1 + int(np.count_nonzero(np.diff(s))) for s in strings]
    assert any(r != phrases_by_definition(s) for r, s in zip(runs, strings))


def test_pack_unpack_round_trip_and_bit_order():
    rng = np.random.default_rng(3)
    s = rng.integers(0, 2, 256).astype(np.uint8)
    words = pack_bits(s)
    assert words.shape == (4,) and np.array_equal(unpack_bits(words, 256), s)
    assert pack_bits(bits("1" + "0" * 127))[0] == 1  # input 0 is bit 0 of word 0


def truth_table(n, rule):
    return pack_bits([rule([(a >> (n - 1 - j)) & 1 for j in range(n)]) for a in range(1 << n)])


def test_sensitivity_and_critical_samples_of_closed_form_functions():
    n = 5
    parity, dictator = truth_table(n, lambda x: sum(x) % 2), truth_table(n, lambda x: x[0])
    majority, constant = truth_table(n, lambda x: int(sum(x) > n // 2)), truth_table(n, lambda x: 0)
    table = np.stack([parity, dictator, majority, constant])
    # majority of 5: an input is sensitive to each of its majority bits iff the vote is 3–2 (2·C(5,2)·3/32 = 15/8)
    assert np.allclose(sensitivity(table, n), [n, 1, 15 / 8, 0])
    assert np.allclose(critical_sample_ratio(table, n), [1, 1, 20 / 32, 0])


def test_entropy_and_compression():
    n = 7
    half = truth_table(n, lambda x: x[0])
    quarter = truth_table(n, lambda x: x[0] & x[1])
    assert np.allclose(bit_entropy(np.stack([half, quarter, truth_table(n, lambda x: 1)]), n),
                       [1.0, -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75)), 0.0])
    random = pack_bits(np.random.default_rng(4).integers(0, 2, 1 << 10))
    assert compressed_length(np.zeros(16, np.uint64))[0] < compressed_length(random)[0]
