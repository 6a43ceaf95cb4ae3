def hello_world():
    # Return the text Hello world! from this function.
    return None
