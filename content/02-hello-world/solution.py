def hello_world():
    return "Hello world!"
