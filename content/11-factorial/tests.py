import sys
import unittest

import factorial as module
from factorial import factorial


class FactorialTests(unittest.TestCase):
    def test_small_values(self):
        for n, expected in [(0, 1), (1, 1), (2, 2), (3, 6), (4, 24), (5, 120), (10, 3628800)]:
            with self.subTest(n=n):
                self.assertEqual(factorial(n), expected, f"factorial({n}) should be {expected}")

    def test_large_value(self):
        self.assertEqual(
            factorial(25), 15511210043330985984000000, "factorial(25) should be exact"
        )

    def test_negative_raises_value_error(self):
        for n in [-1, -5]:
            with self.subTest(n=n):
                with self.assertRaises(ValueError, msg=f"factorial({n}) should raise ValueError"):
                    factorial(n)

    def test_is_recursive(self):
        calls = []
        original = module.factorial

        def counting(n):
            calls.append(n)
            return original(n)

        module.factorial = counting
        try:
            result = original(6)
        finally:
            module.factorial = original
        self.assertEqual(result, 720, "factorial(6) should be 720")
        self.assertEqual(
            calls, [5, 4, 3, 2, 1, 0], "factorial(6) should call factorial(5), factorial(4), …"
        )

    def test_returns_an_int(self):
        result = factorial(4)
        self.assertIsInstance(result, int, f"factorial(4) should be the int 24, got {result!r}")
