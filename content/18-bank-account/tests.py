import unittest

from bank import BankAccount


class CreateTests(unittest.TestCase):
    def test_owner_and_balance(self):
        account = BankAccount("Ada", 100)
        self.assertEqual(account.owner, "Ada", "account.owner")
        self.assertEqual(account.balance, 100, "account.balance")

    def test_default_balance_is_zero(self):
        self.assertEqual(BankAccount("Grace").balance, 0, "the balance starts at 0 by default")

    def test_negative_start_rejected(self):
        with self.assertRaises(ValueError, msg="BankAccount('Ada', -1) should raise ValueError"):
            BankAccount("Ada", -1)


class DepositTests(unittest.TestCase):
    def test_deposit_returns_new_balance(self):
        account = BankAccount("Ada", 100)
        self.assertEqual(account.deposit(50), 150, "deposit(50) on 100 returns 150")
        self.assertEqual(account.deposit(1), 151, "a second deposit adds up")
        self.assertEqual(account.balance, 151, "the balance is kept")

    def test_deposit_rejects_zero_and_negative(self):
        account = BankAccount("Ada", 100)
        for amount in [0, -1, -100]:
            with self.subTest(amount=amount):
                with self.assertRaises(ValueError, msg=f"deposit({amount}) should raise ValueError"):
                    account.deposit(amount)
                self.assertEqual(account.balance, 100, f"deposit({amount}) must change nothing")


class WithdrawTests(unittest.TestCase):
    def test_withdraw_returns_new_balance(self):
        account = BankAccount("Ada", 100)
        self.assertEqual(account.withdraw(30), 70, "withdraw(30) on 100 returns 70")
        self.assertEqual(account.balance, 70, "the balance is kept")

    def test_withdraw_everything(self):
        account = BankAccount("Ada", 100)
        self.assertEqual(account.withdraw(100), 0, "you may withdraw the whole balance")

    def test_insufficient_funds(self):
        account = BankAccount("Ada", 100)
        with self.assertRaises(ValueError, msg="withdraw(101) on 100 should raise ValueError"):
            account.withdraw(101)
        self.assertEqual(account.balance, 100, "a refused withdrawal changes nothing")

    def test_withdraw_rejects_zero_and_negative(self):
        account = BankAccount("Ada", 100)
        for amount in [0, -5]:
            with self.subTest(amount=amount):
                with self.assertRaises(ValueError, msg=f"withdraw({amount}) should raise ValueError"):
                    account.withdraw(amount)
                self.assertEqual(account.balance, 100, f"withdraw({amount}) must change nothing")


class TransferTests(unittest.TestCase):
    def test_transfer_moves_money(self):
        ada, grace = BankAccount("Ada", 100), BankAccount("Grace")
        ada.transfer(20, grace)
        self.assertEqual((ada.balance, grace.balance), (80, 20), "transfer(20) from Ada to Grace")

    def test_failed_transfer_changes_nothing(self):
        ada, grace = BankAccount("Ada", 10), BankAccount("Grace", 5)
        with self.assertRaises(ValueError, msg="transferring more than the balance raises ValueError"):
            ada.transfer(50, grace)
        self.assertEqual(
            (ada.balance, grace.balance), (10, 5), "a refused transfer changes neither account"
        )

    def test_negative_transfer_rejected(self):
        ada, grace = BankAccount("Ada", 10), BankAccount("Grace", 5)
        with self.assertRaises(ValueError, msg="a negative transfer would steal money"):
            ada.transfer(-5, grace)
        self.assertEqual((ada.balance, grace.balance), (10, 5), "nothing changes")

    def test_accounts_are_independent(self):
        ada, grace = BankAccount("Ada", 10), BankAccount("Grace", 10)
        ada.deposit(5)
        self.assertEqual(grace.balance, 10, "a deposit to one account does not change another")
