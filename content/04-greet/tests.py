import unittest

from greeting import greet


class GreetTests(unittest.TestCase):
    def test_default_greeting(self):
        for name in ["Ada", "Grace", "Guido", "Ö"]:
            with self.subTest(name=name):
                self.assertEqual(greet(name), f"Hello, {name}!", f"greet({name!r})")

    def test_greeting_as_second_argument(self):
        self.assertEqual(greet("Linus", "Hi"), "Hi, Linus!", "greet('Linus', 'Hi')")
        self.assertEqual(greet("Bob", "Hey there"), "Hey there, Bob!", "greet('Bob', 'Hey there')")

    def test_greeting_as_keyword_argument(self):
        self.assertEqual(
            greet("world", greeting="Good morning"),
            "Good morning, world!",
            "greet('world', greeting='Good morning')",
        )

    def test_empty_name_greets_everyone(self):
        self.assertEqual(greet(""), "Hello, everyone!", "greet('') should greet everyone")
        self.assertEqual(
            greet("", "Hi"), "Hi, everyone!", "greet('', 'Hi') should greet everyone with Hi"
        )

    def test_blank_name_greets_everyone(self):
        self.assertEqual(greet("   "), "Hello, everyone!", "a name of only spaces counts as empty")

    def test_name_is_stripped(self):
        self.assertEqual(greet("  Ada "), "Hello, Ada!", "spaces around the name are removed")

    def test_spaces_inside_the_name_stay(self):
        self.assertEqual(
            greet("Ada Lovelace"), "Hello, Ada Lovelace!", "spaces inside the name are kept"
        )
