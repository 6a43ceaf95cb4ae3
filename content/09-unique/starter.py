def unique(items):
    # Return a new list with each value only once, in order of first appearance.
    return None
