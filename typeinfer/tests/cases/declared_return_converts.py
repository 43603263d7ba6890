# sig: f8(i8)
# The int result converts to the declared float64.
def f(n):
    return n * 2

# expect:
# types of f:
#   n: int64
#   return: float64
