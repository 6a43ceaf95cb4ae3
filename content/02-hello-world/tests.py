import unittest

from hello_world import hello_world


class HelloWorldTests(unittest.TestCase):
    def test_returns_a_string(self):
        result = hello_world()
        self.assertIsInstance(
            result, str, f"hello_world() should return a string, but it returned {result!r}"
        )

    def test_exact_text(self):
        self.assertEqual(
            hello_world(),
            "Hello world!",
            "hello_world() should return exactly 'Hello world!' "
            "(capital H, small w, one space, exclamation mark)",
        )

    def test_no_surrounding_whitespace(self):
        result = hello_world()
        self.assertEqual(
            result, str(result).strip(), "there should be no spaces or newlines around the text"
        )
