def largest(a, b, c):
    # Return the largest of a, b and c without using max() or sorted().
    pass
