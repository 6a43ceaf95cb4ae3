import unittest

from hello_world import hello_world


class HelloWorldSamples(unittest.TestCase):
    def test_returns_hello_world(self):
        self.assertEqual(hello_world(), "Hello world!", "hello_world() should return 'Hello world!'")
