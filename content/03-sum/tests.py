import unittest

from sum import sum


class SumTests(unittest.TestCase):
    def test_positive_numbers(self):
        for a, b, expected in [(1, 2, 3), (2, 2, 4), (10, 32, 42), (1, 0, 1)]:
            with self.subTest(a=a, b=b):
                self.assertEqual(sum(a, b), expected, f"sum({a}, {b}) should be {expected}")

    def test_zero(self):
        self.assertEqual(sum(0, 0), 0, "sum(0, 0) should be 0")

    def test_negative_numbers(self):
        for a, b, expected in [(-1, -2, -3), (-5, 5, 0), (7, -10, -3)]:
            with self.subTest(a=a, b=b):
                self.assertEqual(sum(a, b), expected, f"sum({a}, {b}) should be {expected}")

    def test_order_does_not_matter(self):
        self.assertEqual(sum(3, 8), sum(8, 3), "sum(3, 8) and sum(8, 3) should be equal")

    def test_floats(self):
        self.assertAlmostEqual(sum(0.5, 0.25), 0.75, msg="sum(0.5, 0.25) should be 0.75")
        self.assertAlmostEqual(sum(1.5, -2.5), -1.0, msg="sum(1.5, -2.5) should be -1.0")

    def test_large_numbers(self):
        self.assertEqual(
            sum(10**20, 10**20), 2 * 10**20, "sum should work for very large whole numbers too"
        )
