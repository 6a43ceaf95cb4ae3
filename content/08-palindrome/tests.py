import unittest

from palindrome import is_palindrome


class PalindromeTests(unittest.TestCase):
    def test_plain_palindromes(self):
        for text in ["level", "racecar", "noon", "a", "abba", "12321"]:
            with self.subTest(text=text):
                self.assertIs(is_palindrome(text), True, f"{text!r} is a palindrome")

    def test_not_palindromes(self):
        for text in ["hello", "ab", "python", "abca", "12 34", "almostomla"]:
            with self.subTest(text=text):
                self.assertIs(is_palindrome(text), False, f"{text!r} is not a palindrome")

    def test_ignores_case(self):
        for text in ["Level", "RaceCar", "Abba"]:
            with self.subTest(text=text):
                self.assertIs(is_palindrome(text), True, f"{text!r}: capitals do not matter")

    def test_ignores_spaces_and_punctuation(self):
        for text in [
            "Was it a car or a cat I saw?",
            "A man, a plan, a canal: Panama!",
            "No 'x' in Nixon",
            "step on no pets",
        ]:
            with self.subTest(text=text):
                self.assertIs(is_palindrome(text), True, f"{text!r} is a palindrome")

    def test_punctuation_does_not_make_a_palindrome(self):
        self.assertIs(is_palindrome("ab!"), False, "'ab!' is not a palindrome")
        self.assertIs(is_palindrome("!ab"), False, "'!ab' is not a palindrome")

    def test_empty_and_symbols_only(self):
        self.assertIs(is_palindrome(""), True, "the empty text counts as a palindrome")
        self.assertIs(is_palindrome("?! ,"), True, "text without letters counts as a palindrome")

    def test_does_not_just_compare_ends(self):
        self.assertIs(is_palindrome("abcdba"), False, "'abcdba' differs in the middle")
