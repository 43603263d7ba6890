# sig: (c16, f8)
def f(z, x):
    return z // x

# expect:
# error Typing 3:12-3:18: unsupported operand type(s) for //: 'complex128' and 'float64'
