import unittest

from rle import decode, encode


class EncodeTests(unittest.TestCase):
    def test_examples(self):
        cases = [
            ("AAAABBBCCD", "4A3B2C1D"),
            ("abc", "1a1b1c"),
            ("a", "1a"),
            ("zzz", "3z"),
            ("aabba", "2a2b1a"),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(encode(text), expected, f"encode({text!r})")

    def test_empty(self):
        self.assertEqual(encode(""), "", "encode('') should be ''")

    def test_long_runs(self):
        self.assertEqual(encode("A" * 12), "12A", "a run of 12 is written as 12A")
        self.assertEqual(encode("x" * 100 + "y"), "100x1y", "a run of 100 then one y")

    def test_spaces_and_symbols(self):
        self.assertEqual(encode("  !!"), "2 2!", "spaces and punctuation are characters too")

    def test_case_sensitive(self):
        self.assertEqual(encode("aAaa"), "1a1A2a", "'a' and 'A' are different characters")


class DecodeTests(unittest.TestCase):
    def test_examples(self):
        cases = [
            ("4A3B2C1D", "AAAABBBCCD"),
            ("1a1b1c", "abc"),
            ("3z", "zzz"),
            ("2 2!", "  !!"),
        ]
        for encoded, expected in cases:
            with self.subTest(encoded=encoded):
                self.assertEqual(decode(encoded), expected, f"decode({encoded!r})")

    def test_empty(self):
        self.assertEqual(decode(""), "", "decode('') should be ''")

    def test_counts_with_several_digits(self):
        self.assertEqual(decode("12x"), "x" * 12, "decode('12x') is twelve x")
        self.assertEqual(decode("100a2b"), "a" * 100 + "bb", "decode('100a2b')")


class RoundTripTests(unittest.TestCase):
    def test_decode_undoes_encode(self):
        for text in ["", "a", "hello world", "aaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbc", "WWWWBWWWWWWW", "ääöö"]:
            with self.subTest(text=text):
                self.assertEqual(decode(encode(text)), text, f"decode(encode({text!r}))")
