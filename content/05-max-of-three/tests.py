import builtins
import itertools
import unittest
from unittest import mock

from largest import largest


class LargestTests(unittest.TestCase):
    def test_every_position(self):
        for a, b, c in itertools.permutations([1, 5, 9]):
            with self.subTest(a=a, b=b, c=c):
                self.assertEqual(largest(a, b, c), 9, f"largest({a}, {b}, {c}) should be 9")

    def test_negative_numbers(self):
        for a, b, c in itertools.permutations([-3, -1, -7]):
            with self.subTest(a=a, b=b, c=c):
                self.assertEqual(largest(a, b, c), -1, f"largest({a}, {b}, {c}) should be -1")

    def test_ties(self):
        cases = [((4, 4, 1), 4), ((1, 4, 4), 4), ((4, 1, 4), 4), ((2, 2, 2), 2), ((0, 0, -1), 0)]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(largest(*args), expected, f"largest{args} should be {expected}")

    def test_floats(self):
        self.assertEqual(largest(0.5, 0.25, 0.75), 0.75, "largest(0.5, 0.25, 0.75)")

    def test_does_not_use_max_or_sorted(self):
        def forbidden(*args, **kwargs):
            raise AssertionError("solve this one with if-statements, not max() or sorted()")

        with mock.patch.object(builtins, "max", forbidden), mock.patch.object(
            builtins, "sorted", forbidden
        ):
            self.assertEqual(largest(3, 9, 1), 9, "largest(3, 9, 1) should be 9")
