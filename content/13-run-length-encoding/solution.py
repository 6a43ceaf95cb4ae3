def encode(text):
    pieces = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        pieces.append(f"{j - i}{text[i]}")
        i = j
    return "".join(pieces)


def decode(encoded):
    pieces = []
    digits = ""
    for char in encoded:
        if char.isdigit():
            digits += char
        else:
            pieces.append(char * int(digits))
            digits = ""
    return "".join(pieces)
