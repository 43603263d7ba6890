# sig: (i8,)
# A `while True` loop without `break` never falls off the end: no implicit None.
def f(n):
    i = 0
    while True:
        i += 1
        if i * i > n:
            return i

# expect:
# types of f:
#   i: int64
#   n: int64
#   return: int64
