OPERATIONS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def evaluate(line):
    parts = line.split()
    if len(parts) != 3 or parts[1] not in OPERATIONS:
        return "error: bad input"
    try:
        a, b = int(parts[0]), int(parts[2])
    except ValueError:
        return "error: bad input"
    if parts[1] == "/" and b == 0:
        return "error: division by zero"
    return OPERATIONS[parts[1]](a, b)


while True:
    try:
        line = input()
    except EOFError:
        break
    if line.strip():
        print(evaluate(line))
