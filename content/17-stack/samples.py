import unittest

from stack import Stack


class StackSamples(unittest.TestCase):
    def test_new_stack_is_empty(self):
        self.assertIs(Stack().is_empty(), True)

    def test_push_then_pop(self):
        s = Stack()
        s.push(1)
        s.push(2)
        self.assertEqual(s.pop(), 2)
        self.assertEqual(len(s), 1)
