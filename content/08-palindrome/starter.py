def is_palindrome(text):
    # Return True when text reads the same backwards, ignoring case,
    # spaces and punctuation.
    return None
