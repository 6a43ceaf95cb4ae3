import builtins
import heapq
import unittest
from unittest import mock

from merge import merge


def forbidden(*args, **kwargs):
    raise AssertionError("merge by walking both lists; sort/sorted/heapq are not allowed here")


class Tagged:
    """A value that remembers its list; a merge never needs to compare two items of one list."""

    def __init__(self, value, side):
        self.value = value
        self.side = side

    def _other(self, other):
        if not isinstance(other, Tagged):
            return NotImplemented
        if other.side == self.side:
            raise AssertionError(
                "two items of the same list were compared: merge by comparing the front items "
                "of left and right (sorting is not allowed here)"
            )
        return other.value

    def __lt__(self, other):
        return self.value < self._other(other)

    def __le__(self, other):
        return self.value <= self._other(other)

    def __gt__(self, other):
        return self.value > self._other(other)

    def __ge__(self, other):
        return self.value >= self._other(other)

    def __eq__(self, other):
        return self.value == self._other(other)

    __hash__ = None

    def __repr__(self):
        return f"{self.value!r}"


class MergeTests(unittest.TestCase):
    def test_interleaved(self):
        self.assertEqual(
            merge([1, 4, 9], [2, 3, 10]), [1, 2, 3, 4, 9, 10], "merge([1, 4, 9], [2, 3, 10])"
        )

    def test_empty_lists(self):
        self.assertEqual(merge([], []), [], "merge([], [])")
        self.assertEqual(merge([], [5, 6]), [5, 6], "merge([], [5, 6])")
        self.assertEqual(merge([5, 6], []), [5, 6], "merge([5, 6], [])")

    def test_one_after_the_other(self):
        self.assertEqual(merge([1, 2], [3, 4]), [1, 2, 3, 4], "merge([1, 2], [3, 4])")
        self.assertEqual(merge([3, 4], [1, 2]), [1, 2, 3, 4], "merge([3, 4], [1, 2])")

    def test_duplicates_kept(self):
        self.assertEqual(merge([1, 1], [1]), [1, 1, 1], "merge([1, 1], [1])")
        self.assertEqual(merge([1, 2, 2], [2, 3]), [1, 2, 2, 2, 3], "merge([1, 2, 2], [2, 3])")

    def test_different_lengths(self):
        self.assertEqual(
            merge([5], [1, 2, 3, 6, 7]), [1, 2, 3, 5, 6, 7], "merge([5], [1, 2, 3, 6, 7])"
        )

    def test_negative_and_strings(self):
        self.assertEqual(merge([-3, 0], [-5, 2]), [-5, -3, 0, 2], "merge([-3, 0], [-5, 2])")
        self.assertEqual(
            merge(["apple", "kiwi"], ["banana"]), ["apple", "banana", "kiwi"], "sorted strings"
        )

    def test_inputs_unchanged(self):
        left, right = [1, 3], [2]
        result = merge(left, right)
        self.assertEqual((left, right), ([1, 3], [2]), "the input lists must not change")
        self.assertIsNot(result, left, "return a new list")
        self.assertIsNot(merge([], right), right, "return a new list even if one input is empty")

    def test_without_sorted(self):
        with mock.patch.object(builtins, "sorted", forbidden), mock.patch.object(
            heapq, "merge", forbidden
        ):
            self.assertEqual(merge([2, 5, 8], [1, 6]), [1, 2, 5, 6, 8], "merge([2, 5, 8], [1, 6])")

    def test_compares_only_the_fronts_of_the_two_lists(self):
        left = [Tagged(value, "left") for value in [1, 4, 4, 9, 12]]
        right = [Tagged(value, "right") for value in [0, 4, 10]]
        result = merge(left, right)
        self.assertEqual(
            [item.value for item in result], [0, 1, 4, 4, 4, 9, 10, 12], "merge of tagged items"
        )
        self.assertEqual(
            [item.side for item in result[2:5]],
            ["left", "left", "right"],
            "on a tie take the item of left first",
        )

    def test_large(self):
        left = list(range(0, 20000, 2))
        right = list(range(1, 20000, 2))
        self.assertEqual(merge(left, right), list(range(20000)), "10 000 even and 10 000 odd numbers")
