import unittest

from words import word_counts


class WordCountsTests(unittest.TestCase):
    def test_returns_a_dict(self):
        result = word_counts("a b")
        self.assertIsInstance(result, dict, f"word_counts should return a dict, got {result!r}")

    def test_empty_text(self):
        self.assertEqual(word_counts(""), {}, "no words in an empty text")
        self.assertEqual(word_counts("   \n\t "), {}, "no words in whitespace only")

    def test_counts_words(self):
        self.assertEqual(
            word_counts("the cat and the hat"),
            {"the": 2, "cat": 1, "and": 1, "hat": 1},
            "word_counts('the cat and the hat')",
        )

    def test_small_letters(self):
        self.assertEqual(
            word_counts("Python python PYTHON PyThOn"), {"python": 4}, "capitals do not matter"
        )

    def test_punctuation_removed(self):
        self.assertEqual(
            word_counts('Hello, world! "Hello" (world).'),
            {"hello": 2, "world": 2},
            "punctuation around words is removed",
        )

    def test_inner_apostrophe_and_hyphen_stay(self):
        self.assertEqual(
            word_counts("Don't stop; a well-known don't."),
            {"don't": 2, "stop": 1, "a": 1, "well-known": 1},
            "apostrophes and hyphens inside words stay",
        )

    def test_any_whitespace_separates(self):
        self.assertEqual(
            word_counts("one\ttwo\nthree  one"),
            {"one": 2, "two": 1, "three": 1},
            "tabs, newlines and repeated spaces separate words",
        )

    def test_punctuation_only_tokens_skipped(self):
        self.assertEqual(
            word_counts("wait - what ... ?"), {"wait": 1, "what": 1}, "'-' and '...' are not words"
        )

    def test_numbers_are_words(self):
        self.assertEqual(word_counts("1 2 2, 3!"), {"1": 1, "2": 2, "3": 1}, "numbers count as words")
