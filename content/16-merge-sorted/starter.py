def merge(left, right):
    result = []
    i = 0
    j = 0
    # Take the smaller front item of left and right until one runs out.
    return None
