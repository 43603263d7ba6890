# sig: void(f8)
def f(x):
    print(x)

# expect:
# error Unsupported 3:5-3:10: the builtin 'print' is not supported in jitted code
