import unittest

from fizzbuzz import fizzbuzz


def expected(n):
    out = []
    for i in range(1, n + 1):
        out.append("Fizz" * (i % 3 == 0) + "Buzz" * (i % 5 == 0) or str(i))
    return out


class FizzBuzzTests(unittest.TestCase):
    def test_returns_a_list(self):
        result = fizzbuzz(3)
        self.assertIsInstance(result, list, f"fizzbuzz(3) should return a list, got {result!r}")

    def test_zero_gives_empty_list(self):
        self.assertEqual(fizzbuzz(0), [], "fizzbuzz(0) should be an empty list")

    def test_one(self):
        self.assertEqual(fizzbuzz(1), ["1"], "fizzbuzz(1) should be ['1']")

    def test_first_fifteen(self):
        self.assertEqual(
            fizzbuzz(15),
            ["1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz",
             "11", "Fizz", "13", "14", "FizzBuzz"],
            "fizzbuzz(15)",
        )

    def test_length_is_n(self):
        for n in [2, 10, 31, 100]:
            with self.subTest(n=n):
                self.assertEqual(len(fizzbuzz(n)), n, f"fizzbuzz({n}) should have {n} items")

    def test_numbers_are_strings(self):
        for item in fizzbuzz(8):
            self.assertIsInstance(item, str, f"every item should be a string, found {item!r}")

    def test_hundred(self):
        self.assertEqual(fizzbuzz(100), expected(100), "fizzbuzz(100) has a wrong item")

    def test_multiples_of_both(self):
        result = fizzbuzz(90)
        for i in [15, 30, 45, 60, 75, 90]:
            with self.subTest(number=i):
                self.assertEqual(result[i - 1], "FizzBuzz", f"{i} is divisible by 3 and 5")
