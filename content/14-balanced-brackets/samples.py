import unittest

from brackets import is_balanced


class BalancedSamples(unittest.TestCase):
    def test_nested(self):
        self.assertIs(is_balanced("(a[b]{c})"), True)

    def test_crossed(self):
        self.assertIs(is_balanced("([)]"), False)

    def test_left_open(self):
        self.assertIs(is_balanced("(("), False)
