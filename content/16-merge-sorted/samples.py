import unittest

from merge import merge


class MergeSamples(unittest.TestCase):
    def test_interleaved(self):
        self.assertEqual(merge([1, 4, 9], [2, 3, 10]), [1, 2, 3, 4, 9, 10])

    def test_one_empty(self):
        self.assertEqual(merge([], [5, 6]), [5, 6])
