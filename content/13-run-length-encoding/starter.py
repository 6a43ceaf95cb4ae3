def encode(text):
    # Replace every run of the same character by its length and the character.
    return None


def decode(encoded):
    # Turn "4A3B" back into "AAAABBB".
    return None
