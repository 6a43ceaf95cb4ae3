def greet(name, greeting="Hello"):
    # Build and return the greeting text.
    return None
