import unittest

from palindrome import is_palindrome


class PalindromeSamples(unittest.TestCase):
    def test_racecar(self):
        self.assertIs(is_palindrome("racecar"), True)

    def test_hello(self):
        self.assertIs(is_palindrome("hello"), False)

    def test_sentence(self):
        self.assertIs(is_palindrome("Was it a car or a cat I saw?"), True)
