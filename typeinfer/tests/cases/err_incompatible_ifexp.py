# sig: (f8[:], f8)
def f(a, x):
    return a if x > 0 else x

# expect:
# error Typing 3:12-3:29: the branches of the conditional expression have incompatible types array(float64, 1d, A) and float64
