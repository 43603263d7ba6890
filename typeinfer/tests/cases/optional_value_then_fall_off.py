# sig: (f8,)
def f(x):
    if x > 0:
        return x

# expect:
# types of f:
#   x: float64
#   return: OptionalType(float64)
