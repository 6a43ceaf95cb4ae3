import unittest

from largest import largest


class LargestSamples(unittest.TestCase):
    def test_largest_last(self):
        self.assertEqual(largest(1, 2, 3), 3)

    def test_largest_first(self):
        self.assertEqual(largest(7, -2, 5), 7)
