import unittest

from search import binary_search


class CountingSequence:
    """A sorted sequence that only allows len() and indexing, and counts the lookups."""

    def __init__(self, values):
        self._values = list(values)
        self.lookups = 0

    def __len__(self):
        return len(self._values)

    def __getitem__(self, index):
        if not isinstance(index, int):
            raise TypeError("use only items[i] with a whole number i (no slicing)")
        self.lookups += 1
        if self.lookups > 200:
            raise AssertionError("more than 200 lookups: this is not a binary search")
        return self._values[index]

    def __iter__(self):
        raise AssertionError("do not loop over every item: halve the range instead")

    def __contains__(self, value):
        raise AssertionError("do not use 'in': halve the range instead")


class BinarySearchTests(unittest.TestCase):
    def test_finds_every_item(self):
        items = [1, 3, 5, 7, 9, 11, 13]
        for index, value in enumerate(items):
            with self.subTest(target=value):
                self.assertEqual(
                    binary_search(items, value), index, f"binary_search({items}, {value})"
                )

    def test_missing_items(self):
        items = [1, 3, 5, 7, 9]
        for target in [0, 2, 4, 6, 8, 10, -100, 100]:
            with self.subTest(target=target):
                self.assertEqual(
                    binary_search(items, target), -1, f"{target} is not in {items}: expected -1"
                )

    def test_empty(self):
        self.assertEqual(binary_search([], 1), -1, "nothing is found in an empty list")

    def test_single_item(self):
        self.assertEqual(binary_search([4], 4), 0, "binary_search([4], 4)")
        self.assertEqual(binary_search([4], 3), -1, "binary_search([4], 3)")
        self.assertEqual(binary_search([4], 5), -1, "binary_search([4], 5)")

    def test_two_items(self):
        self.assertEqual(binary_search([2, 8], 2), 0, "binary_search([2, 8], 2)")
        self.assertEqual(binary_search([2, 8], 8), 1, "binary_search([2, 8], 8)")
        self.assertEqual(binary_search([2, 8], 5), -1, "binary_search([2, 8], 5)")

    def test_duplicates(self):
        items = [1, 2, 2, 2, 3]
        self.assertIn(binary_search(items, 2), [1, 2, 3], "any index of a repeated value is fine")

    def test_strings(self):
        words = ["apple", "banana", "cherry", "date"]
        self.assertEqual(binary_search(words, "cherry"), 2, "works for sorted strings too")

    def test_million_items_few_lookups(self):
        items = CountingSequence(range(0, 2_000_000, 2))
        for target, expected in [(0, 0), (1_999_998, 999_999), (777_776, 388_888), (777_777, -1)]:
            with self.subTest(target=target):
                items.lookups = 0
                self.assertEqual(binary_search(items, target), expected, f"target {target}")
                self.assertLessEqual(
                    items.lookups, 45, f"looked at {items.lookups} items; binary search needs ~20"
                )
