import unittest

from fizzbuzz import fizzbuzz


class FizzBuzzSamples(unittest.TestCase):
    def test_first_five(self):
        self.assertEqual(fizzbuzz(5), ["1", "2", "Fizz", "4", "Buzz"])

    def test_fifteen_ends_with_fizzbuzz(self):
        self.assertEqual(fizzbuzz(15)[-1], "FizzBuzz")
