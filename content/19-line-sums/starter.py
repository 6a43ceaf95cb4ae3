import sys

for line in sys.stdin:
    # Print the sum of the numbers on this line.
    pass
