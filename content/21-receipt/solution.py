import sys

total = 0
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    name, cents = line.split(",")
    total += int(cents)
    print(f"{name:<20}{int(cents) / 100:>8.2f}")
print("-" * 28)
print(f"{'TOTAL':<20}{total / 100:>8.2f}")
