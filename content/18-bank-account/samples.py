import unittest

from bank import BankAccount


class BankAccountSamples(unittest.TestCase):
    def test_deposit_and_withdraw(self):
        account = BankAccount("Ada", 100)
        self.assertEqual(account.deposit(50), 150)
        self.assertEqual(account.withdraw(30), 120)

    def test_insufficient_funds(self):
        account = BankAccount("Ada", 10)
        with self.assertRaises(ValueError):
            account.withdraw(500)
        self.assertEqual(account.balance, 10)
