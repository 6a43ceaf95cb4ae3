import copy
import unittest

from flatten import flatten


class FlattenTests(unittest.TestCase):
    def test_already_flat(self):
        self.assertEqual(flatten([1, 2, 3]), [1, 2, 3], "a flat list stays the same")

    def test_empty(self):
        self.assertEqual(flatten([]), [], "flatten([]) should be []")

    def test_one_level(self):
        self.assertEqual(flatten([1, [2, 3], 4]), [1, 2, 3, 4], "flatten([1, [2, 3], 4])")

    def test_deep_nesting(self):
        self.assertEqual(
            flatten([1, [2, [3, [4, [5, [6]]]]], 7]),
            [1, 2, 3, 4, 5, 6, 7],
            "lists nested six deep",
        )

    def test_empty_inner_lists_disappear(self):
        self.assertEqual(flatten([[], [[]], 6, [[], []]]), [6], "empty lists add nothing")

    def test_order_is_kept(self):
        self.assertEqual(
            flatten([[3, [2]], 1, [[0], -1]]), [3, 2, 1, 0, -1], "values keep left-to-right order"
        )

    def test_strings_and_tuples_stay_whole(self):
        self.assertEqual(
            flatten(["ab", ["cd", ("e", "f")], None]),
            ["ab", "cd", ("e", "f"), None],
            "only lists are opened up",
        )

    def test_given_list_unchanged(self):
        items = [1, [2, [3]], [4]]
        before = copy.deepcopy(items)
        flatten(items)
        self.assertEqual(items, before, "the list you were given must not change")

    def test_returns_new_list(self):
        items = [1, 2]
        self.assertIsNot(flatten(items), items, "return a new list")

    def test_many_items(self):
        items = [[i, [i + 1000]] for i in range(500)]
        expected = [x for i in range(500) for x in (i, i + 1000)]
        self.assertEqual(flatten(items), expected, "500 small nested lists")
