def fizzbuzz(n):
    result = []
    # Fill the list with one string for each number from 1 to n.
    return None
