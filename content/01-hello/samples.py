import unittest

from hello import hello


class HelloSamples(unittest.TestCase):
    def test_returns_hello(self):
        self.assertEqual(hello(), "Hello", "hello() should return the text 'Hello'")
