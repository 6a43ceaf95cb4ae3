import unittest

from sum import sum


class SumSamples(unittest.TestCase):
    def test_small_numbers(self):
        self.assertEqual(sum(1, 2), 3, "sum(1, 2) should be 3")

    def test_negative_numbers(self):
        self.assertEqual(sum(-5, 5), 0, "sum(-5, 5) should be 0")
