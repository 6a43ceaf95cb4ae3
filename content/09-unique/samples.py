import unittest

from unique import unique


class UniqueSamples(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(unique([3, 1, 3, 2, 1]), [3, 1, 2])

    def test_empty(self):
        self.assertEqual(unique([]), [])
