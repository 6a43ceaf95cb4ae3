def factorial(n):
    # Base case first, then call factorial on a smaller number.
    return None
