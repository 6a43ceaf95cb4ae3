import unittest

from greeting import greet


class GreetSamples(unittest.TestCase):
    def test_default_greeting(self):
        self.assertEqual(greet("Ada"), "Hello, Ada!")

    def test_own_greeting(self):
        self.assertEqual(greet("Linus", "Hi"), "Hi, Linus!")

    def test_empty_name(self):
        self.assertEqual(greet(""), "Hello, everyone!")
