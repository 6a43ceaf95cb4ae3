import unittest

from stack import Stack


class StackTests(unittest.TestCase):
    def test_new_stack(self):
        s = Stack()
        self.assertIs(s.is_empty(), True, "a new stack is empty")
        self.assertEqual(len(s), 0, "a new stack has length 0")

    def test_push_returns_nothing(self):
        self.assertIsNone(Stack().push("x"), "push() returns nothing")

    def test_last_in_first_out(self):
        s = Stack()
        for item in ["a", "b", "c"]:
            s.push(item)
        popped = [s.pop(), s.pop(), s.pop()]
        self.assertEqual(popped, ["c", "b", "a"], "items come off in reverse order of pushing")
        self.assertIs(s.is_empty(), True, "the stack is empty after popping everything")

    def test_peek_does_not_remove(self):
        s = Stack()
        s.push(1)
        s.push(2)
        self.assertEqual(s.peek(), 2, "peek() returns the top item")
        self.assertEqual(s.peek(), 2, "peek() twice returns the same item")
        self.assertEqual(len(s), 2, "peek() does not remove the item")

    def test_length_follows_pushes_and_pops(self):
        s = Stack()
        for n in range(1, 6):
            s.push(n)
            self.assertEqual(len(s), n, f"after {n} pushes the length is {n}")
        s.pop()
        self.assertEqual(len(s), 4, "after one pop the length is 4")
        self.assertIs(s.is_empty(), False, "a stack with items is not empty")

    def test_pop_empty_raises_index_error(self):
        with self.assertRaises(IndexError, msg="pop() on an empty stack raises IndexError") as ctx:
            Stack().pop()
        self.assertEqual(str(ctx.exception), "stack is empty", "the message is 'stack is empty'")

    def test_peek_empty_raises_index_error(self):
        with self.assertRaises(IndexError, msg="peek() on an empty stack raises IndexError") as ctx:
            Stack().peek()
        self.assertEqual(str(ctx.exception), "stack is empty", "the message is 'stack is empty'")

    def test_pop_after_emptied_raises(self):
        s = Stack()
        s.push(1)
        s.pop()
        with self.assertRaises(IndexError, msg="popping more than was pushed raises IndexError"):
            s.pop()

    def test_stacks_are_independent(self):
        first, second = Stack(), Stack()
        first.push("only in first")
        self.assertIs(second.is_empty(), True, "pushing onto one stack must not change another")
        self.assertEqual(len(first), 1, "the first stack holds its item")

    def test_any_kind_of_item(self):
        s = Stack()
        for item in [None, 0, "", [1, 2], {"k": "v"}]:
            s.push(item)
        self.assertEqual(len(s), 5, "None, 0 and empty values are items too")
        self.assertEqual(s.pop(), {"k": "v"}, "the last pushed dict comes off first")
        self.assertEqual(s.pop(), [1, 2], "then the list")
        self.assertEqual(s.pop(), "", "then the empty string")
        self.assertEqual(s.peek(), 0, "then 0 is on top")
        self.assertIs(s.is_empty(), False, "a stack holding 0 and None is not empty")
