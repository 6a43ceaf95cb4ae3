import sys

text = sys.stdin.read()
lines = text.count("\n")
if text and not text.endswith("\n"):
    lines += 1
print(f"lines: {lines}")
print(f"words: {len(text.split())}")
print(f"characters: {len(text)}")
