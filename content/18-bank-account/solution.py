class BankAccount:
    def __init__(self, owner, balance=0):
        if balance < 0:
            raise ValueError("the starting balance cannot be negative")
        self.owner = owner
        self.balance = balance

    def deposit(self, amount):
        self._check_amount(amount)
        self.balance += amount
        return self.balance

    def withdraw(self, amount):
        self._check_amount(amount)
        if amount > self.balance:
            raise ValueError("insufficient funds")
        self.balance -= amount
        return self.balance

    def transfer(self, amount, other):
        self.withdraw(amount)
        other.deposit(amount)

    @staticmethod
    def _check_amount(amount):
        if amount <= 0:
            raise ValueError("the amount must be positive")
