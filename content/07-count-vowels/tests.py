import unittest

from vowels import count_vowels


class CountVowelsTests(unittest.TestCase):
    def test_simple_words(self):
        for text, expected in [("hello", 2), ("python", 1), ("banana", 3), ("queue", 4)]:
            with self.subTest(text=text):
                self.assertEqual(count_vowels(text), expected, f"count_vowels({text!r})")

    def test_empty_text(self):
        self.assertEqual(count_vowels(""), 0, "an empty text has no vowels")

    def test_no_vowels(self):
        for text in ["rhythm", "xyz", "12345", "!?", "   "]:
            with self.subTest(text=text):
                self.assertEqual(count_vowels(text), 0, f"{text!r} has no vowels")

    def test_capital_letters_count(self):
        self.assertEqual(count_vowels("AEIOU"), 5, "capital vowels count too")
        self.assertEqual(count_vowels("AEIOU aeiou"), 10, "count_vowels('AEIOU aeiou')")
        self.assertEqual(count_vowels("Ada Lovelace"), 6, "count_vowels('Ada Lovelace')")

    def test_y_is_not_a_vowel(self):
        self.assertEqual(count_vowels("yY"), 0, "y is not counted as a vowel here")

    def test_sentence(self):
        text = "The quick brown fox jumps over the lazy dog."
        self.assertEqual(count_vowels(text), 11, f"count_vowels({text!r})")

    def test_returns_a_number(self):
        result = count_vowels("a")
        self.assertIsInstance(result, int, f"count_vowels should return an int, got {result!r}")
