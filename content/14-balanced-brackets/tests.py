import unittest

from brackets import is_balanced


class BalancedTests(unittest.TestCase):
    def test_balanced(self):
        for text in ["()", "[]", "{}", "()[]{}", "([{}])", "{[()()]}", "(a[b]{c})", "f(x) = [y]"]:
            with self.subTest(text=text):
                self.assertIs(is_balanced(text), True, f"{text!r} is balanced")

    def test_empty_and_no_brackets(self):
        self.assertIs(is_balanced(""), True, "the empty text is balanced")
        self.assertIs(is_balanced("hello world"), True, "text without brackets is balanced")

    def test_left_open(self):
        for text in ["(", "((", "([]", "{[()]"]:
            with self.subTest(text=text):
                self.assertIs(is_balanced(text), False, f"{text!r} leaves a bracket open")

    def test_closed_without_opening(self):
        for text in [")", "())", "]", "a}b", ")("]:
            with self.subTest(text=text):
                self.assertIs(is_balanced(text), False, f"{text!r} closes a bracket never opened")

    def test_wrong_kind(self):
        for text in ["(]", "[}", "{)"]:
            with self.subTest(text=text):
                self.assertIs(is_balanced(text), False, f"{text!r} closes with the wrong kind")

    def test_crossed(self):
        for text in ["([)]", "{(})", "[(])"]:
            with self.subTest(text=text):
                self.assertIs(
                    is_balanced(text), False, f"{text!r} has the right counts but wrong order"
                )

    def test_deep(self):
        self.assertIs(is_balanced("(" * 5000 + ")" * 5000), True, "5000 nested pairs")
        self.assertIs(is_balanced("[" * 5000 + ")" * 5000), False, "5000 mismatched pairs")
