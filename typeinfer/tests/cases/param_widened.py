# sig: (i8,)
# Assigning a float to an int parameter widens the variable; the argument type is unchanged.
def f(x):
    x = x / 2
    return x

# expect:
# types of f:
#   x: float64
#   return: float64
