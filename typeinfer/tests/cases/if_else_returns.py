# sig: (f8,)
def sign(x):
    if x > 0:
        return 1
    elif x < 0:
        return -1.0
    else:
        raise ValueError("zero")

# expect:
# types of sign:
#   x: float64
#   return: float64
# resolutions:
#   8:15 ValueError => ExceptionClass("ValueError")
