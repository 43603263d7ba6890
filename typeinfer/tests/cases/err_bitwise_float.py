# sig: (f8, i8)
def f(x, n):
    return x << n

# expect:
# error Typing 3:12-3:18: unsupported operand type(s) for <<: 'float64' and 'int64'
