def flatten(items):
    result = []
    # Add every value; open up lists within lists by calling flatten again.
    return None
