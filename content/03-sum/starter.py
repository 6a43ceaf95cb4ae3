def sum(a, b):
    # Return the sum of a and b.
    return None
