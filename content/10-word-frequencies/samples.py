import unittest

from words import word_counts


class WordCountsSamples(unittest.TestCase):
    def test_repeated_word(self):
        self.assertEqual(
            word_counts("the cat and the hat"), {"the": 2, "cat": 1, "and": 1, "hat": 1}
        )

    def test_case_and_punctuation(self):
        self.assertEqual(word_counts("Hello, hello! HELLO?"), {"hello": 3})
