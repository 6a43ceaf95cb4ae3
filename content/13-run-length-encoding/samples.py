import unittest

from rle import decode, encode


class RunLengthSamples(unittest.TestCase):
    def test_encode(self):
        self.assertEqual(encode("AAAABBBCCD"), "4A3B2C1D")

    def test_decode(self):
        self.assertEqual(decode("4A3B2C1D"), "AAAABBBCCD")
