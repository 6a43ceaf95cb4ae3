import unittest

from hello import hello


class HelloTests(unittest.TestCase):
    def test_returns_a_string(self):
        result = hello()
        self.assertIsInstance(
            result, str, f"hello() should return a string, but it returned {result!r}"
        )

    def test_returns_exactly_hello(self):
        self.assertEqual(
            hello(), "Hello", "hello() should return exactly 'Hello' (capital H, nothing else)"
        )

    def test_same_answer_every_time(self):
        self.assertEqual(
            [hello(), hello(), hello()], ["Hello"] * 3, "hello() should return 'Hello' on every call"
        )
