import unittest

from factorial import factorial


class FactorialSamples(unittest.TestCase):
    def test_zero(self):
        self.assertEqual(factorial(0), 1)

    def test_five(self):
        self.assertEqual(factorial(5), 120)

    def test_negative(self):
        with self.assertRaises(ValueError):
            factorial(-1)
