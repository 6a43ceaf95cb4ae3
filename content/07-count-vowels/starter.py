def count_vowels(text):
    count = 0
    # Look at every character and count the vowels.
    return None
