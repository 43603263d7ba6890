# sig: void(f8)
def f(x):
    reversed(x)

# expect:
# error Unsupported 3:5-3:13: the builtin 'reversed' is not supported in jitted code
