def is_balanced(text):
    # Return True when every bracket is closed by the right kind, in order.
    return None
