import unittest

from search import binary_search


class BinarySearchSamples(unittest.TestCase):
    def test_found(self):
        self.assertEqual(binary_search([1, 3, 5, 7, 9], 7), 3)

    def test_missing(self):
        self.assertEqual(binary_search([1, 3, 5, 7, 9], 4), -1)
