import unittest

from unique import unique


class UniqueTests(unittest.TestCase):
    def test_keeps_first_appearance_order(self):
        cases = [
            ([3, 1, 3, 2, 1], [3, 1, 2]),
            ([5, 4, 3, 2, 1, 1, 2, 3], [5, 4, 3, 2, 1]),
            (["b", "a", "b", "c", "a"], ["b", "a", "c"]),
        ]
        for items, expected in cases:
            with self.subTest(items=items):
                self.assertEqual(unique(items), expected, f"unique({items!r})")

    def test_empty_list(self):
        self.assertEqual(unique([]), [], "unique([]) should be []")

    def test_no_duplicates_unchanged(self):
        self.assertEqual(unique([1, 2, 3]), [1, 2, 3], "a list without duplicates stays as it is")

    def test_all_the_same(self):
        self.assertEqual(unique([7] * 10), [7], "ten 7s become one 7")

    def test_returns_a_new_list(self):
        items = [1, 1, 2]
        result = unique(items)
        self.assertEqual(items, [1, 1, 2], "the list you were given must not change")
        self.assertIsNot(result, items, "return a new list, not the one you were given")
        unique_items = [1, 2]
        self.assertIsNot(unique(unique_items), unique_items, "return a new list even without duplicates")

    def test_strings_are_case_sensitive(self):
        self.assertEqual(unique(["a", "A", "a"]), ["a", "A"], "'a' and 'A' are different values")

    def test_long_list(self):
        items = [i % 100 for i in range(20000)]
        self.assertEqual(unique(items), list(range(100)), "unique of 0..99 repeated 200 times")
