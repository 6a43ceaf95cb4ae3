import unittest

from vowels import count_vowels


class CountVowelsSamples(unittest.TestCase):
    def test_hello(self):
        self.assertEqual(count_vowels("hello"), 2)

    def test_no_vowels(self):
        self.assertEqual(count_vowels("rhythm"), 0)
