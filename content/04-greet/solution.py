def greet(name, greeting="Hello"):
    name = name.strip()
    if not name:
        name = "everyone"
    return f"{greeting}, {name}!"
