def binary_search(items, target):
    low = 0
    high = len(items) - 1
    # Look at the middle item and keep only the half that can hold the target.
    return None
