while True:
    try:
        line = input()
    except EOFError:
        break
    # Work out the result of line and print it.
