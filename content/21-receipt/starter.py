import sys

total = 0
for line in sys.stdin:
    # Print one line for the item on this line and add its price to total.
    pass
print("-" * 28)
