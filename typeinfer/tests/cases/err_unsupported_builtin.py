# sig: void(f8)
def f(x):
    sorted(x)

# expect:
# error Unsupported 3:5-3:11: the builtin 'sorted' is not supported in jitted code
